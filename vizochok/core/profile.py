"""What a shopper tells us about themselves, as a model extracts it from free text ("я вегетаріанка")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Diet = Literal["vegetarian", "vegan", "pescatarian", "gluten_free", "lactose_free", "halal", "kosher"]


class ProfileUpdate(BaseModel):
    """Changes to a shopper's profile stated in one message; empty when the message states none."""

    diets: list[Diet] = Field(default_factory=list)
    """Diets the shopper follows, from a closed list so that tools can filter on them."""
    allergies: list[str] = Field(default_factory=list)
    """Allergens in the shopper's words, lower case (`горіхи`, `peanuts`)."""
    favorite_brands: list[str] = Field(default_factory=list)
    """Brands the shopper said they prefer."""
    language: Literal["uk", "en", "ru"] | None = None
    """The language the shopper asked to be answered in, when they asked."""
