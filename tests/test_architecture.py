"""The dependency rules of docs/architecture.md, checked on the source: who may name whom.

- `core/` and `plugins/` never name `vizochok.adapters` (plugins speak to ports; built-in factories that
  pick adapters live beside the root, in `vizochok/providers/`);
- (`adapters/` never imports `vizochok.demo` or `vizochok.testing`: tests/adapters/test_adapters_import_no_demo.py);
- one composition root: `vizochok/container.py` holds the only dependency-injector container.
"""

from __future__ import annotations

import re
from pathlib import Path

import vizochok

PACKAGE = Path(vizochok.__file__).parent


def mentions(folder: Path, pattern: str) -> dict[str, list[int]]:
    """Lines of each `.py` file under `folder` that match `pattern` (as `grep -rn` would, comments too)."""
    found: dict[str, list[int]] = {}
    regex = re.compile(pattern)
    for path in sorted(folder.rglob("*.py")):
        lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if regex.search(line)]
        if lines:
            found[str(path.relative_to(folder))] = lines
    return found


def test_core_and_plugins_never_name_an_adapter() -> None:
    # The issue's own check: `grep -rn "vizochok.adapters" vizochok/plugins vizochok/core` is empty.
    assert mentions(PACKAGE / "core", r"vizochok.adapters") == {}
    assert mentions(PACKAGE / "plugins", r"vizochok.adapters") == {}


def test_there_is_one_composition_root() -> None:
    assert list(mentions(PACKAGE, r"DeclarativeContainer|DynamicContainer")) == ["container.py"]


def test_the_check_finds_a_forbidden_name(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "tool.py").write_text(
        '"""ok"""\n\ndef f():\n    from vizochok.adapters.db import Database  # noqa\n'
    )
    (tmp_path / "pkg" / "fine.py").write_text("from vizochok.core.ports import LLM\n")
    assert mentions(tmp_path / "pkg", r"vizochok.adapters") == {"tool.py": [4]}
