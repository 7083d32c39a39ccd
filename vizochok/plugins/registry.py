"""Named components contributed by plugins, resolved by name with a helpful error."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Protocol

from vizochok.core.agent.tools import Tool

KINDS = ("tool", "reranker", "llm_provider", "search_backend")


class UnknownComponentError(LookupError):
    """A setting names a component no plugin registered."""


class Register(Protocol):
    """The callable a `register_*` hook receives."""

    def __call__(self, component: Any, name: str | None = None) -> None:
        """Register `component` under `name` (tools use their own `name`)."""
        ...


@dataclass
class Registry:
    """Built once at start-up from every plugin's `register_*` hooks."""

    components: dict[str, dict[str, Any]] = field(default_factory=lambda: {kind: {} for kind in KINDS})

    def register_for(self, kind: str) -> Register:
        """A `register` callable for one kind of component."""

        def register(component: Any, name: str | None = None) -> None:
            key = name or getattr(component, "name", None)
            if not key:
                msg = f"a {kind} needs a name"
                raise ValueError(msg)
            if kind == "tool" and not isinstance(component, Tool):
                # One way to declare a tool: a class with the old four class variables is refused here,
                # at start-up, rather than failing on the first call.
                msg = f"a tool is declared with @vizochok.core.agent.tools.tool; got {component!r}"
                raise TypeError(msg)
            if key in self.components[kind]:
                msg = f"two plugins register a {kind} named {key!r}"
                raise ValueError(msg)
            self.components[kind][key] = component

        return register

    def resolve(self, kind: str, name: str) -> Any:
        """The component, or `UnknownComponentError` with the closest names."""
        found = self.components[kind].get(name)
        if found is not None:
            return found
        known = sorted(self.components[kind])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known) or 'none'}"
        msg = f"no {kind.replace('_', ' ')} {name!r}{hint}"
        raise UnknownComponentError(msg)

    def all(self, kind: str) -> dict[str, Any]:
        """Every component of a kind, by name."""
        return dict(self.components[kind])
