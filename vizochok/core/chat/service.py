"""Chat use cases: authenticate a socket, start or restore its conversation, run turns and actions."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from vizochok.core.admin.access import tenant_of_key
from vizochok.core.agent.builtin.interactive import ask_user, show_meal_plan
from vizochok.core.agent.emitter import TurnEmitter
from vizochok.core.agent.phrases import phrase
from vizochok.core.agent.tools import AgentServices, ToolError, Turn
from vizochok.core.chat.actions import run_action
from vizochok.core.chat.state import ConversationState, LogEntry
from vizochok.core.chat.turns import TurnEnd, TurnLease, TurnStart
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.frames import (
    AuthOk,
    ConversationStarted,
    MealPlanModifyAction,
    QuickReplyAction,
    ServerFrame,
    SessionRestored,
)
from vizochok.core.identity import Identity, resolve_identity
from vizochok.core.ids import new_id
from vizochok.core.language import detect_language
from vizochok.core.profile import UserProfile, apply_statements
from vizochok.core.usage.service import UsageGate, refusal
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from vizochok.core.agent.emitter import FrameSink
    from vizochok.core.agent.loop import Agent
    from vizochok.core.frames import Action, AuthFrame
    from vizochok.core.models import Principal, Tenant
    from vizochok.core.ports import (
        CatalogRepository,
        ConversationLog,
        KeyRepository,
        ProfileRepository,
        SessionStore,
        TenantRepository,
        TurnStore,
        UsageLimiter,
    )
    from vizochok.core.usage.limits import Limits

_log = logging.getLogger(__name__)

BUDGET_WARNING = 0.8
"""From this share of `session_token_limit` on, the assistant suggests a new conversation."""


@dataclass
class Connection:
    """One authenticated socket."""

    tenant: Tenant
    principal: Principal
    user_id: str
    store_id: str
    limits: Limits
    conversation_id: str = ""
    turns: int = field(default=0)
    socket_id: str = field(default_factory=lambda: new_id("sock"))
    """Identifies the socket in the per-key socket count and its sliding window."""
    uncounted: str | None = None
    """A conversation started on this socket that `user_conversation_limit` has not counted yet."""
    identity: Identity | None = None
    """How `user_id` was established (signed, guest, or trusted unsigned)."""
    resync: bool = False
    """A turn's session could not be saved (the cache failed): re-read the cart before the next turn."""


METERED_ACTIONS = (QuickReplyAction, MealPlanModifyAction)
"""Actions answered by the model: like messages, they count toward the per-user and per-tenant limits."""


class ChatService:
    """Everything the WebSocket adapter asks of the core."""

    def __init__(
        self,
        *,
        keys: KeyRepository,
        tenants: TenantRepository,
        sessions: SessionStore,
        turns: TurnStore,
        log: ConversationLog,
        catalog: CatalogRepository,
        agent: Agent,
        services: AgentServices,
        default_limits: Limits,
        profiles: ProfileRepository | None = None,
        plans: dict[str, dict[str, Any]] | None = None,
        limiter: UsageLimiter | None = None,
    ) -> None:
        self._keys = keys
        self._tenants = tenants
        self._sessions = sessions
        self._turns = turns
        self._log = log
        self._catalog = catalog
        self._agent = agent
        self._services = services
        self.default_limits = default_limits
        self._profiles = profiles
        self._plans = plans or {}
        self.usage = UsageGate(limiter) if limiter is not None else None
        """Tiers 1–3 and the socket cap; None turns every limit but the session's off (some core tests)."""
        self._limits: dict[str, tuple[dict[str, object], Limits]] = {}

    async def authenticate(self, auth: AuthFrame, origin: str | None) -> Connection:
        """Check the key, its scope and the page's origin; raises `VizochokError`."""
        principal = await self._keys.authenticate(auth.token)
        if principal is None or "chat" not in principal.scopes:
            raise VizochokError(ErrorCode.INVALID_API_KEY)
        tenant = await tenant_of_key(self._tenants, principal)
        if principal.kind == "pk" and tenant.allowed_origins and origin not in tenant.allowed_origins:
            raise VizochokError(ErrorCode.ORIGIN_NOT_ALLOWED)
        # The id is the cart webhook's `session_id`: only a signature (or a server-side key) lets a
        # socket act as a named customer; anything else is a guest (docs/identity.md).
        identity = resolve_identity(
            user_id=auth.user_id,
            user_hash=auth.user_hash,
            user_token=auth.user_token,
            keys=tenant.identity.keys,
            required=tenant.identity.required,
            server_side=principal.kind == "sk",
        )
        return Connection(
            tenant=tenant,
            principal=principal,
            user_id=identity.user_id,
            store_id=auth.store_id or tenant.store_id,
            limits=self._limits_for(tenant),
            identity=identity,
        )

    @staticmethod
    def auth_ok(conn: Connection, auth: AuthFrame) -> AuthOk:
        """`auth_ok`, telling a client that signed (or was given a guest id) what the server made of it."""
        identity = conn.identity
        if identity is None or (auth.user_hash is None and auth.user_token is None and not identity.replaced):
            return AuthOk()
        return AuthOk(
            identity="verified" if identity.verification == "verified" else "anonymous",
            user_id=identity.user_id if identity.replaced else None,
        )

    def _limits_for(self, tenant: Tenant) -> Limits:
        """The tenant's limits, shared by its connections while its overrides stay the same (memory per socket)."""
        # Defaults, then the tenant's plan, then the tenant's own overrides.
        overrides = {**self._plans.get(tenant.plan, {}), **tenant.limits}
        cached = self._limits.get(tenant.id)
        if cached is None or cached[0] != overrides:
            cached = (overrides, self.default_limits.for_tenant(overrides))
            self._limits[tenant.id] = cached
        return cached[1]

    async def open(self, conn: Connection, conversation_id: str | None) -> ServerFrame:
        """Restore the named live conversation of this tenant and user, or start a new one."""
        if conversation_id:
            state = await self._sessions.load(conn.tenant.id, conversation_id)
            if state is not None and state.user_id == conn.user_id:
                await self._refresh_stale(conn, state)
                conn.conversation_id = conversation_id
                # Started elsewhere but never spoken in: its first message still counts it.
                conn.uncounted = conversation_id if not state.history else None
                await self._sessions.save(state, conn.limits.session_ttl_seconds)
                return SessionRestored(
                    conversation_id=conversation_id,
                    selected_items=state.selection,
                    pending_tool=state.pending_tool,
                )
        state = await self._start(conn)
        return ConversationStarted(conversation_id=state.conversation_id)

    async def _start(self, conn: Connection) -> ConversationState:
        state = ConversationState(
            conversation_id=new_id("conv"),
            tenant_id=conn.tenant.id,
            user_id=conn.user_id,
            store_id=conn.store_id,
        )
        if conn.tenant.webhooks.cart_get_url:
            try:
                state.selection = await self._services.webhooks.get_cart(
                    conn.tenant, conn.store_id, conn.user_id
                )
                state.remember_skus([i.sku for i in state.selection])
            except WebhookFailure as failure:
                # The shopper can still chat; the selection starts empty rather than wrong.
                _log.warning("cart GET failed for tenant %s: %s", conn.tenant.id, failure.reason)
        await self._log.start(state)
        await self._sessions.save(state, conn.limits.session_ttl_seconds)
        conn.conversation_id = state.conversation_id
        # A conversation counts toward the daily cap with its first accepted message, not on connect.
        conn.uncounted = state.conversation_id
        return state

    async def _refresh_stale(self, conn: Connection, state: ConversationState) -> None:
        """After the cache restarted, re-read the selection from the retailer's cart.

        A session read back from an older snapshot may be behind the retailer (2 eggs in the
        snapshot, 3 at the retailer): the retailer's cart is the truth, as when a conversation starts.
        """
        if not state.stale or not conn.tenant.webhooks.cart_get_url:
            return
        try:
            state.selection = await self._services.webhooks.get_cart(conn.tenant, conn.store_id, conn.user_id)
        except WebhookFailure as failure:
            # Shown as the snapshot had it; the next turn tries again (the session stays stale until saved).
            _log.warning(
                "cart GET after a cache restart failed for tenant %s: %s", conn.tenant.id, failure.reason
            )
            return
        state.remember_skus([i.sku for i in state.selection])
        state.stale = False

    async def connect(self, conn: Connection) -> bool:
        """Register the socket under its API key; False beyond `sockets_per_key` (close 4029)."""
        if self.usage is None:
            return True
        return await self.usage.open_socket(conn.principal.key_id, conn.socket_id, conn.limits)

    async def heartbeat(self, conn: Connection) -> None:
        """The socket is alive: keep it counted."""
        if self.usage is not None:
            await self.usage.refresh_socket(conn.principal.key_id, conn.socket_id)

    async def disconnect(self, conn: Connection) -> None:
        """The socket closed: it no longer counts toward the key's cap."""
        if self.usage is not None:
            await self.usage.close_socket(conn.principal.key_id, conn.socket_id)

    async def check_window(self, conn: Connection) -> None:
        """Tier 1, for every `message` and `action` frame; raises `rate_limit_exceeded` with `retry_after`."""
        if self.usage is not None:
            await self.usage.hit_socket(conn.tenant.id, conn.socket_id, conn.limits)

    async def message(
        self, conn: Connection, text: str, sink: FrameSink, *, conversation_id: str | None = None
    ) -> None:
        """Run one agent turn for a shopper's message, in `conversation_id` when it names another one.

        Switching takes tier 1 (the socket's window) first, on its own: a refused frame must not
        switch the conversation. Then the conversation is opened (`session_restored` or
        `conversation_started` goes to `sink` before the turn's frames), and the turn runs without
        counting the window a second time.
        """
        if conversation_id and conversation_id != conn.conversation_id:
            await self.check_window(conn)
            await sink.send(await self.open(conn, conversation_id))
            await self._turn(conn, sink, text=text, window=False)
            return
        await self._turn(conn, sink, text=text, window=True)

    async def action(self, conn: Connection, action: Action, sink: FrameSink) -> None:
        """Act on a card button, or answer the paused interactive tool."""
        await self._turn(conn, sink, action=action)

    def _start_request(self, conn: Connection, *, metered: bool, window: bool) -> TurnStart:
        """What `TurnStore.begin` checks, takes and reads for this turn."""
        limits, usage = conn.limits, self.usage
        return TurnStart(
            tenant_id=conn.tenant.id,
            conversation_id=conn.conversation_id,
            lease_seconds=limits.turn_timeout_seconds + 15,
            window=usage.window(conn.socket_id, limits) if usage is not None and window else None,
            quota=(
                usage.quota(conn.user_id, limits, new_conversation=conn.uncounted == conn.conversation_id)
                if usage is not None and metered
                else None
            ),
        )

    async def _turn(
        self,
        conn: Connection,
        sink: FrameSink,
        *,
        text: str | None = None,
        action: Action | None = None,
        window: bool = True,
    ) -> None:
        limits = conn.limits
        metered = self.usage is not None and (text is not None or isinstance(action, METERED_ACTIONS))
        # One round trip to the cache before the turn (tiers 1–3 in order, the lease, the session,
        # the count) and one after it (session, tokens, release) — see `TurnStore`.
        begun = await self._turns.begin(self._start_request(conn, metered=metered, window=window))
        if begun.lease is None:
            raise refusal(begun, limits)
        saved: ConversationState | None = None
        uncount, tokens_before = False, 0
        try:
            state = await self._current_state(conn, sink, begun.state, metered=metered)
            if state.tokens_used >= limits.session_token_limit:
                uncount = True  # `begin` counted a message that is refused after all
                raise VizochokError(ErrorCode.SESSION_TOKEN_LIMIT)
            if metered and conn.uncounted == state.conversation_id:
                conn.uncounted = None  # `begin` counted the conversation with this message
            tokens_before = state.tokens_used
            turn = await self._open_turn(conn, sink, state, text, action)
            try:
                error = await self._run(turn, text, action, limits)
            finally:
                saved = state
                # The turn's frames (every `text_delta` included), tool calls and results, and its
                # ledger rows, in one transaction, before `response_complete` goes out: a turn the
                # shopper saw completed is durable, whatever happens to this process next. Frames are
                # not written as they are sent: that would put a commit (a round trip, ~0.3 ms of CPU)
                # in front of every streamed word. The cost is that a crash mid-turn loses the frames
                # that turn had already streamed, together with its reply (docs/operations.md).
                await self._log.append(conn.tenant.id, state.conversation_id, turn.log, turn.usage)
        finally:
            await self._end_turn(conn, begun.lease, saved, uncount=uncount, tokens_before=tokens_before)
        await turn.emitter.complete()
        if self._services.observer is not None:
            await self._services.observer.turn_completed(
                conn.tenant.id, state.conversation_id, turn.number, error
            )

    async def _current_state(
        self, conn: Connection, sink: FrameSink, state: ConversationState | None, *, metered: bool
    ) -> ConversationState:
        """The session `begin` read, a new conversation when it expired, refreshed when it went stale."""
        if state is None:
            # The session expired while the socket stayed open: carry on in a new conversation.
            state = await self._start(conn)
            await sink.send(ConversationStarted(conversation_id=state.conversation_id))
            if metered:
                assert self.usage is not None  # noqa: S101 - narrowed by `metered`
                # `begin` counts only a session it found; this message starts the new one.
                await self.usage.count(conn.tenant.id, conn.user_id, new_conversation=True)
                conn.uncounted = None
        elif state.stale or conn.resync:
            state.stale = True
            await self._refresh_stale(conn, state)
            conn.resync = state.stale
        return state

    async def _open_turn(
        self,
        conn: Connection,
        sink: FrameSink,
        state: ConversationState,
        text: str | None,
        action: Action | None,
    ) -> Turn:
        """The next turn of the socket, with the profile it needs and its input logged."""
        conn.turns += 1
        log: list[LogEntry] = []
        turn = Turn(
            tenant=conn.tenant, state=state, store_id=conn.store_id, services=self._services,
            emitter=TurnEmitter(sink, log, conn.turns), number=conn.turns, log=log,
        )  # fmt: skip
        if text is not None:
            # The agent opens with this status anyway (the emitter drops the repeat): sent now, the
            # shopper sees the turn start before the profile read and the durable log write.
            await turn.emitter.status("thinking")
        if text is not None or isinstance(action, METERED_ACTIONS):
            # Only the model reads the profile: card actions act on the cart without it (one read fewer).
            turn.profile = await self._profile(conn, text)
        if text is not None:
            state.language = detect_language(text, state.language or "uk")
            entry = LogEntry(kind="user_message", payload={"text": text}, turn=turn.number)
            # Stored before the agent runs: an acknowledged message survives a crash mid-turn.
            await self._log.append(conn.tenant.id, state.conversation_id, [entry])
        elif action is not None:
            log.append(LogEntry(kind="action", payload=action.model_dump(), turn=turn.number))
        return turn

    async def _end_turn(
        self,
        conn: Connection,
        lease: TurnLease,
        saved: ConversationState | None,
        *,
        uncount: bool,
        tokens_before: int,
    ) -> None:
        """Save the session, add the turn's tokens, take back a refused count and release the lease."""
        limits = conn.limits
        end = TurnEnd(save=saved, ttl_seconds=limits.session_ttl_seconds, uncount=uncount)
        if saved is not None and self.usage is not None and saved.tokens_used > tokens_before:
            # Tier 3 is recorded after the reply, from what the model reported this turn.
            day, month = self.usage.day_month()
            end = replace(end, tokens=saved.tokens_used - tokens_before, day=day, month=month)
        try:
            await self._turns.end(lease, end)
        except Exception:
            # The session could not be saved, yet the retailer may have confirmed cart changes this
            # turn: the socket's next turn re-reads the cart rather than trust the older session.
            conn.resync = True
            raise

    async def _profile(self, conn: Connection, text: str | None) -> UserProfile | None:
        """The shopper's profile, updated from explicit statements in `text`."""
        if self._profiles is None or conn.user_id.startswith("anon_"):
            return None
        profile = await self._profiles.get(conn.tenant.id, conn.user_id)
        if text is not None:
            candidate = profile or UserProfile(user_id=conn.user_id)
            if apply_statements(candidate, text):
                await self._profiles.save(conn.tenant.id, candidate)
                profile = candidate
        return profile

    async def _dispatch(self, turn: Turn, text: str | None, action: Action | None, limits: Limits) -> None:
        """A message runs the agent; an answer to the paused tool resumes it; card actions act directly."""
        pending = turn.state.pending_tool.tool if turn.state.pending_tool else None
        if isinstance(action, QuickReplyAction):
            if pending == ask_user.name:
                await self._agent.resume(turn, {"answer": action.value}, limits.max_rounds)
                return
            text, action = action.value, None
        elif isinstance(action, MealPlanModifyAction):
            if pending == show_meal_plan.name:
                await self._agent.resume(turn, {"modify": action.text}, limits.max_rounds)
                return
            text, action = action.text, None
        if text is not None:
            if not await self._catalog.has_catalog(turn.tenant.id):
                # "Still loading" only while it is true: a catalog whose last upload failed says so.
                latest = await self._catalog.list_jobs(turn.tenant.id, 1)
                if latest and latest[0].status == "failed":
                    raise VizochokError(ErrorCode.CATALOG_UNAVAILABLE)
                raise VizochokError(ErrorCode.NO_CATALOG_DATA)
            await self._agent.run(turn, text, limits.max_rounds)
        elif action is not None:
            await run_action(turn, action)

    async def _run(
        self, turn: Turn, text: str | None, action: Action | None, limits: Limits
    ) -> ErrorCode | None:
        error: ErrorCode | None = None
        try:
            async with asyncio.timeout(limits.turn_timeout_seconds):
                await self._dispatch(turn, text, action, limits)
                if turn.state.tokens_used >= BUDGET_WARNING * limits.session_token_limit:
                    await turn.emitter.text(
                        ("" if not turn.emitter.text_parts else " ") + phrase("budget", turn.state.language)
                    )
        except VizochokError as exc:
            error = exc.code
        except TimeoutError:
            error = ErrorCode.INTERNAL_ERROR
            _log.warning("turn %s of %s timed out", turn.number, turn.state.conversation_id)
        except ToolError as exc:
            await turn.emitter.text(str(exc))
        except Exception:  # noqa: BLE001 - logged with its traceback; the shopper gets internal_error, the socket lives
            _log.exception("turn %s of %s failed", turn.number, turn.state.conversation_id)
            error = ErrorCode.INTERNAL_ERROR
        await turn.emitter.finish(turn.state.conversation_id, error=error)
        return error
