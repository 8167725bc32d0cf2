-- Push approval with the companion app (docs/push-protocol.md). Kept in lockstep with
-- ../postgres/0005_push.sql.

-- A pairing code shown as a QR code: stored as a SHA-256 digest, single use, 10 minutes.
CREATE TABLE push_pairings (
    digest      TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX push_pairings_user ON push_pairings (user_id);

-- A paired companion app: its Ed25519 public key verifies every request it makes.
CREATE TABLE push_devices (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    public_key    BLOB NOT NULL,
    webhook_url   TEXT,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER
);
CREATE INDEX push_devices_user ON push_devices (user_id);

-- A login waiting for approval. `status` moves once, by a conditional update, from 'pending'.
-- "Expired" is not stored: it is a pending challenge past `expires_at`. `decided_at` on a
-- pending row records that its expiry was observed and counted (push fatigue), once.
CREATE TABLE push_challenges (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ticket_id        TEXT NOT NULL REFERENCES login_tickets(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'denied', 'fraud')),
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    last_sent_at     INTEGER NOT NULL,
    decided_at       INTEGER,
    decided_by       TEXT,
    ip               TEXT,
    user_agent       TEXT,
    token_issued_at  INTEGER
);
CREATE INDEX push_challenges_user ON push_challenges (user_id, status, expires_at);
CREATE INDEX push_challenges_ticket ON push_challenges (ticket_id, created_at);

-- Nonces of signed device requests, for 10 minutes: the primary key refuses a replay on every node.
CREATE TABLE device_nonces (
    device_id   TEXT NOT NULL REFERENCES push_devices(id) ON DELETE CASCADE,
    nonce       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX device_nonces_expiry ON device_nonces (expires_at);
