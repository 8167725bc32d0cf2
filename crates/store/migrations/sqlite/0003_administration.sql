-- Contract administration: forced 2FA, sessions completed with a second factor, groups,
-- resources and their grants, password-setting links for invited users, the outbox.
-- Kept in lockstep with ../postgres/0003_administration.sql.

ALTER TABLE users ADD COLUMN force_2fa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contracts ADD COLUMN require_2fa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 0;

CREATE TABLE groups (
    id           TEXT PRIMARY KEY,
    contract_id  TEXT NOT NULL REFERENCES contracts(id),
    name         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (contract_id, name)
);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE resources (
    id            TEXT PRIMARY KEY,
    contract_id   TEXT NOT NULL REFERENCES contracts(id),
    kind          TEXT NOT NULL CHECK (kind IN ('datacenter', 'snapshot')),
    name          TEXT NOT NULL,
    requires_2fa  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX resources_contract ON resources (contract_id);

CREATE TABLE resource_grants (
    resource_id  TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    group_id     TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (resource_id, group_id)
);

CREATE TABLE password_links (
    digest      TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE outbox (
    id          TEXT PRIMARY KEY,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient   TEXT NOT NULL,
    subject     TEXT,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
