"""The Elasticsearch server's version is checked at start against the adapter and the installed client."""

from __future__ import annotations

import pytest

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, reply
from vizochok.adapters.search.elasticsearch_version import ElasticsearchVersionError, check_server

pytestmark = pytest.mark.asyncio


def _es(number: str) -> ScriptedRetailer:
    return ScriptedRetailer(
        default=reply(200, {"name": "n1", "version": {"number": number}, "tagline": "You Know, for Search"})
    )


async def test_a_fitting_server_and_client_pass() -> None:
    with Server(_es("8.15.3")) as server:
        assert await check_server(server.base_url, client_major=8) == "8.15.3"
    with Server(_es("9.1.0")) as server:
        assert await check_server(server.base_url, client_major=8) == "9.1.0"  # REST compatibility
        assert await check_server(server.base_url, client_major=9) == "9.1.0"


async def test_a_server_without_int8_hnsw_is_refused() -> None:
    with (
        Server(_es("8.11.4")) as server,
        pytest.raises(ElasticsearchVersionError, match=r"needs 8\.12 or newer"),
    ):
        await check_server(server.base_url, client_major=8)


async def test_a_client_of_a_newer_major_says_which_extra_to_install() -> None:
    with (
        Server(_es("8.17.0")) as server,
        pytest.raises(ElasticsearchVersionError, match=r"pip install 'vizochok\[elasticsearch8\]'"),
    ):
        await check_server(server.base_url, client_major=9)
