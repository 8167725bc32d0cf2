-- Delivery of the outbox, verified phones, password resets, support PINs, app passwords,
-- service tokens and account locks. Kept in lockstep with ../sqlite/0004_messages.sql.

-- The outbox now holds sealed notices (what to say, rendered at delivery) and the state of their
-- delivery: retries with back-off, and a lease so that of several nodes only one sends a row.
ALTER TABLE outbox ADD COLUMN kind TEXT;
ALTER TABLE outbox ADD COLUMN key_id TEXT;
ALTER TABLE outbox ADD COLUMN sealed BYTEA;
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Single-use links: invitations, password resets and "this wasn't me" locks.
ALTER TABLE password_links ADD COLUMN purpose TEXT NOT NULL DEFAULT 'invite'
    CHECK (purpose IN ('invite', 'reset', 'lock'));
CREATE INDEX password_links_user ON password_links (user_id);

-- Set by "this wasn't me": logins are refused until an administrator or the operator unlocks.
ALTER TABLE users ADD COLUMN locked_at BIGINT;

-- The verified mobile number, E.164.
CREATE TABLE phones (
    user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    number       TEXT NOT NULL,
    verified_at  BIGINT NOT NULL
);

-- A code sent by SMS: to verify a (new) number, or to reset the password. One per purpose.
CREATE TABLE phone_codes (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    number      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    used_at     BIGINT,
    PRIMARY KEY (user_id, purpose)
);

-- Sliding-window counters shared by every node: SMS sends, reset requests, wrong PIN checks.
CREATE TABLE rate_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (scope, subject, at);
-- The key each window is counted under. A check writes its key first: on PostgreSQL that holds
-- the row until commit, so concurrent checks of one window take turns instead of all passing.
CREATE TABLE rate_keys (
    scope    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    PRIMARY KEY (scope, subject)
);

CREATE TABLE support_pins (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    pin_hash    TEXT NOT NULL,
    changed_at  BIGINT NOT NULL
);

-- Deployment-level support staff; they belong to the reserved support contract.
CREATE TABLE support_agents (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);

-- Passwords for mail clients; random, so a SHA-256 digest is enough and allows a lookup.
CREATE TABLE app_passwords (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    digest        TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    last_used_ip  TEXT
);
CREATE INDEX app_passwords_user ON app_passwords (user_id);

-- Tokens of services (mail servers, gateways) that ask us to check credentials.
CREATE TABLE service_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    digest        TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
