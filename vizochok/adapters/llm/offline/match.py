"""Which product a phrase means, judged against the products search returned and the cart's lines.

The rule: a product may be added only when it explains every word of the phrase that any hit
explains, its own numbers include the phrase's («2,5%», «1,8 л»), and its *type* (the name's
first word or its category) is named by the phrase; a brand stands for the type only when no
word names a type ("a monster", «Domestos»). Words no hit knows ("pink", a typo) do not decide.
One such product is added; several are a question with the real candidates, unless one of them
is named exactly; none is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vizochok.adapters.llm.offline import lexicon as lx
from vizochok.adapters.llm.offline.quantities import Phrase, number_of, to_product_units
from vizochok.adapters.llm.offline.vocabulary import translate
from vizochok.adapters.llm.offline.words import dictionary, forms, product_text, stems_match, word_in
from vizochok.core.query.fold import is_latin

_STOP = frozenset({"з", "із", "зі", "с", "со", "with", "of", "and", "the", "a", "an", "в", "у", "на", "для", "for",
                   "по", "без", "without", "both", "обидва", "обидві", "оба", "обе", "all", "всі", "все", "фасовані",
                   "ваговий"})  # fmt: skip
# A conversion at least this sure (`to_product_units`) sells the asked amount of a product; below it the
# product comes in packs that do not fit («1,5 кг» of a 2 kg bag).
_SELLABLE = 0.7


@dataclass
class Choice:
    """The product a phrase means, or the candidates to ask about, with confidence and reason."""

    offer: dict[str, Any] | None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.0
    reason: str = ""


def content_words(phrase_words: list[str]) -> tuple[list[str], list[str]]:
    """(required, optional) words: after «для»/"for" a word says what the product is for and need not match."""
    required: list[str] = []
    optional: list[str] = []
    purpose = False
    merged: list[str] = []
    skip = False
    for i, word in enumerate(phrase_words):
        if skip:
            skip = False
            continue
        if word in ("без", "without") and i + 1 < len(phrase_words):
            merged.append("без" + phrase_words[i + 1])  # «без лактози» is the product's «безлактозне»
            skip = True
            continue
        if word == "free" and merged:  # "gluten free": the same filter in English
            previous = merged.pop()
            merged.append("без" + (translate(previous) or (previous,))[0])
            continue
        merged.append(word)
    for word in merged:
        if word in lx.PURPOSE:
            purpose = True
            continue
        if word in _STOP or word in lx.FILLER or word.endswith("%") or number_of(word) is not None:
            continue
        (optional if purpose else required).append(word)
    return required, optional


def choose(phrase: Phrase, offers: list[dict[str, Any]]) -> Choice:  # noqa: PLR0911 - a return per outcome and reason
    """The offer to add for `phrase`, or the candidates to ask about."""
    required, optional = content_words(phrase.words)
    if not offers:
        return Choice(None, reason="search found nothing")
    if not required:
        return Choice(None, candidates=offers[:4], confidence=0.5, reason="no product words")
    facts = []
    for offer in offers:
        text = product_text(offer)
        matched = {w for w in required if word_in(w, text.stems)}
        typed = any(word_in(w, text.type_stems) for w in required)
        branded = any(word_in(w, text.identity) for w in required)
        numbers_ok = all(n in text.numbers for n in phrase.numbers)
        facts.append((offer, matched, typed, branded, numbers_ok))
    informative = {w for _, matched, *_ in facts for w in matched}
    if not informative:
        return Choice(None, reason=f"no hit shares a word with «{' '.join(required)}»")
    typed_any = any(typed for _, _, typed, _, _ in facts)
    fits = [
        offer for offer, matched, typed, branded, numbers_ok in facts
        if numbers_ok and (typed or (branded and not typed_any)) and informative <= matched
    ]  # fmt: skip
    # Among fits, one whose own name starts with the asked type outranks one that has it only in its
    # category («груші» is not «Яблука» of «Яблука та груші»).
    by_name = [o for o in fits if any(word_in(w, product_text(o).name_type) for w in required)]
    fits = by_name or fits
    unknown = [w for w in required if w not in informative]
    # A product that cannot be sold in the asked amount («1,5 кг» of a 2 kg bag) is not what was meant.
    if phrase.amount is not None and len(fits) > 1:
        sellable = [o for o in fits if to_product_units(phrase, o).confidence >= _SELLABLE]
        fits = sellable or fits
    if len(fits) == 1:
        confidence = 0.9 if not unknown else 0.75
        return Choice(
            fits[0],
            fits,
            confidence,
            f"the one hit that explains {sorted(informative)}" + (f", not {unknown}" if unknown else ""),
        )
    if len(fits) > 1:
        exact = _exact(required, fits)
        if exact is not None:
            return Choice(exact, fits, 0.9, "the phrase is this product's whole name")
        return Choice(None, fits, 0.8, f"{len(fits)} different products fit «{' '.join(required)}»")
    near = [o for o, matched, typed, branded, _ in facts if (typed or branded) and matched]
    near.sort(key=lambda o: -len(next(f[1] for f in facts if f[0] is o)))
    why = "no hit explains every word" if near else "no hit is of the type asked for"
    return Choice(None, near[:4], 0.5, f"{why} (optional {optional})" if optional else why)


def _exact(required: list[str], fits: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The fit whose every name word the phrase names, when it is the only one."""
    full = [
        o
        for o in fits
        if product_text(o).name_stems
        and all(
            any(stems_match(f, s) for w in required for f in forms(w)) for s in product_text(o).name_stems
        )
    ]
    return full[0] if len(full) == 1 else None


def search_query(phrase: Phrase) -> str:
    """What to ask search for: the phrase, with words search's dictionary lacks put in Ukrainian («sweetcorn»)."""
    out = []
    for word in phrase.query.split():
        extra = translate(word)
        out.append(" ".join(extra) if extra and is_latin(word) and not dictionary().lookup(word) else word)
    return " ".join(out)


def relevant(phrase: Phrase, offers: list[dict[str, Any]], strict: bool = False) -> list[dict[str, Any]]:
    """Hits worth showing for a search phrase: those sharing a word with it; `strict` wants the type named too."""
    required, optional = content_words(phrase.words)
    wanted = required + optional
    if not wanted:
        return offers
    out = []
    for offer in offers:
        text = product_text(offer)
        if strict:
            if (word_in(wanted[0], text.type_stems) or word_in(wanted[0], text.identity)) and sum(
                word_in(w, text.stems) for w in wanted
            ) * 2 >= len(wanted):
                out.append(offer)
        elif any(word_in(w, text.stems) for w in wanted):
            out.append(offer)
    return out


def line_matches(phrase_words: list[str], selection: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cart lines a phrase names: every word that some line explains must be explained by the line."""
    required, _ = content_words(phrase_words)
    if not required or not selection:
        return []
    facts = [(line, {w for w in required if word_in(w, product_text(line).stems)}) for line in selection]
    informative = {w for _, matched in facts for w in matched}
    if not informative:
        return []
    return [line for line, matched in facts if informative <= matched]
