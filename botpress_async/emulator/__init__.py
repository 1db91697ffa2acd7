"""A local emulator of the Botpress Cloud runtime (chat) and Tables APIs: aiohttp.web over SQLite.

Start it with ``python -m botpress_async.emulator`` (or ``botpress-async emulator``), programmatically
with ``async with Emulator() as emu:`` (``emu.url``, ``emu.token``, ``emu.register_action``), or in
pytest through the ``botpress_emulator`` / ``botpress_client`` fixtures (``botpress_async.testing``).
It binds 127.0.0.1 by default and refuses every request without ``Authorization: Bearer <token>``.

Faithful to the 1.70.2 spec: every request body and query is validated against the spec's schemas
(400 InvalidPayload / InvalidQuery naming the field), every answer has the spec's response shape,
failures carry ``{id, code, type, message, description, status}`` with a catalogue type, creates
answer 201 and everything else 200. Bad input never answers 500.

Off by default, for reliability tests: fault injection (``Emulator(faults="429=0.05,503=0.03,reset=0.02,
latency=0.05:200ms,commit502=0.01")`` / ``--faults``, see ``faults.py``) and a sliding-window rate limiter
per bot (``Emulator(rate_limit="50/s")`` / ``--rate-limit``, see ``rate_limit.py``). Both are aiohttp
middlewares in ``EmulatorState.middlewares``, run after authentication.

Choices the service does not document, pinned here
--------------------------------------------------
Transport
  - A missing or empty ``x-bot-id`` header is 400 InvalidPayload. Authentication (401) is checked
    first, then unknown routes (404 ResourceNotFound) and methods (405 MethodNotFound), then ``x-bot-id``.
  - Any non-empty ``x-bot-id`` is accepted and echoed as a state's ``botId``; the spec wants 28-36
    characters there, so tests should use an id of that length (a UUID, as the service does).
  - An empty body is ``{}``. A body with a Content-Type that is not ``application/json`` (or
    ``application/*+json``) is 415; a body without Content-Type is parsed as JSON.
  - Not JSON, not UTF-8, NaN/Infinity, lone surrogates, nesting deeper than Python's JSON decoder
    allows, or a JSON value that is not an object: 400 InvalidPayload. Bodies over 1 MB (runtime) or
    40 MB (Tables) are 413 PayloadTooLarge, checked while reading.
  - GET and DELETE bodies are ignored. Query keys an operation does not declare are ignored; a
    scalar query parameter given twice is InvalidQuery. ``tags.k=v`` and ``tags[k]=v`` both filter
    on tags (AND of exact matches); arrays repeat the key; booleans are ``true``/``false``.
  - The error ``description`` is the public docs' text for the type (our own words for the three
    types the docs omit). Error ids are ``err_<ms timestamp>x<8 hex>``.
Ids and times
  - Ids are ``<prefix>_<ULID>`` (30-34 characters), prefixes ``user conv msg evt task wrkflow state``;
    ids made by one process increase, so they break createdAt ties in creation order.
  - Timestamps come from the injectable clock (:class:`ManualClock` in tests), ``YYYY-MM-DDTHH:MM:SS.mmmZ``.
Pagination
  - 20 items a page (``pageSize`` 1-100 changes it, see below); newest first (``createdAt`` desc, then
    id desc); ``sortField``/``sortDirection`` where the operation has them. ``nextToken`` is standard
    base64 of a JSON keyset cursor (last sort value and id, plus the sort it was made for), so pages never
    shift while rows are inserted. A token that does not decode, or was made for another sort, is 400
    InvalidQuery. The last page has no token.
  - ``afterDate``/``beforeDate`` are inclusive, on createdAt (listUsers: on ``rangeField``).
  - listConversations ``participantIds``: conversations having all the given users.
  - listTagValues: distinct values in ascending order.
Tags and get-or-create
  - A tag with an empty value is never stored: on create it is dropped, on update it unsets the key;
    keys not sent are unchanged.
  - get-or-create compares the sent non-empty tags (or only the ``discriminateByTags`` keys among
    them); stored records may carry more tags. An empty set of compared tags never matches (a new
    record is created). The oldest match wins and is returned unchanged (no update of name, tags...).
  - Scope of the match: conversations within the same channel and integration; messages within the
    same conversation; workflows with the same name (and conversationId when sent), and with
    ``discriminateByStatusGroup`` active = pending, in_progress, listening, paused / finished =
    completed, failed, timedout, cancelled. Users: the whole bot.
Resources
  - A conversation's ``integration`` is the body's ``integrationName``, else the ``x-integration-name``
    or ``x-integration-alias`` header, else ``""``.
  - Ids inside a body (conversationId, userId, messageId, workflowId, parentTaskId, parentWorkflowId,
    currentTaskId, addParticipant's userId) must exist in the bot: 400 ReferenceNotFound naming the field.
    One exception, as on the service: a message's or event's ``userId`` may be the caller's own
    ``x-bot-id`` (a bot replies as itself: the official SDK sends ``userId: ctx.botId``). The bot is no
    stored user (getUser of its id is 404) and never becomes a participant.
  - createMessage makes ``outgoing`` messages; getOrCreateMessage, initializeIncomingMessage and
    importMessages make ``incoming`` ones, except that a message authored by the bot (``userId`` = the
    x-bot-id) is always ``outgoing``. importMessages keeps each message's ``createdAt``.
  - initializeIncomingMessage needs userId or user, and conversationId or conversation; it also adds
    the user as a participant.
  - Deleting a user removes its participations and user states; deleting a conversation removes its
    messages, participants and conversation states; deleting a task/workflow removes its states.
    removeParticipant / getParticipant of a non-participant is 404.
  - Events: status ``pending`` on creation, or ``scheduled`` with ``schedule`` (``dateTime`` or
    ``delay`` ms, not both) until the clock reaches that time, then ``pending`` (delivered: the emulator
    has no bot to hand it to, so delivery is the status change). Cancelling sets ``canceled`` for good
    (idempotent); cancelling an event that is not (or no longer) scheduled is 400 InvalidPayload. The
    event's workflowId is kept for listEvents' filter but not returned (the Event object has none).
  - Scheduled messages (createMessage / getOrCreateMessage with a ``schedule`` in the future): the
    Message object has no status field, so a message not yet delivered is invisible: absent from
    listMessages, listTagValues and the message counts, 404 on getMessage and updateMessage. From its
    time on it is an ordinary message whose ``createdAt``/``updatedAt`` are the delivery time (the
    201 answer already shows them), so it lists by that time. The spec offers no cancel for a message
    (cancelScheduledEvent takes event ids): deleteMessage (or deleting its conversation) before the
    time cancels the delivery. get-or-create matches a message not yet delivered (scheduling twice
    with the same tags returns the first one). A ``schedule`` already reached delivers at once.
  - Delivery is evaluated lazily against the emulator's clock on every read, with no background task:
    ``ManualClock.advance`` delivers at once, and with the wall clock a read at or after the due time
    sees the delivery. Nothing is pushed anywhere.
  - Tasks and workflows without ``timeoutAt`` time out 48 hours after creation; a task title over 64
    or description over 256 characters (what the Task object allows) is 400 InvalidPayload; updating a
    workflow to completed/failed/cancelled/timedout sets ``completedAt``. ``data``/``output`` replace.
  - callAction runs the handler registered with ``Emulator.register_action``; an unknown type is 404
    ResourceNotFound; a handler exception (other than EmulatorError) is 400 Runtime; ``meta.cached``
    is false. trackAnalytics sums counts per name; configureIntegration stores the last body.
States
  - The owner of a conversation/user/task/workflow state must exist in the bot (404 otherwise); bot
    and integration states take any id.
  - set replaces the payload (and creates the state); ``payload: null`` deletes it and answers the
    deleted state with an empty payload; ``expiry`` omitted keeps the current expiry, null removes it.
  - patch merges top-level keys (a key set to null stays, as null); 404 if absent or expired. Its
    ``expiry`` (beyond 1.70.2) works as set's.
  - get-or-set returns a live state unchanged (its ``expiry`` is ignored), else creates it.
    ``meta.cached`` is always false.
  - Expiry is idle-based: every read or write restarts the timer; a state idle for ``expiry`` ms is
    gone (404 on get, recreated by set/get-or-set). Payloads over 128 KB of UTF-8 JSON are 413
    PayloadTooLarge.
Beyond the 1.70.2 spec (what the official client 1.45.0 sends; ``beyond_spec.py``)
  - ``pageSize`` on every runtime list: 1 to 100 items (default 20); outside that, or not an integer,
    400 InvalidQuery. A nextToken stays valid with another pageSize.
  - listConversations ``minMessageCount`` / ``maxMessageCount``: inclusive bounds (>= 0) on the number
    of delivered messages of each conversation.
  - ``properties`` (object of strings) on create/get-or-create of users and conversations and in
    initializeIncomingMessage's ``user`` / ``conversation``: stored and returned as the object's
    ``properties`` key (present only on objects that were given some, so 1.70.2-only callers see the
    1.70.2 shape). Empty values are dropped on create; update merges per key, null or ``""`` removes.
  - patchState ``expiry``: see States. captureObservation (``POST /v1/chat/observations``, ``name`` and
    ``data`` required): validated, answered ``{}``, not kept (no operation reads observations).
  - The rest of each body is still validated against the 1.70.2 schema; these fields are refused by
    the operations that newer clients do not send them to.
Storage
  - One SQLite connection on the event loop; each write is one transaction committed before the answer
    is sent. With a database file: WAL journal and ``synchronous=FULL``.
  - Each Botpress table's rows live in their own SQLite table with an expression index per column; a
    rows table past 1000 rows is ANALYZEd (so the file also holds ``sqlite_stat1``). findTableRows
    answers do not depend on the query plan: ties in ``orderBy`` are always broken by ``id``.
"""

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import Clock, ManualClock
from botpress_async.emulator.server import Emulator
from botpress_async.emulator.state import ActionContext

__all__ = ["ActionContext", "Clock", "Emulator", "EmulatorError", "ManualClock"]
