"""The Java implementation's signing test vectors (docs/signing-vectors.json), checked by this
independent implementation on PyNaCl: same keys from the seeds, same bytes signed, same
signatures, and an altered message refused."""

import base64
import json
from pathlib import Path

import pytest

from seed_orchestrator import signing

VECTORS = json.loads((Path(__file__).resolve().parents[3] / "docs" / "signing-vectors.json")
                     .read_text(encoding="utf-8"))


@pytest.mark.parametrize("v", VECTORS["vectors"], ids=lambda v: v["name"])
def test_vector(v):
    assert VECTORS["scheme"] == signing.VERSION
    key = signing.signing_key(v["seed"])
    assert signing.public_nkey(key) == v["public_key"]
    payload = base64.b64decode(v["payload_base64"])
    data = signing.signing_input(v["signer"], v["subject"], v["in_reply_to"], v["timestamp"],
                                 v["nonce"], payload)
    assert data == base64.b64decode(v["signing_input_base64"])
    headers = signing.sign(key, v["signer"], v["subject"], payload, v["in_reply_to"],
                           v["timestamp"], v["nonce"])
    assert headers[signing.SIGNATURE] == v["signature"]
    trusted = {v["signer"]: v["public_key"]}
    assert signing.verify(headers, v["subject"], payload, trusted, v["in_reply_to"]) == v["signer"]
    with pytest.raises(ValueError, match="bad signature"):
        signing.verify(headers, v["subject"], payload + b" ", trusted, v["in_reply_to"])
    with pytest.raises(ValueError, match="bad signature"):
        signing.verify(headers, v["subject"] + ".x", payload, trusted, v["in_reply_to"])
