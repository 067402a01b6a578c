-- The inbox and its mail: each user's notices, which of them go out by e-mail, and the mail outbox.
-- docs/architecture.md ("Notices and mail") says who writes them and how mail leaves.

-- One notice for one user. (user_id, kind, subject_key) is unique: the same event or due item never
-- gives a user two notices (the reminders run every hour and must be idempotent).
CREATE TABLE notifications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id      bigint NOT NULL REFERENCES areas (id),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('intro_card', 'proposal_answered', 'consent_changed',
                                               'contact_due', 'follow_up_due', 'plan_review_due')),
    subject_key  text NOT NULL,
    data         jsonb NOT NULL DEFAULT '{}',
    link         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    UNIQUE (user_id, kind, subject_key)
);
CREATE INDEX notifications_inbox_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- A user's choice of which kinds reach e-mail and in which language; no row means every kind, in Finnish.
CREATE TABLE notification_preferences (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_kinds  text[] NOT NULL,
    language     text NOT NULL DEFAULT 'fi' CHECK (language IN ('fi', 'sv', 'en')),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Mail written in the transaction that made its notice, delivered after the commit by the mail worker
-- (or kept here, for the admins to read, when no SMTP server is configured). sent_at is set once the
-- SMTP server accepted it; a failed try is retried at next_attempt_at until attempts reach the limit.
CREATE TABLE mail_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id          bigint NOT NULL REFERENCES areas (id),
    user_id          bigint REFERENCES users (id) ON DELETE SET NULL,
    kind             text NOT NULL,
    recipient        text NOT NULL,
    subject          text NOT NULL,
    body             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    sent_at          timestamptz,
    gave_up_at       timestamptz
);
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX mail_outbox_area_idx ON mail_outbox (area_id, created_at DESC);

-- The walls. A request may write a notice for any user of its area (the employer's answer notifies the
-- coordinator), but reads, marks and deletes only its own user's.
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own_notices ON notifications TO kohtaamo_service
    USING (area_id = kohtaamo_area() AND user_id = kohtaamo_user());
CREATE POLICY area_writes ON notifications FOR INSERT TO kohtaamo_service
    WITH CHECK (area_id = kohtaamo_area() AND EXISTS (
        SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON notification_preferences TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON mail_outbox TO kohtaamo_service USING (area_id = kohtaamo_area());

CREATE POLICY maintenance ON notifications TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON notification_preferences TO kohtaamo_maintenance USING (true) WITH CHECK (true);
CREATE POLICY maintenance ON mail_outbox TO kohtaamo_maintenance USING (true) WITH CHECK (true);
