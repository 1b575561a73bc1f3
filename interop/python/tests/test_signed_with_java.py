"""Signed messages across languages: this side signs with PyNaCl (seed_orchestrator.signing); the
Java architect (sdk-interop's PythonSignedInteropTest) runs with signing=require and trusts the
parser's key. A request signed here is served, and its signed reply verifies here; a forged and an
unsigned one get no answer (the Java side checks they were refused)."""

import json
from pathlib import Path

import nats.errors
import pytest

from conftest import WAIT
from seed_orchestrator import AgentMessage, MessageType, signing

VECTORS = json.loads((Path(__file__).resolve().parents[3] / "docs" / "signing-vectors.json")
                     .read_text(encoding="utf-8"))["vectors"]
PARSER_SEED = VECTORS[0]["seed"]        # parser-dev-001's key, trusted by the Java side
ARCHITECT_KEY = VECTORS[2]["public_key"]  # architect-001's key, trusted here
TRUSTED = {"architect-001": ARCHITECT_KEY}
SUBJECT = "orchestrator.agent.architect-001.resource_request"


def request_bytes(correlation_id: str, from_agent: str = "parser-dev-001") -> bytes:
    return AgentMessage(from_agent=from_agent, to_agent="architect-001",
                        message_type=MessageType.RESOURCE_REQUEST,
                        content={"resource": "task_model"},
                        correlation_id=correlation_id).to_json()


async def test_python_signs_for_java_architect(bus, peer):
    nc = bus._client()
    parser = signing.signing_key(PARSER_SEED)
    peer.signal("READY")

    # signed with the parser's trusted key: served, and the reply is signed by the architect
    payload = request_bytes("parser-dev-001-1733409130004-1")
    headers = signing.sign(parser, "parser-dev-001", SUBJECT, payload)
    reply = await nc.request(SUBJECT, payload, timeout=WAIT, headers=headers)
    assert signing.verify(reply.headers or {}, SUBJECT, reply.data, TRUSTED,
                          in_reply_to=headers[signing.NONCE]) == "architect-001"
    answer = AgentMessage.from_json(reply.data)
    assert answer.from_agent == "architect-001"
    assert answer.correlation_id == "parser-dev-001-1733409130004-1"
    peer.did_send("signed resource_request parser-dev-001->architect-001")
    peer.did_receive(answer)

    # the reply verified against another request's nonce does not
    with pytest.raises(ValueError, match="bad signature"):
        signing.verify(reply.headers or {}, SUBJECT, reply.data, TRUSTED, in_reply_to="other")

    # forged: signed by a key nobody trusts, claiming to be the parser; then unsigned
    mallory = signing.signing_key(signing._b32encode_checked(bytes([149, 0]) + bytes(range(200, 232))))
    forged = request_bytes("parser-dev-001-1733409130004-2")
    with pytest.raises(nats.errors.TimeoutError):
        await nc.request(SUBJECT, forged, timeout=0.5,
                         headers=signing.sign(mallory, "parser-dev-001", SUBJECT, forged))
    peer.did_send("forged resource_request (mallory's key): no answer")
    with pytest.raises(nats.errors.TimeoutError):
        await nc.request(SUBJECT, request_bytes("parser-dev-001-1733409130004-3"), timeout=0.5)
    peer.did_send("unsigned resource_request: no answer")
    peer.signal("DONE")
