"""Discovery seen from nats-py: AgentBus agents must answer the NATS micro service protocol
(ADR-32) as any micro service does. Run by sdk-interop's ``DiscoveryNatsTest``, which starts the
Java agents first (``architect-001`` in team ``design`` answering ``resource_request``, already
asked once; ``parser-dev-001``) and waits for ``INTEROP DONE``.

The answers are checked against the schemas ``io.nats.micro.v1.{ping,info,stats}_response``
(required fields, patterns, string metadata) and parsed with nats-py's own ``nats.micro`` types.
"""

import asyncio
import json
import os
import re
from datetime import datetime

import nats
import nats.errors
import pytest
from nats.micro.service import ServiceInfo, ServicePing, ServiceStats

from conftest import WAIT

NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
AGENTS = {"architect-001", "parser-dev-001"}
GATHER = 1.0


def check_identity(doc: dict, kind: str) -> None:
    assert doc["type"] == f"io.nats.micro.v1.{kind}_response", doc
    assert NAME.match(doc["name"]), doc["name"]
    assert isinstance(doc["id"], str) and doc["id"], doc
    assert SEMVER.match(doc["version"]), doc["version"]
    md = doc.get("metadata")
    assert md is None or all(isinstance(v, str) for v in md.values()), md


def check_info(doc: dict) -> None:
    check_identity(doc, "info")
    assert isinstance(doc["description"], str)
    for e in doc.get("endpoints", []):
        assert NAME.match(e["name"]), e
        assert isinstance(e["subject"], str) and e["subject"], e
        md = e.get("metadata")
        assert md is None or all(isinstance(v, str) for v in md.values()), e


def check_stats(doc: dict) -> None:
    check_identity(doc, "stats")
    datetime.fromisoformat(doc["started"].replace("Z", "+00:00"))
    for e in doc["endpoints"]:
        assert NAME.match(e["name"]), e
        for key in ("num_requests", "num_errors", "processing_time", "average_processing_time"):
            assert isinstance(e[key], int) and not isinstance(e[key], bool), (key, e)
        assert isinstance(e["last_error"], str), e


async def gather(nc, subject: str) -> list[dict]:
    """Every answer to one request on ``subject`` within GATHER seconds, as the CLI does."""
    inbox = nc.new_inbox()
    answers: list[dict] = []

    async def on_answer(m):
        answers.append(json.loads(m.data))

    sub = await nc.subscribe(inbox, cb=on_answer)
    await nc.publish(subject, b"", reply=inbox)
    await asyncio.sleep(GATHER)  # the protocol has no end marker: answers are gathered for a time
    await sub.unsubscribe()
    return answers


async def ask(nc, subject: str) -> dict:
    return json.loads((await nc.request(subject, b"", timeout=WAIT)).data)


@pytest.mark.asyncio
async def test_agents_answer_micro_discovery():
    nc = await nats.connect(os.environ["NATS_URL"])
    try:
        pings = [p for p in await gather(nc, "$SRV.PING") if p.get("name") in AGENTS]
        assert {p["name"] for p in pings} == AGENTS, pings
        for p in pings:
            check_identity(p, "ping")
            ServicePing.from_dict(p)
        architect = next(p for p in pings if p["name"] == "architect-001")
        instance = architect["id"]

        infos = [i for i in await gather(nc, "$SRV.INFO") if i.get("name") in AGENTS]
        assert len(infos) == 2, infos
        for i in infos:
            check_info(i)
            ServiceInfo.from_dict(i)

        info = await ask(nc, "$SRV.INFO.architect-001")
        check_info(info)
        parsed = ServiceInfo.from_dict(info)
        assert parsed.id == instance
        assert parsed.metadata["teams"] == "design"
        assert parsed.metadata["message_types"] == "resource_request"
        assert parsed.metadata["sdk"] == "agentbus"
        assert [e.subject for e in parsed.endpoints] == [
            "orchestrator.agent.architect-001.resource_request"]

        assert (await ask(nc, f"$SRV.PING.architect-001.{instance}"))["id"] == instance

        stats = await ask(nc, f"$SRV.STATS.architect-001.{instance}")
        check_stats(stats)
        parsed_stats = ServiceStats.from_dict(stats)
        endpoint = parsed_stats.endpoints[0]
        assert endpoint.name == "resource_request"
        assert endpoint.num_requests == 1, stats
        assert endpoint.num_errors == 0, stats

        # an id nobody has: no responders, as for any micro service
        with pytest.raises(nats.errors.NoRespondersError):
            await nc.request("$SRV.PING.nobody-here", b"", timeout=WAIT)
        print(f"INTEROP DONE pings={len(pings)} infos={len(infos)} "
              f"requests={endpoint.num_requests}", flush=True)
    finally:
        await nc.close()
