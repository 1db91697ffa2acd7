"""Test helpers for users of botpress_async: a pytest plugin with a local emulator.

The plugin (``botpress_async.testing.plugin``) is registered automatically through the ``pytest11``
entry point when botpress_async is installed; it needs pytest-asyncio. Fixtures:

- ``botpress_emulator``: a running :class:`botpress_async.emulator.Emulator` (in-memory, random port and
  token), fresh for each test.
- ``botpress_bot_id``: the bot id the client uses (a random UUID; override the fixture to pick one).
- ``botpress_client``: a :class:`botpress_async.Client` bound to that emulator and bot.
"""

from botpress_async.emulator import Emulator, ManualClock

__all__ = ["Emulator", "ManualClock"]
