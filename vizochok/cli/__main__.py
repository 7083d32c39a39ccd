"""`python -m vizochok.cli`: the same as the `vizochok` command."""

from vizochok.cli.main import main

raise SystemExit(main())
