-- A plan is kept up to date by the own caseworker (jobseekers/plans.py: update_plan): its goals, steps
-- and review date change at the version the caseworker read, as every versioned change does (If-Match).

ALTER TABLE plans
    ADD COLUMN version    integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
