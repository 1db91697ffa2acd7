"""The part of the Files API that table import/export needs: upsertFile, getFile, listFiles, deleteFile.

Files are stored in SQLite (``bp_files``, content as a BLOB), scoped by bot. ``upsertFile`` answers an
``uploadUrl``; the caller then ``PUT``s the bytes there (no Authorization header, like a presigned URL),
and ``url`` downloads them with ``GET``. Both URLs carry an HMAC signature of the file id, so they work
without the API token but cannot be guessed.

Transfer address: the transfer URLs are served on the emulator's own address under ``/_files/``; the
auth middleware lets that prefix through without a token, and the handler checks the signature.

Pinned choices: a new ``key`` creates a file (``file_...`` id); an existing key resets it (status
``upload_pending``, content cleared, same id). ``size`` is the declared size until an upload arrives,
then the real byte count. listFiles returns every matching file of the bot, newest first, in one page
(``tags`` is an AND of exact matches, ``ids`` restricts to those ids); other listing options are ignored.
Files never expire and are never indexed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from typing import Any

from aiohttp import web

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._http import TABLES_MAX_BYTES, bot_id, json_response, read_json
from botpress_async.emulator.clock import Clock, iso
from botpress_async.emulator.state import EmulatorState
from botpress_async.emulator.validation import operation, validate_body, validate_query

__all__ = ["FILES_KEY", "FileStore", "add_routes", "transfer_handler"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bp_files (
    id           TEXT    NOT NULL PRIMARY KEY,
    bot_id       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER,
    tags         TEXT    NOT NULL,
    access       TEXT    NOT NULL,        -- JSON array of access policies
    status       TEXT    NOT NULL,
    content      BLOB,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (bot_id, key)
);
"""

#: Largest upload accepted on a transfer URL, in bytes.
MAX_UPLOAD_BYTES = TABLES_MAX_BYTES
TRANSFER_PREFIX = "/_files/"


class FileStore:
    """Files of every bot on one SQLite connection, plus the signing key of their transfer URLs.

    Args:
        db: the emulator's connection.
        clock: source of ``createdAt``/``updatedAt``.
    """

    def __init__(self, db: sqlite3.Connection, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.transfer_base = ""  # the emulator's origin (http://host:port), taken from requests
        self._secret = secrets.token_bytes(32)
        db.executescript(_SCHEMA)

    def _sign(self, verb: str, file_id: str) -> str:
        return hmac.new(self._secret, f"{verb}:{file_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def check_signature(self, verb: str, file_id: str, signature: str) -> bool:
        """Whether ``signature`` authorizes ``verb`` (``put`` or ``get``) on ``file_id``."""
        return hmac.compare_digest(self._sign(verb, file_id), signature)

    def _url(self, verb: str, file_id: str) -> str:
        return f"{self.transfer_base}{TRANSFER_PREFIX}{file_id}?sig={self._sign(verb, file_id)}"

    def _wire(self, row: Any) -> dict[str, Any]:
        return {
            "id": row["id"],
            "botId": row["bot_id"],
            "key": row["key"],
            "url": self._url("get", row["id"]),
            "size": row["size"],
            "contentType": row["content_type"],
            "tags": json.loads(row["tags"]),
            "metadata": {},
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
            "accessPolicies": json.loads(row["access"]),
            "index": False,
            "status": row["status"],
            "owner": {"type": "bot", "id": row["bot_id"]},
        }

    def _row(self, bot: str, file_id: str) -> Any:
        row = self.db.execute("SELECT * FROM bp_files WHERE bot_id = ? AND id = ?", (bot, file_id)).fetchone()
        if row is None:
            raise EmulatorError("ResourceNotFound", f"file {file_id!r} does not exist")
        return row

    def upsert(self, bot: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create (or reset) the file ``body["key"]``; returns the file with its ``uploadUrl``.

        API: ``PUT /v1/files``
        """
        now = iso(self.clock.now_ms())
        content_type = body.get("contentType") or "application/octet-stream"
        tags = json.dumps(body.get("tags") or {})
        access = json.dumps(body.get("accessPolicies") or [])
        with store.transaction(self.db):
            existing = self.db.execute(
                "SELECT id FROM bp_files WHERE bot_id = ? AND key = ?", (bot, body["key"])
            ).fetchone()
            if existing is None:
                file_id = "file_" + secrets.token_hex(13)
                self.db.execute(
                    "INSERT INTO bp_files (id, bot_id, key, content_type, size, tags, access, status, "
                    "content, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'upload_pending', NULL, ?, ?)",
                    (file_id, bot, body["key"], content_type, body.get("size"), tags, access, now, now),
                )
            else:
                file_id = existing["id"]
                self.db.execute(
                    "UPDATE bp_files SET content_type = ?, size = ?, tags = ?, access = ?, "
                    "status = 'upload_pending', content = NULL, updated_at = ? WHERE id = ?",
                    (content_type, body.get("size"), tags, access, now, file_id),
                )
        return {**self._wire(self._row(bot, file_id)), "uploadUrl": self._url("put", file_id)}

    def save(self, bot: str, key: str, content: bytes, content_type: str) -> dict[str, Any]:
        """Store a complete file (used by table exports); returns the file."""
        file = self.upsert(bot, {"key": key, "size": len(content), "contentType": content_type})
        self.put_content(file["id"], content)
        return self.get(bot, file["id"])

    def put_content(self, file_id: str, content: bytes) -> None:
        """Record an upload: the bytes, their size, status ``upload_completed``."""
        with store.transaction(self.db):
            self.db.execute(
                "UPDATE bp_files SET content = ?, size = ?, status = 'upload_completed', updated_at = ? "
                "WHERE id = ?",
                (content, len(content), iso(self.clock.now_ms()), file_id),
            )

    def content(self, file_id: str, bot: str | None = None) -> bytes | None:
        """The uploaded bytes of ``file_id`` (of ``bot`` when given), or ``None`` before any upload."""
        row = self.db.execute("SELECT content, bot_id FROM bp_files WHERE id = ?", (file_id,)).fetchone()
        if row is None or (bot is not None and row["bot_id"] != bot):
            raise EmulatorError("ResourceNotFound", f"file {file_id!r} does not exist")
        data = row["content"]
        return None if data is None else bytes(data)

    def get(self, bot: str, file_id: str) -> dict[str, Any]:
        """The file. API: ``GET /v1/files/{id}``."""
        return self._wire(self._row(bot, file_id))

    def list(self, bot: str, tags: dict[str, str] | None, ids: list[str] | None) -> list[dict[str, Any]]:
        """The bot's files, newest first. API: ``GET /v1/files``."""
        rows = self.db.execute(
            "SELECT * FROM bp_files WHERE bot_id = ? ORDER BY created_at DESC, id DESC", (bot,)
        ).fetchall()
        files = [self._wire(r) for r in rows]
        wanted = tags or {}
        return [
            f
            for f in files
            if all(f["tags"].get(k) == v for k, v in wanted.items()) and (ids is None or f["id"] in ids)
        ]

    def delete(self, bot: str, file_id: str) -> None:
        """Delete the file. API: ``DELETE /v1/files/{id}``."""
        self._row(bot, file_id)
        with store.transaction(self.db):
            self.db.execute("DELETE FROM bp_files WHERE id = ?", (file_id,))


FILES_KEY = web.AppKey("botpress_files_store", FileStore)


def _files(request: web.Request) -> FileStore:
    """The store, with its transfer URLs rooted at the address this request reached."""
    files = request.app[FILES_KEY]
    files.transfer_base = str(request.url.origin())
    return files


async def upsert_file(request: web.Request) -> web.Response:
    body = await read_json(request, max_bytes=TABLES_MAX_BYTES)
    validate_body("files", "upsertFile", body)
    return json_response({"file": _files(request).upsert(bot_id(request), body)})


async def get_file(request: web.Request) -> web.Response:
    return json_response({"file": _files(request).get(bot_id(request), request.match_info["id"])})


async def list_files(request: web.Request) -> web.Response:
    query = validate_query("files", "listFiles", request.query)
    found = _files(request).list(bot_id(request), query.get("tags"), query.get("ids"))
    return json_response({"files": found, "meta": {}})


async def delete_file(request: web.Request) -> web.Response:
    await read_json(request, max_bytes=TABLES_MAX_BYTES)
    _files(request).delete(bot_id(request), request.match_info["id"])
    return json_response({})


def _transfer_error(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=message, content_type="text/plain")


def transfer_handler(files: FileStore) -> Any:
    """The handler of ``PUT``/``GET /_files/{id}?sig=...`` (upload and download of a file's bytes)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["id"]
        verb = "put" if request.method == "PUT" else "get"
        if not files.check_signature(verb, file_id, request.query.get("sig", "")):
            return _transfer_error(403, "invalid or missing signature")
        try:
            if verb == "put":
                declared = request.content_length
                if declared is not None and declared > MAX_UPLOAD_BYTES:
                    return _transfer_error(413, f"uploads are limited to {MAX_UPLOAD_BYTES} bytes")
                data = await request.content.read(MAX_UPLOAD_BYTES + 1)
                if len(data) > MAX_UPLOAD_BYTES:
                    return _transfer_error(413, f"uploads are limited to {MAX_UPLOAD_BYTES} bytes")
                files.content(file_id)  # 404 for a deleted file
                files.put_content(file_id, data)
                return web.Response(status=200)
            content = files.content(file_id)
        except EmulatorError as exc:
            return _transfer_error(exc.status, exc.message)
        if content is None:
            return _transfer_error(404, "nothing was uploaded to this file yet")
        row = files.db.execute("SELECT content_type FROM bp_files WHERE id = ?", (file_id,)).fetchone()
        return web.Response(body=content, content_type=row["content_type"])

    return handle


def add_routes(app: web.Application, state: EmulatorState) -> FileStore:
    """Register upsertFile, getFile, listFiles, deleteFile and start/stop the transfer site with ``app``.

    Returns:
        The application's :class:`FileStore` (also at ``app[FILES_KEY]``).
    """
    files = FileStore(state.db, state.clock)
    app[FILES_KEY] = files
    for operation_id, handler in (
        ("upsertFile", upsert_file),
        ("getFile", get_file),
        ("listFiles", list_files),
        ("deleteFile", delete_file),
    ):
        method, path, _ = operation("files", operation_id)
        app.router.add_route(method, path, handler)

    # Upload/download URLs are served on the emulator's own address; they carry an HMAC signature
    # instead of the bearer token (as the service's pre-signed storage URLs do), so the auth
    # middleware lets TRANSFER_PREFIX through and the handler checks the signature.
    handle = transfer_handler(files)
    app.router.add_route("PUT", TRANSFER_PREFIX + "{id}", handle)
    app.router.add_route("GET", TRANSFER_PREFIX + "{id}", handle)
    return files
