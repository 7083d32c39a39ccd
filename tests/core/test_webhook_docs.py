"""The verification snippets in docs/webhooks.md verify real signatures (and refuse forged ones)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from vizochok.webhook_signature import sign

DOC = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text("utf-8")
SECRET = "docs-secret-0123456789"
BODY = '{"skus":["milk-001"],"store_id":"store-1"}'


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.DOTALL)


def cases() -> list[tuple[str, str, str, bool]]:
    """(body, signature, timestamp, expected) for a good request and three forgeries."""
    good = sign(SECRET, BODY.encode())
    sig, ts = good["X-VIZOCHOK-Signature"], good["X-VIZOCHOK-Timestamp"]
    stale = sign(SECRET, BODY.encode(), timestamp=int(time.time()) - 600)
    return [
        (BODY, sig, ts, True),
        (BODY + " ", sig, ts, False),
        (BODY, stale["X-VIZOCHOK-Signature"], stale["X-VIZOCHOK-Timestamp"], False),
        (BODY, sig.replace("sha256=", "sha1="), ts, False),
        # Malformed headers are a plain "no", never an exception (issue 13, finding 5).
        (BODY, "sha256=" + "é" * 64, ts, False),
        (BODY, "sha256=" + "é" * 32, ts, False),
        (BODY, sig[:-1] + "ї", ts, False),
        (BODY, sig, "²", False),
        (BODY, sig, ts + "\u0663", False),
    ]


def test_python_snippet() -> None:
    snippet = next(b for b in blocks("python") if "def verify(" in b)
    namespace: dict[str, object] = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation
    verify = namespace["verify"]
    assert [verify(SECRET, body.encode(), sig, ts) for body, sig, ts, _ in cases()] == [c[3] for c in cases()]  # type: ignore[operator]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_snippet(tmp_path: Path) -> None:
    snippet = next(b for b in blocks("js") if "function verifyVizochok" in b)
    function = snippet[: snippet.index("app.post(")]
    script = tmp_path / "check.js"
    script.write_text(
        function
        + f"const cases = {json.dumps(cases())};\n"
        + 'console.log(JSON.stringify(cases.map(([b, s, t]) => verifyVizochok("'
        + SECRET
        + '", Buffer.from(b), s, t))));\n'
    )
    result = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True, timeout=30)
    assert json.loads(result.stdout) == [c[3] for c in cases()]


@pytest.mark.skipif(shutil.which("php") is None, reason="PHP is not installed")
def test_php_snippet(tmp_path: Path) -> None:
    snippet = next(b for b in blocks("php") if "function vizochok_verify" in b)
    function = snippet[: snippet.index("$raw = file_get_contents")]
    script = tmp_path / "check.php"
    script.write_text(
        function
        + f"$cases = json_decode({json.dumps(json.dumps(cases()))}, true);\n"
        + "echo json_encode(array_map(fn($c) => vizochok_verify('"
        + SECRET
        + "', $c[0], $c[1], $c[2]), $cases));\n"
    )
    result = subprocess.run(["php", str(script)], capture_output=True, text=True, check=True, timeout=30)
    assert json.loads(result.stdout) == [c[3] for c in cases()]
