"""Elasticsearch server and client versions checked at start, with one clear message when they do not fit.

The adapter needs a server of 8.12 or newer (`int8_hnsw` vectors). The Python client speaks its
own major's REST compatibility: a 9.x client sends `compatible-with=9`, which an 8.x server
refuses on every request (`media_type_header_exception`), while an 8.x client works with 8.x and
(through REST compatibility) 9.x servers. The extras pin the client per server major:
`vizochok[elasticsearch]` and `vizochok[elasticsearch8]` install 8.x, `vizochok[elasticsearch9]` 9.x.
"""

from __future__ import annotations

from typing import Any

import httpx

MIN_SERVER = (8, 12)


class ElasticsearchVersionError(RuntimeError):
    """The server is too old, or the installed client cannot talk to it; the message says what to install."""


def installed_client_major() -> int | None:
    """The major version of the installed `elasticsearch` package, or None when it is missing."""
    try:
        import elasticsearch  # noqa: PLC0415 - optional extra
    except ImportError:
        return None
    return int(str(elasticsearch.__versionstr__).split(".")[0])


async def check_server(url: str, client_major: int | None = None, **client_options: Any) -> str:
    """Ask the server its version (plain HTTP, so no client header can be refused); return it or raise."""
    major = installed_client_major() if client_major is None else client_major
    if major is None:
        msg = "the elasticsearch search backend needs its client: pip install 'vizochok[elasticsearch]'"
        raise ElasticsearchVersionError(msg)
    async with httpx.AsyncClient(timeout=10, **client_options) as http:
        answer = await http.get(url.rstrip("/") + "/")
    answer.raise_for_status()
    number = str(answer.json()["version"]["number"])
    server = tuple(int(part) for part in number.split("-", maxsplit=1)[0].split(".")[:2])
    if server < MIN_SERVER:
        msg = (
            f"Elasticsearch {number} at {url} is too old: vizochok needs 8.12 or newer "
            "(int8_hnsw dense vectors). Upgrade the server, or use VIZOCHOK_SEARCH__BACKEND=postgres."
        )
        raise ElasticsearchVersionError(msg)
    if major > server[0]:
        msg = (
            f"the installed elasticsearch client {major}.x cannot talk to Elasticsearch {number} at {url} "
            f"(the server refuses its compatible-with={major} requests). Install the client for that server: "
            f"pip install 'vizochok[elasticsearch{server[0]}]'"
        )
        raise ElasticsearchVersionError(msg)
    return number


__all__ = ("MIN_SERVER", "ElasticsearchVersionError", "check_server", "installed_client_major")
