"""Copy the widget the server serves into this npm package; `--check` fails when the copy is stale.

The source of truth is `vizochok/web/static/vizochok-widget.js` (what `/widget/v1/vizochok-widget.js`
serves). Run `python3 widget/scripts/sync.py` after editing it; a test checks the two are identical.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "vizochok" / "web" / "static" / "vizochok-widget.js"
COPY = ROOT / "widget" / "vizochok-widget.js"


def main(argv: list[str]) -> int:
    """Copy, or with `--check` only compare."""
    source = SOURCE.read_bytes()
    if "--check" in argv:
        if not COPY.exists() or COPY.read_bytes() != source:
            print(f"{COPY} is out of date: run python3 widget/scripts/sync.py", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    COPY.write_bytes(source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
