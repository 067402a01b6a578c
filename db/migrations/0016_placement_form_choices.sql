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
