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
