"""Adapters are shipped code: none may import the demo (or the testing kit, which is built on top of them)."""

from __future__ import annotations

import ast
from pathlib import Path

import vizochok

ADAPTERS = Path(vizochok.__file__).parent / "adapters"
FORBIDDEN = ("vizochok.demo", "vizochok.testing")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_adapter_imports_the_demo_or_the_testing_kit() -> None:
    offenders = {
        f"{path.relative_to(ADAPTERS.parent)}: {name}"
        for path in ADAPTERS.rglob("*.py")
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders, sorted(offenders)
    assert len(list(ADAPTERS.rglob("*.py"))) > 20  # the walk found the adapters
