-- Privacy: the audit trail outlives the person it is about and names who read when no user did (the
-- operating-system user of a command, 'cli:<name>'); nothing that records what was disclosed or agreed
-- (audit rows, consents, proposals with their intro cards, placements) cascades away with a deleted
-- jobseeker: a person is erased (identity and free text blanked, erased_at set), never deleted.

ALTER TABLE audit_log ADD COLUMN actor_label text;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_one_actor CHECK (actor_id IS NULL OR actor_label IS NULL);
ALTER TABLE audit_log DROP CONSTRAINT audit_log_jobseeker_id_fkey,
    ADD CONSTRAINT audit_log_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);

ALTER TABLE consents DROP CONSTRAINT consents_jobseeker_id_fkey,
    ADD CONSTRAINT consents_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);
ALTER TABLE proposals DROP CONSTRAINT proposals_jobseeker_id_fkey,
    ADD CONSTRAINT proposals_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);
ALTER TABLE placements DROP CONSTRAINT placements_jobseeker_id_fkey,
    ADD CONSTRAINT placements_jobseeker_id_fkey FOREIGN KEY (jobseeker_id) REFERENCES jobseekers (id);

ALTER TABLE jobseekers ADD COLUMN erased_at timestamptz;
