"""The offline planner's replies: `texts.toml` on top of the agent's phrase book (one format, one loader)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vizochok.core.agent.phrases import AGENT_PHRASES, PhraseBook, number

TEXTS = AGENT_PHRASES.extend(PhraseBook.load(Path(__file__).with_name("texts.toml")))
"""The planner's own phrases and the agent's ("added", "removed", …), each defined once."""

__all__ = ("TEXTS", "number", "reason", "text")


def text(key: str, lang: str, **values: Any) -> str:
    """A reply in `lang`."""
    return TEXTS.say(key, lang, **values)


_LIMIT = re.compile(r"^max_(\d+(?:\.\d+)?)_?(?:per_customer|per_order|items|pcs)?$")


def reason(code: str | None, lang: str) -> str:
    """A retailer's refusal reason in words; an unknown code is read as words, never shown raw."""
    code = (code or "webhook_error").strip()
    known = TEXTS.exact(f"reason.{code}", lang) if code != "limit" else None
    if known:
        return known
    limit = _LIMIT.match(code)
    if limit:
        return TEXTS.say("reason.limit", lang, n=number(float(limit.group(1)), lang))
    return TEXTS.say("reason.webhook_refused", lang)
