"""A FastAPI app that talks to Botpress through one botpress_async Client.

The client is opened in the app's lifespan and closed when the app stops: one connection pool for
every request, no client per request. Configuration comes from the environment (BP_TOKEN, BP_BOT_ID,
and BP_API_URL to point it at the local emulator).

Run it (with the emulator in another terminal: ``botpress-async emulator --token dev``)::

    pip install 'botpress-async[examples]'
    BP_TOKEN=dev BP_BOT_ID=5f1c2a0e-7d3b-4c8e-9a61-0b7e4d2c9f10 BP_API_URL=http://127.0.0.1:8765 \\
        uvicorn examples.fastapi_app:app

    curl -X POST localhost:8000/messages -H 'content-type: application/json' \\
        -d '{"email": "ada@example.com", "text": "hello"}'
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from botpress_async import APIError, Client


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with Client() as bp:  # BP_TOKEN, BP_BOT_ID, BP_API_URL
        app.state.bp = bp
        yield


app = FastAPI(title="botpress_async + FastAPI", lifespan=lifespan)


def botpress(request: Request) -> Client:
    bp: Client = request.app.state.bp
    return bp


class IncomingMessage(BaseModel):
    email: str
    text: str


@app.exception_handler(APIError)
async def api_error(request: Request, exc: Exception) -> JSONResponse:
    # Pass Botpress's answer through (404 stays 404, a refused payload stays 400).
    assert isinstance(exc, APIError)
    return JSONResponse({"detail": f"{exc.type}: {exc.message}"}, status_code=exc.status or 502)


@app.post("/messages", status_code=201)
async def post_message(body: IncomingMessage, request: Request) -> dict[str, Any]:
    """Record a user's message in their conversation and count it in the conversation state."""
    bp = botpress(request)
    user = await bp.users.get_or_create(tags={"email": body.email})
    conv = await bp.conversations.get_or_create(channel="web", tags={"email": body.email})
    await bp.conversations.add_participant(conv.id, user_id=user.id)
    message = await bp.messages.create(
        conversation_id=conv.id, user_id=user.id, type="text", payload={"text": body.text}, tags={}
    )
    state = await bp.states.get_or_set("conversation", conv.id, "stats", payload={"messages": 0})
    count = int(state.payload.get("messages", 0)) + 1
    await bp.states.set("conversation", conv.id, "stats", payload={"messages": count})
    return {"userId": user.id, "conversationId": conv.id, "messageId": message.id, "messages": count}


@app.get("/conversations/{conversation_id}/transcript")
async def transcript(conversation_id: str, request: Request) -> dict[str, Any]:
    """Every message of a conversation, oldest first (the API lists newest first)."""
    bp = botpress(request)
    conv = await bp.conversations.get(conversation_id)  # an unknown id answers 404
    messages = [m async for m in bp.messages.list(conversation_id=conv.id)]
    return {"messages": [{"id": m.id, "text": m.payload.get("text")} for m in reversed(messages)]}
