"""One module per API resource; each class is reached as a property of the Client."""

from botpress_async.resources.actions import Actions
from botpress_async.resources.analytics import Analytics
from botpress_async.resources.conversations import Conversations
from botpress_async.resources.events import Events
from botpress_async.resources.files import Files
from botpress_async.resources.integrations import Integrations
from botpress_async.resources.messages import Messages
from botpress_async.resources.observations import Observations
from botpress_async.resources.states import States
from botpress_async.resources.tables import Tables
from botpress_async.resources.tags import Tags
from botpress_async.resources.tasks import Tasks
from botpress_async.resources.users import Users
from botpress_async.resources.workflows import Workflows

__all__ = [
    "Actions",
    "Analytics",
    "Conversations",
    "Events",
    "Files",
    "Integrations",
    "Messages",
    "Observations",
    "States",
    "Tables",
    "Tags",
    "Tasks",
    "Users",
    "Workflows",
]
