-- Web pages: server-side sign-in sessions, failed sign-in attempts (rate limit) and used form tokens
-- (a double-submitted form creates one record).

CREATE TABLE web_sessions (
    token_hash    text PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

CREATE TABLE web_login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    client_ip   text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_login_failures_key_idx ON web_login_failures (email, client_ip, at);

CREATE TABLE web_form_tokens (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token       text NOT NULL,
    location    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, token)
);
