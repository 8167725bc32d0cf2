-- RADIUS: the network access servers (VPN concentrators, Wi-Fi controllers, pam_radius) a
-- contract lets ask for its people's sign-ins, the State of a challenge between a password and
-- its code, and which RADIUS client caused a push request.
-- Kept in lockstep with ../postgres/0016_radius.sql.

-- A RADIUS client of one contract. Its name is unique across the deployment (the shell names a
-- client by it); `network` is a CIDR block its requests come from. The shared secret must be
-- known to sign and check packets, so it is sealed like an authenticator key (key_id + secret,
-- bound to the row's id). `mode` is how a person answers; `push_timeout_secs` bounds the wait
-- for a push approval.
CREATE TABLE radius_clients (
    id                 TEXT PRIMARY KEY,
    contract_id        TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    name               TEXT NOT NULL UNIQUE,
    network            TEXT NOT NULL,
    mode               TEXT NOT NULL
                       CHECK (mode IN ('password+code', 'challenge', 'push', 'code-only')),
    push_timeout_secs  INTEGER NOT NULL CHECK (push_timeout_secs BETWEEN 1 AND 600),
    key_id             TEXT NOT NULL,
    secret             BLOB NOT NULL,
    created_at         INTEGER NOT NULL
);
CREATE INDEX radius_clients_contract ON radius_clients (contract_id);

-- The State of an Access-Challenge, by its SHA-256 digest: whose password was right, at which
-- client, until when. Taking it is one conditional update (used_at set once), so it answers one
-- code on every node, never two.
CREATE TABLE radius_states (
    digest      TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES radius_clients(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX radius_states_expiry ON radius_states (expires_at);

-- The contract's audit trail (`GET /api/v1/audit`): a RADIUS client's decisions are its
-- contract's, whoever the person was.
CREATE INDEX audit_events_contract ON audit_events (contract_id, id);

-- A push request a RADIUS client caused names it: the companion app shows where the sign-in
-- comes from, and approves it without a number (no screen shows one).
ALTER TABLE push_challenges ADD COLUMN via TEXT;
