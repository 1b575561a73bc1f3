"""The seed's Python agents' half of each interop scenario; the Java half is in sdk-interop's
``PythonPeerInteropTest``, which runs one of these at a time against the same nats-server.

Every wait is bounded (``WAIT``) and waits on an event, never on a sleep.
"""

import asyncio
import json
import math
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nats.errors
import pytest

from conftest import WAIT
from seed_orchestrator import (AgentMessage, MessageType, OrchestratorMonitor, RemoteAgentError,
                               parse_timestamp, start_heartbeats)

SEED_CORRELATION_ID = re.compile(r"^[a-z0-9-]+-\d{13}-\d+$")

# The seed's Phase 1.1 contents, as its recorded messages have them (the Java side reads the same
# files through SeedFixtures).
SEED_MESSAGES = (Path(__file__).resolve().parents[3]
                 / "sdk-test/src/main/resources/io/agentbus/test/seed-messages")


def seed_content(name: str) -> dict:
    return json.loads((SEED_MESSAGES / f"{name}.json").read_text(encoding="utf-8"))["content"]


TASK_MODEL_REQUEST = seed_content("resource-request")
TASK_MODEL = seed_content("resource-response")
PARSER_DONE = seed_content("task-complete-broadcast")
DECOMPOSER_STARTED = {"status": "started", "component": "task_decomposer"}
DECOMPOSER_DONE = {
    "task": "TaskDecomposer implementation",
    "output": "src/core/task_decomposer.py",
    "tests": "tests/test_task_decomposer.py",
}
QUEUE = "test_execution"
TESTS = [f"tests/test_task_parser.py::test_case_{i}" for i in range(1, 7)]
JAVA_WORKERS = {"test-worker-1", "test-worker-2", "test-worker-3"}

# Values that must cross both ways unchanged: 64-bit integer edges, an integer a double cannot
# hold, floats (an integral one stays a float), text beyond the BMP, escapes, deep nesting.
RICH_CONTENT = {
    "int64_max": 2**63 - 1,
    "int64_min": -(2**63),
    "beyond_double": 2**53 + 1,
    "zero": 0,
    "negative": -42,
    "tenth": 0.1,
    "integral_float": 2.0,
    "tiny": 1e-07,
    "huge": 1.5e300,
    "negative_float": -273.15,
    "unicode": "Zürich, 東京, Ελληνικά, rocket 🚀, e\u0301",
    "escapes": "quote \" backslash \\ newline \n tab \t nul \u0000 end",
    "empty": "",
    "nothing": None,
    "yes": True,
    "no": False,
    "mixed_list": [1, 2.5, "three", None, [], {}, True],
    "nested": {"a": {"b": {"c": [{"d": [1, {"e": "deep"}]}]}}},
    "counts": list(range(50)),
}

# The timestamp forms Python producers write, each with the instant the Java side must read.
IST = timezone(timedelta(hours=5, minutes=30))
TIMESTAMPS = {
    "aware_isoformat": datetime(2025, 12, 5, 14, 30, 30, 123456, tzinfo=timezone.utc).isoformat(),
    "aware_whole_second": datetime(2025, 12, 5, 14, 30, 30, tzinfo=timezone.utc).isoformat(),
    "naive_utcnow_form": datetime(2025, 12, 5, 14, 30, 30, 123456).isoformat(),
    "z_millis": "2025-12-05T14:30:00.000Z",
    "z_no_fraction": "2025-12-05T14:40:00Z",
    "offset_ist": datetime(2025, 12, 5, 20, 0, 30, 123456, tzinfo=IST).isoformat(),
}


async def within(awaitable, what: str):
    try:
        return await asyncio.wait_for(awaitable, WAIT)
    except TimeoutError:
        raise AssertionError(f"no {what} within {WAIT} s") from None


def strictly_equal(a, b) -> bool:
    """Equal with the same JSON kinds: 2 is not 2.0, True is not 1, and key order is kept."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(strictly_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strictly_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


class Inbox:
    """Messages as they arrive, filtered, for a test to await."""

    def __init__(self, peer, accept=lambda m: True):
        self.peer = peer
        self.accept = accept
        self.queue: asyncio.Queue = asyncio.Queue()

    async def __call__(self, message: AgentMessage):
        if self.accept(message):
            self.peer.did_receive(message)
            self.queue.put_nowait(message)

    async def next(self, what: str) -> AgentMessage:
        return await within(self.queue.get(), what)


# -- the seed's Phase 1.1 flow, roles mixed both ways ---------------------------------------------

async def test_python_architect_answers_java_parser(bus, peer):
    """Python: architect-001 and decomposer-001. Java: parser-dev-001 and test-coordinator."""
    requests = Inbox(peer)

    async def architect(request: AgentMessage):
        await requests(request)
        if request.content.get("resource") != "task_model":
            raise LookupError(f"no resource named {request.content.get('resource')}")
        peer.did_send("resource_response architect-001->parser-dev-001 (reply)")
        return TASK_MODEL

    completions = Inbox(peer, lambda m: m.from_agent == "parser-dev-001")
    await bus.subscribe_to_agent_messages("architect-001", architect)
    await bus.subscribe(bus.broadcast_subject(MessageType.TASK_COMPLETE), completions)
    await bus.flush()
    peer.signal("READY")

    request = await requests.next("resource_request from the Java parser developer")
    assert request.message_type is MessageType.RESOURCE_REQUEST
    assert (request.from_agent, request.to_agent) == ("parser-dev-001", "architect-001")
    assert strictly_equal(request.content, TASK_MODEL_REQUEST), request.content
    assert SEED_CORRELATION_ID.match(request.correlation_id), request.correlation_id
    assert request.correlation_id.startswith("parser-dev-001-")
    parse_timestamp(request.timestamp)

    done = await completions.next("task_complete broadcast from the Java parser developer")
    assert done.to_agent is None and done.correlation_id is None
    assert strictly_equal(done.content, PARSER_DONE), done.content

    # the decomposer was waiting on the parser: it starts and finishes its own work
    peer.did_send(await bus.broadcast("decomposer-001", MessageType.STATUS_UPDATE,
                                      DECOMPOSER_STARTED))
    peer.did_send(await bus.broadcast("decomposer-001", MessageType.TASK_COMPLETE,
                                      DECOMPOSER_DONE))


async def test_python_parser_asks_java_architect(bus, peer):
    """Java: architect-001 and decomposer-001 (already running). Python: parser-dev-001 and
    test-coordinator, which waits on the Java decomposer's completion."""
    decomposer = Inbox(peer, lambda m: m.from_agent == "decomposer-001")
    await bus.subscribe(bus.broadcast_subject(MessageType.TASK_COMPLETE), decomposer)
    await bus.subscribe(bus.broadcast_subject(MessageType.STATUS_UPDATE), decomposer)
    await bus.flush()

    correlation_id = bus.new_correlation_id("parser-dev-001")
    peer.did_send(f"resource_request parser-dev-001->architect-001 (request {correlation_id})")
    reply = await bus.request("parser-dev-001", "architect-001", MessageType.RESOURCE_REQUEST,
                              TASK_MODEL_REQUEST, timeout=WAIT, correlation_id=correlation_id)
    peer.did_receive(reply)
    assert reply.message_type is MessageType.RESOURCE_RESPONSE
    assert (reply.from_agent, reply.to_agent) == ("architect-001", "parser-dev-001")
    assert reply.correlation_id == correlation_id
    assert strictly_equal(reply.content, TASK_MODEL), reply.content
    parse_timestamp(reply.timestamp)

    peer.did_send(await bus.broadcast("parser-dev-001", MessageType.TASK_COMPLETE, PARSER_DONE))

    got = {}
    while set(got) != {"status_update", "task_complete"}:
        m = await decomposer.next("status_update and task_complete from the Java decomposer")
        got[m.message_type.value] = m
    assert strictly_equal(got["status_update"].content, DECOMPOSER_STARTED)
    assert strictly_equal(got["task_complete"].content, DECOMPOSER_DONE)


async def test_python_coordinator_feeds_java_workers(bus, peer):
    """Java: test-worker-1..3 on the test_execution queue. Python: test-coordinator."""
    results = Inbox(peer)
    await bus.subscribe_to_agent_messages("test-coordinator", results)
    await bus.flush()

    for attempt, test in enumerate(TESTS, start=1):
        peer.did_send(await bus.publish_to_queue(QUEUE, "test-coordinator",
                                                 MessageType.TASK_ASSIGNMENT,
                                                 {"test": test, "attempt": attempt}))
    ran_by = {}
    for _ in TESTS:
        m = await results.next(f"all {len(TESTS)} results from the Java workers")
        assert m.message_type is MessageType.TASK_COMPLETE and m.to_agent == "test-coordinator"
        assert m.from_agent in JAVA_WORKERS, m.from_agent
        assert m.content["result"] == "passed" and m.content["worker"] == m.from_agent
        assert m.content["test"] not in ran_by, f"{m.content['test']} ran twice"
        ran_by[m.content["test"]] = m.from_agent
    assert sorted(ran_by) == sorted(TESTS)


async def test_python_workers_serve_java_coordinator(bus, peer):
    """Python: three workers of the test_execution queue. Java: test-coordinator."""
    assignments = Inbox(peer)
    ran = asyncio.Event()
    seen = []

    async def run_test(message: AgentMessage):
        await assignments(message)
        seen.append(message.content["test"])
        reply = await bus.send_to_agent("test-worker-py", "test-coordinator",
                                        MessageType.TASK_COMPLETE,
                                        {"test": message.content["test"], "result": "passed",
                                         "worker": "test-worker-py"})
        peer.did_send(reply)
        if len(seen) == len(TESTS):
            ran.set()

    await bus.create_work_queue(queue_name=QUEUE, callback=run_test, num_workers=3)
    await bus.flush()
    peer.signal("READY")

    await within(ran.wait(), f"all {len(TESTS)} assignments from the Java coordinator")
    assert sorted(seen) == sorted(TESTS), seen
    while not assignments.queue.empty():
        m = assignments.queue.get_nowait()
        assert m.message_type is MessageType.TASK_ASSIGNMENT
        assert (m.from_agent, m.to_agent) == ("test-coordinator", None)
        assert isinstance(m.content["attempt"], int)
    await bus.flush()


# -- every message type, both ways ----------------------------------------------------------------

def type_content(t: MessageType, seq: int, direction: str) -> dict:
    return {"type": t.value, "seq": seq, "direction": direction}


async def test_every_message_type_both_ways(bus, peer):
    """Each of the 11 types as a direct message and as a broadcast, Python to Java and Java to
    Python. Java: java-agent-001 (running). Python: py-agent-001."""
    from_java = Inbox(peer, lambda m: m.from_agent == "java-agent-001"
                      and "direction" in m.content)  # not its heartbeats
    await bus.subscribe_to_agent_messages("py-agent-001", from_java)
    for t in MessageType:
        await bus.subscribe(bus.broadcast_subject(t), from_java)
    await bus.flush()
    peer.signal("READY")

    for seq, t in enumerate(MessageType):
        content = type_content(t, seq, "python->java")
        peer.did_send(await bus.send_to_agent("py-agent-001", "java-agent-001", t, content))
        peer.did_send(await bus.broadcast("py-agent-001", t, content))

    expected = {(t.value, route) for t in MessageType for route in ("direct", "broadcast")}
    got = set()
    while got != expected:
        m = await from_java.next(f"the 22 messages from Java (so far {sorted(got)})")
        assert m.is_known_type, m.message_type
        route = "broadcast" if m.to_agent is None else "direct"
        assert route == "broadcast" or m.to_agent == "py-agent-001"
        seq = list(MessageType).index(m.message_type)
        assert strictly_equal(m.content, type_content(m.message_type, seq, "java->python")), \
            m.content
        assert m.correlation_id is None
        assert (m.message_type.value, route) not in got, f"{m.message_type} {route} twice"
        got.add((m.message_type.value, route))
    await bus.flush()


# -- values and timestamps ------------------------------------------------------------------------

async def test_values_and_timestamps_cross_unchanged(bus, peer):
    """Python sends rich content under each timestamp form to java-relay-001, which checks what it
    decoded and relays each message back unchanged (same timestamp, content, correlation id)."""
    relayed = Inbox(peer, lambda m: m.from_agent == "java-relay-001")
    await bus.subscribe_to_agent_messages("py-agent-001", relayed)
    await bus.flush()

    sent = {}
    for name, stamp in TIMESTAMPS.items():
        m = AgentMessage(from_agent="py-agent-001", to_agent="java-relay-001",
                         message_type=MessageType.QUESTION,
                         content={"form": name, "timestamp_sent": stamp, "values": RICH_CONTENT},
                         timestamp=stamp, correlation_id=f"py-agent-001-{name}")
        peer.did_send(await bus.publish(bus.agent_subject("java-relay-001", m.message_type), m))
        sent[name] = m

    for _ in TIMESTAMPS:
        back = await relayed.next(f"{len(TIMESTAMPS)} relayed messages from Java")
        name = back.content["form"]
        original = sent.pop(name)
        assert back.to_agent == "py-agent-001"
        assert back.message_type is MessageType.ANSWER
        assert back.correlation_id == original.correlation_id
        assert strictly_equal(back.content, original.content), (name, back.content)
        assert parse_timestamp(back.timestamp) == parse_timestamp(original.timestamp), \
            (name, back.timestamp, original.timestamp)
        # AgentBus writes UTC with Z and the fewest of 3/6/9 digits that hold the instant
        assert back.timestamp.endswith("Z"), back.timestamp
        datetime.fromisoformat(back.timestamp)
    assert not sent


# -- a newer peer's message type ------------------------------------------------------------------

async def test_unknown_type_from_a_newer_python_peer(bus, peer):
    """A type this AgentBus version does not know reaches a Java handler (direct and broadcast) and
    comes back unchanged; a request of a type the Java agent has no handler for fails at once."""
    relayed = Inbox(peer, lambda m: m.from_agent == "java-relay-001")
    await bus.subscribe_to_agent_messages("py-agent-001", relayed)
    await bus.flush()

    content = {"diff": "+ added line", "lines": 1}
    peer.did_send(await bus.send_to_agent("py-agent-001", "java-relay-001", "code_review", content,
                                          correlation_id="py-agent-001-review-1"))
    peer.did_send(await bus.broadcast("py-agent-001", "code_review", content))

    routes = set()
    for _ in range(2):
        back = await relayed.next("the code_review messages relayed by Java")
        assert back.message_type == "code_review" and not back.is_known_type
        assert strictly_equal(back.content, content)
        routes.add(back.correlation_id)
    assert routes == {"py-agent-001-review-1", None}

    started = time.monotonic()
    with pytest.raises(RemoteAgentError) as failure:
        await bus.request("py-agent-001", "java-relay-001", "schema_diff", {"v": 2}, timeout=WAIT)
    peer.did_send("schema_diff py-agent-001->java-relay-001 (request)")
    peer.did_receive(f"error reply: {failure.value.error}")
    assert time.monotonic() - started < WAIT / 2, "the error reply came only near the timeout"
    assert "schema_diff" in failure.value.error, failure.value.error


# -- heartbeats and the orchestrator's monitor ----------------------------------------------------

HEARTBEAT_INTERVAL = 1.0
DEAD_AFTER = 3 * HEARTBEAT_INTERVAL  # the seed's 90 s for 30 s heartbeats, shortened


async def test_heartbeats_seen_by_both_monitors(bus, peer):
    """A Python orchestrator monitor (the seed's lifecycle, dead after 3 intervals) sees Java
    agents' heartbeats, and one that hangs as dead; a Python agent's heartbeats reach the Java
    monitor, which sees it dead when they stop."""
    monitor = OrchestratorMonitor(bus, dead_after=DEAD_AFTER)
    await monitor.start()
    peer.signal("READY")
    try:
        for agent in ("java-hb-1", "java-hb-2"):
            state = await monitor.wait_alive(agent, WAIT)
            peer.did_receive(state.last_heartbeat)
            assert state.last_heartbeat.to_agent is None
            assert strictly_equal(state.last_heartbeat.content, {"status": "alive"})
        peer.signal("SAW-ALIVE java-hb-1 java-hb-2")

        # a Python agent beats three times, then goes silent as a hung process would
        beats = start_heartbeats(bus, "py-hb-1", interval=HEARTBEAT_INTERVAL, count=3)
        peer.did_send("heartbeat py-hb-1->* (3 times, then silent)")

        started = time.monotonic()
        await monitor.wait_dead("java-hb-2", DEAD_AFTER + WAIT)
        silent_for = time.monotonic() - started
        peer.did_receive(f"java-hb-2 dead after {silent_for:.1f} s of silence")
        assert monitor.is_alive("java-hb-1"), "java-hb-1 kept beating but was marked dead"
        await beats
    finally:
        monitor.stop()


# -- timeouts, no responders, error replies -------------------------------------------------------

async def test_timeouts_no_responders_and_error_replies(bus, peer):
    """Python requests time out, find no responders and read Java's error replies the way nats-py
    reports them; Python's error replies and silence reach the Java requester (checked in Java)."""
    release = asyncio.Event()
    java_asked = {"slow": asyncio.Event(), "failing": asyncio.Event()}

    async def slow(request: AgentMessage):
        peer.did_receive(request)
        java_asked["slow"].set()
        await within(release.wait(), "the end of the scenario")
        return None  # never answers

    async def failing(request: AgentMessage):
        peer.did_receive(request)
        java_asked["failing"].set()
        raise LookupError(f"no resource named {request.content['resource']}")

    await bus.subscribe_to_agent_messages("py-slow-001", slow)
    await bus.subscribe_to_agent_messages("py-agent-001", failing)
    await bus.flush()
    peer.signal("READY")

    # a Java responder that does not answer in time: nats-py's TimeoutError, a builtin TimeoutError
    started = time.monotonic()
    with pytest.raises(TimeoutError) as timeout:
        await bus.request("py-agent-001", "java-slow-001", MessageType.QUESTION,
                          {"question": "still there?"}, timeout=0.5)
    waited = time.monotonic() - started
    assert isinstance(timeout.value, nats.errors.TimeoutError)
    assert 0.45 <= waited < 5, waited
    peer.did_send(f"question py-agent-001->java-slow-001: TimeoutError after {waited:.2f} s")

    # nobody subscribed: the server's no-responders status, at once
    started = time.monotonic()
    with pytest.raises(nats.errors.NoRespondersError):
        await bus.request("py-agent-001", "nobody-001", MessageType.QUESTION, {"q": 1},
                          timeout=WAIT)
    assert time.monotonic() - started < WAIT / 2
    peer.did_send("question py-agent-001->nobody-001: NoRespondersError")

    # the Java handler throws: an empty reply with AgentBus-Error, read as RemoteAgentError
    with pytest.raises(RemoteAgentError) as failed:
        await bus.request("py-agent-001", "java-agent-001", MessageType.RESOURCE_REQUEST,
                          {"resource": "secret"}, timeout=WAIT)
    assert failed.value.error == "IllegalStateException: no resource named secret", \
        failed.value.error
    peer.did_send("resource_request py-agent-001->java-agent-001")
    peer.did_receive(f"error reply '{failed.value.error}'")

    # an integer beyond 64 bits is refused by the Java decoder, not rounded: an error reply too
    with pytest.raises(RemoteAgentError) as refused:
        await bus.request("py-agent-001", "java-agent-001", MessageType.RESOURCE_REQUEST,
                          {"resource": "task_model", "size": 2**64}, timeout=WAIT)
    assert refused.value.error.startswith("CodecException: "), refused.value.error
    peer.did_send("resource_request py-agent-001->java-agent-001 with 2**64")
    peer.did_receive(f"error reply '{refused.value.error[:60]}...'")

    # the Java requester's half: it times out on py-slow-001 and reads py-agent-001's error
    for what, event in java_asked.items():
        await within(event.wait(), f"the Java requester's {what} request")
    peer.did_send("error reply 'LookupError: no resource named secret' to the Java requester")
    release.set()
