-- An area's history travels in the interchange format (docs/interchange.md): the contact log, consents,
-- proposals and placements keep the external id they were imported under, so that exporting an imported
-- area gives the same ids back and importing the same file again finds the same rows. Rows made in the
-- product have none (an export generates ``contact-<id>`` and the like).

ALTER TABLE contacts ADD COLUMN external_id text;
CREATE UNIQUE INDEX contacts_external_id_idx ON contacts (area_id, external_id);
ALTER TABLE consents ADD COLUMN external_id text;
CREATE UNIQUE INDEX consents_external_id_idx ON consents (jobseeker_id, external_id);
ALTER TABLE proposals ADD COLUMN external_id text;
CREATE UNIQUE INDEX proposals_external_id_idx ON proposals (area_id, external_id);
ALTER TABLE placements ADD COLUMN external_id text;
CREATE UNIQUE INDEX placements_external_id_idx ON placements (area_id, external_id);
