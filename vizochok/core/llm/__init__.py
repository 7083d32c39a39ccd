"""Language models: what the agent asks and what streams back (`messages`), tenants' own keys (`keys`)."""

__all__ = ()
