"""Fan observer events out to plugins without letting a plugin fail a chat turn."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

_log = logging.getLogger(__name__)


class PluginObserver:
    """The core's `Observer` port, implemented with the `on_*` hooks."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._pm = pm

    async def cart_changed(self, tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
        """Call `on_cart_changed`; log and continue on failure."""
        self._emit("on_cart_changed", tenant_id=tenant_id, conversation_id=conversation_id, event=event)

    async def turn_completed(
        self, tenant_id: str, conversation_id: str, turn: int, error: str | None
    ) -> None:
        """Call `on_turn_completed`; log and continue on failure."""
        self._emit(
            "on_turn_completed", tenant_id=tenant_id, conversation_id=conversation_id, turn=turn, error=error
        )

    def _emit(self, hook: str, **kwargs: Any) -> None:
        # Each implementation is called on its own, so one broken plugin cannot starve the others.
        for impl in getattr(self._pm.hook, hook).get_hookimpls():
            try:
                impl.function(*(kwargs[name] for name in impl.argnames))
            except Exception:  # noqa: BLE001 - a plugin may raise anything; the turn must go on
                _log.exception("plugin %s failed in %s; the turn goes on", impl.plugin_name, hook)
