"""Usage: prices of LLM calls, limits and their tiers (`service`), monthly statements (`billing`)."""

__all__ = ()
