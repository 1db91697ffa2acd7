"""An aiohttp.web app that talks to Botpress through one botpress_async Client.

The client lives in a ``cleanup_ctx`` generator: opened when the app starts, closed when it stops, one
connection pool for every request. Configuration comes from the environment (BP_TOKEN, BP_BOT_ID,
and BP_API_URL to point it at the local emulator).

Run it (with the emulator in another terminal: ``botpress-async emulator --token dev``)::

    BP_TOKEN=dev BP_BOT_ID=5f1c2a0e-7d3b-4c8e-9a61-0b7e4d2c9f10 BP_API_URL=http://127.0.0.1:8765 \\
        python examples/aiohttp_app.py

    curl -X POST localhost:8080/messages -d '{"email": "ada@example.com", "text": "hello"}'
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from botpress_async import APIError, Client

BOTPRESS = web.AppKey("botpress", Client)


async def botpress_client(app: web.Application) -> AsyncIterator[None]:
    async with Client() as bp:  # BP_TOKEN, BP_BOT_ID, BP_API_URL
        app[BOTPRESS] = bp
        yield


@web.middleware
async def botpress_errors(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    # Pass Botpress's answer through (404 stays 404, a refused payload stays 400).
    try:
        return await handler(request)
    except APIError as exc:
        return web.json_response({"error": f"{exc.type}: {exc.message}"}, status=exc.status or 502)


async def post_message(request: web.Request) -> web.Response:
    """Record a user's message in their conversation and count it in the conversation state."""
    body = await request.json()
    email, text = str(body["email"]), str(body["text"])
    bp = request.app[BOTPRESS]
    user = await bp.users.get_or_create(tags={"email": email})
    conv = await bp.conversations.get_or_create(channel="web", tags={"email": email})
    await bp.conversations.add_participant(conv.id, user_id=user.id)
    message = await bp.messages.create(
        conversation_id=conv.id, user_id=user.id, type="text", payload={"text": text}, tags={}
    )
    state = await bp.states.get_or_set("conversation", conv.id, "stats", payload={"messages": 0})
    count = int(state.payload.get("messages", 0)) + 1
    await bp.states.set("conversation", conv.id, "stats", payload={"messages": count})
    return web.json_response(
        {"userId": user.id, "conversationId": conv.id, "messageId": message.id, "messages": count}, status=201
    )


async def transcript(request: web.Request) -> web.Response:
    """Every message of a conversation, oldest first (the API lists newest first)."""
    bp = request.app[BOTPRESS]
    conv = await bp.conversations.get(request.match_info["conversation_id"])  # an unknown id answers 404
    messages = [m async for m in bp.messages.list(conversation_id=conv.id)]
    return web.json_response(
        {"messages": [{"id": m.id, "text": m.payload.get("text")} for m in reversed(messages)]}
    )


def create_app() -> web.Application:
    app = web.Application(middlewares=[botpress_errors])
    app.cleanup_ctx.append(botpress_client)
    app.router.add_post("/messages", post_message)
    app.router.add_get("/conversations/{conversation_id}/transcript", transcript)
    return app


if __name__ == "__main__":
    web.run_app(create_app())
