"""The built-in provider factories, beside the composition root (`vizochok/container.py`).

They are registered through the same hooks and get the same typed contract (`ProviderConfig`,
`SearchDeps` in `vizochok.plugins.hookspecs`) as a third party's; unlike `vizochok/plugins/`, they may
import adapters, since choosing an adapter is the root's job.
"""

__all__ = ()
