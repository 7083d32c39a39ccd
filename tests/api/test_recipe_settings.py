"""A tenant's own recipes through the admin settings API: checked, stored, read back (docs/agent.md, "Recipes")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.helpers import ThreadedServer
    from vizochok.adapters.db.tenants import PostgresTenantRepository

VESNA = {
    "key": "salad_vesna",
    "names": {"uk": "Салат «Весна»", "en": "Spring salad"},
    "aliases": ["весна", "spring"],
    "meal": "main",
    "vegetarian": True,
    "ingredients": [["огірки", 0.3, 1], ["редиска", 0.2, 1], ["сметана", 0.2, 1]],
}


async def test_recipes_are_validated_stored_and_read_back(
    demo_server: ThreadedServer, make_tenant: Any, tenant_repo: PostgresTenantRepository
) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers={"Authorization": f"Bearer {tenant['sk']}"}
    ) as api:
        assert (await api.get("/api/v1/admin/settings")).json()["recipes"] == []
        bad = await api.patch(
            "/api/v1/admin/settings", json={"recipes": [{**VESNA, "ingredients": [["огірки", -1, 1]]}]}
        )
        assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
        assert bad.json()["field"].startswith("recipes")
        too_many = await api.patch(
            "/api/v1/admin/settings", json={"recipes": [{**VESNA, "key": f"d{i}"} for i in range(201)]}
        )
        assert (too_many.status_code, too_many.json()["code"]) == (422, "validation_error")
        ok = await api.patch("/api/v1/admin/settings", json={"recipes": [VESNA]})
        assert ok.status_code == 200
        assert [r["key"] for r in ok.json()["recipes"]] == ["salad_vesna"]
    stored = await tenant_repo.get(tenant["tenant_id"])
    assert stored is not None and [r.ingredients[0][0] for r in stored.recipes] == ["огірки"]
    assert stored.recipes[0].names.en == "Spring salad"
