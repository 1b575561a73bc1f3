"""A foreign NATS client (nats-py, PyNaCl) against the generated agent, run by verify.groovy.

``off``: an unsigned request is answered. ``require``: a request signed with the trusted requester's
seed is answered, and the signed reply verifies with the agent's key; a request claiming the
trusted requester's id but signed with another key (forged), and an unsigned one, get no answer,
and each comes back on the dead-letter subject with an ``AgentBus-Error`` naming the cause.

Prints one ``CHECK <what>`` line per step that held, and a ``SECURITY-FIGURES`` line; exits 1 with
the reason when a step fails.
"""

import argparse
import asyncio
import sys
import time

import nats
import nats.errors

from seed_orchestrator import AgentMessage, MessageType, signing

REQUESTER = "parser-dev-001"


def request_bytes(agent: str, resource: str, correlation_id: str) -> bytes:
    return AgentMessage(from_agent=REQUESTER, to_agent=agent,
                        message_type=MessageType.RESOURCE_REQUEST,
                        content={"resource": resource}, correlation_id=correlation_id).to_json()


async def first_answer(nc, subject, make, deadline_s: float):
    """Sends ``make()`` (payload, headers) until the agent answers (it may still be starting)."""
    deadline = time.monotonic() + deadline_s
    while True:
        payload, headers = make()
        try:
            return await nc.request(subject, payload, timeout=1.0, headers=headers), headers
        except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
            if time.monotonic() > deadline:
                raise AssertionError(f"the agent did not answer on {subject} within {deadline_s} s")
            await asyncio.sleep(0.2)


def check_answer(reply, agent: str, resource: str) -> None:
    answer = AgentMessage.from_json(reply.data)
    assert answer.from_agent == agent, answer
    assert answer.content.get("status") == "ready", answer
    assert answer.content.get("resource") == resource, answer


async def refused(nc, subject, payload, headers, dead_letters, cause: str) -> None:
    """No answer within the wait, and the message dead-lettered naming ``cause``."""
    try:
        reply = await nc.request(subject, payload, timeout=2.0, headers=headers)
        raise AssertionError(f"answered a {cause} request: {reply.data!r} {reply.headers}")
    except nats.errors.TimeoutError:
        pass
    # other dead letters may come first (anything else the agent refused): wait for this one's
    deadline = time.monotonic() + 10
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no dead letter carries the refused {cause} request")
        dead = await asyncio.wait_for(dead_letters.get(), left)
        if dead.data == payload:
            break
        print(f"(another dead letter first: {(dead.headers or {}).get('AgentBus-Error')!r})",
              flush=True)
    error = (dead.headers or {}).get("AgentBus-Error", "")
    assert error.startswith("refused: " + cause), f"dead letter says {error!r}, not {cause}"


async def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--agent", required=True)
    p.add_argument("--resource", required=True)
    p.add_argument("--mode", choices=["off", "require"], required=True)
    p.add_argument("--requester-seed")
    p.add_argument("--agent-key")
    p.add_argument("--startup-seconds", type=float, default=120)
    a = p.parse_args()
    subject = f"orchestrator.agent.{a.agent}.resource_request"
    nc = await nats.connect(a.url, name="foreign-python-client")
    counter = iter(range(1, 1_000_000))

    def corr() -> str:
        return f"{REQUESTER}-1733409130004-{next(counter)}"

    try:
        if a.mode == "off":
            reply, _ = await first_answer(
                nc, subject, lambda: (request_bytes(a.agent, a.resource, corr()), None),
                a.startup_seconds)
            check_answer(reply, a.agent, a.resource)
            print("CHECK unsigned request answered with signing off", flush=True)
            return 0

        requester = signing.signing_key(a.requester_seed)
        dead_letters: asyncio.Queue = asyncio.Queue()

        async def on_dead_letter(m):
            await dead_letters.put(m)

        await nc.subscribe("orchestrator.deadletter", cb=on_dead_letter)
        await nc.flush()

        def signed():
            payload = request_bytes(a.agent, a.resource, corr())
            return payload, signing.sign(requester, REQUESTER, subject, payload)

        reply, headers = await first_answer(nc, subject, signed, a.startup_seconds)
        check_answer(reply, a.agent, a.resource)
        assert signing.verify(reply.headers or {}, subject, reply.data, {a.agent: a.agent_key},
                              in_reply_to=headers[signing.NONCE]) == a.agent
        print("CHECK signed request answered, the reply signed by the agent", flush=True)

        # forged: claims the trusted requester, signed with a key nobody trusts
        mallory = signing.signing_key(
            signing._b32encode_checked(bytes([149, 0]) + bytes(range(200, 232))))
        forged = request_bytes(a.agent, a.resource, corr())
        await refused(nc, subject, forged, signing.sign(mallory, REQUESTER, subject, forged),
                      dead_letters, "altered")
        print("CHECK forged request (trusted id, foreign key): no answer, dead-lettered", flush=True)
        unsigned = request_bytes(a.agent, a.resource, corr())
        await refused(nc, subject, unsigned, None, dead_letters, "unsigned")
        print("CHECK unsigned request: no answer, dead-lettered", flush=True)

        # and the agent still serves signed requests after refusing
        again = signed()
        reply = await nc.request(subject, again[0], timeout=10, headers=again[1])
        check_answer(reply, a.agent, a.resource)
        print("CHECK signed request answered after the refusals", flush=True)
        print("SECURITY-FIGURES scenario=archetype-agent-require attempted=2 refused=2 leaked=0",
              flush=True)
        return 0
    finally:
        await nc.close()


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except AssertionError as e:
        print(f"FAILED {e}", flush=True)
        sys.exit(1)
