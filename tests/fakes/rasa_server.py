"""A local stand-in for a Rasa 3.x server's `POST /model/parse`.

Answers in Rasa's documented response shape ({"text", "intent": {"name",
"confidence"}, "intent_ranking": [...], "entities": []}), choosing the intent by
keyword so tests know what to expect.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

KEYWORDS = [
    ("excluded", "exclusion"),
    ("suspended", "exclusion"),
    ("transport", "transport"),
    ("taxi", "transport"),
]


class _Handler(BaseHTTPRequestHandler):
    requests_seen: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        if self.path != "/model/parse":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.requests_seen.append(body)
        text = body["text"].lower()
        intent = next((name for word, name in KEYWORDS if word in text), "out_of_scope")
        ranking = [{"name": intent, "confidence": 0.93}, {"name": "complaint", "confidence": 0.04}]
        payload = json.dumps(
            {"text": body["text"], "intent": ranking[0], "intent_ranking": ranking, "entities": []}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:  # keep test output quiet
        return None


@contextmanager
def fake_rasa() -> Iterator[tuple[str, list[dict]]]:
    _Handler.requests_seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Handler.requests_seen
    finally:
        server.shutdown()
        server.server_close()
