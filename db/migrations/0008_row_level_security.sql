-- Row-level security, the second wall between employment areas (the first is every query's own area
-- filter). docs/architecture.md ("Row-level security") says why each table is or is not walled.
--
-- Roles (cluster-wide, so created only when missing: several databases of one server share them):
--   kohtaamo_service      what the application's requests run as (the pool's connections SET ROLE to it):
--                         neither superuser nor BYPASSRLS; sees the rows of the area its request names.
--   kohtaamo_maintenance  sees every area: the owner (whoever runs the migrations) is made a member, so
--                         what legitimately spans areas (the matching engine's load and follower, the
--                         commands, migrations) runs as the owner; the service role never is a member.
-- A request names its area, user and role with set_config('kohtaamo.area_id' | 'kohtaamo.user_id' |
-- 'kohtaamo.role', ..., true) once it knows who is asking; with none named, the service sees nothing.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kohtaamo_service') THEN
        BEGIN
            CREATE ROLE kohtaamo_service NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database of this server created it at the same moment
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kohtaamo_maintenance') THEN
        BEGIN
            CREATE ROLE kohtaamo_maintenance NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    -- The owner SETs ROLE to the service, and its maintenance policies apply to it (membership with
    -- inheritance: a superuser has both already). Granting needs the roles' admin option: a server whose
    -- owner has not got it gets these two grants from its administrator before this migration.
    IF NOT pg_has_role(current_user, 'kohtaamo_service', 'USAGE') THEN
        BEGIN
            GRANT kohtaamo_service TO CURRENT_USER;
        EXCEPTION WHEN unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT pg_has_role(current_user, 'kohtaamo_maintenance', 'USAGE') THEN
        BEGIN
            GRANT kohtaamo_maintenance TO CURRENT_USER;
        EXCEPTION WHEN unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO kohtaamo_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kohtaamo_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kohtaamo_service;
-- Tables that later migrations create (they run as the same owner) are granted alike.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kohtaamo_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO kohtaamo_service;

-- What the request named (NULL when nothing was: then no area's row is seen). After a transaction that
-- set them ends, the settings read as '' rather than NULL.
CREATE FUNCTION kohtaamo_area() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('kohtaamo.area_id', true), '')::bigint $$;
CREATE FUNCTION kohtaamo_user() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('kohtaamo.user_id', true), '')::bigint $$;
CREATE FUNCTION kohtaamo_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('kohtaamo.role', true), '') $$;

-- Rows of the request's area, directly.
ALTER TABLE areas ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON areas TO kohtaamo_service USING (id = kohtaamo_area());
ALTER TABLE area_municipalities ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON area_municipalities TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE employers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON employers TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE users ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON users TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON contacts TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE needs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON needs TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE jobseekers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON jobseekers TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON audit_log TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE proposals ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON proposals TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE placements ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON placements TO kohtaamo_service USING (area_id = kohtaamo_area());

-- Rows of the area through their parent.
ALTER TABLE jobseeker_certificates ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON jobseeker_certificates TO kohtaamo_service USING (EXISTS (
    SELECT FROM jobseekers j WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area()));
ALTER TABLE consents ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON consents TO kohtaamo_service USING (EXISTS (
    SELECT FROM jobseekers j WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area()));
ALTER TABLE jobseeker_vectors ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON jobseeker_vectors TO kohtaamo_service USING (EXISTS (
    SELECT FROM jobseekers j WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area()));
ALTER TABLE need_vectors ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON need_vectors TO kohtaamo_service USING (EXISTS (
    SELECT FROM needs n WHERE n.id = need_id AND n.area_id = kohtaamo_area()));
ALTER TABLE proposal_events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON proposal_events TO kohtaamo_service USING (EXISTS (
    SELECT FROM proposals p WHERE p.id = proposal_id AND p.area_id = kohtaamo_area()));
ALTER TABLE placement_follow_ups ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON placement_follow_ups TO kohtaamo_service USING (EXISTS (
    SELECT FROM placements p WHERE p.id = placement_id AND p.area_id = kohtaamo_area()));

-- Health: work capacity and its assessments are the own caseworker's alone.
ALTER TABLE work_capacity ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own_caseworker ON work_capacity TO kohtaamo_service USING (
    kohtaamo_role() = 'caseworker' AND EXISTS (
        SELECT FROM jobseekers j
        WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area() AND j.caseworker_id = kohtaamo_user()));
ALTER TABLE work_capacity_assessments ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own_caseworker ON work_capacity_assessments TO kohtaamo_service USING (
    kohtaamo_role() = 'caseworker' AND EXISTS (
        SELECT FROM jobseekers j
        WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area() AND j.caseworker_id = kohtaamo_user()));

-- Rows of the area through their user: stored replies of idempotent requests, handled form tokens.
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON idempotency_keys TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
ALTER TABLE web_form_tokens ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON web_form_tokens TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));

-- Every walled table, for the owner and what it runs across areas.
DO $$
DECLARE
    walled text;
BEGIN
    FOR walled IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity
    LOOP
        EXECUTE format(
            'CREATE POLICY maintenance ON %I TO kohtaamo_maintenance USING (true) WITH CHECK (true)', walled
        );
    END LOOP;
END
$$;

-- The derived restrictions of work capacity (never its details) are what matching applies for every
-- staff role: this view shows them for the request's area. It reads work_capacity with its owner's
-- rights (a view does), so it filters the area itself; the maintenance role sees every area here too.
CREATE VIEW work_capacity_constraints AS
SELECT w.jobseeker_id, w.max_hours_per_day, w.max_hours_per_week, w.no_heavy_lifting, w.no_night_shifts,
       w.no_shift_work, w.needs_supervisor, w.excluded_demands
FROM work_capacity w JOIN jobseekers j ON j.id = w.jobseeker_id
WHERE j.area_id = kohtaamo_area() OR (SELECT pg_has_role('kohtaamo_maintenance', 'USAGE'));
GRANT SELECT ON work_capacity_constraints TO kohtaamo_service;

-- A view reads with its owner's rights unless it is the invoker's: the labelled pairs must be walled too.
ALTER VIEW proposal_outcomes SET (security_invoker = true);

-- Finding who is asking comes before any area is known: these three lookups, each behind a secret the
-- caller holds (a token, a session, an email with its password checked by the caller), read users with
-- the owner's rights. Nothing else does.
CREATE FUNCTION kohtaamo_token_principal(token_hash text)
    RETURNS TABLE (id bigint, area_id bigint, role text, display_name text, employer_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT u.id, u.area_id, u.role, u.display_name, u.employer_id
        FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.expires_at > now() AND u.active
    $$;
CREATE FUNCTION kohtaamo_session_principal(token_hash text)
    RETURNS TABLE (id bigint, area_id bigint, role text, display_name text, employer_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT u.id, u.area_id, u.role, u.display_name, u.employer_id
        FROM web_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active
    $$;
CREATE FUNCTION kohtaamo_sign_in_user(email text)
    RETURNS TABLE (id bigint, area_id bigint, role text, display_name text, employer_id bigint,
                   password_hash text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT u.id, u.area_id, u.role, u.display_name, u.employer_id, u.password_hash
        FROM users u WHERE u.email = lower($1) AND u.active
    $$;
REVOKE ALL ON FUNCTION kohtaamo_token_principal(text), kohtaamo_session_principal(text),
    kohtaamo_sign_in_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kohtaamo_token_principal(text), kohtaamo_session_principal(text),
    kohtaamo_sign_in_user(text) TO kohtaamo_service;

-- Erasure (an admin's): the health rows of a person being erased, and only then.
CREATE POLICY erasure ON work_capacity TO kohtaamo_service USING (
    kohtaamo_role() = 'admin' AND EXISTS (
        SELECT FROM jobseekers j
        WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area() AND j.erased_at IS NOT NULL));
CREATE POLICY erasure ON work_capacity_assessments TO kohtaamo_service USING (
    kohtaamo_role() = 'admin' AND EXISTS (
        SELECT FROM jobseekers j
        WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area() AND j.erased_at IS NOT NULL));
