-- A contact's agreed next step can be marked done (POST /contacts/{id}/next-step/done, the front page's
-- "Done" button): when and by whom. A done step leaves the due lists and the reminders.
-- The table keeps its area wall (migration 0008); the columns need no policy of their own.
ALTER TABLE contacts
    ADD COLUMN next_step_done_at timestamptz,
    ADD COLUMN next_step_done_by bigint REFERENCES users (id);
