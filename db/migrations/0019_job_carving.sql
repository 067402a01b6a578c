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
