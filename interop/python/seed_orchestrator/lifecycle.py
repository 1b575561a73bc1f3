"""The seed's agent lifecycle: heartbeats every 30 s, and the orchestrator's monitor that marks an
agent dead when no heartbeat came for 90 s. Both intervals are parameters so tests can shorten them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

from .messaging import AgentMessage, MessageType, NATSMessageBus

HEARTBEAT_INTERVAL = 30.0
DEAD_AFTER = 90.0


def start_heartbeats(bus: NATSMessageBus, agent_id: str, interval: float = HEARTBEAT_INTERVAL,
                     count: Optional[int] = None) -> asyncio.Task:
    """The lifecycle's ``heartbeat_loop`` as a task; ``count`` stops it after that many beats."""

    async def heartbeat_loop() -> None:
        sent = 0
        while count is None or sent < count:
            await bus.broadcast(from_agent=agent_id, message_type=MessageType.HEARTBEAT,
                                content={"status": "alive"})
            sent += 1
            if count is None or sent < count:
                await asyncio.sleep(interval)

    return asyncio.create_task(heartbeat_loop())


@dataclass
class AgentState:
    agent_id: str
    alive: bool
    last_heartbeat: AgentMessage
    status: Optional[str] = None


class OrchestratorMonitor:
    """Tracks every agent by its heartbeats; an agent silent for ``dead_after`` seconds is dead.

    ``wait_alive``/``wait_dead`` wait on the state change itself (no polling).
    """

    def __init__(self, bus: NATSMessageBus, dead_after: float = DEAD_AFTER):
        self.bus = bus
        self.dead_after = dead_after
        self.agents: dict[str, AgentState] = {}
        self.failures: list[AgentMessage] = []
        self.blockers: list[AgentMessage] = []
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._changed = asyncio.Condition()

    async def start(self) -> None:
        await self.bus.subscribe(self.bus.broadcast_subject(MessageType.HEARTBEAT), self._heartbeat)
        await self.bus.subscribe(self.bus.broadcast_subject(MessageType.STATUS_UPDATE),
                                 self._status_update)
        await self.bus.subscribe(self.bus.broadcast_subject(MessageType.TASK_FAILED),
                                 self._record(self.failures))
        await self.bus.subscribe(self.bus.broadcast_subject(MessageType.BLOCKER),
                                 self._record(self.blockers))
        await self.bus.flush()

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def is_alive(self, agent_id: str) -> bool:
        state = self.agents.get(agent_id)
        return state is not None and state.alive

    async def wait_alive(self, agent_id: str, timeout: float) -> AgentState:
        return await self._wait(lambda: self.is_alive(agent_id), agent_id, timeout, "alive")

    async def wait_dead(self, agent_id: str, timeout: float) -> AgentState:
        return await self._wait(lambda: agent_id in self.agents and not self.is_alive(agent_id),
                                agent_id, timeout, "dead")

    async def _wait(self, predicate, agent_id: str, timeout: float, what: str) -> AgentState:
        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)
        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            raise AssertionError(f"{agent_id} not {what} within {timeout} s; monitor saw "
                                 f"{ {a: s.alive for a, s in self.agents.items()} }") from None
        return self.agents[agent_id]

    async def _heartbeat(self, message: AgentMessage) -> None:
        agent_id = message.from_agent
        state = self.agents.get(agent_id)
        if state is None:
            self.agents[agent_id] = AgentState(agent_id, True, message)
        else:
            state.alive, state.last_heartbeat = True, message
        timer = self._timers.pop(agent_id, None)
        if timer is not None:
            timer.cancel()
        self._timers[agent_id] = asyncio.get_running_loop().call_later(
            self.dead_after, lambda: asyncio.ensure_future(self._mark_dead(agent_id)))
        await self._notify()

    async def _mark_dead(self, agent_id: str) -> None:
        self._timers.pop(agent_id, None)
        self.agents[agent_id].alive = False
        await self._notify()

    async def _status_update(self, message: AgentMessage) -> None:
        state = self.agents.get(message.from_agent)
        if state is not None:
            state.status = message.content.get("status")

    def _record(self, into: list):
        async def record(message: AgentMessage) -> None:
            into.append(message)
        return record

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
