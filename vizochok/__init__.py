"""vizochok: a self-hostable, multi-tenant AI shopping assistant for grocery retailers."""

__all__ = ("__version__",)

__version__ = "0.1.0"
