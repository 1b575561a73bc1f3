"""Fixtures for the Python side of the interop suite.

The scenarios in ``test_with_java.py`` are run by sdk-interop's JUnit tests, which start one
nats-server and the Java agents, and read what this process prints:

* ``INTEROP READY``: this side's subscriptions are live on the server (the Java side may send);
* ``INTEROP <EVENT> ...``: a step the Java side waits for;
* ``INTEROP SENT ...`` / ``INTEROP RECEIVED ...``: what this side sent and received, one line each,
  printed when the scenario ends (passed or not).
"""

import os
import re

import pytest

from seed_orchestrator import AgentMessage, MessageType, NATSMessageBus

# How long any one step may wait for the other side; a scenario normally takes well under a second.
WAIT = float(os.environ.get("INTEROP_WAIT_SECONDS", "15"))


def describe(m: AgentMessage) -> str:
    """``type from->to``: one message, as the scenario line shows it."""
    kind = m.message_type.value if hasattr(m.message_type, "value") else m.message_type
    return f"{kind} {m.from_agent}->{m.to_agent or '*'}"


class Peer:
    """The handshake with the Java driver, and the record of this side's traffic."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.received: list[str] = []

    def signal(self, event: str) -> None:
        print(f"INTEROP {event}", flush=True)

    def did_send(self, what) -> None:
        self.sent.append(describe(what) if isinstance(what, AgentMessage) else str(what))

    def did_receive(self, what) -> None:
        self.received.append(describe(what) if isinstance(what, AgentMessage) else str(what))

    def report(self) -> None:
        print(f"INTEROP SENT {compact(self.sent)}", flush=True)
        print(f"INTEROP RECEIVED {compact(self.received)}", flush=True)


ALL_TYPES = [t.value for t in MessageType]


def compact(entries: list[str]) -> str:
    """Messages (``type from->to``) grouped by route as ``from->to [type, type x2]``, or
    ``[all 11 types]``; other entries as they are. The Java side prints the same way."""
    routes: dict[str, dict[str, int]] = {}
    out: list = []
    for entry in entries:
        m = re.fullmatch(r"(\S+) (\S+->\S+)", entry)
        if not m:
            out.append(entry)
            continue
        kind, route = m.groups()
        if route not in routes:
            routes[route] = {}
            out.append((route,))
        routes[route][kind] = routes[route].get(kind, 0) + 1
    parts = []
    for item in out:
        if isinstance(item, str):
            parts.append(item)
            continue
        types = routes[item[0]]
        if sorted(types) == sorted(ALL_TYPES) and set(types.values()) == {1}:
            listed = "all 11 types"
        else:
            listed = ", ".join(k if n == 1 else f"{k} x{n}" for k, n in types.items())
        parts.append(f"{item[0]} [{listed}]")
    return "; ".join(parts) or "-"


@pytest.fixture
def nats_url() -> str:
    url = os.environ.get("NATS_URL")
    if not url:
        why = ("NATS_URL is not set: these scenarios need the Java agents, which sdk-interop's "
               "JUnit tests start (./mvnw -pl sdk-interop -am verify)")
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    return url


@pytest.fixture
async def bus(nats_url):
    bus = NATSMessageBus(nats_url)
    await bus.connect(name="seed-python-agents")
    yield bus
    await bus.disconnect()


@pytest.fixture
def peer():
    p = Peer()
    yield p
    p.report()
