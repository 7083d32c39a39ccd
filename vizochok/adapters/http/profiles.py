"""Shoppers' profiles over HTTP, for the retailer's backend (an `sk_` key with the `admin` scope)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Controller, get, put
from pydantic import BaseModel, Field

from vizochok.adapters.http.auth import key_with
from vizochok.adapters.http.schemas import KEY_AUTH, KEY_ERRORS, errors, example
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import Principal
from vizochok.core.profile import Diet, UserProfile

if TYPE_CHECKING:
    from vizochok.core.ports import ProfileRepository


class ProfileInput(BaseModel):
    """A whole profile; omitted fields become empty."""

    model_config = example({"language": "uk", "dietary": ["vegan"], "favorite_brands": ["Галичина"]})

    language: str | None = Field(default=None, pattern="^(uk|en|ru)$")
    dietary: list[Diet] = Field(default_factory=list)
    favorite_brands: list[str] = Field(default_factory=list, max_length=20)


class ProfileController(Controller):
    """`GET`/`PUT /api/v1/profiles/{user_id}`."""

    path = "/api/v1/profiles"
    tags = ["profiles"]  # noqa: RUF012 - Litestar reads it as a class attribute
    security = KEY_AUTH
    dependencies = {"principal": key_with("admin")}  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {"Principal": Principal}  # noqa: RUF012

    @get("/{user_id:str}", responses=errors(400, 401, 403, 404))
    async def get_profile(
        self, user_id: str, principal: Principal, profiles: ProfileRepository
    ) -> UserProfile:
        """The profile of one shopper of this tenant."""
        profile = await profiles.get(principal.tenant_id, user_id)
        if profile is None:
            raise VizochokError(ErrorCode.NOT_FOUND, f"no profile for user {user_id!r}")
        return profile

    @put("/{user_id:str}", responses=errors(*KEY_ERRORS))
    async def put_profile(
        self, user_id: str, data: ProfileInput, principal: Principal, profiles: ProfileRepository
    ) -> UserProfile:
        """Create or replace a profile."""
        profile = UserProfile(user_id=user_id, **data.model_dump())
        await profiles.save(principal.tenant_id, profile)
        return profile
