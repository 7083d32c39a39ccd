"""The shopper's profile: language, diet and favourite brands; and the explicit statements that change it."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from vizochok.core.search.request import normalize

Diet = Literal["vegetarian", "vegan", "pescatarian", "gluten_free", "lactose_free", "halal", "kosher"]


class UserProfile(BaseModel):
    """What personalises answers for one shopper of one tenant."""

    user_id: str
    language: str | None = None
    dietary: list[Diet] = Field(default_factory=list)
    favorite_brands: list[str] = Field(default_factory=list)

    def excludes(self, attributes: dict[str, object] | None) -> bool:
        """Whether a product's attributes rule it out for this shopper's diet."""
        attrs = attributes or {}
        if "vegan" in self.dietary and attrs.get("vegan") is False:
            return True
        if ("vegetarian" in self.dietary or "vegan" in self.dietary) and attrs.get("vegetarian") is False:
            return True
        if "gluten_free" in self.dietary and attrs.get("gluten_free") is False:
            return True
        return "lactose_free" in self.dietary and attrs.get("lactose_free") is False


_DIETS: dict[Diet, re.Pattern[str]] = {
    "vegan": re.compile(r"\b(я\s+)?(веган|веганка|vegan)\b"),
    "vegetarian": re.compile(
        r"\b(я\s+)?(вегетаріан\w*|вегетарian\w*|вегетариан\w*|vegetarian)\b|не\s+їм\s+м'яс|не\s+ем\s+мяс|don'?t\s+eat\s+meat"
    ),
    "gluten_free": re.compile(r"\bбез\s*глютен\w*|\bgluten[- ]free\b|\bцеліак\w*|\bцелиак\w*"),
    "lactose_free": re.compile(
        r"\bбез\s*лактоз\w*|\blactose[- ]free\b|непереносимість лактози|непереносимость лактозы"
    ),
}
_FAVORITE = re.compile(
    r"(?:мій|моя|моє)?\s*улюблен\w*\s+(?:бренд|марка|виробник)\s+([\w'’ -]{2,40})"
    r"|(?:мой|моя)?\s*любим\w*\s+(?:бренд|марка)\s+([\w'’ -]{2,40})"
    r"|(?:my\s+)?favou?rite\s+brand\s+is\s+([\w'’ -]{2,40})"
    r"|(?:я\s+)?(?i:люблю|обожнюю|i\s+love)\s+(?:бренд\s+)?([A-ZА-ЯІЇЄҐ][\w'’-]{2,30})"
)


class ProfileUpdate(BaseModel):
    """Changes to a shopper's profile stated in one message, as a model extracts them; empty when none."""

    diets: list[Diet] = Field(default_factory=list)
    """Diets the shopper follows, from a closed list so that tools can filter on them."""
    allergies: list[str] = Field(default_factory=list)
    """Allergens in the shopper's words, lower case (`горіхи`, `peanuts`)."""
    favorite_brands: list[str] = Field(default_factory=list)
    """Brands the shopper said they prefer."""
    language: Literal["uk", "en", "ru"] | None = None
    """The language the shopper asked to be answered in, when they asked."""


def statements(text: str) -> tuple[list[Diet], list[str]]:
    """Diets and favourite brands the shopper states explicitly ("я вегетаріанка", "my favourite brand is X")."""
    folded = normalize(text)
    diets = [diet for diet, pattern in _DIETS.items() if pattern.search(folded)]
    if "vegan" in diets and "vegetarian" in diets:
        diets.remove("vegetarian")
    brands = []
    for match in _FAVORITE.finditer(text):
        brand = next(g for g in match.groups() if g).strip(" .,!'’")
        if brand:
            brands.append(brand)
    return diets, brands


def apply_statements(profile: UserProfile, text: str) -> bool:
    """Update the profile from explicit statements; True when it changed."""
    diets, brands = statements(text)
    changed = False
    for diet in diets:
        if diet not in profile.dietary:
            profile.dietary.append(diet)
            changed = True
    for brand in brands:
        if brand.casefold() not in {b.casefold() for b in profile.favorite_brands}:
            profile.favorite_brands.append(brand)
            changed = True
    return changed
