"""Tag values in use across users, conversations and messages."""

from __future__ import annotations

from typing import Literal

from botpress_async._serde import query
from botpress_async._types import UNSET, Unset
from botpress_async.models import ListTagValuesResponse
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["Tags"]


class Tags(Resource):
    """Tag values in use across users, conversations and messages."""

    def list_values(
        self,
        key: str,
        *,
        type: Literal["user", "conversation", "message"],
        page_size: int | Unset = UNSET,
    ) -> Paginator[str]:
        """List the values a tag key has on users, conversations or messages, page after page.

        Args:
            key: the tag key (percent-encoded in the path, so ``"slack:id"`` is fine).
            type: which objects' tags: ``"user"``, ``"conversation"`` or ``"message"``.
            page_size: values per page, 1 to 100, for every page fetched (omitted: the service's
                default, 20). Beyond the 1.70.2 spec (official client 1.45).

        Returns:
            A :class:`Paginator` of the values (strings); ``page.response.tags`` keeps the
            answer's objects.

        Raises:
            ValueError: ``page_size`` out of 1 to 100 (raised at once, nothing sent).
            InvalidQueryError: ``type`` is not one of the three (raised when iterated).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/chat/tags/{key}/values``
        """
        return self._list(
            "/v1/chat/tags/{key}/values",
            cast=ListTagValuesResponse,
            items=lambda r: [tag.value for tag in r.tags],
            params=query(type=type),
            path_params={"key": key},
            page_size=page_size,
        )
