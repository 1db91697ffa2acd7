"""Files of a bot: upload, fetch, list, delete and download (what table import and export need).

An upload is two requests: ``upsertFile`` (an API call, through the transport) declares the file and
answers an ``uploadUrl``; the bytes then go to that URL with a plain ``PUT``. A download is ``getFile``
then a ``GET`` of the file's ``url``. Those two transfers are not API calls: they go to a presigned
address (a storage bucket, or the emulator's own ``/_files/`` route) that must never see the token, so
they go through ``Transport.transfer``: the same pool, limiter and error mapping, without the API's
headers.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from botpress_async._serde import body, query
from botpress_async._types import UNSET, Unset
from botpress_async.models import (
    File,
    GetFileResponse,
    ListFilesResponse,
    UpsertedFile,
    UpsertFileResponse,
)
from botpress_async.pagination import Paginator
from botpress_async.resources._base import Resource

__all__ = ["FileContent", "Files"]

_FILES = "/v1/files"
_FILE = "/v1/files/{id}"

FileContent = bytes | bytearray | memoryview | str | os.PathLike[str] | AsyncIterable[bytes]
"""What :meth:`Files.upload` sends: bytes, text (sent as UTF-8), a path to a local file, or an async
stream of bytes."""


class Files(Resource):
    """Files of a bot: upload, fetch, list, delete and download."""

    async def upload(
        self,
        key: str,
        content: FileContent,
        *,
        size: int | None = None,
        content_type: str | Unset = UNSET,
        tags: Mapping[str, str] | Unset = UNSET,
        index: bool | Unset = UNSET,
        access_policies: Sequence[Literal["public_content", "integrations"]] | Unset = UNSET,
        expires_at: datetime | Unset = UNSET,
        metadata: Mapping[str, Any] | Unset = UNSET,
        public_content_immediately_accessible: bool | Unset = UNSET,
    ) -> File:
        """Create (or replace) the file at ``key`` and upload its content.

        Args:
            key: the file's unique key in the bot (an existing key is overwritten).
            content: bytes; a str (sent as UTF-8 text); a path (``pathlib.Path``) to a local file,
                streamed from disk; or an async iterable of bytes, streamed (give ``size``, or it is
                read into memory first to measure it).
            size: the content's size in bytes, needed up front by the API; computed when omitted.
            content_type: the MIME type (``text/csv``, ``application/json`` …); the service guesses
                it from the key when omitted.
            tags: the file's tags (values at most 1000 characters).
            index: index the file for semantic search.
            access_policies: ``"public_content"`` (readable without a token) and/or
                ``"integrations"``.
            expires_at: when the service deletes the file (an aware datetime).
            metadata: free-form JSON metadata.
            public_content_immediately_accessible: make public content readable at once.

        Returns:
            The file, fetched again after the upload (its ``status`` and ``size`` are final).

        Raises:
            FileNotFoundError: ``content`` is a path that does not exist (nothing sent).
            APIError: the API refused the file, or the upload URL answered an error status.
            APIConnectionError: a request could not complete (APITimeoutError on timeout).

        API: ``PUT /v1/files``, then ``PUT <uploadUrl>``, then ``GET /v1/files/{id}``.
        """
        data, measured = await _payload(content)
        if size is None:
            if measured is None:
                # The API needs the size before the upload: measure the stream by reading it.
                data = b"".join([chunk async for chunk in data])
                measured = len(data)
            size = measured
        json = body(
            key=key, size=size, content_type=content_type, tags=tags, index=index,
            access_policies=access_policies, expires_at=expires_at, metadata=metadata,
            public_content_immediately_accessible=public_content_immediately_accessible,
        )
        response = await self._transport.request("PUT", _FILES, json=json, cast=UpsertFileResponse)
        upserted: UpsertedFile = response.file
        headers = {"Content-Type": upserted.content_type}
        if access_policies is not UNSET and "public_content" in access_policies:
            # The storage bucket makes an object public from this tag, as the official client sends it.
            headers["x-amz-tagging"] = "public=true"
        if isinstance(data, Path):
            # aiohttp streams an open file from a thread pool; the handle is ours to close.
            handle = await asyncio.to_thread(data.open, "rb")
            try:
                await self._transfer("PUT", upserted.upload_url, data=handle, headers=headers)
            finally:
                await asyncio.to_thread(handle.close)
        else:
            await self._transfer("PUT", upserted.upload_url, data=data, headers=headers)
        return await self.get(upserted.id)

    async def get(self, id: str) -> File:
        """Fetch a file's description (not its content: see :meth:`download`).

        Args:
            id: the file's id (``file_...``) or key.

        Returns:
            The file, with ``url`` (where its content is downloaded from), ``size``, ``status`` …

        Raises:
            ResourceNotFoundError: no such file; APIError, APIConnectionError: as any call.

        API: ``GET /v1/files/{id}``
        """
        response = await self._transport.request("GET", _FILE, path_params={"id": id}, cast=GetFileResponse)
        return response.file

    def list(
        self,
        *,
        tags: Mapping[str, str] | Unset = UNSET,
        ids: Sequence[str] | Unset = UNSET,
        sort_field: Literal["key", "size", "createdAt", "updatedAt", "status"] | Unset = UNSET,
        sort_direction: Literal["asc", "desc"] | Unset = UNSET,
        indexed: bool | Unset = UNSET,
    ) -> Paginator[File]:
        """List the bot's files, page after page (nothing is fetched until the paginator is used).

        Args:
            tags: only files having all these tags.
            ids: only these file ids (at most 50).
            sort_field: ``"key"``, ``"size"``, ``"createdAt"``, ``"updatedAt"`` or ``"status"``.
            sort_direction: ``"asc"`` or ``"desc"``.
            indexed: only indexed (True) or not indexed (False) files.

        Returns:
            A :class:`Paginator` of :class:`File`.

        Raises:
            ValueError: more than 50 ids (raised here, nothing sent).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``GET /v1/files``
        """
        if ids is not UNSET and len(ids) > 50:
            raise ValueError(f"ids takes at most 50 file ids, got {len(ids)}")
        params = query(
            tags=tags, ids=ids, sort_field=sort_field, sort_direction=sort_direction, indexed=indexed
        )
        return self._list(_FILES, cast=ListFilesResponse, items=lambda r: r.files, params=params)

    async def delete(self, id: str) -> None:
        """Delete a file and its content.

        Args:
            id: the file's id or key.

        Raises:
            ResourceNotFoundError: no such file; APIError, APIConnectionError: as any call.

        API: ``DELETE /v1/files/{id}``
        """
        await self._transport.request("DELETE", _FILE, path_params={"id": id})

    async def download(self, id: str) -> bytes:
        """Download a file's content (at most the client's ``max_response_bytes``).

        Args:
            id: the file's id or key.

        Returns:
            The content, as stored (an export made with ``compress=True`` is gzip data).

        Raises:
            ResourceNotFoundError: no such file; APIError: the download URL answered an error status
            or the content is larger than ``max_response_bytes``; APIConnectionError: as any call.

        API: ``GET /v1/files/{id}``, then ``GET <file.url>``.
        """
        file = await self.get(id)
        return await self._transfer("GET", file.url)

    async def _transfer(
        self,
        method: str,
        url: str,
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """Send one request to a presigned transfer URL, through the transport (no API headers)."""
        return await self._transport.transfer(method, url, data=data, headers=headers)


async def _payload(content: FileContent) -> tuple[Any, int | None]:
    """What aiohttp sends for ``content`` (a Path is opened by the caller), and its size when known."""
    if isinstance(content, str):
        encoded = content.encode()
        return encoded, len(encoded)
    if isinstance(content, (bytes, bytearray, memoryview)):
        raw = bytes(content)
        return raw, len(raw)
    if isinstance(content, os.PathLike):
        path = Path(content)
        size = (await asyncio.to_thread(path.stat)).st_size
        return path, size
    return _stream(content), None


async def _stream(content: Any) -> AsyncIterator[bytes]:
    async for chunk in content:
        yield bytes(chunk)
