-- Account care (accounts/care.py): one-time password reset links and the trail of what was done to a
-- user account (edited, deactivated, reactivated, reset link issued, password reset or changed).

-- A reset link's token is kept only as its SHA-256; it opens once, until it expires.
CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- Who did what to which account, and when: ids and an action, never a password or a link.
CREATE TABLE account_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id     bigint NOT NULL REFERENCES areas (id),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id    bigint REFERENCES users (id) ON DELETE SET NULL,
    actor_name  text,
    action      text NOT NULL CHECK (action IN ('updated', 'deactivated', 'reactivated', 'reset_link_issued',
                                                'password_reset', 'password_changed')),
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_events_user_idx ON account_events (user_id, at);

ALTER TABLE account_events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON account_events TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON account_events TO kohtaamo_maintenance USING (true) WITH CHECK (true);
ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON password_resets TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
CREATE POLICY maintenance ON password_resets TO kohtaamo_maintenance USING (true) WITH CHECK (true);

-- Following a reset link comes before any area is known, as a sign-in does: the link is the secret the
-- caller holds, and this lookup finds the one active user behind a live, unused link.
CREATE FUNCTION kohtaamo_reset_principal(token_hash text)
    RETURNS TABLE (id bigint, area_id bigint, role text, display_name text, employer_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT u.id, u.area_id, u.role, u.display_name, u.employer_id
        FROM password_resets r JOIN users u ON u.id = r.user_id
        WHERE r.token_hash = $1 AND r.expires_at > now() AND r.used_at IS NULL AND u.active
    $$;
REVOKE ALL ON FUNCTION kohtaamo_reset_principal(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kohtaamo_reset_principal(text) TO kohtaamo_service;
