"""HTTP plumbing shared by every emulator route: errors, authentication, JSON in and out.

Adding a route
--------------
1. Write ``async def handler(request: web.Request) -> web.Response``.
2. Reach the shared state with ``state = request.app[STATE_KEY]`` (``botpress_async.emulator.state``)
   and the caller's bot with ``bot_id(request)``; every row you store or read is scoped by it.
3. Read the body with ``body = await read_json(request, max_bytes=RUNTIME_MAX_BYTES)`` (or
   ``TABLES_MAX_BYTES``), then check it with ``validation.validate_body("runtime", "<operationId>", body)``;
   parse the query with ``q = validation.validate_query("runtime", "<operationId>", request.query)``.
4. Fail by raising ``EmulatorError("<catalogue type>", "<message naming the field>")``; never return an
   error response yourself. Anything else that escapes becomes a 500 Internal, which is a bug.
5. Answer with ``json_response(data)`` (``status=201`` for the create operations).
6. Register it in your module's ``add_routes(app, state)`` with
   ``app.router.add_route(method, path, handler)``; ``app.make_app`` calls it.

Middleware order (outermost first): :func:`error_middleware` (every failure becomes the error body),
:func:`auth_middleware` (401, then 404/405 for unknown routes, then the ``x-bot-id`` check), then the
state's extra middlewares (fault injection, rate limiting), then the handler.

This module must not know any route: it holds only what every route needs.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import sqlite3
import time
import zlib
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler
from aiohttp.web_protocol import RequestPayloadError

from botpress_async.emulator._errors import EmulatorError, catalogue
from botpress_async.emulator._json import dumps
from botpress_async.emulator.state import STATE_KEY

__all__ = [
    "RUNTIME_MAX_BYTES",
    "TABLES_MAX_BYTES",
    "auth_middleware",
    "bot_id",
    "error_body",
    "error_middleware",
    "error_response",
    "json_response",
    "read_json",
]

log = logging.getLogger("botpress_async.emulator")

#: Largest runtime (chat) request body, in bytes (the service documents 1 MB).
RUNTIME_MAX_BYTES = 1024 * 1024
#: Largest Tables request body, in bytes (the service documents 40 MB).
TABLES_MAX_BYTES = 40 * 1024 * 1024

# The wording the public API docs give for each error type; the last three are ours (the docs omit them).
_DESCRIPTIONS = {
    "Unknown": "An unknown error occurred",
    "Internal": "An internal error occurred",
    "Unauthorized": "The request requires to be authenticated.",
    "Forbidden": "The requested action can't be peform by this resource.",
    "PayloadTooLarge": "The request payload is too large.",
    "InvalidPayload": "The request payload is invalid.",
    "UnsupportedMediaType": "The request is invalid because the content-type is not supported.",
    "MethodNotFound": "The requested method does not exist.",
    "ResourceNotFound": "The requested resource does not exist.",
    "InvalidJsonSchema": "The provided JSON schema is invalid.",
    "InvalidDataFormat": "The provided data doesn't respect the provided JSON schema.",
    "InvalidIdentifier": "The provided identifier is not valid.",
    "RelationConflict": "The resource is related with a different resource than the one referenced.",
    "ReferenceConstraint": "The resource cannot be deleted because it's referenced by another resource",
    "ReferenceNotFound": "The provided resource reference is missing.",
    "InvalidQuery": "The provided query is invalid.",
    "Runtime": "An error happened during the execution of a runtime (bot or integration).",
    "AlreadyExists": "The record attempted to be created already exists.",
    "RateLimited": "The request has been rate limited.",
    "PaymentRequired": "A payment is required to perform this request.",
    "QuotaExceeded": "The request exceeds the allowed quota.",
    "LimitExceeded": "The request exceeds the allowed limit.",
    "BreakingChanges": "Request payload contains breaking changes.",
    "ResourceLockedConflict": "The resource is locked by another operation.",
    "ResourceGone": "The requested resource is no longer available.",
    "OperationTimeout": "The operation timed out.",
}

# aiohttp's own HTTP exceptions (routing, size limits) -> catalogue type.
_STATUS_TYPES = {
    400: "InvalidPayload",
    401: "Unauthorized",
    404: "ResourceNotFound",
    405: "MethodNotFound",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "RateLimited",
}


def _error_id() -> str:
    """``err_<ms timestamp>x<8 hex>``, the form of the service's error ids."""
    return f"err_{time.time_ns() // 1_000_000}x{secrets.token_hex(4)}"


def error_body(type: str, message: str) -> dict[str, Any]:
    """The error body for catalogue ``type``: ``{id, code, type, message, description, status}``.

    Raises:
        ValueError: ``type`` is not a catalogue type.
    """
    if type not in catalogue():
        raise ValueError(f"{type!r} is not a catalogue error type")
    status = catalogue()[type]
    return {
        "id": _error_id(),
        "code": status,
        "type": type,
        "message": message,
        "description": _DESCRIPTIONS.get(type, type),
        "status": status,
    }


def error_response(
    type: str, message: str, *, headers: dict[str, str] | None = None, status: int | None = None
) -> web.Response:
    """An error answer for catalogue ``type``; the status is the catalogue's unless ``status`` overrides it
    (injected gateway faults: 502/503 have no catalogue type of their own)."""
    body = error_body(type, message)
    if status is not None:
        body["code"] = body["status"] = status
    return json_response(body, status=body["status"], headers=headers)


def json_response(data: Any, status: int = 200, *, headers: dict[str, str] | None = None) -> web.Response:
    """``data`` as an ``application/json`` UTF-8 answer."""
    # dumps escapes a lone surrogate (from a query string) rather than fail to encode it.
    body = dumps(data).encode("utf-8")
    return web.Response(body=body, status=status, content_type="application/json", headers=headers)


# SQLite's refusals of a statement for its size: expression depth, parser stack, bound variables, result
# columns, string length. Only a request (a huge filter, group or list) can build such a statement.
_SQLITE_SIZE_LIMIT = re.compile(
    r"parser stack overflow|too large|too many|too big|too complex", re.IGNORECASE
)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into the error body; an unexpected exception is a logged 500 Internal.

    Two exceptions are the request's fault whatever the route: a number SQLite cannot bind (400
    InvalidPayload) and SQLite refusing a statement for its size (400 InvalidQuery). A client that
    disconnects mid-request (a timed-out call, a killed process) is normal, not an emulator error: it is
    logged at debug level only, and the answer it can no longer receive is dropped.
    """
    try:
        return await handler(request)
    except ConnectionResetError:
        if not _client_gone(request):
            log.exception("emulator: unexpected error on %s %s", request.method, request.path)
            return error_response("Internal", "unexpected emulator error")
        log.debug("emulator: the client closed the connection during %s %s", request.method, request.path)
        return error_response("InvalidPayload", "the client closed the connection mid-request")
    except EmulatorError as exc:
        return error_response(exc.type, exc.message, headers=exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        type = _STATUS_TYPES.get(exc.status, "Unknown" if exc.status >= 500 else "InvalidPayload")
        message = {
            "ResourceNotFound": f"no route {request.method} {request.path}",
            "MethodNotFound": f"method {request.method} is not allowed on {request.path}",
        }.get(type, exc.reason)
        return error_response(type, message)
    except OverflowError as exc:  # a request number SQLite cannot hold (past 64 bits)
        return error_response("InvalidPayload", f"a number in the request is out of range: {exc}")
    except sqlite3.OperationalError as exc:
        if _SQLITE_SIZE_LIMIT.search(str(exc)) is None:
            log.exception("emulator: unexpected error on %s %s", request.method, request.path)
            return error_response("Internal", "unexpected emulator error")
        # SQLite refused a statement for its size: a filter, group or list too big for it to run.
        return error_response("InvalidQuery", f"the query is too large to run ({exc}): make it smaller")
    except Exception:
        # Bad input must never get here: this is an emulator bug. The log names the route only.
        log.exception("emulator: unexpected error on %s %s", request.method, request.path)
        return error_response("Internal", "unexpected emulator error")


def _client_gone(request: web.Request) -> bool:
    """True once the client's connection is closed (aiohttp then fails body reads with "Connection lost")."""
    transport = request.transport
    return transport is None or transport.is_closing()


def _as_bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 without ``Authorization: Bearer <token>``; then unknown routes; then ``x-bot-id``.

    A missing or empty ``x-bot-id`` is 400 InvalidPayload (the catalogue has no header-specific type).
    """
    if request.path.startswith("/_files/"):
        # Signed upload/download URLs (files.py): the signature, not the token, authorizes them.
        return await handler(request)
    token = request.app[STATE_KEY].token
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(_as_bytes(given.strip()), _as_bytes(token)):
        raise EmulatorError("Unauthorized", "a valid 'Authorization: Bearer <token>' header is required")
    routing_error = request.match_info.http_exception
    if routing_error is not None:
        raise routing_error
    if not request.headers.get("x-bot-id", "").strip():
        raise EmulatorError("InvalidPayload", "the x-bot-id header is required")
    return await handler(request)


def bot_id(request: web.Request) -> str:
    """The caller's bot (the ``x-bot-id`` header, checked present by :func:`auth_middleware`)."""
    return request.headers["x-bot-id"].strip()


def _is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


# Content-Encoding -> zlib wbits (None: the bytes are the body). The server hands us the bytes as sent
# (``auto_decompress=False`` in server.py) so that a body that does not decode is our 400 in the error
# shape, not aiohttp's plain-text one, and a decompression bomb stops at the limit.
_DECODINGS: dict[str, int | None] = {"identity": None, "gzip": 16 + zlib.MAX_WBITS,
                                     "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


async def _read_capped(request: web.Request, max_bytes: int) -> bytes:
    """The decoded body, or 413 as soon as it exceeds ``max_bytes`` (never buffers more than that).

    A gzip or deflate Content-Encoding is decoded here, the limit applying to the decoded bytes; another
    encoding is 415, bytes that do not decode (or stop short) are 400 InvalidPayload.
    """
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower() or "identity"
    if encoding not in _DECODINGS:
        raise EmulatorError("UnsupportedMediaType",
                            f"Content-Encoding {encoding!r} is not supported: send gzip, deflate or identity")
    wbits = _DECODINGS[encoding]
    decoder = zlib.decompressobj(wbits) if wbits is not None else None
    declared = request.content_length
    if decoder is None and declared is not None and declared > max_bytes:
        raise EmulatorError("PayloadTooLarge", f"the body is {declared} bytes; the limit is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            received = await request.content.read(65536)
            chunk = received
            if decoder is not None:
                chunk = decoder.decompress(received, max_bytes + 1 - size) if received else decoder.flush()
        except zlib.error as exc:
            raise EmulatorError("InvalidPayload", f"the {encoding} body does not decode: {exc}") from None
        except (RequestPayloadError, HttpProcessingError) as exc:  # a broken chunked framing
            raise EmulatorError("InvalidPayload", f"the body could not be read: {exc}") from None
        size += len(chunk)
        if size > max_bytes:
            raise EmulatorError("PayloadTooLarge", f"the body exceeds the limit of {max_bytes} bytes")
        chunks.append(chunk)
        if not received:
            break
    if decoder is not None and not decoder.eof and size:
        raise EmulatorError("InvalidPayload", f"the {encoding} body stops before its end")
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


async def read_json(request: web.Request, *, max_bytes: int) -> dict[str, Any]:
    """The request body as a JSON object; an absent or empty body is ``{}``.

    Args:
        request: the incoming request.
        max_bytes: the body limit in bytes (``RUNTIME_MAX_BYTES`` or ``TABLES_MAX_BYTES``).

    Returns:
        The decoded object.

    Raises:
        EmulatorError: PayloadTooLarge (413) over ``max_bytes``; UnsupportedMediaType (415) for a body
            whose Content-Type is set and is not JSON; InvalidPayload (400) for bytes that are not UTF-8
            JSON, a JSON value that is not an object, NaN/Infinity, lone surrogates or too deep nesting.
    """
    raw = await _read_capped(request, max_bytes)
    if not raw.strip():
        return {}
    if "Content-Type" in request.headers and not _is_json_type(request.content_type):
        raise EmulatorError(
            "UnsupportedMediaType", f"Content-Type {request.content_type!r} is not supported: send JSON"
        )
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise EmulatorError("InvalidPayload", f"the body is not valid UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise EmulatorError("InvalidPayload", "the body is nested too deeply") from None
    except ValueError as exc:
        raise EmulatorError("InvalidPayload", f"the body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise EmulatorError("InvalidPayload", f"the body must be a JSON object, not {type(value).__name__}")
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise EmulatorError("InvalidPayload", "the body contains a lone UTF-16 surrogate") from None
    return value
