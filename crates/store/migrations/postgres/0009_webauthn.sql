-- Passkeys and security keys (WebAuthn), and the contract setting that accepts only them.
-- Kept in lockstep with ../sqlite/0009_webauthn.sql.

-- "Require a phishing-resistant factor": only a key (or a recovery code) finishes a sign-in.
ALTER TABLE contracts ADD COLUMN require_phishing_resistant BIGINT NOT NULL DEFAULT 0;

-- A registered key. `credential_id` (base64url) is what the authenticator names it by; unique,
-- so one authenticator cannot be registered twice, to one account or to two. `record` is the
-- WebAuthn library's credential (public key, algorithm, registration policy) as JSON: public
-- data, so not sealed. `sign_count` moves only forward, by a conditional update.
CREATE TABLE webauthn_credentials (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id    TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    record           TEXT NOT NULL,
    sign_count       BIGINT NOT NULL,
    user_verified    BIGINT NOT NULL,
    backup_eligible  BIGINT NOT NULL,
    backup_state     BIGINT NOT NULL,
    transports       TEXT NOT NULL,
    aaguid           TEXT,
    created_at       BIGINT NOT NULL,
    last_used_at     BIGINT
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

-- A ceremony between its options and the authenticator's answer: the state the library needs
-- (with the challenge), keyed by the SHA-256 digest of the token the client holds, or by the
-- login ticket for the second step. Used once (a conditional update sets `used_at`), and only
-- within five minutes; every node sees it, so a ceremony may finish on another node.
CREATE TABLE webauthn_ceremonies (
    digest      TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL
                CHECK (purpose IN ('registration', 'second_step', 'passkey', 'enrolment')),
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    ticket_id   TEXT REFERENCES login_tickets(id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX webauthn_ceremonies_ticket ON webauthn_ceremonies (ticket_id);
CREATE INDEX webauthn_ceremonies_expiry ON webauthn_ceremonies (expires_at);
