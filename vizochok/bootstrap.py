"""Before serving: start embedded services when no URLs are set, migrate, resolve the secret key."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from vizochok.adapters.db import migrate
from vizochok.adapters.db.vector_check import VectorCheckFailed, run_vector_check
from vizochok.adapters.embedded import EmbeddedServices, ensure_reaper, load_or_create_secret_key
from vizochok.settings import Settings

_log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """Settings with every URL filled in, and the embedded services to stop at the end (if any)."""

    settings: Settings
    embedded: EmbeddedServices | None

    def stop(self) -> None:
        """Stop embedded services started by `prepare`."""
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None


def prepare(settings: Settings, *, migrate_schema: bool = True) -> Prepared:
    """Blocking: run in the parent process before workers start (DECISIONS §6).

    The memory profile needs no server and no migration: only a secret key, made up for this
    process (what it would encrypt lives in this process too).
    """
    if settings.profile == "memory":
        key = settings.secret_key or SecretStr(secrets.token_urlsafe(32))
        return Prepared(settings=settings.model_copy(update={"secret_key": key}), embedded=None)
    embedded = None
    updates: dict[str, object] = {}
    if settings.database_url is None or settings.valkey_url is None:
        embedded = EmbeddedServices(settings.data_dir, settings.database_app_role)
        try:
            if settings.database_url is None:
                admin, app = embedded.postgres.start()
                # Before migrations: a pgvector this CPU cannot run stops here with one clear message.
                try:
                    run_vector_check(admin, embedded.postgres.log_path)
                except VectorCheckFailed:
                    embedded.postgres.stop(immediately=True)
                    raise
                updates.update(database_url=app, database_admin_url=admin)
            if settings.valkey_url is None:
                updates["valkey_url"] = embedded.valkey.start()
            ensure_reaper(settings.data_dir)
        except BaseException:
            embedded.stop()
            raise
    if settings.secret_key is None:
        updates["secret_key"] = SecretStr(load_or_create_secret_key(settings.data_dir))
    settings = settings.model_copy(update=updates)
    if migrate_schema:
        admin_url = settings.database_admin_url or settings.database_url
        assert admin_url is not None  # noqa: S101 - filled in above
        migrate.upgrade(admin_url)
        app_user = make_url(migrate.sync_url(settings.database_url or "")).username
        if app_user and app_user != make_url(migrate.sync_url(admin_url)).username:
            migrate.grant_app_role(admin_url, app_user)
    return Prepared(settings=settings, embedded=embedded)


def environment(settings: Settings) -> dict[str, str]:
    """Variables that hand resolved URLs and the key to worker processes."""
    env = {
        "VIZOCHOK_PROFILE": settings.profile,
        "VIZOCHOK_DATABASE_URL": settings.database_url or "",
        "VIZOCHOK_VALKEY_URL": settings.valkey_url or "",
    }
    if settings.database_admin_url:
        env["VIZOCHOK_DATABASE_ADMIN_URL"] = settings.database_admin_url
    if settings.secret_key is not None:
        env["VIZOCHOK_SECRET_KEY"] = settings.secret_key.get_secret_value()
    return env
