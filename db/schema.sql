-- The whole current schema: what every migration in db/migrations/ produces, applied in order.
-- Regenerate with db/build_schema.sh; tests/foundation checks that the two agree.

-- Foundation: employment areas, users, employers, contacts, needs, jobseekers, work capacity,
-- consents, audit trail and idempotency keys.

CREATE TABLE areas (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE area_municipalities (
    area_id       bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    municipality  text NOT NULL,
    PRIMARY KEY (area_id, municipality)
);

CREATE TABLE employers (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id              bigint NOT NULL REFERENCES areas (id),
    external_id          text,
    business_id          text NOT NULL,
    name                 text NOT NULL,
    municipality         text NOT NULL,
    sector               text,
    size_class           text,
    partnership_status   text NOT NULL DEFAULT 'none',
    social_procurement   boolean NOT NULL DEFAULT false,
    is_municipal         boolean NOT NULL DEFAULT false,
    contact_persons      jsonb NOT NULL DEFAULT '[]'::jsonb,
    archived             boolean NOT NULL DEFAULT false,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, business_id),
    UNIQUE (area_id, external_id)
);
CREATE INDEX employers_area_name_idx ON employers (area_id, lower(name));

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id        bigint NOT NULL REFERENCES areas (id),
    email          text NOT NULL UNIQUE,
    display_name   text NOT NULL,
    role           text NOT NULL CHECK (role IN ('coordinator', 'caseworker', 'employer', 'admin')),
    employer_id    bigint REFERENCES employers (id),
    password_hash  text NOT NULL,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'employer') = (employer_id IS NOT NULL))
);

CREATE TABLE api_tokens (
    token_hash  text PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE contacts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id         bigint NOT NULL REFERENCES areas (id),
    employer_id     bigint NOT NULL REFERENCES employers (id),
    user_id         bigint REFERENCES users (id),
    kind            text NOT NULL CHECK (kind IN ('visit', 'call', 'event', 'email')),
    contact_date    date NOT NULL,
    summary         text NOT NULL,
    next_step       text,
    next_step_date  date,
    archived        boolean NOT NULL DEFAULT false,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_employer_idx ON contacts (employer_id, contact_date DESC);
CREATE INDEX contacts_due_idx ON contacts (area_id, next_step_date) WHERE NOT archived;

CREATE TABLE needs (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id           bigint NOT NULL REFERENCES areas (id),
    employer_id       bigint NOT NULL REFERENCES employers (id),
    contact_id        bigint REFERENCES contacts (id),
    external_id       text,
    title             text NOT NULL,
    description       text NOT NULL DEFAULT '',
    skills            text[] NOT NULL DEFAULT '{}',
    nice_skills       text[] NOT NULL DEFAULT '{}',
    occupation        text,
    municipality      text NOT NULL,
    latitude          double precision,
    longitude         double precision,
    hours_per_week    numeric(4, 1),
    shifts            text[] NOT NULL DEFAULT '{}',
    start_date        date,
    duration_months   integer,
    positions         integer NOT NULL DEFAULT 1 CHECK (positions >= 1),
    positions_filled  integer NOT NULL DEFAULT 0 CHECK (positions_filled >= 0),
    languages         jsonb NOT NULL DEFAULT '{}'::jsonb,
    certificates      text[] NOT NULL DEFAULT '{}',
    physical_demands  text[] NOT NULL DEFAULT '{}',
    adaptations       text NOT NULL DEFAULT '',
    supervisor_on_site boolean NOT NULL DEFAULT false,
    placement_forms   text[] NOT NULL DEFAULT '{}',
    visibility        text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'hidden')),
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'cancelled', 'expired')),
    is_assistive      boolean NOT NULL DEFAULT false,
    municipal_unit    text,
    text_language     text NOT NULL DEFAULT 'fi',
    created_by        bigint REFERENCES users (id),
    archived          boolean NOT NULL DEFAULT false,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, external_id),
    CHECK (positions_filled <= positions)
);
CREATE INDEX needs_area_status_idx ON needs (area_id, status);
CREATE INDEX needs_employer_idx ON needs (employer_id);

CREATE TABLE jobseekers (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id                 bigint NOT NULL REFERENCES areas (id),
    external_id             text,
    pseudonym               text NOT NULL,
    full_name               text,
    email                   text,
    phone                   text,
    birth_year              integer,
    municipality            text NOT NULL,
    profile_text            text NOT NULL DEFAULT '',
    education               text NOT NULL DEFAULT '',
    work_history            text NOT NULL DEFAULT '',
    skills                  text[] NOT NULL DEFAULT '{}',
    languages               jsonb NOT NULL DEFAULT '{}'::jsonb,
    desired_occupations     text[] NOT NULL DEFAULT '{}',
    desired_hours_per_week  numeric(4, 1),
    max_commute_km          integer,
    driving_licences        text[] NOT NULL DEFAULT '{}',
    placement_forms         text[] NOT NULL DEFAULT '{}',
    service_stage           text,
    available               boolean NOT NULL DEFAULT true,
    caseworker_id           bigint REFERENCES users (id),
    text_language           text NOT NULL DEFAULT 'fi',
    archived                boolean NOT NULL DEFAULT false,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, external_id),
    UNIQUE (area_id, pseudonym)
);
CREATE INDEX jobseekers_caseworker_idx ON jobseekers (caseworker_id);

CREATE TABLE jobseeker_certificates (
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    name          text NOT NULL,
    expires_on    date,
    PRIMARY KEY (jobseeker_id, name)
);

CREATE TABLE work_capacity (
    jobseeker_id        bigint PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
    max_hours_per_day   numeric(3, 1),
    max_hours_per_week  numeric(4, 1),
    no_heavy_lifting    boolean NOT NULL DEFAULT false,
    no_night_shifts     boolean NOT NULL DEFAULT false,
    no_shift_work       boolean NOT NULL DEFAULT false,
    needs_supervisor    boolean NOT NULL DEFAULT false,
    excluded_demands    text[] NOT NULL DEFAULT '{}',
    details             text NOT NULL DEFAULT '',
    version             integer NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE work_capacity_assessments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    assessed_on   date NOT NULL,
    measure       text NOT NULL,
    score         numeric(6, 2) NOT NULL,
    notes         text NOT NULL DEFAULT '',
    recorded_by   bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX work_capacity_assessments_js_idx ON work_capacity_assessments (jobseeker_id, assessed_on);

CREATE TABLE consents (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    scope         text NOT NULL CHECK (scope IN ('disclose_identity', 'share_profile')),
    employer_id   bigint REFERENCES employers (id),
    given_at      timestamptz NOT NULL DEFAULT now(),
    withdrawn_at  timestamptz,
    recorded_by   bigint REFERENCES users (id)
);
CREATE INDEX consents_jobseeker_idx ON consents (jobseeker_id);

CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       bigint NOT NULL REFERENCES areas (id),
    actor_id      bigint REFERENCES users (id),
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    action        text NOT NULL,
    reason        text NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_jobseeker_idx ON audit_log (jobseeker_id, at);

CREATE TABLE idempotency_keys (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key            text NOT NULL,
    request_hash   text NOT NULL,
    status_code    integer NOT NULL,
    response_body  jsonb NOT NULL,
    headers        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Matching: one embedding per need and per jobseeker profile, with the model and the text it came from.

CREATE TABLE need_vectors (
    need_id     bigint PRIMARY KEY REFERENCES needs (id) ON DELETE CASCADE,
    model_id    text NOT NULL,
    text_hash   text NOT NULL,
    vector      real[] NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobseeker_vectors (
    jobseeker_id  bigint PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
    model_id      text NOT NULL,
    text_hash     text NOT NULL,
    vector        real[] NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Coordination workflow: proposals with their frozen ranking explanation and intro card, the employer's
-- answer, the placement state machine, placements and their follow-ups, and the labelled pairs that
-- matching learns from.

CREATE TABLE proposals (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id         bigint NOT NULL REFERENCES areas (id),
    need_id         bigint NOT NULL REFERENCES needs (id),
    employer_id     bigint NOT NULL REFERENCES employers (id),
    jobseeker_id    bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    proposed_by     bigint NOT NULL REFERENCES users (id),
    note            text NOT NULL DEFAULT '',
    explanation     jsonb NOT NULL,
    rank            integer CHECK (rank >= 1),
    score           double precision NOT NULL,
    model_id        text NOT NULL,
    card            jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'proposed' CHECK (state IN
                        ('proposed', 'interested', 'interview', 'placed', 'ended', 'declined', 'not_hired')),
    answer          text CHECK (answer IN ('interested', 'not_now', 'not_suitable')),
    reason_code     text CHECK (reason_code IN ('skills', 'experience', 'language', 'availability', 'other')),
    answer_comment  text,
    answered_at     timestamptz,
    answered_by     bigint REFERENCES users (id),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (need_id, jobseeker_id),
    CHECK ((answer IS NULL) = (answered_at IS NULL)),
    CHECK (answer IS DISTINCT FROM 'not_suitable' OR reason_code IS NOT NULL)
);
CREATE INDEX proposals_area_state_idx ON proposals (area_id, state);
CREATE INDEX proposals_employer_idx ON proposals (employer_id, created_at);
CREATE INDEX proposals_jobseeker_idx ON proposals (jobseeker_id, state);
CREATE INDEX proposals_unanswered_idx ON proposals (area_id, created_at) WHERE answered_at IS NULL;

CREATE TABLE proposal_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id  bigint NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    from_state   text,
    to_state     text NOT NULL,
    actor_id     bigint REFERENCES users (id),
    note         text NOT NULL DEFAULT '',
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposal_events_proposal_idx ON proposal_events (proposal_id, at);

CREATE TABLE placements (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id             bigint NOT NULL REFERENCES areas (id),
    proposal_id         bigint NOT NULL UNIQUE REFERENCES proposals (id) ON DELETE CASCADE,
    need_id             bigint NOT NULL REFERENCES needs (id),
    employer_id         bigint NOT NULL REFERENCES employers (id),
    jobseeker_id        bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    form                text NOT NULL CHECK (form IN ('open_job', 'pay_subsidy', 'work_trial', 'apprenticeship',
                            'recruitment_training', 'summer_job', 'assistive_task')),
    start_date          date NOT NULL,
    end_date            date,
    hours_per_week      numeric(4, 1) CHECK (hours_per_week > 0),
    decision_reference  text,
    confirmed_by        bigint REFERENCES users (id),
    ended_on            date,
    end_reason          text,
    warnings            jsonb NOT NULL DEFAULT '[]'::jsonb,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK (ended_on IS NULL OR ended_on >= start_date)
);
CREATE INDEX placements_area_start_idx ON placements (area_id, start_date);
CREATE INDEX placements_employer_idx ON placements (employer_id, start_date);
CREATE INDEX placements_jobseeker_idx ON placements (jobseeker_id, start_date);

CREATE TABLE placement_follow_ups (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placement_id  bigint NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    due_months    smallint NOT NULL CHECK (due_months IN (3, 6)),
    outcome       text NOT NULL CHECK (outcome IN
                      ('still_employed', 'open_labour_market', 'studies', 'unemployed', 'other')),
    note          text NOT NULL DEFAULT '',
    recorded_by   bigint REFERENCES users (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (placement_id, due_months)
);

-- Labelled pairs for learning from outcomes: every proposal with what became of it.
-- label: 2 placed, 1 the employer was interested, 0 not suitable or not hired, NULL not (yet) known.
CREATE VIEW proposal_outcomes AS
SELECT p.id AS proposal_id,
       p.area_id,
       p.need_id,
       p.employer_id,
       p.jobseeker_id,
       p.model_id,
       p.rank,
       p.score,
       p.created_at AS proposed_at,
       p.state,
       p.answer,
       p.reason_code,
       pl.id AS placement_id,
       pl.form AS placement_form,
       CASE
           WHEN pl.id IS NOT NULL THEN 2
           WHEN p.answer = 'interested' OR p.state IN ('interested', 'interview') THEN 1
           WHEN p.answer = 'not_suitable' OR p.state = 'not_hired' THEN 0
       END AS label
FROM proposals p
LEFT JOIN placements pl ON pl.proposal_id = p.id;

-- Web pages: server-side sign-in sessions, failed sign-in attempts (rate limit) and used form tokens
-- (a double-submitted form creates one record).

CREATE TABLE web_sessions (
    token_hash    text PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

CREATE TABLE web_login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    client_ip   text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_login_failures_key_idx ON web_login_failures (email, client_ip, at);

CREATE TABLE web_form_tokens (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token       text NOT NULL,
    location    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, token)
);

-- Sign-in attempts, one table for the pages and the API (accounts/signin_limits.py): every attempt not
-- known to have succeeded, counted per email and per client address over a short window, then deleted.
-- The email is kept only as the SHA-256 of its normalised form. Replaces the pages' own failure table.

DROP TABLE web_login_failures;

CREATE TABLE sign_in_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_hash      text NOT NULL,
    client_address  text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (email_hash, at);
CREATE INDEX sign_in_attempts_address_idx ON sign_in_attempts (client_address, at);
CREATE INDEX sign_in_attempts_at_idx ON sign_in_attempts (at);

-- Privacy: the audit trail outlives the person it is about and names who read when no user did (the
-- operating-system user of a command, 'cli:<name>'); nothing that records what was disclosed or agreed
-- (audit rows, consents, proposals with their intro cards, placements) cascades away with a deleted
-- jobseeker: a person is erased (identity and free text blanked, erased_at set), never deleted.

ALTER TABLE audit_log ADD COLUMN actor_label text;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_one_actor CHECK (actor_id IS NULL OR actor_label IS NULL);
ALTER TABLE audit_log DROP CONSTRAINT audit_log_jobseeker_id_fkey,
    ADD CONSTRAINT audit_log_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);

ALTER TABLE consents DROP CONSTRAINT consents_jobseeker_id_fkey,
    ADD CONSTRAINT consents_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);
ALTER TABLE proposals DROP CONSTRAINT proposals_jobseeker_id_fkey,
    ADD CONSTRAINT proposals_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);
ALTER TABLE placements DROP CONSTRAINT placements_jobseeker_id_fkey,
    ADD CONSTRAINT placements_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);

ALTER TABLE jobseekers ADD COLUMN erased_at timestamptz;

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

-- The inbox and its mail: each user's notices, which of them go out by e-mail, and the mail outbox.
-- docs/architecture.md ("Notices and mail") says who writes them and how mail leaves.

-- One notice for one user. (user_id, kind, subject_key) is unique: the same event or due item never
-- gives a user two notices (the reminders run every hour and must be idempotent).
CREATE TABLE notifications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id      bigint NOT NULL REFERENCES areas (id),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('intro_card', 'proposal_answered', 'consent_changed',
                                               'contact_due', 'follow_up_due', 'plan_review_due')),
    subject_key  text NOT NULL,
    data         jsonb NOT NULL DEFAULT '{}',
    link         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    UNIQUE (user_id, kind, subject_key)
);
CREATE INDEX notifications_inbox_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- A user's choice of which kinds reach e-mail and in which language; no row means every kind, in Finnish.
CREATE TABLE notification_preferences (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_kinds  text[] NOT NULL,
    language     text NOT NULL DEFAULT 'fi' CHECK (language IN ('fi', 'sv', 'en')),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Mail written in the transaction that made its notice, delivered after the commit by the mail worker
-- (or kept here, for the admins to read, when no SMTP server is configured). sent_at is set once the
-- SMTP server accepted it; a failed try is retried at next_attempt_at until attempts reach the limit.
CREATE TABLE mail_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id          bigint NOT NULL REFERENCES areas (id),
    user_id          bigint REFERENCES users (id) ON DELETE SET NULL,
    kind             text NOT NULL,
    recipient        text NOT NULL,
    subject          text NOT NULL,
    body             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    sent_at          timestamptz,
    gave_up_at       timestamptz
);
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX mail_outbox_area_idx ON mail_outbox (area_id, created_at DESC);

-- The walls. A request may write a notice for any user of its area (the employer's answer notifies the
-- coordinator), but reads, marks and deletes only its own user's.
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own_notices ON notifications TO kohtaamo_service
    USING (area_id = kohtaamo_area() AND user_id = kohtaamo_user());
CREATE POLICY area_writes ON notifications FOR INSERT TO kohtaamo_service
    WITH CHECK (area_id = kohtaamo_area() AND EXISTS (
        SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON notification_preferences TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON mail_outbox TO kohtaamo_service USING (area_id = kohtaamo_area());

CREATE POLICY maintenance ON notifications TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON notification_preferences TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON mail_outbox TO kohtaamo_maintenance USING (true) WITH CHECK (true);

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

-- The last filter of each list page, per user (web/list_filters.py): a list opened without parameters
-- shows it again, until the user resets it. Only filters are kept (status, dates, municipality, owner,
-- words about needs or employers), never a search for a person by name. Walled by the user's area, as
-- web_form_tokens is.
CREATE TABLE web_list_filters (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list        text NOT NULL,
    query       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, list)
);
ALTER TABLE web_list_filters ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON web_list_filters TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
CREATE POLICY maintenance ON web_list_filters TO kohtaamo_maintenance USING (true) WITH CHECK (true);

-- When each jobseeker was last shown in a need's ranking (matching.exposure): near-equal candidates are
-- ordered least recently shown first. One row per jobseeker, its latest showing only; deleted 90 days
-- after it (docs/retention.md), and with the jobseeker.
CREATE TABLE match_showings (
    jobseeker_id bigint PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
    area_id bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    shown_at timestamptz NOT NULL
);
CREATE INDEX match_showings_shown_at ON match_showings (shown_at);

ALTER TABLE match_showings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON match_showings TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON match_showings TO kohtaamo_maintenance USING (true) WITH CHECK (true);

-- The jobseeker's path: target-group facts of each jobseeker, the area's saved target groups (rules
-- evaluated here, in SQL), the own caseworker's service-need assessments (walled like work capacity) and
-- the client's plan with its goals, steps and review date.

ALTER TABLE jobseekers
    ADD COLUMN unemployed_since   date,
    ADD COLUMN benefit            text CHECK (benefit IN ('labour_market_subsidy', 'earnings_related', 'none')),
    ADD COLUMN subsidy_days       integer CHECK (subsidy_days BETWEEN 0 AND 5000),
    ADD COLUMN integration_plan   boolean;

-- Whether a jobseeker's facts meet a target group's rule on ``today``: every condition the rule names
-- must hold (AND); a fact that is not recorded meets no condition on it. The rule's shape is checked on
-- save (jobseekers/target_groups.py); unemployment is counted in whole months, age from the birth year.
CREATE FUNCTION target_group_match(
    rule jsonb, unemployed_since date, benefit text, subsidy_days integer, birth_year integer,
    integration_plan boolean, today date
) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (NOT rule ? 'unemployment_months_min'
            OR unemployed_since + make_interval(months => (rule ->> 'unemployment_months_min')::int) <= today)
       AND (NOT rule ? 'unemployment_months_max'
            OR unemployed_since + make_interval(months => (rule ->> 'unemployment_months_max')::int + 1) > today)
       AND (NOT rule ? 'benefits'
            OR benefit IN (SELECT jsonb_array_elements_text(rule -> 'benefits')))
       AND (NOT rule ? 'subsidy_days_min' OR subsidy_days >= (rule ->> 'subsidy_days_min')::int)
       AND (NOT rule ? 'age_under'
            OR extract(year FROM today)::int - birth_year < (rule ->> 'age_under')::int)
       AND (NOT rule ? 'age_min'
            OR extract(year FROM today)::int - birth_year >= (rule ->> 'age_min')::int)
       AND (NOT rule ? 'integration_plan' OR integration_plan = (rule ->> 'integration_plan')::boolean)
$$;

CREATE TABLE target_groups (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id     bigint NOT NULL REFERENCES areas (id),
    name        text NOT NULL,
    rule        jsonb NOT NULL,
    created_by  bigint REFERENCES users (id),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, name)
);

CREATE TABLE service_need_assessments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    assessed_on   date NOT NULL,
    level         text NOT NULL CHECK (level IN ('job_ready', 'light_support', 'intensive_support',
                                                  'multi_professional')),
    needs         text[] NOT NULL DEFAULT '{}',
    notes         text NOT NULL DEFAULT '',
    recorded_by   bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_need_assessments_js_idx ON service_need_assessments (jobseeker_id, assessed_on);

CREATE TABLE plans (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jobseeker_id        bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind IN ('activation', 'employment')),
    drawn_up_on         date NOT NULL,
    agreed_with_client  boolean NOT NULL DEFAULT false,
    review_on           date,
    recorded_by         bigint REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (review_on IS NULL OR review_on >= drawn_up_on)
);
CREATE INDEX plans_jobseeker_idx ON plans (jobseeker_id, drawn_up_on);
CREATE INDEX plans_review_idx ON plans (review_on);

CREATE TABLE plan_items (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id   bigint NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('goal', 'step')),
    text      text NOT NULL,
    due_on    date,
    UNIQUE (plan_id, position)
);

-- The second wall (see 0008): target groups are the area's; plans and their items are seen through their
-- jobseeker's area; service-need assessments are health-related and the own caseworker's alone.
ALTER TABLE target_groups ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON target_groups TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE plans ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON plans TO kohtaamo_service USING (EXISTS (
    SELECT FROM jobseekers j WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area()));
ALTER TABLE plan_items ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON plan_items TO kohtaamo_service USING (EXISTS (
    SELECT FROM plans p JOIN jobseekers j ON j.id = p.jobseeker_id
    WHERE p.id = plan_id AND j.area_id = kohtaamo_area()));
ALTER TABLE service_need_assessments ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own_caseworker ON service_need_assessments TO kohtaamo_service USING (
    kohtaamo_role() = 'caseworker' AND EXISTS (
        SELECT FROM jobseekers j
        WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area() AND j.caseworker_id = kohtaamo_user()));

-- Erasure (an admin's): the service-need assessments of a person being erased, and only then (as 0008
-- lets erasure reach work capacity).
CREATE POLICY erasure ON service_need_assessments TO kohtaamo_service USING (
    kohtaamo_role() = 'admin' AND EXISTS (
        SELECT FROM jobseekers j
        WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area() AND j.erased_at IS NOT NULL));

CREATE POLICY maintenance ON target_groups TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON plans TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON plan_items TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON service_need_assessments TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON target_groups, plans, plan_items, service_need_assessments
    TO kohtaamo_service;

-- Services beyond placements: the area's actor map (toimijakartta) of service providers and what each
-- offers, and referrals of a client to a provider's service with start, end and outcome. Employers get
-- their kind (firm, public body, third sector), recorded rather than guessed from the municipal flag;
-- a pay-subsidy placement its percentage and months (the decision is its decision_reference).

ALTER TABLE employers
    ADD COLUMN kind text CHECK (kind IN ('firm', 'public_body', 'third_sector'));

ALTER TABLE placements
    ADD COLUMN subsidy_percent  smallint CHECK (subsidy_percent BETWEEN 1 AND 100),
    ADD COLUMN subsidy_months   smallint CHECK (subsidy_months BETWEEN 1 AND 60),
    ADD CHECK ((subsidy_percent IS NULL AND subsidy_months IS NULL) OR form = 'pay_subsidy');

CREATE TABLE service_providers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       bigint NOT NULL REFERENCES areas (id),
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('te_office', 'kela', 'typ', 'municipality', 'school',
                                                 'association', 'private')),
    municipality  text,
    services      text[] NOT NULL CHECK (cardinality(services) > 0 AND services <@ ARRAY[
                      'job_search_coaching', 'career_coaching', 'labour_market_training',
                      'self_motivated_study', 'start_up_grant', 'rehabilitative_work', 'working_life_trial',
                      'training_agreement', 'rehabilitation', 'other']::text[]),
    contact       text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    archived      boolean NOT NULL DEFAULT false,
    created_by    bigint REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, name),
    UNIQUE (id, area_id)
);

CREATE TABLE referrals (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       bigint NOT NULL REFERENCES areas (id),
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    -- The provider must be of the referral's area: the pair is the foreign key.
    provider_id   bigint NOT NULL,
    service       text NOT NULL,
    starts_on     date NOT NULL,
    ends_on       date,
    outcome       text CHECK (outcome IN ('employment', 'education', 'te_services', 'other_service',
                                          'interrupted', 'no_change')),
    referred_by   bigint REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (provider_id, area_id) REFERENCES service_providers (id, area_id),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK (outcome IS NULL OR ends_on IS NOT NULL)
);
CREATE INDEX referrals_jobseeker_idx ON referrals (jobseeker_id, starts_on);
CREATE INDEX referrals_area_idx ON referrals (area_id, service, starts_on);

-- The second wall (see 0008): both are the area's.
ALTER TABLE service_providers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON service_providers TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON referrals TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON service_providers TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON referrals TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON service_providers, referrals TO kohtaamo_service;

-- The ordered log of changes to needs and jobseekers that the matching index follows. Each writer adds
-- its row in the transaction that changes the need or the jobseeker (core.events.notify_change), so a
-- worker that was down, or whose snapshot of the index is older, catches up from the log; NOTIFY only
-- wakes the followers. ``xid`` is the writing transaction: a follower has applied every change whose
-- transaction is older than the oldest one still running when it last read (matching/follower.py), which
-- ids alone cannot tell (a later id may commit first). Rows older than a week are pruned
-- (matching.changes.prune); a snapshot older than that is rebuilt rather than caught up.

CREATE TABLE matching_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind        text NOT NULL CHECK (kind IN ('need', 'jobseeker')),
    row_id      bigint NOT NULL,
    area_id     bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX matching_changes_xid_idx ON matching_changes (xid);
CREATE INDEX matching_changes_changed_at_idx ON matching_changes (changed_at);

-- The second wall (see 0008): a request writes and sees the changes of its own area; the engine's
-- follower reads them all as the owner.
ALTER TABLE matching_changes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON matching_changes TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON matching_changes TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON matching_changes TO kohtaamo_service;

-- The jobseeker decides which placement forms they accept: each change of their mind, as the own
-- caseworker records it (which form, added or removed, the day the jobseeker decided, who recorded it).
-- The current choice stays in jobseekers.placement_forms; this is its history.

CREATE TABLE placement_form_choices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    form          text NOT NULL CHECK (form IN ('open_job', 'pay_subsidy', 'work_trial', 'apprenticeship',
                                                 'recruitment_training', 'summer_job', 'assistive_task')),
    change        text NOT NULL CHECK (change IN ('added', 'removed')),
    decided_on    date NOT NULL,
    recorded_by   bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX placement_form_choices_js_idx ON placement_form_choices (jobseeker_id, created_at);

-- The second wall (see 0008): seen through the jobseeker's area.
ALTER TABLE placement_form_choices ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON placement_form_choices TO kohtaamo_service USING (EXISTS (
    SELECT FROM jobseekers j WHERE j.id = jobseeker_id AND j.area_id = kohtaamo_area()));
CREATE POLICY maintenance ON placement_form_choices TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON placement_form_choices TO kohtaamo_service;

-- Field work by more of the area's staff (issue 16, points 2 and 3).
--
-- Each employer has a named responsible coordinator ("kasvot palvelulle"): a coordinator of the
-- employer's area (checked by employers.coordinators; the foreign key only says the user exists).
-- Each change of it is kept with who made it, so a reassignment can be traced.
-- Per area, whether caseworkers (job coaches) may log employer contacts and record needs; on unless
-- the area's admin switches it off (no row: the default).

ALTER TABLE employers ADD COLUMN responsible_coordinator bigint REFERENCES users (id);
CREATE INDEX employers_responsible_idx ON employers (area_id, responsible_coordinator);

CREATE TABLE employer_coordinator_changes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id          bigint NOT NULL REFERENCES areas (id),
    employer_id      bigint NOT NULL REFERENCES employers (id) ON DELETE CASCADE,
    previous_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    new_user_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    actor_id         bigint REFERENCES users (id) ON DELETE SET NULL,
    actor_name       text NOT NULL,
    at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX employer_coordinator_changes_employer_idx ON employer_coordinator_changes (employer_id, at);

CREATE TABLE area_settings (
    area_id                bigint PRIMARY KEY REFERENCES areas (id) ON DELETE CASCADE,
    caseworker_field_work  boolean NOT NULL DEFAULT true,
    updated_by             bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- The second wall (see 0008): the row's area is the request's.
ALTER TABLE employer_coordinator_changes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON employer_coordinator_changes TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON employer_coordinator_changes TO kohtaamo_maintenance USING (true) WITH CHECK (true);
ALTER TABLE area_settings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON area_settings TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON area_settings TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON employer_coordinator_changes, area_settings TO kohtaamo_service;

-- Recruitment events (rekrytointitapahtumat): a fair, an entrepreneurs' morning coffee, a pop-up Friday, a
-- company visit for a group. Each has a day, a place and an organiser of the area, several employers and
-- invited jobseekers, and records who attended. An employer's attendance is written into its contact log
-- (contacts.event_id); needs found and proposals made at an event name it (event_id).

CREATE TABLE recruitment_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       bigint NOT NULL REFERENCES areas (id),
    external_id   text,
    kind          text NOT NULL CHECK (kind IN ('fair', 'morning_coffee', 'popup_friday', 'company_visit', 'other')),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    event_date    date NOT NULL,
    municipality  text NOT NULL,
    place         text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    organiser_id  bigint NOT NULL REFERENCES users (id),
    created_by    bigint REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, external_id)
);
CREATE INDEX recruitment_events_area_date_idx ON recruitment_events (area_id, event_date DESC);

-- The employers taking part; an attended one has a contact in its log (kept with the row).
CREATE TABLE event_employers (
    event_id     bigint NOT NULL REFERENCES recruitment_events (id) ON DELETE CASCADE,
    employer_id  bigint NOT NULL REFERENCES employers (id),
    attendance   text NOT NULL DEFAULT 'invited' CHECK (attendance IN ('invited', 'attended', 'absent')),
    contact_id   bigint REFERENCES contacts (id),
    PRIMARY KEY (event_id, employer_id)
);
CREATE INDEX event_employers_employer_idx ON event_employers (employer_id);

-- The jobseekers invited, and whether they came.
CREATE TABLE event_jobseekers (
    event_id      bigint NOT NULL REFERENCES recruitment_events (id) ON DELETE CASCADE,
    jobseeker_id  bigint NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
    attendance    text NOT NULL DEFAULT 'invited' CHECK (attendance IN ('invited', 'attended', 'absent')),
    invited_by    bigint REFERENCES users (id),
    marked_by     bigint REFERENCES users (id),
    marked_at     timestamptz,
    PRIMARY KEY (event_id, jobseeker_id)
);
CREATE INDEX event_jobseekers_jobseeker_idx ON event_jobseekers (jobseeker_id);

-- What came of an event links back to it. A need found at an event belongs to one of its employers (the
-- key says so: the pair must be a participant); a proposal names the event it was made at.
ALTER TABLE contacts ADD COLUMN event_id bigint REFERENCES recruitment_events (id);
ALTER TABLE needs ADD COLUMN event_id bigint;
ALTER TABLE needs ADD CONSTRAINT needs_event_participant_fkey
    FOREIGN KEY (event_id, employer_id) REFERENCES event_employers (event_id, employer_id);
CREATE INDEX needs_event_idx ON needs (event_id) WHERE event_id IS NOT NULL;
ALTER TABLE proposals ADD COLUMN event_id bigint REFERENCES recruitment_events (id);
CREATE INDEX proposals_event_idx ON proposals (event_id) WHERE event_id IS NOT NULL;

-- The second wall (see 0008): the event's area; its participants through their event.
ALTER TABLE recruitment_events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON recruitment_events TO kohtaamo_service USING (area_id = kohtaamo_area());
ALTER TABLE event_employers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON event_employers TO kohtaamo_service USING (EXISTS (
    SELECT FROM recruitment_events e WHERE e.id = event_id AND e.area_id = kohtaamo_area()));
ALTER TABLE event_jobseekers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON event_jobseekers TO kohtaamo_service USING (EXISTS (
    SELECT FROM recruitment_events e WHERE e.id = event_id AND e.area_id = kohtaamo_area()));
CREATE POLICY maintenance ON recruitment_events TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON event_employers TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON event_jobseekers TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON recruitment_events, event_employers, event_jobseekers TO kohtaamo_service;

-- Job carving (silpputyö): small tasks a coordinator finds at employers (hours a week, a weekly schedule
-- of day + time slots, skills, physical demands, a municipality), bundled into a carved job. A carved job
-- is a need row like any other (matching treats it so); carved_jobs marks it, and each task names the
-- carved job it belongs to. A task is open until bundled, bundled while its carved job is open, and filled
-- when someone is placed in that job.

CREATE TABLE carving_tasks (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id           bigint NOT NULL REFERENCES areas (id),
    employer_id       bigint NOT NULL REFERENCES employers (id),
    external_id       text,
    title             text NOT NULL,
    description       text NOT NULL DEFAULT '',
    hours_per_week    numeric(4, 1) NOT NULL CHECK (hours_per_week > 0 AND hours_per_week <= 60),
    schedule          jsonb NOT NULL DEFAULT '[]'::jsonb,
    skills            text[] NOT NULL DEFAULT '{}',
    physical_demands  text[] NOT NULL DEFAULT '{}',
    municipality      text NOT NULL,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'bundled', 'filled', 'cancelled')),
    need_id           bigint REFERENCES needs (id),
    created_by        bigint REFERENCES users (id),
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, external_id),
    CHECK ((status = 'open') = (need_id IS NULL) OR status = 'cancelled')
);
CREATE INDEX carving_tasks_area_status_idx ON carving_tasks (area_id, status);
CREATE INDEX carving_tasks_need_idx ON carving_tasks (need_id);

CREATE TABLE carved_jobs (
    need_id     bigint PRIMARY KEY REFERENCES needs (id),
    area_id     bigint NOT NULL REFERENCES areas (id),
    external_id text,
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, external_id)
);

-- The second wall (see 0008): the row's area is the request's.
ALTER TABLE carving_tasks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON carving_tasks TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON carving_tasks TO kohtaamo_maintenance USING (true) WITH CHECK (true);
ALTER TABLE carved_jobs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON carved_jobs TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON carved_jobs TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON carving_tasks, carved_jobs TO kohtaamo_service;

-- A plan is kept up to date by the own caseworker (jobseekers/plans.py: update_plan): its goals, steps
-- and review date change at the version the caseworker read, as every versioned change does (If-Match).

ALTER TABLE plans
    ADD COLUMN version    integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- An area's history travels in the interchange format (docs/interchange.md): the contact log, consents,
-- proposals and placements keep the external id they were imported under, so that exporting an imported
-- area gives the same ids back and importing the same file again finds the same rows. Rows made in the
-- product have none (an export generates ``contact-<id>`` and the like).

ALTER TABLE contacts ADD COLUMN external_id text;
CREATE UNIQUE INDEX contacts_external_id_idx ON contacts (area_id, external_id);
ALTER TABLE consents ADD COLUMN external_id text;
CREATE UNIQUE INDEX consents_external_id_idx ON consents (jobseeker_id, external_id);
ALTER TABLE proposals ADD COLUMN external_id text;
CREATE UNIQUE INDEX proposals_external_id_idx ON proposals (area_id, external_id);
ALTER TABLE placements ADD COLUMN external_id text;
CREATE UNIQUE INDEX placements_external_id_idx ON placements (area_id, external_id);

-- The jobseeker's path and the services travel in the JSONL interchange format (docs/interchange.md):
-- referrals, service-need assessments, work-ability measurements, plans and placement-form choices get
-- the external id an import stores (a line's ``external_id``), so that an export of the imported area
-- names them as the file did. A referral is the area's: its id is unique in the area; the others are
-- a jobseeker's and have no area of their own: unique per jobseeker. Target groups and service
-- providers are named by their names, already unique in the area.

ALTER TABLE referrals ADD COLUMN external_id text, ADD UNIQUE (area_id, external_id);
ALTER TABLE service_need_assessments ADD COLUMN external_id text, ADD UNIQUE (jobseeker_id, external_id);
ALTER TABLE work_capacity_assessments ADD COLUMN external_id text, ADD UNIQUE (jobseeker_id, external_id);
ALTER TABLE plans ADD COLUMN external_id text, ADD UNIQUE (jobseeker_id, external_id);
ALTER TABLE placement_form_choices ADD COLUMN external_id text, ADD UNIQUE (jobseeker_id, external_id);

-- The language a signed-in user last chose for the service (POST /language), NULL if they never chose
-- one: the language of their e-mails until they save e-mail choices of their own (notifications.service).
-- The table keeps its area wall (migration 0008); the column needs no policy of its own.
ALTER TABLE users ADD COLUMN ui_language text CHECK (ui_language IN ('fi', 'sv', 'en'));

-- A contact's agreed next step can be marked done (POST /contacts/{id}/next-step/done, the front page's
-- "Done" button): when and by whom. A done step leaves the due lists and the reminders.
-- The table keeps its area wall (migration 0008); the columns need no policy of their own.
ALTER TABLE contacts
    ADD COLUMN next_step_done_at timestamptz,
    ADD COLUMN next_step_done_by bigint REFERENCES users (id);
