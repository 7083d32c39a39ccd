"""One local model server for the session; each test scripts it and may call it for real."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import vizochok.adapters.llm
from tests.adapters.http.wire import WireServer, create_app
from tests.helpers import ThreadedServer, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def wire_server() -> Iterator[WireServer]:
    """The server, started once; `ALLOW_REAL_CALLS` stays False unless a test also takes `wire`."""
    state = WireServer()
    port = free_port()
    thread = ThreadedServer(create_app(state), port)
    thread.start()
    state.base_url = thread.base_url
    yield state
    thread.stop()


@pytest.fixture
def wire(wire_server: WireServer) -> Iterator[WireServer]:
    """A clean script, with real calls allowed for this test only (conftest switched them off)."""
    wire_server.reset()
    allowed = vizochok.adapters.llm.ALLOW_REAL_CALLS
    vizochok.adapters.llm.ALLOW_REAL_CALLS = True
    try:
        yield wire_server
    finally:
        vizochok.adapters.llm.ALLOW_REAL_CALLS = allowed
