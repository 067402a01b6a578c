-- The ordered log of changes to needs and jobseekers that the matching index follows. Each writer adds
-- its row in the transaction that changes the need or the jobseeker (core.events.notify_change), so a
-- worker that was down, or whose snapshot of the index is older, catches up from the log; NOTIFY only
-- wakes the followers. ``xid`` is the writing transaction: a follower has applied every change whose
-- transaction is older than the oldest one still running when it last read (matching/follower.py), which
-- ids alone cannot tell (a later id may commit first). Rows older than a week are pruned
-- (matching.changes.prune); a snapshot older than that is rebuilt rather than caught up.

CREATE TABLE matching_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind        text NOT NULL CHECK (kind IN ('need', 'jobseeker')),
    row_id      bigint NOT NULL,
    area_id     bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX matching_changes_xid_idx ON matching_changes (xid);
CREATE INDEX matching_changes_changed_at_idx ON matching_changes (changed_at);

-- The second wall (see 0008): a request writes and sees the changes of its own area; the engine's
-- follower reads them all as the owner.
ALTER TABLE matching_changes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON matching_changes TO kohtaamo_service USING (area_id = kohtaamo_area());
CREATE POLICY maintenance ON matching_changes TO kohtaamo_maintenance USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON matching_changes TO kohtaamo_service;
