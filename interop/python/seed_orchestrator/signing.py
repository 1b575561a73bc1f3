"""AgentBus signed messages (scheme ``AGENTBUS-SIG-V1``, docs/wire-format.md "Signed messages") on
PyNaCl: what a Python agent needs to sign what it sends and verify what it receives, so that a
Java agent with ``agentbus.security.signing=require`` accepts it.

What is signed, as bytes: the UTF-8 of six lines, each ended by ``\\n`` -- ``AGENTBUS-SIG-V1``, the
signer's agent id, the subject published to (for a reply: the request's subject), the request's
nonce (for a reply; else empty), the timestamp, the nonce -- then the payload bytes as sent. The
Ed25519 signature (base64url, no padding) travels with the signer, timestamp and nonce in four
headers. Keys are NATS user NKeys: a seed ``SU...`` and a public key ``U...``.
"""

from __future__ import annotations

import base64
import os
import time
from typing import Mapping, Optional

import nacl.exceptions
import nacl.signing

VERSION = "AGENTBUS-SIG-V1"
SIGNER = "AgentBus-Signer"
TIMESTAMP = "AgentBus-Timestamp"
NONCE = "AgentBus-Nonce"
SIGNATURE = "AgentBus-Signature"

_PREFIX_SEED = 18 << 3
_PREFIX_USER = 20 << 3


def _crc16(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _b32decode_checked(text: str) -> bytes:
    raw = base64.b32decode(text + "=" * (-len(text) % 8))
    data, crc = raw[:-2], raw[-2:]
    if int.from_bytes(crc, "little") != _crc16(data):
        raise ValueError("NKey checksum mismatch")
    return data


def _b32encode_checked(data: bytes) -> str:
    return base64.b32encode(data + _crc16(data).to_bytes(2, "little")).decode().rstrip("=")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(seed: str) -> nacl.signing.SigningKey:
    """The Ed25519 key of a user seed ``SU...``."""
    data = _b32decode_checked(seed.strip())
    if len(data) != 34 or data[0] != (_PREFIX_SEED | _PREFIX_USER >> 5):
        raise ValueError("not an NKey user seed")
    return nacl.signing.SigningKey(data[2:])


def public_nkey(key: nacl.signing.SigningKey) -> str:
    """The user public NKey ``U...`` of a signing key."""
    return _b32encode_checked(bytes([_PREFIX_USER]) + bytes(key.verify_key))


def verify_key(nkey: str) -> nacl.signing.VerifyKey:
    """The Ed25519 key of a user public NKey ``U...``."""
    data = _b32decode_checked(nkey.strip())
    if len(data) != 33 or data[0] != _PREFIX_USER:
        raise ValueError("not an NKey user public key")
    return nacl.signing.VerifyKey(data[1:])


def signing_input(signer: str, subject: str, in_reply_to: str, timestamp: str, nonce: str,
                  payload: bytes) -> bytes:
    head = "\n".join([VERSION, signer, subject, in_reply_to, timestamp, nonce]) + "\n"
    return head.encode("utf-8") + payload


def sign(key: nacl.signing.SigningKey, signer: str, subject: str, payload: bytes,
         in_reply_to: str = "", timestamp: Optional[str] = None,
         nonce: Optional[str] = None) -> dict:
    """The four headers that sign ``payload`` as ``signer`` on ``subject``."""
    timestamp = timestamp or str(int(time.time() * 1000))
    nonce = nonce or _b64url(os.urandom(16))
    signature = key.sign(signing_input(signer, subject, in_reply_to, timestamp, nonce,
                                       payload)).signature
    return {SIGNER: signer, TIMESTAMP: timestamp, NONCE: nonce, SIGNATURE: _b64url(signature)}


def verify(headers: Mapping[str, str], subject: str, payload: bytes,
           trusted: Mapping[str, str], in_reply_to: str = "") -> str:
    """The signer if ``headers`` sign ``payload`` on ``subject`` with a key trusted for it;
    raises ``ValueError`` saying why not."""
    signer = headers.get(SIGNER)
    if not signer or SIGNATURE not in headers:
        raise ValueError("unsigned")
    if signer not in trusted:
        raise ValueError(f"untrusted signer {signer!r}")
    data = signing_input(signer, subject, in_reply_to, headers.get(TIMESTAMP, ""),
                         headers.get(NONCE, ""), payload)
    try:
        verify_key(trusted[signer]).verify(data, _b64url_decode(headers[SIGNATURE]))
    except (nacl.exceptions.BadSignatureError, ValueError) as e:
        raise ValueError(f"bad signature of {signer!r}") from e
    return signer
