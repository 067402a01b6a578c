-- Matching: one embedding per need and per jobseeker profile, with the model and the text it came from.

CREATE TABLE need_vectors (
    need_id     bigint PRIMARY KEY REFERENCES needs (id) ON DELETE CASCADE,
    model_id    text NOT NULL,
    text_hash   text NOT NULL,
    vector      real[] NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobseeker_vectors (
    jobseeker_id  bigint PRIMARY KEY REFERENCES jobseekers (id) ON DELETE CASCADE,
    model_id      text NOT NULL,
    text_hash     text NOT NULL,
    vector        real[] NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
