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
