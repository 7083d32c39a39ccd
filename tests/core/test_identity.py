"""Shopper identity verification (docs/identity.md): what each kind of `auth` frame acts as."""

from __future__ import annotations

import base64
import json
import time

from vizochok.core.identity import (
    ANONYMOUS_ID,
    Identity,
    resolve_identity,
    sign_token,
    user_hash,
    verify_hash,
    verify_token,
)

SECRET = "s3cret-identity-key"
OTHER = "another-tenant-key"


def resolve(**kw: object) -> Identity:
    args = {
        "user_id": None,
        "user_hash": None,
        "user_token": None,
        "keys": [SECRET],
        "required": False,
        "server_side": False,
    }
    return resolve_identity(**{**args, **kw})  # type: ignore[arg-type]


def test_a_signed_customer_id_is_verified() -> None:
    got = resolve(user_id="cust_42", user_hash=user_hash(SECRET, "cust_42"))
    assert (got.user_id, got.verification, got.replaced) == ("cust_42", "verified", False)
    # Upper-case hex is the same signature.
    assert (
        resolve(user_id="cust_42", user_hash=user_hash(SECRET, "cust_42").upper()).verification == "verified"
    )


def test_a_wrong_signature_never_acts_as_the_customer() -> None:
    for bad in (
        user_hash(OTHER, "cust_42"),
        user_hash(SECRET, "cust_43"),
        "00" * 32,
        "",
        "zz",
        "é" * 64,
        "a" * 200,
    ):
        for required in (False, True):
            got = resolve(user_id="cust_42", user_hash=bad, required=required)
            assert got.user_id != "cust_42" and got.verification == "anonymous" and got.replaced
            assert ANONYMOUS_ID.match(got.user_id)


def test_each_forgery_gets_its_own_random_guest_id() -> None:
    ids = {resolve(user_id="cust_42", user_hash="00" * 32).user_id for _ in range(50)}
    assert len(ids) == 50


def test_a_tenant_without_a_secret_verifies_nothing() -> None:
    got = resolve(user_id="cust_42", user_hash=user_hash(SECRET, "cust_42"), keys=[])
    assert got.verification == "anonymous" and got.user_id != "cust_42"


def test_unsigned_ids_are_trusted_only_until_the_tenant_requires_signatures() -> None:
    assert resolve(user_id="cust_42").user_id == "cust_42"
    assert resolve(user_id="cust_42").verification == "trusted"
    required = resolve(user_id="cust_42", required=True)
    assert required.user_id != "cust_42" and required.verification == "anonymous" and required.replaced
    # The widget's own random guest id keeps working (conversations restore across page loads).
    guest = resolve(user_id="vz_0123456789abcdef0123456789abcdef", required=True)
    assert (guest.user_id, guest.verification) == ("vz_0123456789abcdef0123456789abcdef", "anonymous")
    assert resolve(user_id=None, required=True).verification == "anonymous"


def test_a_server_side_key_names_any_user() -> None:
    got = resolve(user_id="cust_42", required=True, server_side=True)
    assert (got.user_id, got.verification) == ("cust_42", "verified")


def test_the_previous_secret_verifies_during_rotation() -> None:
    got = resolve(user_id="cust_42", user_hash=user_hash(OTHER, "cust_42"), keys=[SECRET, OTHER])
    assert got.verification == "verified"


def test_a_signed_token_names_its_subject() -> None:
    token = sign_token(SECRET, "cust_42", 600)
    assert verify_token([SECRET], token) == "cust_42"
    assert resolve(user_token=token).user_id == "cust_42"
    assert resolve(user_id="cust_42", user_token=token).verification == "verified"
    # A token for one customer does not vouch for another id in the same frame.
    assert resolve(user_id="cust_43", user_token=token).user_id not in {"cust_42", "cust_43"}


def _forge(header: dict[str, object], payload: dict[str, object], signature: bytes = b"") -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{enc(json.dumps(header).encode())}.{enc(json.dumps(payload).encode())}.{enc(signature)}"


def test_bad_tokens_are_refused_without_raising() -> None:
    now = time.time()
    assert verify_token([SECRET], sign_token(SECRET, "cust_42", 600, now=now - 4000)) is None  # expired
    assert verify_token([SECRET], sign_token(SECRET, "cust_42", 30 * 24 * 3600)) is None  # not short-lived
    assert verify_token([SECRET], sign_token(OTHER, "cust_42")) is None  # another key
    assert verify_token([SECRET], _forge({"alg": "none"}, {"sub": "cust_42", "exp": now + 60})) is None
    assert verify_token([SECRET], _forge({"alg": "HS256"}, {"sub": "cust_42"})) is None  # no exp
    for junk in (
        "",
        "a.b",
        "a.b.c",
        "....",
        "é.é.é",
        "e30.e30.",
        "x" * 5000,
        "[].{}.",
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AA",
    ):
        assert verify_token([SECRET], junk) is None


def test_verify_hash_is_false_on_malformed_input() -> None:
    assert not verify_hash([SECRET], "cust_42", "g" * 64)
    assert not verify_hash([SECRET], "cust_42", "\u0000" * 64)
    assert not verify_hash([], "cust_42", user_hash(SECRET, "cust_42"))
