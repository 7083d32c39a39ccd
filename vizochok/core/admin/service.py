"""Administration use cases: sign-in, settings, keys, users, conversations, usage; every change audited."""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING, Any

from vizochok.core.admin.model import (
    AdminIdentity,
    AdminUser,
    ApiKeyInfo,
    AuditEntry,
    NewAdminUser,
    NewApiKey,
    SettingsPatch,
    check_key_scopes,
    require,
)
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.usage.billing import Statement, build_statement
from vizochok.core.usage.limits import Limits, check_overrides, plan_ceiling

if TYPE_CHECKING:
    from vizochok.core.models import Principal, Tenant
    from vizochok.core.ports import AdminSessions, AdminStore, LoginThrottle, PasswordHasher, TenantRepository

MAX_ROTATION_OVERLAP = 30 * 24 * 3600


def tenant_of(identity: AdminIdentity) -> str:
    """The tenant an identity acts for; operators must name one."""
    if identity.tenant_id is None:
        raise VizochokError(
            ErrorCode.VALIDATION_ERROR, "operators name the tenant in the X-Vizochok-Tenant header"
        )
    return identity.tenant_id


def month_bounds(month: str) -> tuple[date, date]:
    """`YYYY-MM` → first day of the month and of the next."""
    try:
        year, number = (int(p) for p in month.split("-"))
        start = date(year, number, 1)
    except ValueError as exc:
        raise VizochokError(ErrorCode.VALIDATION_ERROR, "month must look like 2026-11") from exc
    end = date(year + (number == 12), number % 12 + 1, 1)  # noqa: PLR2004
    return start, end


class AdminService:
    """What the admin API and panel ask of the core."""

    def __init__(
        self,
        store: AdminStore,
        tenants: TenantRepository,
        passwords: PasswordHasher,
        sessions: AdminSessions,
        throttle: LoginThrottle,
        default_limits: Limits | None = None,
        plans: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self._store = store
        self._tenants = tenants
        self._passwords = passwords
        self.sessions = sessions
        self._throttle = throttle
        self._dummy: str | None = None
        self._default_limits = default_limits or Limits()
        self._plans = plans or {}

    # --- who is calling ---------------------------------------------------------------------

    async def login(self, email: str, password: str, address: str) -> tuple[str, str, AdminIdentity]:
        """`(cookie token, csrf token, identity)`; failures are counted and throttled."""
        wait = await self._throttle.attempt(email, address)
        if wait:
            raise VizochokError(ErrorCode.RATE_LIMIT_EXCEEDED, "too many failed logins", retry_after=wait)
        record = await self._store.login_record(email)
        # An unknown or disabled e-mail still costs one argon2 verification, against a hash made once:
        # a refusal takes as long whether the e-mail exists or not (it used to be 15 ms against 609 ms).
        stored = (
            record["password_hash"]
            if record is not None and not record["disabled"]
            else await self._dummy_hash()
        )
        matches = await self._passwords.verify(stored, password)
        valid = matches and record is not None and not record["disabled"]
        if not valid or record is None:
            raise VizochokError(ErrorCode.UNAUTHORIZED, "wrong email or password")
        await self._throttle.succeeded(email, address)
        identity = AdminIdentity(
            actor=f"user:{record['user_id']}",
            tenant_id=record["tenant_id"],
            role=record["role"],
            email=email.lower(),
        )
        token, csrf = await self.sessions.create(identity)
        if identity.tenant_id:
            await self._store.audit(identity.tenant_id, identity.actor, "login")
        return token, csrf, identity

    async def _dummy_hash(self) -> str:
        """A hash of a random password, made on first need, that unknown e-mails are checked against."""
        if self._dummy is None:
            self._dummy = await self._passwords.hash(secrets.token_urlsafe(24))
        return self._dummy

    @staticmethod
    def key_identity(principal: Principal) -> AdminIdentity:
        """An `sk_` key with the `admin` scope acts with the owner's rights."""
        return AdminIdentity(actor=f"key:{principal.key_id}", tenant_id=principal.tenant_id, role="owner")

    async def create_user(
        self, tenant_id: str | None, email: str, password: str, role: str, actor: str = "cli"
    ) -> AdminUser:
        """A user of a tenant, or an operator (`tenant_id` None). Used by the CLI and by owners."""
        if (role == "operator") != (tenant_id is None):
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "operators have no tenant; everyone else has one")
        if len(password) < 10:  # noqa: PLR2004
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "passwords have at least 10 characters")
        user = await self._store.create_user(tenant_id, email, await self._passwords.hash(password), role)
        if tenant_id:
            await self._store.audit(
                tenant_id, actor, "user.create", user.id, {"email": user.email, "role": role}
            )
        return user

    # --- settings ---------------------------------------------------------------------------

    async def settings(self, identity: AdminIdentity) -> Tenant:
        """The tenant's settings (the webhook secret is never part of them)."""
        require(identity, "viewer")
        tenant = await self._tenants.get(tenant_of(identity))
        if tenant is None:
            raise VizochokError(ErrorCode.NOT_FOUND, "no such tenant")
        return tenant.model_copy(update={"webhooks": tenant.webhooks.model_copy(update={"secret": None})})

    async def update_settings(self, identity: AdminIdentity, patch: SettingsPatch) -> Tenant:
        """Change settings; the plan only by operators."""
        require(identity, "operator" if patch.plan is not None else "editor")
        tenant_id = tenant_of(identity)
        if patch.limits is not None:
            # Checked before they are stored: types and ranges for everyone; within the plan for all
            # but operators, who are the only ones to raise a plan (docs/admin.md, "Limits").
            ceiling, granted = None, None
            if identity.role != "operator":
                ceiling = plan_ceiling(
                    self._default_limits, self._plans, await self._store.plan_of(tenant_id)
                )
                current = await self._tenants.get(tenant_id)
                granted = current.limits if current is not None else None
            patch = patch.model_copy(update={"limits": check_overrides(patch.limits, ceiling, granted)})
        await self._store.update_settings(tenant_id, patch)
        await self._store.audit(
            tenant_id,
            identity.actor,
            "settings.update",
            tenant_id,
            patch.model_dump(mode="json", exclude_unset=True),
        )
        return await self.settings(identity)

    async def plan(self, identity: AdminIdentity) -> str:
        """The tenant's plan."""
        require(identity, "viewer")
        return await self._store.plan_of(tenant_of(identity))

    # --- keys -------------------------------------------------------------------------------

    async def keys(self, identity: AdminIdentity) -> list[ApiKeyInfo]:
        """Every key, never the key itself."""
        require(identity, "editor")
        return await self._store.list_keys(tenant_of(identity))

    async def create_key(self, identity: AdminIdentity, new: NewApiKey) -> tuple[ApiKeyInfo, str]:
        """A key, shown once."""
        require(identity, "owner")
        check_key_scopes(new)
        info, raw = await self._store.create_key(tenant_of(identity), new.kind, list(new.scopes), new.name)
        await self._store.audit(
            tenant_of(identity),
            identity.actor,
            "key.create",
            info.id,
            {"kind": new.kind, "scopes": list(new.scopes)},
        )
        return info, raw

    async def revoke_key(self, identity: AdminIdentity, key_id: str) -> None:
        """Revoke now."""
        require(identity, "owner")
        if not await self._store.revoke_key(tenant_of(identity), key_id):
            raise VizochokError(ErrorCode.NOT_FOUND, f"no key {key_id!r}")
        await self._store.audit(tenant_of(identity), identity.actor, "key.revoke", key_id)

    async def rotate_key(
        self, identity: AdminIdentity, key_id: str, overlap_seconds: int
    ) -> tuple[ApiKeyInfo, str]:
        """A successor key; the old one keeps working for the overlap, so nothing goes down."""
        require(identity, "owner")
        if not 0 <= overlap_seconds <= MAX_ROTATION_OVERLAP:
            raise VizochokError(
                ErrorCode.VALIDATION_ERROR, f"overlap_seconds must be 0…{MAX_ROTATION_OVERLAP}"
            )
        rotated = await self._store.rotate_key(tenant_of(identity), key_id, overlap_seconds)
        if rotated is None:
            raise VizochokError(ErrorCode.NOT_FOUND, f"no live key {key_id!r}")
        await self._store.audit(
            tenant_of(identity),
            identity.actor,
            "key.rotate",
            key_id,
            {"successor": rotated[0].id, "overlap_seconds": overlap_seconds},
        )
        return rotated

    # --- users ------------------------------------------------------------------------------

    async def users(self, identity: AdminIdentity) -> list[AdminUser]:
        """The tenant's people."""
        require(identity, "owner")
        return await self._store.list_users(tenant_of(identity))

    async def add_user(self, identity: AdminIdentity, new: NewAdminUser) -> AdminUser:
        """A colleague with a role."""
        require(identity, "owner")
        return await self.create_user(
            tenant_of(identity), new.email, new.password, new.role, actor=identity.actor
        )

    async def set_user_disabled(self, identity: AdminIdentity, user_id: str, disabled: bool) -> None:
        """Lock a colleague out, or let them back in."""
        require(identity, "owner")
        if not await self._store.set_user_disabled(tenant_of(identity), user_id, disabled):
            raise VizochokError(ErrorCode.NOT_FOUND, f"no user {user_id!r}")
        await self._store.audit(
            tenant_of(identity), identity.actor, "user.disable" if disabled else "user.enable", user_id
        )

    # --- conversations, usage, audit --------------------------------------------------------

    async def conversations(
        self, identity: AdminIdentity, query: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Recent conversations, optionally matching a text."""
        require(identity, "viewer")
        return await self._store.conversations(tenant_of(identity), query, limit)

    async def transcript(self, identity: AdminIdentity, conversation_id: str) -> dict[str, Any]:
        """One conversation with every entry, grouped per turn with latency and cost."""
        require(identity, "viewer")
        data = await self._store.transcript(tenant_of(identity), conversation_id)
        if data is None:
            raise VizochokError(ErrorCode.NOT_FOUND, f"no conversation {conversation_id!r}")
        return {**data, "turns": _turns(data["entries"], data["usage"])}

    async def statement(self, identity: AdminIdentity, month: str) -> Statement:
        """The month's ledger and totals."""
        require(identity, "viewer")
        tenant_id = tenant_of(identity)
        start, end = month_bounds(month)
        lines = await self._store.ledger(tenant_id, start, end)
        activity = await self._store.activity(tenant_id, start, end)
        return build_statement(tenant_id, month, await self._store.plan_of(tenant_id), lines, activity)

    async def usage(self, identity: AdminIdentity, start: date, end: date) -> dict[str, Any]:
        """Daily ledger lines and activity between two days (end exclusive), for the usage charts."""
        require(identity, "viewer")
        if (end - start).days > 366 or end <= start:  # noqa: PLR2004
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "choose a range of 1 to 366 days")
        tenant_id = tenant_of(identity)
        return {
            "lines": [
                line.model_dump(mode="json") for line in await self._store.ledger(tenant_id, start, end)
            ],
            "activity": [
                a.model_dump(mode="json") for a in await self._store.activity(tenant_id, start, end)
            ],
        }

    async def audit_entries(self, identity: AdminIdentity, limit: int) -> list[AuditEntry]:
        """Who changed what, newest first."""
        require(identity, "viewer")
        return await self._store.audit_entries(tenant_of(identity), limit)

    async def create_tenant(
        self, identity: AdminIdentity, name: str, store_id: str, plan: str
    ) -> dict[str, Any]:
        """A new tenant with a `pk_` chat key and an `sk_` catalog+admin key, shown once (operators)."""
        require(identity, "operator")
        # Creating is not part of the narrow TenantRepository port the chat uses; the admin wiring passes
        # the full PostgreSQL repository, which has it.
        webhook_secret = secrets.token_urlsafe(32)
        tenant = await self._tenants.create(name, store_id, plan=plan, webhooks={"secret": webhook_secret})  # type: ignore[attr-defined]
        _, public_key = await self._store.create_key(tenant.id, "pk", ["chat"], "widget")
        _, secret_key = await self._store.create_key(tenant.id, "sk", ["catalog", "admin"], "backend")
        await self._store.audit(
            tenant.id,
            identity.actor,
            "tenant.create",
            tenant.id,
            {"name": name, "store_id": store_id, "plan": plan},
        )
        # The webhook secret is shown here once, like the keys (docs/webhooks.md): the retailer needs it
        # to verify signatures, and nothing returns it again.
        return {"tenant_id": tenant.id, "store_id": store_id, "public_key": public_key, "secret_key": secret_key,
                "webhook_secret": webhook_secret}  # fmt: skip

    async def tenants(self, identity: AdminIdentity) -> list[dict[str, Any]]:
        """All tenants (operators)."""
        require(identity, "operator")
        return await self._store.list_tenants()

    async def identity_status(self, identity: AdminIdentity) -> dict[str, Any]:
        """Whether the tenant has an identity secret and requires signatures (never the secret)."""
        require(identity, "viewer")
        tenant = await self._tenants.get(tenant_of(identity))
        if tenant is None:
            raise VizochokError(ErrorCode.NOT_FOUND, "no such tenant")
        return {"configured": tenant.identity.configured, "required": tenant.identity.required,
                "secrets_valid": len(tenant.identity.keys)}  # fmt: skip

    async def rotate_identity_secret(self, identity: AdminIdentity, overlap_seconds: int) -> str:
        """A new identity secret, shown once; the previous one verifies for `overlap_seconds` more (owners)."""
        require(identity, "owner")
        if not 0 <= overlap_seconds <= MAX_ROTATION_OVERLAP:
            raise VizochokError(
                ErrorCode.VALIDATION_ERROR, f"overlap_seconds must be 0…{MAX_ROTATION_OVERLAP}"
            )
        tenant_id = tenant_of(identity)
        # Part of the full PostgreSQL repository the admin wiring passes, as `create` is.
        secret: str = await self._tenants.rotate_identity_secret(tenant_id, overlap_seconds)  # type: ignore[attr-defined]
        await self._store.audit(
            tenant_id, identity.actor, "identity.rotate", tenant_id, {"overlap_seconds": overlap_seconds}
        )
        return secret

    async def audit(
        self, identity: AdminIdentity, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None:
        """Record a change made elsewhere (for example by the webhooks API)."""
        await self._store.audit(tenant_of(identity), identity.actor, action, target, details)


def _turns(entries: list[dict[str, Any]], usage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per turn: the shopper's words, the tools called, latency from first to last entry, and LLM cost."""
    turns: dict[int, dict[str, Any]] = {}
    for entry in entries:
        turn = turns.setdefault(
            entry["turn"],
            {"turn": entry["turn"], "started_at": entry["created_at"], "tools": [], "frames": 0},
        )
        turn["ended_at"] = entry["created_at"]
        if entry["kind"] == "user_message":
            turn["message"] = entry["payload"].get("text")
        elif entry["kind"] == "tool_call":
            turn["tools"].append(entry["payload"].get("name"))
        elif entry["kind"] == "frame":
            turn["frames"] += 1
    for turn in turns.values():
        turn["latency_ms"] = round((turn["ended_at"] - turn["started_at"]).total_seconds() * 1000)
        window = [u for u in usage if turn["started_at"] <= u["created_at"] <= turn["ended_at"]]
        turn["cost"] = round(sum(u["cost"] for u in window), 8)
        turn["tokens"] = sum(u["prompt_tokens"] + u["completion_tokens"] for u in window)
    return [turns[k] for k in sorted(turns)]
