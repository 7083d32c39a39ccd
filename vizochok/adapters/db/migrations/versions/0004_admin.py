"""Admin users, the audit log, key rotation and plans.

Revision ID: 0004_admin
Revises: 0003_agent
"""

from alembic import op

revision = "0004_admin"
down_revision = "0003_agent"
branch_labels = None
depends_on = None

TENANT = "current_setting('vizochok.tenant_id', true)"

SCHEMA = f"""
ALTER TABLE tenants ADD COLUMN plan text NOT NULL DEFAULT 'standard';
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN rotated_to text;

CREATE TABLE admin_users (
    id text PRIMARY KEY,
    tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer', 'operator')),
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'operator') = (tenant_id IS NULL))
);
CREATE INDEX ix_admin_users_tenant_id ON admin_users (tenant_id);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL DEFAULT '',
    details jsonb NOT NULL DEFAULT '{{}}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, created_at);

ALTER TABLE admin_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON admin_users USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT});
CREATE POLICY definer_read ON admin_users FOR SELECT USING (current_user <> session_user);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT});

-- A rotated key keeps working until its overlap ends.
CREATE OR REPLACE FUNCTION vizochok_authenticate(p_hash text)
RETURNS TABLE (key_id text, tenant_id text, kind text, scopes jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE api_keys SET last_used_at = now()
     WHERE key_hash = p_hash AND NOT revoked AND (expires_at IS NULL OR expires_at > now())
       AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
    RETURN QUERY SELECT k.id, k.tenant_id, k.kind, k.scopes FROM api_keys k
     WHERE k.key_hash = p_hash AND NOT k.revoked AND (k.expires_at IS NULL OR k.expires_at > now());
END $$;

-- Logging in happens before the tenant is known (and operators have none).
CREATE FUNCTION vizochok_admin_login(p_email text)
RETURNS TABLE (user_id text, tenant_id text, role text, password_hash text, disabled boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, u.tenant_id, u.role, u.password_hash, u.disabled FROM admin_users u WHERE u.email = lower(p_email)
$$;

-- Operators list and create tenants across all of them.
CREATE FUNCTION vizochok_list_tenants()
RETURNS TABLE (id text, name text, store_id text, plan text, created_at timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT t.id, t.name, t.store_id, t.plan, t.created_at FROM tenants t ORDER BY t.created_at
$$;
CREATE POLICY definer_read ON tenants FOR SELECT USING (current_user <> session_user);

-- Operators belong to no tenant, so row-level security would refuse their row.
CREATE FUNCTION vizochok_create_operator(p_id text, p_email text, p_hash text)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO admin_users (id, tenant_id, email, password_hash, role)
    VALUES (p_id, NULL, lower(p_email), p_hash, 'operator')
$$;
CREATE POLICY definer_write ON admin_users FOR INSERT WITH CHECK (current_user <> session_user);

REVOKE ALL ON FUNCTION vizochok_create_operator(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION vizochok_admin_login(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION vizochok_list_tenants() FROM PUBLIC;
"""  # noqa: S608 - the only value interpolated is TENANT, a constant of this module


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS vizochok_list_tenants(); DROP FUNCTION IF EXISTS vizochok_admin_login(text);"
        "DROP FUNCTION IF EXISTS vizochok_create_operator(text, text, text);"
        "DROP TABLE IF EXISTS audit_log; DROP TABLE IF EXISTS admin_users;"
        "ALTER TABLE api_keys DROP COLUMN IF EXISTS rotated_to; ALTER TABLE api_keys DROP COLUMN IF EXISTS expires_at;"
        "ALTER TABLE tenants DROP COLUMN IF EXISTS plan;"
    )
