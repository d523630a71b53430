"""VAPID keys: the server's identity towards browsers' push services (issue #17).

One pair for the whole service, from VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, shared
by every replica: a browser's subscription is tied to the public key it was made
with, so a key made per process would break every subscription made elsewhere.
`python -m bot vapid-keys` prints a new pair.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


class VapidKeyError(ValueError):
    """The keys can't be used; the message says what is wrong, without the key."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_raw(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass(frozen=True, slots=True)
class VapidKeys:
    public: str  # base64url uncompressed P-256 point: the page's applicationServerKey
    private: str  # base64url raw 32-byte private value

    def signer(self) -> Vapid02:
        return Vapid02.from_string(self.private)


def generate() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return VapidKeys(public=b64url(public_raw(key.public_key())), private=b64url(private))


def load(public: str, private: str) -> VapidKeys:
    """Both keys, checked to be one pair; VapidKeyError names what is wrong."""
    public, private = public.strip(), private.strip()
    try:
        signer = Vapid02.from_string(private)
    except Exception as exc:  # py_vapid raises several kinds for a bad key
        raise VapidKeyError(
            "VAPID_PRIVATE_KEY is not a P-256 private key (base64url, as "
            "'python -m bot vapid-keys' prints)"
        ) from exc
    if b64url(public_raw(signer.public_key)) != public.rstrip("="):
        raise VapidKeyError("VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY")
    return VapidKeys(public=public.rstrip("="), private=private)


def print_new_pair() -> int:
    """`python -m bot vapid-keys`: a new pair, as environment lines to paste."""
    keys = generate()
    print("# Web Push keys: set both, the same in every replica. Keep the private one secret;")
    print("# changing them later ends every browser's subscription.")
    print(f"VAPID_PUBLIC_KEY={keys.public}")
    print(f"VAPID_PRIVATE_KEY={keys.private}")
    return 0
