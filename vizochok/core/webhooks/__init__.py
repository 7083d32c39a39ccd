"""Retailer webhooks: signing (`signing`), SSRF rules (`ssrf`) and the admin webhooks use case (`service`)."""

__all__ = ()
