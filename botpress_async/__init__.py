"""botpress_async: an asyncio-native client for the Botpress Cloud runtime (chat) and Tables APIs."""

from botpress_async._types import UNSET
from botpress_async._version import __version__

__all__ = ["UNSET", "__version__"]
