-- The OpenID Connect flow: authorization requests waiting for a sign-in, authorization codes,
-- access and refresh tokens, and the consents people gave to clients.
-- Kept in lockstep with ../sqlite/0012_oidc_grants.sql.
--
-- Secrets (codes, tokens) are stored as SHA-256 digests only, like sessions. Single use is a
-- conditional update (`used_at IS NULL`) in the transaction that issues what the secret buys,
-- so it holds across nodes on PostgreSQL. `client_id` is the client's public id; deleting a
-- client deletes everything issued to it (ON DELETE CASCADE), so its tokens stop working.

-- A validated /oauth2/authorize request, kept server-side while the person signs in or decides
-- on consent, so the sign-in's `next` stays short (`/oauth2/authorize/continue/{id}`). The
-- request is the validated parameters as JSON (no secret: PKCE sends only the challenge).
CREATE TABLE oidc_pending_authorizations (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
    request     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX oidc_pending_authorizations_expiry ON oidc_pending_authorizations (expires_at);

-- An authorization code (60 seconds), bound to the client, the redirect URI and the PKCE
-- challenge, and carrying what the ID token will say about the sign-in.
CREATE TABLE oidc_codes (
    digest          TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id      TEXT,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT,
    scope           TEXT NOT NULL,
    nonce           TEXT,
    auth_time       BIGINT NOT NULL,
    amr             TEXT NOT NULL,
    acr             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX oidc_codes_expiry ON oidc_codes (expires_at);

-- Access tokens (10 minutes) and refresh tokens. A code's exchange starts a family; each
-- refresh uses its token up (`used_at`) and issues the next in the same family, so a refresh
-- token presented twice revokes the family. `code_digest` names the code the family came from:
-- a code presented twice revokes everything issued from it.
CREATE TABLE oidc_tokens (
    digest       TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    family_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    code_digest  TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    amr          TEXT NOT NULL,
    acr          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX oidc_tokens_family ON oidc_tokens (family_id);
CREATE INDEX oidc_tokens_code ON oidc_tokens (code_digest);
CREATE INDEX oidc_tokens_user ON oidc_tokens (user_id, client_id);
CREATE INDEX oidc_tokens_expiry ON oidc_tokens (expires_at);

-- What a person allowed a client to know (space-separated scopes), remembered until revoked on
-- the security page.
CREATE TABLE oidc_consents (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
