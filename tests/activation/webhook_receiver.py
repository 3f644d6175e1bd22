"""A real HTTP receiver on 127.0.0.1 that fails on purpose, then recovers (webhook tests)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verifier() -> Callable[[bytes, str, bytes], bool]:
    """Return `verify` from the README's receiver snippet (the code users copy), executed as is."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```python\n(# Verify a segmint webhook.*?)```", text, flags=re.DOTALL)
    assert match, "README has no webhook verification snippet"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md", "exec"), namespace)
    return namespace["verify"]


@dataclass
class Attempt:
    """One request as the receiver saw it."""

    key: str
    body: bytes
    signature: str
    timestamp: str
    behaviour: str


@dataclass
class Receiver:
    """Scripted behaviours per request ("500", "timeout", "drop", "400", then "ok" for ever)."""

    secret: bytes
    plan: list[str] = field(default_factory=list)
    slow_seconds: float = 1.5
    attempts: list[Attempt] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → batch, in order
    bad_signatures: int = 0

    def __post_init__(self) -> None:
        self.verify = readme_verifier()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    behaviour = receiver.plan.pop(0) if receiver.plan else "ok"
                    receiver.attempts.append(
                        Attempt(
                            self.headers.get("Idempotency-Key", ""),
                            body,
                            self.headers.get("X-Segmint-Signature", ""),
                            self.headers.get("X-Segmint-Timestamp", ""),
                            behaviour,
                        )
                    )
                if behaviour == "drop":
                    # Close the connection without any answer.
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if behaviour in ("500", "400"):
                    self.send_response(int(behaviour))
                    self.end_headers()
                    return
                if behaviour == "timeout":
                    # The batch arrives and is processed, but the answer comes too late.
                    receiver.accept(self.headers, body)
                    time.sleep(receiver.slow_seconds)
                    self.send_response(200)
                    self.end_headers()
                    return
                status = receiver.accept(self.headers, body)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """Return the receiver's URL."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def accept(self, headers: Any, body: bytes) -> int:
        """Verify the signature, then keep the batch once per Idempotency-Key."""
        if not self.verify(body, headers.get("X-Segmint-Signature", ""), self.secret):
            with self.lock:
                self.bad_signatures += 1
            return 401
        with self.lock:
            self.accepted.setdefault(headers["Idempotency-Key"], json.loads(body))
        return 200

    def changes(self) -> list[dict[str, Any]]:
        """Return every accepted change, batch after batch in the order first received."""
        return [c for batch in self.accepted.values() for c in batch["changes"]]

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()
