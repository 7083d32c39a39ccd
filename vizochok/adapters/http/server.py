"""How uvicorn serves the app: one place, so `serve`, `demo`, tests and benchmarks run the same socket stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vizochok.settings import Settings


WS_IMPLEMENTATION = "websockets-sansio"
"""uvicorn's sans-I/O websockets protocol: half the memory per idle socket of its legacy default."""


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config` (bench/RESULTS.md has the measurements)."""
    return {
        "ws": WS_IMPLEMENTATION,
        # permessage-deflate keeps a zlib compressor and decompressor per socket: ~40 KB of a 60 KB idle
        # socket. Chat frames are small JSON, so the memory buys little; operators can turn it back on.
        "ws_per_message_deflate": settings.ws_compression,
        # The chat protocol sends its own `ping` frames (DECISIONS §1) and closes silent sockets itself.
        "ws_ping_interval": None,
    }
