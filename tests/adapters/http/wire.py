"""A local model server that speaks the providers' real wire formats, scripted by each test.

One Litestar app answers `POST /v1/chat/completions` (OpenAI) and `POST /v1/messages` (Anthropic)
with whatever the test queued: SSE frames, an error status, a stall. It records every request with
the `authorization` and `x-api-key` headers filtered out (only whether they were right is kept),
and answers 401 in the provider's own format when the key is wrong, as the real servers do.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from litestar import Litestar, Request, post
from litestar.response import Response, Stream

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

_T = TypeVar("_T")

API_KEY = "sk-test-5ecret-never-logged"
FILTERED = "[filtered]"


@dataclass
class Answer:
    """What the server does with one request."""

    status: int = 200
    frames: list[str] = field(default_factory=list)
    """SSE frames, each already ending in a blank line; used when `status` is 200 and `body` is None."""
    body: Any = None
    """A JSON (dict) or text (str) body instead of a stream."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering at all."""
    stall_after: int | None = None
    """Stop sending after this many frames and wait `stall` seconds (a server that hangs mid-stream)."""
    stall: float = 0.0


@dataclass
class Recorded:
    """One request as the server saw it, secrets filtered."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    auth_ok: bool


def openai_frames(*chunks: dict[str, Any], done: bool = True) -> list[str]:
    """Chat Completions chunks as `data:` frames, then `data: [DONE]`."""
    frames = [
        f"data: {json.dumps({'object': 'chat.completion.chunk', **c}, ensure_ascii=False)}\n\n"
        for c in chunks
    ]
    return frames + (["data: [DONE]\n\n"] if done else [])


def anthropic_frames(*events: dict[str, Any]) -> list[str]:
    """Messages API events as named SSE frames."""
    return [f"event: {e['type']}\ndata: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events]


class WireServer:
    """The scripted state behind the app; tests reach it through the `wire` fixture."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.queue: list[Answer] = []
        self.rule: Callable[[Recorded], Answer] | None = None
        """When set, answers every request (for "429 forever for this model" scripts)."""
        self.base_url = ""

    def reset(self) -> None:
        """Forget the previous test's script and requests."""
        self.requests.clear()
        self.queue.clear()
        self.rule = None

    def script(self, *answers: Answer) -> None:
        """Answer the next requests with these, in order."""
        self.queue.extend(answers)

    def models(self) -> list[str]:
        """The `model` of each request received, in order."""
        return [r.body.get("model", "") for r in self.requests]

    def _record(self, request: Request[Any, Any, Any], body: dict[str, Any]) -> Recorded:
        headers = {k.lower(): v for k, v in request.headers.items()}
        if request.url.path.endswith("/messages"):
            auth_ok = headers.get("x-api-key") == API_KEY
        else:
            auth_ok = headers.get("authorization") == f"Bearer {API_KEY}"
        for secret in ("authorization", "x-api-key"):
            if secret in headers:
                headers[secret] = FILTERED
        recorded = Recorded(request.url.path, body, headers, auth_ok)
        self.requests.append(recorded)
        return recorded

    async def handle(self, request: Request[Any, Any, Any]) -> Response[Any]:
        recorded = self._record(request, await request.json())
        if not recorded.auth_ok:
            kind = (
                {"type": "authentication_error"}
                if recorded.path.endswith("/messages")
                else {"code": "invalid_api_key"}
            )
            return Response(
                {"error": {"message": "invalid x-api-key or bearer token", **kind}}, status_code=401
            )
        if self.rule is not None:
            answer = self.rule(recorded)
        elif self.queue:
            answer = self.queue.pop(0)
        else:
            return Response({"error": {"message": "the test scripted no answer"}}, status_code=500)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.status != 200 or answer.body is not None:
            media = (
                "text/plain" if isinstance(answer.body, str) or answer.body is None else "application/json"
            )
            return Response(
                answer.body or "", status_code=answer.status, headers=answer.headers, media_type=media
            )
        return Stream(
            self._send(answer), status_code=200, media_type="text/event-stream", headers=answer.headers
        )

    @staticmethod
    async def _send(answer: Answer) -> AsyncIterator[str]:
        for index, frame in enumerate(answer.frames):
            if answer.stall_after is not None and index == answer.stall_after:
                await asyncio.sleep(answer.stall)
            yield frame


def create_app(server: WireServer) -> Litestar:
    """The Litestar app serving `server`'s script."""

    @post(["/v1/chat/completions", "/v1/messages"], status_code=200)
    async def handle(request: Request[Any, Any, Any]) -> Response[Any]:
        return await server.handle(request)

    return Litestar([handle], debug=False)


async def drain(stream: AsyncIterator[_T], into: list[_T]) -> None:
    """Read `stream` to its end into `into`: what arrived before an error stays there to be checked."""
    async for event in stream:
        into.append(event)  # noqa: PERF401 - one by one, so that events before an error are kept
