"""The seed orchestrator's message bus on nats-py, as its *NATS Communication Architecture*
shows it.

This is the Python side that AgentBus's Java agents are tested against (``sdk-interop``), and the
reference for anyone writing an AgentBus-compatible agent in another language: every byte it puts
on the wire is what ``docs/wire-format.md`` describes.

Subjects (namespace ``orchestrator``)::

    orchestrator.broadcast.{message_type}          broadcast to all agents
    orchestrator.agent.{agent_id}.{message_type}   direct messages and requests
    orchestrator.team.{team_id}.{message_type}     team channels
    orchestrator.queue.{queue_name}                work queues (queue group = queue_name)

Payload: the ``AgentMessage`` JSON object with its six snake_case fields, no NATS headers.

Request/reply: a request is a direct message with a reply subject and a ``correlation_id`` of the
seed's form ``{agent_id}-{epoch_millis}-{request_id}``; the reply is an ``AgentMessage`` from the
responder to the requester carrying the same ``correlation_id``. A responder whose handler fails
answers with an empty payload and the header ``AgentBus-Error: <Type>: <message>`` (with
``Correlation-Id: <the request's correlation_id>``, without which a Java requester discards it as
forged), so the requester fails at once instead of waiting for its timeout
(:class:`RemoteAgentError`).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Awaitable, Callable, Optional, Union

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg

log = logging.getLogger(__name__)

NAMESPACE = "orchestrator"
ERROR_HEADER = "AgentBus-Error"
CORRELATION_ID_HEADER = "Correlation-Id"


class MessageType(str, Enum):
    STATUS_UPDATE = "status_update"       # Agent status changes
    TASK_ASSIGNMENT = "task_assignment"   # New task assigned
    TASK_COMPLETE = "task_complete"       # Task finished
    TASK_FAILED = "task_failed"          # Task failed
    QUESTION = "question"                # Agent needs help
    ANSWER = "answer"                    # Response to question
    BLOCKER = "blocker"                  # Agent is blocked
    RESOURCE_REQUEST = "resource_request" # Need shared resource
    RESOURCE_RESPONSE = "resource_response" # Resource granted
    COORDINATION_REQUEST = "coordination_request" # Sync needed
    HEARTBEAT = "heartbeat"              # Agent alive signal


# What a responder answers with when its handler returns only the content.
REPLY_TYPES = {
    MessageType.QUESTION: MessageType.ANSWER,
    MessageType.RESOURCE_REQUEST: MessageType.RESOURCE_RESPONSE,
}

MessageTypeLike = Union[MessageType, str]


def message_type_of(name: MessageTypeLike) -> MessageTypeLike:
    """The enum member for a known wire name; an unknown name (a newer peer's type) stays a str."""
    if isinstance(name, MessageType):
        return name
    try:
        return MessageType(name)
    except ValueError:
        return name


def wire_name(message_type: MessageTypeLike) -> str:
    return message_type.value if isinstance(message_type, MessageType) else str(message_type)


def now_timestamp() -> str:
    """The seed's timestamp form: UTC, milliseconds, ``Z`` (``2025-12-05T14:30:00.000Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime; one without offset is taken as UTC (Python 3.11 reads ``Z``)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@dataclass
class AgentMessage:
    from_agent: str
    message_type: MessageTypeLike
    content: dict
    to_agent: Optional[str] = None
    timestamp: str = field(default_factory=now_timestamp)
    correlation_id: Optional[str] = None

    def __post_init__(self) -> None:
        self.message_type = message_type_of(self.message_type)
        if isinstance(self.timestamp, datetime):
            self.timestamp = self.timestamp.isoformat()

    def to_dict(self) -> dict:
        return {
            "from_agent": self.from_agent,
            "to_agent": self.to_agent,
            "message_type": wire_name(self.message_type),
            "content": self.content,
            "timestamp": self.timestamp,
            "correlation_id": self.correlation_id,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict()).encode()

    @classmethod
    def from_dict(cls, data: dict) -> "AgentMessage":
        content = data.get("content")
        return cls(
            from_agent=data["from_agent"],
            to_agent=data.get("to_agent"),
            message_type=data["message_type"],
            content={} if content is None else content,
            timestamp=data["timestamp"],
            correlation_id=data.get("correlation_id"),
        )

    @classmethod
    def from_json(cls, payload: bytes) -> "AgentMessage":
        return cls.from_dict(json.loads(payload))

    @property
    def is_known_type(self) -> bool:
        return isinstance(self.message_type, MessageType)

    def parsed_timestamp(self) -> datetime:
        return parse_timestamp(self.timestamp)


class RemoteAgentError(Exception):
    """The responder failed; ``error`` is its ``AgentBus-Error`` header (``<Type>: <message>``)."""

    def __init__(self, subject: str, error: str):
        super().__init__(f"The responder on '{subject}' failed: {error}")
        self.subject = subject
        self.error = error


# A callback gets the decoded message. On a request, what it returns is the reply: an AgentMessage
# as it is, or a dict as the content of a reply of REPLY_TYPES' type (else the request's type); it
# returns None to leave the request unanswered. What it raises becomes an error reply.
Callback = Callable[[AgentMessage], Awaitable[Any]]


class NATSMessageBus:
    def __init__(self, nats_url: str = "nats://localhost:4222", namespace: str = NAMESPACE):
        self.nats_url = nats_url
        self.namespace = namespace
        self.nc: Optional[Client] = None
        self._request_ids = itertools.count(1)
        self._subscriptions: list = []

    # -- connection ---------------------------------------------------------------------------
    async def connect(self, name: str = "seed-python-agents") -> None:
        self.nc = await nats.connect(self.nats_url, name=name, allow_reconnect=False)

    async def disconnect(self) -> None:
        if self.nc is not None and not self.nc.is_closed:
            await self.nc.drain()

    async def flush(self, timeout: float = 5.0) -> None:
        await self._client().flush(timeout=timeout)

    def _client(self) -> Client:
        if self.nc is None:
            raise RuntimeError("not connected: call connect() first")
        return self.nc

    # -- subjects -----------------------------------------------------------------------------
    def broadcast_subject(self, message_type: MessageTypeLike) -> str:
        return f"{self.namespace}.broadcast.{wire_name(message_type)}"

    def agent_subject(self, agent_id: str, message_type: MessageTypeLike) -> str:
        return f"{self.namespace}.agent.{agent_id}.{wire_name(message_type)}"

    def team_subject(self, team_id: str, message_type: MessageTypeLike) -> str:
        return f"{self.namespace}.team.{team_id}.{wire_name(message_type)}"

    def queue_subject(self, queue_name: str) -> str:
        return f"{self.namespace}.queue.{queue_name}"

    def new_correlation_id(self, agent_id: str) -> str:
        """The seed's form: ``{agent_id}-{timestamp}-{request_id}``."""
        return f"{agent_id}-{int(time.time() * 1000)}-{next(self._request_ids)}"

    # -- sending ------------------------------------------------------------------------------
    async def publish(self, subject: str, message: AgentMessage) -> AgentMessage:
        await self._client().publish(subject, message.to_json())
        return message

    async def broadcast(self, from_agent: str, message_type: MessageTypeLike, content: dict,
                        **fields: Any) -> AgentMessage:
        message = AgentMessage(from_agent=from_agent, message_type=message_type,
                               content=content, **fields)
        return await self.publish(self.broadcast_subject(message_type), message)

    async def send_to_agent(self, from_agent: str, to_agent: str, message_type: MessageTypeLike,
                            content: dict, **fields: Any) -> AgentMessage:
        message = AgentMessage(from_agent=from_agent, to_agent=to_agent,
                               message_type=message_type, content=content, **fields)
        return await self.publish(self.agent_subject(to_agent, message_type), message)

    async def send_to_team(self, from_agent: str, team_id: str, message_type: MessageTypeLike,
                           content: dict) -> AgentMessage:
        message = AgentMessage(from_agent=from_agent, message_type=message_type, content=content)
        return await self.publish(self.team_subject(team_id, message_type), message)

    async def request(self, from_agent: str, to_agent: str, message_type: MessageTypeLike,
                      content: dict, timeout: float = 5.0,
                      correlation_id: Optional[str] = None) -> AgentMessage:
        """The reply. Raises nats.errors.TimeoutError (a TimeoutError) when none came in time,
        nats.errors.NoRespondersError when no one listens, RemoteAgentError when the responder
        failed. ``correlation_id`` defaults to a new one of the seed's form."""
        message = AgentMessage(from_agent=from_agent, to_agent=to_agent,
                               message_type=message_type, content=content,
                               correlation_id=correlation_id or self.new_correlation_id(from_agent))
        subject = self.agent_subject(to_agent, message_type)
        reply = await self._client().request(subject, message.to_json(), timeout=timeout)
        error = (reply.headers or {}).get(ERROR_HEADER)
        if error is not None and not reply.data:
            raise RemoteAgentError(subject, error)
        return AgentMessage.from_json(reply.data)

    async def publish_to_queue(self, queue_name: str, from_agent: str,
                               message_type: MessageTypeLike, content: dict) -> AgentMessage:
        message = AgentMessage(from_agent=from_agent, message_type=message_type, content=content)
        return await self.publish(self.queue_subject(queue_name), message)

    # -- receiving ----------------------------------------------------------------------------
    async def subscribe(self, subject: str, callback: Callback, queue: str = ""):
        sub = await self._client().subscribe(subject, queue=queue, cb=self._handler(callback))
        self._subscriptions.append(sub)
        return sub

    async def subscribe_to_agent_messages(self, agent_id: str, callback: Callback):
        return await self.subscribe(f"{self.namespace}.agent.{agent_id}.>", callback)

    async def create_work_queue(self, queue_name: str, callback: Callback, num_workers: int = 3):
        return [await self.subscribe(self.queue_subject(queue_name), callback, queue=queue_name)
                for _ in range(num_workers)]

    def _handler(self, callback: Callback) -> Callable[[Msg], Awaitable[None]]:
        async def handle(msg: Msg) -> None:
            try:
                message = AgentMessage.from_json(msg.data)
            except (ValueError, KeyError, TypeError) as e:
                log.warning("could not decode a message on %s: %r", msg.subject, e)
                await self._reply_error(msg, e)
                return
            try:
                result = await callback(message)
            except Exception as e:  # the requester must hear of it rather than time out
                log.warning("handler for %s failed: %r", msg.subject, e)
                await self._reply_error(msg, e, message.correlation_id)
                return
            if msg.reply and result is not None:
                await self._client().publish(msg.reply, self._reply_for(message, result).to_json())

        return handle

    @staticmethod
    def _reply_for(request: AgentMessage, result: Any) -> AgentMessage:
        if isinstance(result, AgentMessage):
            return result
        return AgentMessage(
            from_agent=request.to_agent or "unknown",
            to_agent=request.from_agent,
            message_type=REPLY_TYPES.get(request.message_type, request.message_type),
            content=result,
            correlation_id=request.correlation_id,
        )

    async def _reply_error(self, msg: Msg, error: BaseException,
                           correlation_id: Optional[str] = None) -> None:
        if not msg.reply:
            return
        headers = {ERROR_HEADER: error_text(error)}
        if correlation_id:
            # the requester takes an error reply only with its request's correlation id
            headers[CORRELATION_ID_HEADER] = correlation_id
        await self._client().publish(msg.reply, b"", headers=headers)


def error_text(error: BaseException) -> str:
    """``<Type>: <message>`` on one line, cut as AgentBus cuts it (past 1000 UTF-8 bytes)."""
    text = f"{type(error).__name__}: {error}".replace("\r", " ").replace("\n", " ")
    encoded = text.encode()
    if len(encoded) <= 1024:
        return text
    return encoded[:1000].decode(errors="ignore") + "..."


async def get_message_bus(nats_url: str = "nats://localhost:4222") -> NATSMessageBus:
    bus = NATSMessageBus(nats_url)
    await bus.connect()
    return bus
