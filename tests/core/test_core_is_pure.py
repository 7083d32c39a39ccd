"""`core/` imports nothing outside the standard library, pydantic, snowballstemmer and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import vizochok.core

ALLOWED = {"pydantic", "vizochok", "snowballstemmer"}
"""snowballstemmer is an algorithm, not a framework: pure Python, no dependencies (English stemming)."""
CORE = Path(vizochok.core.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("vizochok") and not node.module.startswith("vizochok.core"):
                names.add(node.module)
            else:
                names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_framework() -> None:
    offenders = {}
    for path in CORE.rglob("*.py"):
        bad = {n for n in _imports(path) if n not in ALLOWED and n not in sys.stdlib_module_names}
        bad |= {n for n in _imports(path) if n.startswith("vizochok.")}
        if bad:
            offenders[str(path.relative_to(CORE))] = sorted(bad)
    assert offenders == {}


def test_the_check_sees_a_framework_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import litestar\nfrom vizochok.adapters.db import Database\n")
    assert _imports(sample) == {"litestar", "vizochok.adapters.db"}
