"""A catalog upload refreshes the search profile of its tenant at once, not after the profile's TTL."""

from __future__ import annotations

from vizochok.core.query.analyze import term
from vizochok.testing import build_world


async def test_an_upload_drops_the_cached_profile_so_new_words_are_known_at_once() -> None:
    world = await build_world()
    before = await world.search.profile(world.tenant.id)  # cached for minutes from here on
    assert not before.vocabulary.knows("квас", term("квас"))

    await world.add_products(
        [{"sku": "kvas-1", "name": "Квас хлібний Тарас 1 л", "category_path": "Напої > Квас"}]
    )

    after = await world.search.profile(world.tenant.id)
    assert after is not before
    assert after.vocabulary.knows("квас", term("квас"))
