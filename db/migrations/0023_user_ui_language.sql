-- The language a signed-in user last chose for the service (POST /language), NULL if they never chose
-- one: the language of their e-mails until they save e-mail choices of their own (notifications.service).
-- The table keeps its area wall (migration 0008); the column needs no policy of its own.
ALTER TABLE users ADD COLUMN ui_language text CHECK (ui_language IN ('fi', 'sv', 'en'));
