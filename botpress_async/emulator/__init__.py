"""A local emulator of the Botpress runtime (chat) and Tables APIs. (Docstring being written.)"""

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import Clock, ManualClock
from botpress_async.emulator.server import Emulator
from botpress_async.emulator.state import ActionContext

__all__ = ["ActionContext", "Clock", "Emulator", "EmulatorError", "ManualClock"]
