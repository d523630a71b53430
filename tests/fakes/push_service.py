"""A stand-in Web Push service on 127.0.0.1, for tests (issue #17).

It plays both ends a real push service sits between: it makes subscriptions as a
browser would (a P-256 key pair and a 16-byte auth secret each, an endpoint here),
and receives the server's pushes as the push service would (RFC 8030), checking

- the VAPID `Authorization: vapid t=<JWT>, k=<public key>` header (RFC 8292): the
  JWT is ES256-signed by `k`, `k` is the applicationServerKey the subscription was
  made with, `aud` is this service's origin, `exp` is within 24 hours, `sub` is set;
- `Content-Encoding: aes128gcm` and a TTL header;

then DECRYPTS the body with the subscription's private key and auth secret (RFC 8291,
http_ece) and keeps the plain text. A subscription can be told to answer with a
list of statuses (503 then 201, say), or 410 Gone as if the browser unsubscribed.
Verification is done here with `cryptography`, not with the sender's own library.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeSubscription:
    """One browser's subscription: what the page would POST, and its secrets."""

    id: str
    endpoint: str
    server_key: str  # the applicationServerKey it was made with
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    answers: list[int] = field(default_factory=list)  # statuses to give, in turn; then 201

    def to_json(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)},
        }


@dataclass(frozen=True)
class Delivery:
    subscription_id: str
    text: str  # the decrypted payload
    claims: dict[str, Any]
    status: int  # what we answered


class PushService:
    def __init__(self) -> None:
        self.subscriptions: dict[str, FakeSubscription] = {}
        self.delivered: list[Delivery] = []  # decrypted and answered 201
        self.refused: list[tuple[str, int, str]] = []  # (subscription id, status, why)
        self.attempts = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def subscribe(self, server_key: str) -> FakeSubscription:
        """What a browser does for pushManager.subscribe({applicationServerKey})."""
        sub_id = secrets.token_urlsafe(16)
        subscription = FakeSubscription(
            id=sub_id,
            endpoint=f"{self.origin}/push/{sub_id}",
            server_key=server_key.rstrip("="),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
        )
        self.subscriptions[sub_id] = subscription
        return subscription

    def received_by(self, subscription: FakeSubscription) -> list[str]:
        return [d.text for d in self.delivered if d.subscription_id == subscription.id]

    # The push service's side.

    def _check_vapid(self, header: str, subscription: FakeSubscription) -> dict[str, Any]:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError("Authorization is not a vapid header")
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        token, key = fields.get("t", ""), fields.get("k", "")
        if key.rstrip("=") != subscription.server_key:
            raise ValueError("k is not the applicationServerKey of the subscription")
        head64, claims64, signature64 = token.split(".")
        head = json.loads(unb64url(head64))
        if head.get("alg") != "ES256":
            raise ValueError("JWT is not ES256")
        signature = unb64url(signature64)
        if len(signature) != 64:
            raise ValueError("ES256 signature is not 64 bytes")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        try:
            public.verify(der, f"{head64}.{claims64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise ValueError("JWT signature does not verify with k") from exc
        claims = json.loads(unb64url(claims64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud is {claims.get('aud')!r}, not this origin")
        if not time.time() < int(claims.get("exp", 0)) <= time.time() + 24 * 3600:
            raise ValueError("exp is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:", "http:")):
            raise ValueError("sub is missing")
        return claims

    def _receive(self, sub_id: str, headers: Any, body: bytes) -> tuple[int, str]:
        with self._lock:
            self.attempts += 1
            subscription = self.subscriptions.get(sub_id)
            if subscription is None:
                return 404, "no such subscription"
            if subscription.answers:
                status = subscription.answers.pop(0)
                if status >= 300:
                    self.refused.append((sub_id, status, "told to"))
                    return status, "told to"
        try:
            if headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            if not headers.get("TTL", "").isdigit():
                raise ValueError("TTL header missing")
            claims = self._check_vapid(headers.get("Authorization", ""), subscription)
            text = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            ).decode()
        except Exception as exc:  # a bad push is refused and recorded, as a 400
            with self._lock:
                self.refused.append((sub_id, 400, str(exc)))
            return 400, str(exc)
        with self._lock:
            self.delivered.append(Delivery(sub_id, text, claims, 201))
        return 201, ""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                if not path.startswith("/push/"):
                    status, why = 404, "not a push endpoint"
                else:
                    status, why = service._receive(path.removeprefix("/push/"), self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(why.encode())))
                self.end_headers()
                self.wfile.write(why.encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet tests

        return Handler
