"""Clients of the retailer's webhooks behind the `RetailerWebhooks` port."""

__all__ = ()
