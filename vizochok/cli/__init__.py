"""The `vizochok` command: its parser and entry in `main`, the bodies of its commands beside it.

`main` is re-exported here because the console script (`[project.scripts]`) names `vizochok.cli:main`.
"""

from vizochok.cli.main import main

__all__ = ("main",)
