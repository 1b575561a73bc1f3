"""The seed's Python agents taking part in AgentBus tasks (docs/wire-format.md, *Tasks*); the Java
half is sdk-interop's ``PythonTaskInteropTest``. The Python side speaks the wire directly with
nats-py, as any seed agent can: no AgentBus code runs here.

Every wait is bounded (``WAIT``) and waits on an event, never on a sleep.
"""

import asyncio

from conftest import WAIT
from seed_orchestrator import AgentMessage, MessageType

TASK_HEADER = "AgentBus-Task-Id"


async def within(awaitable, what: str):
    try:
        return await asyncio.wait_for(awaitable, WAIT)
    except TimeoutError:
        raise AssertionError(f"no {what} within {WAIT} s") from None


async def direct_inbox(bus, agent_id: str) -> asyncio.Queue:
    """Every message to ``agent_id`` as (nats Msg, AgentMessage), headers and reply subject kept."""
    queue: asyncio.Queue = asyncio.Queue()

    async def on_message(msg):
        queue.put_nowait((msg, AgentMessage.from_json(msg.data)))

    await bus._client().subscribe(f"{bus.namespace}.agent.{agent_id}.>", cb=on_message)
    return queue


async def take_assignment(bus, peer, inbox) -> tuple:
    msg, m = await within(inbox.get(), "a task_assignment from the Java requester")
    peer.did_receive(m)
    assert m.message_type is MessageType.TASK_ASSIGNMENT, m
    task_id = m.content["task_id"]
    assert (msg.headers or {}).get(TASK_HEADER) == task_id, msg.headers
    assert msg.reply, "a task_assignment is a request: the requester waits for the acknowledgement"
    ack = AgentMessage(from_agent="py-worker", to_agent=m.from_agent,
                       message_type=MessageType.STATUS_UPDATE,
                       content={"task_id": task_id, "state": "submitted"},
                       correlation_id=m.correlation_id)
    await bus._client().publish(msg.reply, ack.to_json())
    peer.did_send("status_update py-worker->" + m.from_agent)
    return m, task_id


async def test_python_assignee_reports_progress_and_completes(bus, peer):
    """Java: orchestrator assigns a task with Tasks. Python: py-worker performs it."""
    inbox = await direct_inbox(bus, "py-worker")
    await bus.flush()
    peer.signal("READY")

    m, task_id = await take_assignment(bus, peer, inbox)
    assert m.content["lines"] == 21
    for percent in (50, 100):
        peer.did_send(await bus.send_to_agent(
            "py-worker", m.from_agent, MessageType.STATUS_UPDATE,
            {"task_id": task_id, "state": "working", "progress": {"percent": percent}}))
    peer.did_send(await bus.send_to_agent(
        "py-worker", m.from_agent, MessageType.TASK_COMPLETE,
        {"task_id": task_id, "state": "completed", "result": {"lines": m.content["lines"] * 2}}))
    await bus.flush()


async def test_python_assignee_sees_the_cancel(bus, peer):
    """Java: orchestrator assigns, then cancels. Python: py-worker reports working, gets the
    cancel and confirms it with task_failed "canceled"."""
    inbox = await direct_inbox(bus, "py-worker")
    await bus.flush()
    peer.signal("READY")

    m, task_id = await take_assignment(bus, peer, inbox)
    peer.did_send(await bus.send_to_agent(
        "py-worker", m.from_agent, MessageType.STATUS_UPDATE,
        {"task_id": task_id, "state": "working", "progress": {}}))
    msg, cancel = await within(inbox.get(), "the cancel from the Java requester")
    peer.did_receive(cancel)
    assert cancel.message_type is MessageType.STATUS_UPDATE, cancel
    assert cancel.content["task_id"] == task_id and cancel.content["state"] == "canceled"
    assert cancel.content["reason"] == "the user gave up", cancel.content
    assert (msg.headers or {}).get(TASK_HEADER) == task_id
    peer.did_send(await bus.send_to_agent(
        "py-worker", m.from_agent, MessageType.TASK_FAILED,
        {"task_id": task_id, "state": "canceled", "error": "canceled: the user gave up"}))
    await bus.flush()


async def test_python_requester_gets_a_java_task_done(bus, peer):
    """Java: java-worker serves tasks with Tasks. Python: py-orchestrator assigns one and follows
    it to its end."""
    inbox = await direct_inbox(bus, "py-orchestrator")
    await bus.flush()
    task_id = "py-orchestrator-task-1"
    ack = await bus.request("py-orchestrator", "java-worker", MessageType.TASK_ASSIGNMENT,
                            {"task_id": task_id, "a": 2, "b": 3}, timeout=WAIT)
    peer.did_send("task_assignment py-orchestrator->java-worker")
    peer.did_receive(ack)
    assert ack.message_type is MessageType.STATUS_UPDATE
    assert ack.content == {"task_id": task_id, "state": "submitted"}, ack.content

    progress = []
    while True:
        msg, m = await within(inbox.get(), "the Java worker's reports")
        peer.did_receive(m)
        assert m.content["task_id"] == task_id and m.from_agent == "java-worker"
        assert (msg.headers or {}).get(TASK_HEADER) == task_id, msg.headers
        if m.message_type is MessageType.TASK_COMPLETE:
            assert m.content == {"task_id": task_id, "state": "completed",
                                 "result": {"sum": 5}}, m.content
            break
        assert m.message_type is MessageType.STATUS_UPDATE and m.content["state"] == "working"
        progress.append(m.content["progress"])
    assert progress == [{}, {"step": "adding"}], progress


async def test_python_agent_answers_a_java_gather(bus, peer):
    """Java: the orchestrator gathers answers to a coordination_request broadcast. Python:
    py-architect answers it, as it answers any request."""
    asked = asyncio.Event()

    async def on_request(msg):
        m = AgentMessage.from_json(msg.data)
        peer.did_receive(m)
        assert msg.reply, "a gathered request has a reply subject"
        answer = AgentMessage(from_agent="py-architect", to_agent=m.from_agent,
                              message_type=MessageType.ANSWER,
                              content={"ready": True, "language": "python"},
                              correlation_id=m.correlation_id)
        await bus._client().publish(msg.reply, answer.to_json())
        peer.did_send("answer py-architect->" + m.from_agent)
        asked.set()

    await bus._client().subscribe(bus.broadcast_subject(MessageType.COORDINATION_REQUEST),
                                  cb=on_request)
    await bus.flush()
    peer.signal("READY")
    await within(asked.wait(), "the Java orchestrator's coordination_request")
    await bus.flush()
