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
