-- A sign-in request can end without an answer: 'superseded' when a newer request of the account
-- was sent, or its login went on with a code. SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt with the same columns and indexes (nothing references it). Kept in
-- lockstep with ../postgres/0008_push_superseded.sql.
CREATE TABLE push_challenges_new (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ticket_id        TEXT NOT NULL REFERENCES login_tickets(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'denied', 'fraud', 'superseded')),
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    last_sent_at     INTEGER NOT NULL,
    decided_at       INTEGER,
    decided_by       TEXT,
    ip               TEXT,
    user_agent       TEXT,
    token_issued_at  INTEGER
);
INSERT INTO push_challenges_new (id, user_id, ticket_id, number, status, created_at, expires_at,
    last_sent_at, decided_at, decided_by, ip, user_agent, token_issued_at)
SELECT id, user_id, ticket_id, number, status, created_at, expires_at,
    last_sent_at, decided_at, decided_by, ip, user_agent, token_issued_at
FROM push_challenges;
DROP TABLE push_challenges;
ALTER TABLE push_challenges_new RENAME TO push_challenges;
CREATE INDEX push_challenges_user ON push_challenges (user_id, status, expires_at);
CREATE INDEX push_challenges_ticket ON push_challenges (ticket_id, created_at);
