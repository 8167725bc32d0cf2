-- Authenticator-app factors, recovery codes, login tickets and emergency kits.
-- Kept in lockstep with ../postgres/0002_two_factor.sql.

-- A started but not yet activated enrolment; starting again replaces it.
CREATE TABLE totp_pending (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    key_id      TEXT NOT NULL,
    secret      BLOB NOT NULL,
    algorithm   TEXT NOT NULL,
    digits      INTEGER NOT NULL,
    period      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The active authenticator; `last_step` is the last accepted time step (replay guard).
CREATE TABLE totp_factors (
    user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    key_id        TEXT NOT NULL,
    secret        BLOB NOT NULL,
    algorithm     TEXT NOT NULL,
    digits        INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    last_step     INTEGER,
    activated_at  INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    digest      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    UNIQUE (user_id, digest)
);

CREATE TABLE login_tickets (
    id          TEXT PRIMARY KEY,
    digest      TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('second_factor', 'enrollment')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER
);
CREATE INDEX login_tickets_user ON login_tickets (user_id);

-- Recovery codes and the key, sealed, for 15 minutes after activation, for one session only.
CREATE TABLE emergency_kits (
    session_id  TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    key_id      TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    expires_at  INTEGER NOT NULL
);
