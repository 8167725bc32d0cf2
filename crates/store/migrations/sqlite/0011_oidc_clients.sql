-- The OpenID Connect provider's clients (relying parties) and signing keys.
-- Kept in lockstep with ../postgres/0011_oidc_clients.sql.

-- A relying party of one contract. `client_id` is the public, random identifier the relying
-- party is configured with; `id` is what other tables refer to. The secret is kept only as its
-- SHA-256 digest (32 random bytes, like service tokens); a public client has none, and the CHECK
-- keeps the two in step. `redirect_uris` is a JSON array of exact strings.
-- `id_token_signed_response_alg` (the Dynamic Client Registration name) is the algorithm of
-- its ID tokens: one of the three we keep a current key for, RS256 (the spec's default) unless
-- the relying party asks for another.
CREATE TABLE oidc_clients (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL UNIQUE,
    contract_id    TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    secret_digest  TEXT,
    public         INTEGER NOT NULL,
    first_party    INTEGER NOT NULL,
    require_2fa    INTEGER NOT NULL,
    redirect_uris  TEXT NOT NULL,
    id_token_signed_response_alg TEXT NOT NULL DEFAULT 'RS256'
        CHECK (id_token_signed_response_alg IN ('RS256', 'ES256', 'EdDSA')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK ((public = 1 AND secret_digest IS NULL) OR (public = 0 AND secret_digest IS NOT NULL))
);
CREATE INDEX oidc_clients_contract ON oidc_clients (contract_id);

-- The groups whose members may sign in to a client; none: everyone of the contract.
CREATE TABLE oidc_client_groups (
    client_id  TEXT NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (client_id, group_id)
);
CREATE INDEX oidc_client_groups_group ON oidc_client_groups (group_id);

-- Signing keys. `sealed` is the private key (PKCS #8 DER) sealed under the master key
-- `key_id`, bound to its `kid`; `public_jwk` is public. A current key has no `retired_at`;
-- the partial unique index allows one current key per algorithm, so nodes starting together
-- make one. A retired key stays in JWKS until `publish_until`.
CREATE TABLE oidc_signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL CHECK (alg IN ('RS256', 'ES256', 'EdDSA')),
    key_id         TEXT NOT NULL,
    sealed         BLOB NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    retired_at     INTEGER,
    publish_until  INTEGER
);
CREATE UNIQUE INDEX oidc_signing_keys_current ON oidc_signing_keys (alg) WHERE retired_at IS NULL;
