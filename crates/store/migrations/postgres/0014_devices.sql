-- Devices and sessions: remembered browsers, what each sign-in used, the account's sign-in
-- history for "new sign-in" notices, the contract's settings for both, and the sweep's lease.
-- Kept in lockstep with ../sqlite/0014_devices.sql.

-- What the sign-in that opened a session used, in the API's words, space-separated
-- ("password totp", "password remembered_browser"). Rows from before read from their amr.
ALTER TABLE sessions ADD COLUMN methods TEXT;

-- How many days a browser may be remembered (0: never), and whether a sign-in from a new
-- browser or network is told to the account holder.
ALTER TABLE contracts ADD COLUMN remember_browser_days BIGINT NOT NULL DEFAULT 30
    CHECK (remember_browser_days BETWEEN 0 AND 90);
ALTER TABLE contracts ADD COLUMN new_sign_in_notice BIGINT NOT NULL DEFAULT 1;

-- A browser that skips the second step: the public half of an ECDSA P-256 key pair the browser
-- made with WebCrypto and cannot export. public_key is the raw uncompressed point (65 bytes),
-- base64url; id is the base64url SHA-256 of those 65 bytes, so the page can name its key
-- without being told.
CREATE TABLE remembered_browsers (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    public_key    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    user_agent    TEXT,
    ip            TEXT
);
CREATE INDEX remembered_browsers_user ON remembered_browsers (user_id);
CREATE INDEX remembered_browsers_expiry ON remembered_browsers (expires_at);

-- The challenge a remembered browser signs, one per login ticket, taken once by a conditional
-- update (set on the page, cleared by the check).
ALTER TABLE login_tickets ADD COLUMN browser_challenge TEXT;

-- Where an account has signed in from: browser and OS family ("Firefox on Linux", versions
-- ignored) and network (IPv4 /24, IPv6 /48), with the last time each pair was seen. A sign-in
-- whose family or network is missing from the last 90 days is new.
CREATE TABLE sign_in_history (
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family        TEXT NOT NULL,
    network       TEXT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, family, network)
);
CREATE INDEX sign_in_history_seen ON sign_in_history (last_seen_at);

-- Work one node at a time (the sweep): a row per name, held by one node until expires_at,
-- taken over by a conditional upsert once it has run out.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- The sweep (part "sweep" of issue 18): it finds expired rows by these times, a batch of 500 at
-- a time; without an index each batch of the largest tables would read the whole table while
-- it holds the write lock. The other swept tables have such an index already.
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX login_tickets_expiry ON login_tickets (expires_at);
CREATE INDEX rate_events_at ON rate_events (at);
CREATE INDEX address_failures_at ON address_failures (at);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
