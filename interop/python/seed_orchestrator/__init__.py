"""The seed orchestrator's Python agents' messaging, as AgentBus's interop partner."""

from .messaging import (AgentMessage, ERROR_HEADER, MessageType, NATSMessageBus,  # noqa: F401
                        RemoteAgentError, get_message_bus, now_timestamp, parse_timestamp)
from .lifecycle import OrchestratorMonitor, start_heartbeats  # noqa: F401
