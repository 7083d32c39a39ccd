"""Sentences said without a model, in uk, en and ru: one format, one loader, each phrase in one place.

A phrase book is a TOML file with one table per phrase and one key per language, filled with
`str.format` fields (`[added]` / `uk = "Додав до кошика: {name} × {quantity}."`). Dotted tables group
phrases: `[reason.out_of_stock]` is the phrase `reason.out_of_stock`. Ukrainian is the fallback.

The agent's book (`phrases.toml`: card buttons, limits) is the base; the keyless planner's book
(`adapters/llm/offline/texts.toml`) extends it, and `PhraseBook.extend` refuses a phrase that both
define, so a sentence is worded, and translated, once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FALLBACK = "uk"


class PhraseBookError(ValueError):
    """A phrase book that is malformed or defines a phrase twice."""


@dataclass(frozen=True)
class PhraseBook:
    """Phrases by key, each a template per language."""

    phrases: dict[str, dict[str, str]]

    @classmethod
    def load(cls, path: Path) -> PhraseBook:
        """Read a TOML phrase book; every phrase needs a Ukrainian template."""
        with path.open("rb") as file:
            tables = tomllib.load(file)
        phrases: dict[str, dict[str, str]] = {}
        _flatten(tables, "", phrases, path)
        return cls(phrases)

    def extend(self, other: PhraseBook) -> PhraseBook:
        """Both books as one; a phrase both define is an error, not an override."""
        twice = sorted(self.phrases.keys() & other.phrases.keys())
        if twice:
            msg = f"phrases defined twice: {', '.join(twice)}"
            raise PhraseBookError(msg)
        return PhraseBook({**self.phrases, **other.phrases})

    def say(self, key: str, language: str | None, **values: Any) -> str:
        """The phrase `key` in `language` (Ukrainian when there is none), its fields filled."""
        variants = self.phrases[key]
        return variants.get(language or FALLBACK, variants[FALLBACK]).format(**values)

    def exact(self, key: str, language: str) -> str | None:
        """The template of `key` in exactly `language`, or None (no fallback)."""
        return self.phrases.get(key, {}).get(language)


def _flatten(table: dict[str, Any], prefix: str, into: dict[str, dict[str, str]], path: Path) -> None:
    """Tables whose values are all strings are phrases; other tables group them under a dotted key."""
    for name, value in table.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            msg = f"{path}: {key} is not a table of languages"
            raise PhraseBookError(msg)
        if all(isinstance(v, str) for v in value.values()):
            if FALLBACK not in value:
                msg = f"{path}: phrase {key} has no {FALLBACK!r} template"
                raise PhraseBookError(msg)
            into[key] = value
        else:
            _flatten(value, f"{key}.", into, path)


AGENT_PHRASES = PhraseBook.load(Path(__file__).with_name("phrases.toml"))


def phrase(key: str, language: str | None, **values: Any) -> str:
    """The agent's sentence `key` in `language` (Ukrainian when unknown)."""
    return AGENT_PHRASES.say(key, language, **values)


def number(value: float, language: str | None, decimals: int | None = None) -> str:
    """A number as the shopper writes it: `2` not `2.0`; a decimal comma in uk and ru (1,5), a dot in en."""
    out = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    return out.replace(".", ",") if (language or FALLBACK) in ("uk", "ru") else out
