"""The demo: a tenant, a Ukrainian grocery catalog, a retailer backend and a storefront page."""

__all__ = ()
