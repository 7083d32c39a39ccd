"""One phrase format for the agent and the keyless planner: each sentence defined once, Ukrainian as fallback."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

import pytest

from vizochok.adapters.llm.offline.texts import TEXTS, reason, text
from vizochok.core.agent.phrases import AGENT_PHRASES, PhraseBook, PhraseBookError, number, phrase

if TYPE_CHECKING:
    from pathlib import Path


def test_the_planner_says_the_agents_sentences_not_copies_of_them() -> None:
    # A card's Add button and the planner's add report are one phrase, whichever path said it.
    assert text("added", "ru", name="Молоко", quantity=number(1.5, "ru")) == phrase(
        "added", "ru", name="Молоко", quantity="1,5"
    )
    assert AGENT_PHRASES.phrases.keys() <= TEXTS.phrases.keys()
    assert phrase("cleared", "de") == phrase("cleared", "uk")  # unknown language: Ukrainian


def test_every_phrase_speaks_every_language_with_the_same_fields() -> None:
    for key, variants in TEXTS.phrases.items():
        assert set(variants) == {"uk", "en", "ru"}, key
        fields = {lang: sorted(_fields(template)) for lang, template in variants.items()}
        assert len({tuple(f) for f in fields.values()}) == 1, (key, fields)


def test_a_phrase_defined_twice_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "more.toml"
    book.write_text('[added]\nuk = "Ще раз"\n\n[reason.gone]\nuk = "нема"\nen = "gone"\n', encoding="utf-8")
    more = PhraseBook.load(book)
    assert more.say("reason.gone", "en") == "gone"
    with pytest.raises(PhraseBookError, match="added"):
        AGENT_PHRASES.extend(more)
    (tmp_path / "bad.toml").write_text('[hello]\nen = "Hi"\n', encoding="utf-8")
    with pytest.raises(PhraseBookError, match="no 'uk'"):
        PhraseBook.load(tmp_path / "bad.toml")


def test_refusal_codes_are_worded_from_the_book() -> None:
    assert reason("out_of_stock", "en") == "out of stock"
    assert reason("max_3_per_customer", "uk") == "магазин дозволяє не більше 3 шт. в одні руки"
    assert reason("something_new", "ru") == "магазин отказал"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
