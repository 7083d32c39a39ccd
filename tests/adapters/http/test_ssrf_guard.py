"""The SSRF guard at connect time, with the guard on (as in production) and an injected resolver.

A real TLS server on loopback holds a certificate for `shop.example`. Had the guard let a loopback
address through, the request would succeed, so every refusal below is a real one.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

import httpcore
import pytest

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, reply, self_signed
from vizochok.adapters.webhook.guard import ResolvingURLGuard
from vizochok.adapters.webhook.httpx import HttpxRetailerWebhooks
from vizochok.adapters.webhook.stack import webhook_client
from vizochok.core.models import CartOperation, Tenant, WebhookConfig
from vizochok.core.webhooks.signing import WebhookFailure
from vizochok.core.webhooks.ssrf import UnsafeDestination
from vizochok.settings import WebhookSettings
from vizochok.webhook_signature import verify_request

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.asyncio

HOST = "shop.example"
PUBLIC = "93.184.216.34"
SECRET = "s3cret-for-tests-only-0123456789"
GUARDED = WebhookSettings(allow_private_hosts=False, retry_delay_seconds=0.01)


class Resolver:
    """Answers from a script, one answer per lookup (the last one repeats), and counts lookups."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class RoutedToLoopback(httpcore.AnyIOBackend):
    """Stands in for the internet: a connection to any address lands on the local TLS server, recorded."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        return await super().connect_tcp("127.0.0.1", self.port, *args, **kwargs)


@pytest.fixture(scope="module")
def tls(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, ScriptedRetailer, ssl.SSLContext]]:
    cert, key = self_signed(tmp_path_factory.mktemp("tls"), HOST)
    app = ScriptedRetailer(
        default=reply(200, {"products": [{"sku": "milk-1", "price": 45.9, "in_stock": True}]})
    )
    with Server(app, ssl_certfile=str(cert), ssl_keyfile=str(key)) as server:
        yield server, app, ssl.create_default_context(cafile=str(cert))


def tenant(url_base: str) -> Tenant:
    hooks = WebhookConfig(products_url=f"{url_base}/products", timeout_seconds=2, secret=SECRET)
    return Tenant(id="tnt_ssrf", name="SSRF", store_id="store-1", webhooks=hooks)


async def call(resolver: Resolver, context: ssl.SSLContext, base: str, **kwargs: Any) -> Any:
    async with webhook_client(GUARDED, resolver=resolver, verify=context, **kwargs) as client:
        return await HttpxRetailerWebhooks(client, GUARDED).fetch_prices(tenant(base), "store-1", ["milk-1"])


async def refused(resolver: Resolver, context: ssl.SSLContext, base: str) -> WebhookFailure:
    with pytest.raises(WebhookFailure) as caught:
        await call(resolver, context, base)
    assert caught.value.reason == "webhook_error"
    assert "destination refused" in caught.value.detail
    return caught.value


async def test_loopback_name_is_refused_and_nothing_is_sent(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext],
) -> None:
    server, app, context = tls
    app.reset()
    failure = await refused(Resolver(["127.0.0.1"]), context, f"https://{HOST}:{server.port}")
    assert "loopback" in failure.detail
    assert app.received == []


@pytest.mark.parametrize(
    "answer", [["::ffff:127.0.0.1"], [PUBLIC, "127.0.0.1"], ["169.254.169.254"], ["::1"]]
)
async def test_any_bad_address_of_the_name_refuses_it(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext], answer: list[str]
) -> None:
    server, app, context = tls
    app.reset()
    await refused(Resolver(answer), context, f"https://{HOST}:{server.port}")
    assert app.received == []


async def test_a_name_that_does_not_resolve_is_a_retried_connection_failure(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext],
) -> None:
    server, app, context = tls
    app.reset()
    resolver = Resolver([])
    with pytest.raises(WebhookFailure) as caught:
        await call(resolver, context, f"https://{HOST}:{server.port}")
    assert caught.value.reason == "webhook_error"
    assert "does not resolve" in caught.value.detail
    assert resolver.lookups == [HOST, HOST]  # looked up again on the retry
    assert app.received == []


async def test_literal_private_address_and_plain_http_are_refused(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext],
) -> None:
    server, app, context = tls
    app.reset()
    resolver = Resolver([PUBLIC])
    failure = await refused(resolver, context, f"https://127.0.0.1:{server.port}")
    assert "loopback" in failure.detail
    failure = await refused(resolver, context, f"http://{HOST}:{server.port}")
    assert "https://" in failure.detail
    assert resolver.lookups == []
    assert app.received == []


async def test_dns_rebinding_is_caught_at_connect_time(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext],
) -> None:
    server, app, context = tls
    app.reset()
    url = f"https://{HOST}:{server.port}"
    resolver = Resolver([PUBLIC], ["127.0.0.1"])  # public while the URL is saved, loopback when it is called
    await ResolvingURLGuard(allow_private=False, resolver=resolver).check(f"{url}/products")
    failure = await refused(resolver, context, url)
    assert "127.0.0.1 is a loopback" in failure.detail
    assert resolver.lookups == [HOST, HOST]
    # A cart change through a rebound name is a plain `ok:false`, so the selection stays as it was.
    hooks = tenant(url).webhooks.model_copy(update={"cart_url": f"{url}/cart"})
    async with webhook_client(GUARDED, resolver=resolver, verify=context) as client:
        result = await HttpxRetailerWebhooks(client, GUARDED).cart_operation(
            Tenant(id="t", name="T", store_id="s", webhooks=hooks), "s", "u", CartOperation(action="clear")
        )
    assert (result.ok, result.reason) == (False, "webhook_error")
    assert app.received == []


async def test_connects_to_the_checked_address_keeping_the_name_for_tls_and_host(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext],
) -> None:
    server, app, context = tls
    app.reset()
    resolver = Resolver([PUBLIC], ["127.0.0.1"])  # a second lookup would rebind; there must not be one
    network = RoutedToLoopback(server.port)
    async with webhook_client(GUARDED, resolver=resolver, verify=context) as client:
        client._transport._pool._network_backend._inner = network
        hooks = HttpxRetailerWebhooks(client, GUARDED)
        prices = await hooks.fetch_prices(tenant(f"https://{HOST}:{server.port}"), "store-1", ["milk-1"])
        again = await hooks.fetch_prices(tenant(f"https://{HOST}:{server.port}"), "store-1", ["milk-1"])
    assert (
        set(prices) == set(again) == {"milk-1"}
    )  # the certificate for shop.example verified: SNI was the name
    assert network.connected == [(PUBLIC, server.port)]  # the checked address, once: the connection is pooled
    assert resolver.lookups == [HOST]
    assert [r.headers["host"] for r in app.received] == [f"{HOST}:{server.port}"] * 2
    assert verify_request(SECRET, app.received[0].body, app.received[0].headers)


async def test_save_time_check(tls: tuple[Server, ScriptedRetailer, ssl.SSLContext]) -> None:
    guard = ResolvingURLGuard(allow_private=False, resolver=Resolver(["10.0.0.7"]))
    with pytest.raises(UnsafeDestination, match="private"):
        await guard.check(f"https://{HOST}/products")
    with pytest.raises(UnsafeDestination, match="https://"):
        await guard.check(f"http://{HOST}/products")
    await ResolvingURLGuard(allow_private=False, resolver=Resolver([PUBLIC])).check(
        f"https://{HOST}/products"
    )
    await ResolvingURLGuard(allow_private=True, resolver=Resolver([])).check("http://127.0.0.1:8000/products")


async def test_the_system_resolver_path_refuses_localhost(
    tls: tuple[Server, ScriptedRetailer, ssl.SSLContext],
) -> None:
    # "localhost" comes from /etc/hosts: no network lookup, but the production resolver code runs.
    server, app, context = tls
    app.reset()
    async with webhook_client(GUARDED, verify=context) as client:
        with pytest.raises(WebhookFailure, match="loopback"):
            await HttpxRetailerWebhooks(client, GUARDED).fetch_prices(
                tenant(f"https://localhost:{server.port}"), "s", ["a"]
            )
    with pytest.raises(UnsafeDestination, match="loopback"):
        await ResolvingURLGuard(allow_private=False).check(f"https://localhost:{server.port}/products")
    assert app.received == []
