"""Usage limits: the core's `Limits`, read from `VIZOCHOK_LIMITS__*`."""

from vizochok.core.usage.limits import Limits as LimitSettings

__all__ = ("LimitSettings",)
