-- Sign-in attempts, one table for the pages and the API (accounts/signin_limits.py): every attempt not
-- known to have succeeded, counted per email and per client address over a short window, then deleted.
-- The email is kept only as the SHA-256 of its normalised form. Replaces the pages' own failure table.

DROP TABLE web_login_failures;

CREATE TABLE sign_in_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_hash      text NOT NULL,
    client_address  text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (email_hash, at);
CREATE INDEX sign_in_attempts_address_idx ON sign_in_attempts (client_address, at);
CREATE INDEX sign_in_attempts_at_idx ON sign_in_attempts (at);
