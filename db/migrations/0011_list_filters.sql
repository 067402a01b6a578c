-- The last filter of each list page, per user (web/list_filters.py): a list opened without parameters
-- shows it again, until the user resets it. Only filters are kept (status, dates, municipality, owner,
-- words about needs or employers), never a search for a person by name. Walled by the user's area, as
-- web_form_tokens is.
CREATE TABLE web_list_filters (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list        text NOT NULL,
    query       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, list)
);
ALTER TABLE web_list_filters ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY area_wall ON web_list_filters TO kohtaamo_service USING (EXISTS (
    SELECT FROM users u WHERE u.id = user_id AND u.area_id = kohtaamo_area()));
CREATE POLICY maintenance ON web_list_filters TO kohtaamo_maintenance USING (true) WITH CHECK (true);
