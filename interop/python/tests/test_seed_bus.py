"""The Python partner on its own: Python agents talking to Python agents through NATSMessageBus,
so a failure in a Java scenario is not a bug of the partner itself."""

import asyncio
import json

import nats.errors
import pytest

from conftest import WAIT
from seed_orchestrator import AgentMessage, MessageType, RemoteAgentError
from seed_orchestrator.messaging import error_text


async def test_the_seeds_json_and_subjects(bus, peer):
    got = asyncio.Queue()
    raw = await bus.nc.subscribe("orchestrator.>", cb=got.put)
    await bus.flush()

    await bus.broadcast("architect-001", MessageType.STATUS_UPDATE, {"status": "completed"})
    await bus.send_to_agent("parser-dev-001", "architect-001", MessageType.QUESTION, {"q": "?"})
    await bus.publish_to_queue("test_execution", "test-coordinator", MessageType.TASK_ASSIGNMENT,
                               {"test": "t"})
    subjects = []
    for _ in range(3):
        msg = await asyncio.wait_for(got.get(), WAIT)
        subjects.append(msg.subject)
        body = json.loads(msg.data)
        assert list(body) == ["from_agent", "to_agent", "message_type", "content", "timestamp",
                              "correlation_id"]
        assert body["timestamp"].endswith("Z") and len(body["timestamp"]) == 24
        assert not msg.headers
    await raw.unsubscribe()
    assert subjects == ["orchestrator.broadcast.status_update",
                        "orchestrator.agent.architect-001.question",
                        "orchestrator.queue.test_execution"]


async def test_request_reply_errors_and_timeouts(bus, peer):
    async def architect(m: AgentMessage):
        if m.content["resource"] == "secret":
            raise LookupError("no resource named secret")
        if m.content["resource"] == "slow":
            return None
        return {"resource": m.content["resource"], "status": "ready"}

    await bus.subscribe_to_agent_messages("architect-001", architect)
    await bus.flush()

    reply = await bus.request("parser-dev-001", "architect-001", MessageType.RESOURCE_REQUEST,
                              {"resource": "task_model"}, timeout=WAIT)
    assert reply.message_type is MessageType.RESOURCE_RESPONSE
    assert (reply.from_agent, reply.to_agent) == ("architect-001", "parser-dev-001")
    assert reply.correlation_id.startswith("parser-dev-001-")
    assert reply.content == {"resource": "task_model", "status": "ready"}

    with pytest.raises(RemoteAgentError) as e:
        await bus.request("parser-dev-001", "architect-001", MessageType.RESOURCE_REQUEST,
                          {"resource": "secret"}, timeout=WAIT)
    assert e.value.error == "LookupError: no resource named secret"

    with pytest.raises(TimeoutError):
        await bus.request("parser-dev-001", "architect-001", MessageType.RESOURCE_REQUEST,
                          {"resource": "slow"}, timeout=0.2)

    with pytest.raises(nats.errors.NoRespondersError):
        await bus.request("parser-dev-001", "nobody", MessageType.QUESTION, {}, timeout=WAIT)


async def test_a_work_queue_gives_each_item_to_one_worker(bus, peer):
    done = asyncio.Queue()

    async def run_test(m: AgentMessage):
        done.put_nowait(m.content["n"])

    await bus.create_work_queue("test_execution", run_test, num_workers=3)
    await bus.flush()
    for n in range(9):
        await bus.publish_to_queue("test_execution", "test-coordinator",
                                   MessageType.TASK_ASSIGNMENT, {"n": n})
    ran = sorted([await asyncio.wait_for(done.get(), WAIT) for _ in range(9)])
    assert ran == list(range(9))
    await bus.flush()
    assert done.empty()


async def test_unknown_types_decode_and_encode(nats_url):
    m = AgentMessage.from_json(b'{"from_agent": "a", "message_type": "code_review", '
                               b'"content": null, "timestamp": "2025-12-05T14:40:00Z"}')
    assert m.message_type == "code_review" and not m.is_known_type
    assert m.content == {} and m.to_agent is None and m.correlation_id is None
    assert json.loads(m.to_json())["message_type"] == "code_review"
    assert AgentMessage.from_json(m.to_json()) == m


def test_an_error_reply_is_one_line_of_at_most_1_kib():
    assert error_text(LookupError("no resource\nnamed secret")) == \
        "LookupError: no resource named secret"
    long = error_text(ValueError("é" * 2000))
    assert long.startswith("ValueError: é") and long.endswith("...")
    assert len(long.encode()) <= 1003 and "\n" not in long
