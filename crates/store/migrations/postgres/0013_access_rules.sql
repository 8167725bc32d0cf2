-- Access rules for applications behind forward authentication: per contract, a host (lower
-- case, optionally with a port) and a path prefix, the policy, and optionally the groups that
-- may enter. Kept in lockstep with ../sqlite/0013_access_rules.sql.

-- A host belongs to one contract at a time, on every port (the key is the host without its
-- port): the first rule for it claims it, the last one removed frees it. The primary key makes the claim safe when two contracts race for a host on
-- different nodes.
CREATE TABLE access_rule_hosts (
    host         TEXT PRIMARY KEY,
    contract_id  TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE
);

CREATE TABLE access_rules (
    id           TEXT PRIMARY KEY,
    contract_id  TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    host         TEXT NOT NULL,
    path_prefix  TEXT NOT NULL,
    policy       TEXT NOT NULL CHECK (policy IN ('public', 'signed-in', 'two-factor')),
    created_at   BIGINT NOT NULL,
    UNIQUE (host, path_prefix)
);
CREATE INDEX access_rules_contract ON access_rules (contract_id);

-- No cascade from groups: a rule that lost its last group would open to the whole contract, so a
-- group named by a rule cannot be deleted until the rule is changed.
CREATE TABLE access_rule_groups (
    rule_id   TEXT NOT NULL REFERENCES access_rules(id) ON DELETE CASCADE,
    group_id  TEXT NOT NULL REFERENCES groups(id),
    PRIMARY KEY (rule_id, group_id)
);
