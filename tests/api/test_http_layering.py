"""HTTP handlers translate, services decide: what the modules under `adapters/http` may not import or call.

- No psycopg: a database driver's errors are the repository's to turn into domain errors
  (`store_id_taken`, `email_taken`), so a handler never sees them.
- No role or tenant rule of the admin core (`require`, `tenant_of`) and no `hmac`: who may do what, on
  which tenant, and whether a CSRF token matches are the services' decisions.
- The admin identity is a Litestar dependency (`auth.ADMIN`): no handler calls `admin_identity` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import vizochok

HTTP = Path(vizochok.__file__).parent / "adapters" / "http"
RULES_OF_THE_CORE = {"require", "tenant_of", "check_key_scopes", "server_key"}
"""Names a handler module must not import: `server_key` is used by the dependencies in `auth.py` only."""


def _modules() -> dict[str, ast.Module]:
    modules = {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(HTTP.glob("*.py"))}
    assert len(modules) > 10 and "admin.py" in modules  # the walk found the handlers
    return modules


def _imported(tree: ast.Module) -> set[str]:
    """Every module and `module.name` imported anywhere in the file (function-local imports too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_http_adapter_imports_psycopg() -> None:
    offenders = {
        f"{name}: {module}"
        for name, tree in _modules().items()
        for module in _imported(tree)
        if module == "psycopg" or module.startswith("psycopg.")
    }
    assert not offenders, sorted(offenders)


def test_no_http_adapter_applies_an_admin_rule_itself() -> None:
    offenders = set()
    for name, tree in _modules().items():
        for module in _imported(tree):
            leaf = module.rsplit(".", 1)[-1]
            if module == "hmac" or (leaf in RULES_OF_THE_CORE and name != "auth.py"):
                offenders.add(f"{name}: {module}")
    assert not offenders, sorted(offenders)


def test_handlers_receive_the_admin_identity_as_a_dependency() -> None:
    calls = {
        name
        for name, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "admin_identity"
    }
    assert not calls, sorted(calls)
