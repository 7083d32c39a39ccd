"""How uvicorn serves the app: one place, so `serve`, `demo`, tests and benchmarks run the same socket stack."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vizochok.settings import Settings


WS_IMPLEMENTATION = "websockets-sansio"
"""uvicorn's sans-I/O websockets protocol: half the memory per idle socket of its legacy default."""


class OneLineForBadClientFrames(logging.Filter):
    """uvicorn logs a full traceback for every text frame that is not UTF-8: one line instead.

    One client could fill the log with them. The socket is closed with 1007 either way; one line says so.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop the traceback of the invalid UTF-8 record; keep everything else as is."""
        if record.exc_info and str(record.msg).startswith("Invalid UTF-8"):
            record.msg = "Invalid UTF-8 in a text frame from a client; closed with 1007"
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = OneLineForBadClientFrames()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config` (bench/RESULTS.md has the measurements)."""
    error_log = logging.getLogger("uvicorn.error")
    if _FILTER not in error_log.filters:
        error_log.addFilter(_FILTER)
    return {
        "ws": WS_IMPLEMENTATION,
        # permessage-deflate keeps a zlib compressor and decompressor per socket: ~40 KB of a 60 KB idle
        # socket. Chat frames are small JSON, so the memory buys little; operators can turn it back on.
        "ws_per_message_deflate": settings.ws_compression,
        # The chat protocol sends its own `ping` frames (DECISIONS §1) and closes silent sockets itself.
        "ws_ping_interval": None,
    }
