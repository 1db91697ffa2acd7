"""The errors botpress_async raises.

``BotpressError`` is the root. ``APIError`` is an error answer from the API, with one subclass per
type of the service's 26-type catalogue (``botpress_async/spec/*.metadata.json``), chosen by the
body's ``type`` and falling back to the HTTP status. Transport failures are
``APIConnectionError`` and its subclass ``APITimeoutError``.

Nothing here ever holds the token: errors carry the method, the path (no query string, no
headers we sent) and the response's headers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "CATALOGUE",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AlreadyExistsError",
    "BotpressError",
    "BreakingChangesError",
    "ClientStateError",
    "ForbiddenError",
    "InternalError",
    "InvalidDataFormatError",
    "InvalidIdentifierError",
    "InvalidJsonSchemaError",
    "InvalidPayloadError",
    "InvalidQueryError",
    "LimitExceededError",
    "MethodNotFoundError",
    "OperationTimeoutError",
    "PaginationLoopError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "QuotaExceededError",
    "RateLimitedError",
    "ReferenceConstraintError",
    "ReferenceNotFoundError",
    "RelationConflictError",
    "ResourceGoneError",
    "ResourceLockedConflictError",
    "ResourceNotFoundError",
    "ResponseDecodeError",
    "RuntimeAPIError",
    "TableRowsError",
    "UnauthorizedError",
    "UnknownError",
    "UnsupportedMediaTypeError",
    "error_class_for",
    "make_api_error",
]


class BotpressError(Exception):
    """Root of every error raised by botpress_async."""


class APIConnectionError(BotpressError):
    """The request could not complete: connection refused or reset, DNS, TLS, a dropped stream.

    Attributes:
        method: HTTP method of the request.
        path: the URL path (no query string).
        attempts: how many attempts were made before giving up.
        request_sent: False when the transport knows the service cannot have acted on the call: every
            attempt either never left (the connection could not be opened, a connect timeout, the
            request could not be written) or was refused with a 4xx answer (429 included). True (the
            default) when an attempt may have reached the service: the outcome is unknown.
    """

    def __init__(
        self, message: str, *, method: str = "", path: str = "", attempts: int = 1, request_sent: bool = True
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.attempts = attempts
        self.request_sent = request_sent

    def __str__(self) -> str:
        where = f" ({self.method} {self.path}, {self.attempts} attempt(s))" if self.method else ""
        return f"{self.message}{where}"


class APITimeoutError(APIConnectionError):
    """An attempt exceeded its timeout, or the call exceeded its deadline."""


class TableRowsError(BotpressError):
    """A row write answered with per-row errors, raised when ``raise_on_errors=True``.

    Raised by ``tables.create_rows``, ``update_rows`` and ``upsert_rows`` (not by the bulk methods,
    which report each row in their result). The rows that were written are still there: ``rows`` holds
    them (for an upsert, the inserted rows then the updated ones), ``response`` the whole structured
    answer.

    Attributes:
        errors: the server's per-row error messages.
        warnings: the server's warnings.
        rows: the rows written despite the errors.
        response: the structured response (``CreateTableRowsResponse`` …).
    """

    def __init__(
        self, message: str, *, errors: list[str], warnings: list[str], rows: list[Any], response: Any
    ) -> None:
        super().__init__(message)
        self.errors = errors
        self.warnings = warnings
        self.rows = rows
        self.response = response


class ClientStateError(BotpressError, RuntimeError):
    """The client cannot be used now: it is closed, or it is bound to another event loop."""


class PaginationLoopError(BotpressError):
    """The server handed back a page token it had already given: iterating further would loop."""


class APIError(BotpressError):
    """An error answer from the Botpress API.

    Attributes:
        status: HTTP status code.
        type: the catalogue type (``"ResourceNotFound"`` …), or ``"Unknown"``.
        message: the server's message (or a description of what went wrong decoding it).
        id: the server's error id (``err_…``) when it sent one.
        code: the ``code`` field of the body, usually equal to ``status``.
        description: the catalogue description, when the body carried one.
        method, path: the request that failed (path without query string).
        attempts: how many attempts were made.
        headers: the response headers.
        body: the decoded JSON body, or None.
        raw: the raw response text when it was not a JSON error object (HTML from a proxy …).
    """

    type_name: ClassVar[str] = "Unknown"
    default_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str | None = None,
        id: str | None = None,
        code: int | None = None,
        description: str | None = None,
        method: str = "",
        path: str = "",
        attempts: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        raw: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else self.default_status
        self.type = type or self.type_name
        self.id = id
        self.code = code if code is not None else self.status
        self.description = description
        self.method = method
        self.path = path
        self.attempts = attempts
        self.headers: dict[str, str] = dict(headers or {})
        self.body = body
        self.raw = raw

    @property
    def request_id(self) -> str | None:
        """The id the server gave this request or error, when there is one."""
        return self.id or self.headers.get("x-request-id") or self.headers.get("X-Request-Id")

    def __str__(self) -> str:
        parts = [f"{self.status} {self.type}: {self.message}"]
        if self.method:
            parts.append(f"[{self.method} {self.path}]")
        if self.id:
            parts.append(f"(id {self.id})")
        if self.attempts > 1:
            parts.append(f"after {self.attempts} attempts")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, type={self.type!r}, "
            f"message={self.message!r}, id={self.id!r}, method={self.method!r}, path={self.path!r})"
        )


class ResponseDecodeError(APIError):
    """A response the client could not decode: HTML, empty, truncated, wrong JSON shape, too big."""


def _define(name: str, status: int, doc: str) -> type[APIError]:
    cls = type(
        f"{name}Error" if name != "Runtime" else "RuntimeAPIError",
        (APIError,),
        {"type_name": name, "default_status": status, "__doc__": doc, "__module__": __name__},
    )
    return cls


# The 26 types of the 1.70.2 catalogue, with the status the service answers them with.
UnknownError = _define("Unknown", 500, "An error the service could not classify.")
InternalError = _define("Internal", 500, "An internal error of the service.")
UnauthorizedError = _define("Unauthorized", 401, "Missing or invalid token.")
ForbiddenError = _define("Forbidden", 403, "The token may not perform this action.")
PayloadTooLargeError = _define("PayloadTooLarge", 413, "The request body is too large.")
InvalidPayloadError = _define("InvalidPayload", 400, "The request body or a parameter is invalid.")
UnsupportedMediaTypeError = _define("UnsupportedMediaType", 415, "The content type is not supported.")
MethodNotFoundError = _define("MethodNotFound", 405, "No such method on this route.")
ResourceNotFoundError = _define("ResourceNotFound", 404, "The resource does not exist.")
InvalidJsonSchemaError = _define("InvalidJsonSchema", 400, "The JSON schema given is invalid.")
InvalidDataFormatError = _define("InvalidDataFormat", 400, "The data does not match its JSON schema.")
InvalidIdentifierError = _define("InvalidIdentifier", 400, "The identifier is not valid.")
RelationConflictError = _define("RelationConflict", 409, "The resources referenced are not linked.")
ReferenceConstraintError = _define("ReferenceConstraint", 409, "The resource is still referenced.")
ResourceLockedConflictError = _define("ResourceLockedConflict", 409, "The resource is locked.")
ResourceGoneError = _define("ResourceGone", 410, "The resource is no longer available.")
ReferenceNotFoundError = _define("ReferenceNotFound", 400, "A resource referenced in the body is missing.")
InvalidQueryError = _define("InvalidQuery", 400, "The query (filter, token, parameter) is invalid.")
RuntimeAPIError = _define("Runtime", 400, "The bot or integration runtime failed.")
AlreadyExistsError = _define("AlreadyExists", 409, "The record already exists.")
RateLimitedError = _define("RateLimited", 429, "Too many requests.")
PaymentRequiredError = _define("PaymentRequired", 402, "A payment is required.")
QuotaExceededError = _define("QuotaExceeded", 403, "A quota is exceeded.")
LimitExceededError = _define("LimitExceeded", 413, "A hard limit is exceeded.")
BreakingChangesError = _define("BreakingChanges", 400, "The change would break existing data.")
OperationTimeoutError = _define("OperationTimeout", 504, "The operation timed out on the service.")

CATALOGUE: dict[str, type[APIError]] = {
    cls.type_name: cls
    for cls in (
        UnknownError, InternalError, UnauthorizedError, ForbiddenError, PayloadTooLargeError,
        InvalidPayloadError, UnsupportedMediaTypeError, MethodNotFoundError, ResourceNotFoundError,
        InvalidJsonSchemaError, InvalidDataFormatError, InvalidIdentifierError, RelationConflictError,
        ReferenceConstraintError, ResourceLockedConflictError, ResourceGoneError, ReferenceNotFoundError,
        InvalidQueryError, RuntimeAPIError, AlreadyExistsError, RateLimitedError, PaymentRequiredError,
        QuotaExceededError, LimitExceededError, BreakingChangesError, OperationTimeoutError,
    )
}

# When the body names no known type, the status alone decides; ambiguous statuses (400, 409, 413)
# map to the most general type of that status.
_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidPayloadError,
    401: UnauthorizedError,
    402: PaymentRequiredError,
    403: ForbiddenError,
    404: ResourceNotFoundError,
    405: MethodNotFoundError,
    409: AlreadyExistsError,
    410: ResourceGoneError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    429: RateLimitedError,
    500: InternalError,
    504: OperationTimeoutError,
}


def error_class_for(type_name: str | None, status: int) -> type[APIError]:
    """The class for a catalogue ``type``, else for the HTTP ``status``, else APIError/UnknownError."""
    if type_name and type_name in CATALOGUE:
        return CATALOGUE[type_name]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return UnknownError if status >= 500 else APIError


def make_api_error(
    status: int,
    text: str,
    *,
    method: str = "",
    path: str = "",
    attempts: int = 1,
    headers: Mapping[str, str] | None = None,
) -> APIError:
    """Build the typed error for an error response.

    Accepts both wire shapes: ``{id, code, type, message}`` (what the service sends) and
    ``{type, description, status}`` (what the docs show). A body that is not a JSON object
    (HTML from a proxy, empty, truncated) gives an error of the status's class with ``raw`` set.
    """
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    common: dict[str, Any] = {
        "method": method,
        "path": path,
        "attempts": attempts,
        "headers": headers,
    }
    if isinstance(body, dict) and isinstance(body.get("type") or body.get("message"), str):
        type_name = body.get("type") if isinstance(body.get("type"), str) else None
        message = body.get("message")
        description = body.get("description") if isinstance(body.get("description"), str) else None
        if not isinstance(message, str):
            message = description or (type_name or "error")
        code = body.get("code") if isinstance(body.get("code"), int) else None
        cls = error_class_for(type_name, status)
        return cls(
            message,
            status=status,
            type=type_name or cls.type_name,
            id=body.get("id") if isinstance(body.get("id"), str) else None,
            code=code,
            description=description,
            body=body,
            raw=None,
            **common,
        )
    cls = error_class_for(None, status)
    snippet = text[:500] if text else ""
    if not text:
        message = f"HTTP {status} with an empty body"
    elif body is None:
        message = f"HTTP {status} with a body that is not JSON: {snippet!r}"
    else:
        message = f"HTTP {status} with an unexpected JSON body: {snippet!r}"
    return cls(message, status=status, body=body, raw=text, **common)
