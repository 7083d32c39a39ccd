"""`core/ports/` is split by concern, and `vizochok.core.ports` still names every port."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Protocol

import vizochok.core.ports


def test_every_port_of_every_concern_module_is_reexported() -> None:
    concerns = [
        importlib.import_module(f"vizochok.core.ports.{module.name}")
        for module in pkgutil.iter_modules(vizochok.core.ports.__path__)
    ]
    declared = {
        name: value
        for concern in concerns
        for name, value in vars(concern).items()
        if inspect.isclass(value) and Protocol in value.__mro__ and value.__module__ == concern.__name__
    }
    assert len(declared) >= 26, sorted(declared)
    assert set(vizochok.core.ports.__all__) == set(declared)
    for name, port in declared.items():
        assert getattr(vizochok.core.ports, name) is port, name
