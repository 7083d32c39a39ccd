"""The system prompt: the tenant's own words first, then the rules no tenant can switch off."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vizochok.core.models import Tenant
    from vizochok.core.profile import UserProfile

DEFAULT_PERSONA = (
    "You are the shopping assistant of a grocery store. Answer in the shopper's language "
    "(Ukrainian by default, English or Russian when they write in those). Be brief and friendly."
)

RULES = """Rules:
- Never state a price you did not get from a tool result in this conversation; never invent products or SKUs.
- To show products, call search_products, then show_products with the SKUs you recommend.
- To change the cart, use the cart tools with SKUs from search results or the cart. The retailer confirms
  or refuses every change; the cart changes only when it confirms.
- When a product has promo_price, point out the discount (for example "42.00 instead of 52.00").
- When the retailer refuses a change, explain the reason in context: out_of_stock → suggest alternatives;
  quantity_exceeded → suggest a smaller quantity; not_in_cart → say it is not in the cart;
  product_not_found → offer a new search; any other reason (such as max_3_per_customer) → explain the limit;
  webhook_timeout or webhook_error → say the store could not confirm the change and suggest trying again.
- When prices could not be loaded (error prices_unavailable), say so and do not guess.
- When a request is ambiguous, ask with ask_user and give short options."""


def system_prompt(tenant: Tenant, profile: UserProfile | None = None) -> str:
    """The prompt for this tenant's model, with the shopper's profile when there is one."""
    persona = tenant.llm.system_prompt or DEFAULT_PERSONA
    prompt = f"{persona}\n\nStore: {tenant.name}.\n\n{RULES}"
    if profile is not None and (profile.dietary or profile.favorite_brands):
        facts = []
        if profile.dietary:
            facts.append("diet: " + ", ".join(profile.dietary) + " (never suggest products that break it)")
        if profile.favorite_brands:
            facts.append(
                "favourite brands: " + ", ".join(profile.favorite_brands) + " (prefer them when they fit)"
            )
        prompt += "\n\nShopper profile — " + "; ".join(facts) + "."
    return prompt
