"""A retailer backend that misbehaves on demand: a real HTTP server on loopback, scripted per request."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.helpers import free_port

if TYPE_CHECKING:
    from pathlib import Path

Send = Callable[[dict[str, Any]], Awaitable[None]]
Behaviour = Callable[[Send], Awaitable[None]]


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


def reply(status: int = 200, payload: Any = None, *, raw: bytes | None = None, delay: float = 0.0,
          headers: dict[str, str] | None = None) -> Behaviour:  # fmt: skip
    """Answer `status` with JSON `payload` (or `raw` bytes), after `delay` seconds."""

    async def behave(send: Send) -> None:
        if delay:
            await asyncio.sleep(delay)
        body = raw if raw is not None else json.dumps(payload if payload is not None else {}).encode()
        extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), *extra]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    return behave


def drip(chunks: int, interval: float) -> Behaviour:
    """Send headers at once, then one byte every `interval` seconds: slow, but never silent."""

    async def behave(send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        for _ in range(chunks):
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await asyncio.sleep(interval)
        await send({"type": "http.response.body", "body": b'{"products":[]}'})

    return behave


def stream(total: int, chunk: int = 65536) -> Behaviour:
    """A chunked answer of `total` bytes with no Content-Length, so only counting can catch it."""

    async def behave(send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        sent = 0
        while sent < total:
            await send({"type": "http.response.body", "body": b" " * chunk, "more_body": True})
            sent += chunk
        await send({"type": "http.response.body", "body": b""})

    return behave


@dataclass
class ScriptedRetailer:
    """ASGI app: each request takes the next behaviour from `script`, or `default` when it is empty."""

    default: Behaviour = field(default_factory=lambda: reply(200, {"products": []}))
    script: deque[Behaviour] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)

    def then(self, *behaviours: Behaviour) -> ScriptedRetailer:
        """Queue behaviours for the next requests."""
        self.script.extend(behaviours)
        return self

    def reset(self) -> None:
        """Forget the script and the requests."""
        self.script.clear()
        self.received.clear()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append(
            Received(scope["method"], scope["path"], scope["query_string"].decode(), headers, body)
        )
        behaviour = self.script.popleft() if self.script else self.default
        await behaviour(send)


class Server:
    """uvicorn on a loopback port in a thread, optionally with TLS."""

    def __init__(self, app: Any, **tls: Any) -> None:
        self.port = free_port()
        scheme = "https" if tls else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on", **tls
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                msg = "test server did not start"
                raise RuntimeError(msg)
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def self_signed(directory: Path, hostname: str) -> tuple[Path, Path]:
    """A certificate for `hostname` (and nothing else) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path
