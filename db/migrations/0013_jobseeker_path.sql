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
