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
