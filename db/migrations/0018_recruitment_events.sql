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
