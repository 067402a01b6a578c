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
