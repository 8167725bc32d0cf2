-- What a page shows once after a form (new recovery codes, a new app password, a pairing code),
-- held sealed for the session that made it for a few minutes, so that the form can answer with a
-- redirect and a reload cannot make it again. `id` is "<session id>:<purpose>". Taking it wipes
-- `key_id` and `sealed` and sets `taken_at`; the row stays until it expires, so the page can say
-- "already shown" instead of acting again. Kept in lockstep with ../postgres/0007_held.sql.
CREATE TABLE held (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    key_id      TEXT,
    sealed      BLOB,
    expires_at  INTEGER NOT NULL,
    taken_at    INTEGER
);
CREATE INDEX held_session ON held (session_id);
