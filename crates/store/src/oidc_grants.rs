//! The OpenID Connect flow's records: pending requests, codes, tokens (digests only) and
//! consents. Codes and refresh tokens are used up by conditional updates (`used_at IS NULL`),
//! so a replay is seen as one, on any node.

use portcullis_core::model::{SessionId, UserId};
use portcullis_core::secret::TokenDigest;
use portcullis_core::store::{
    CodeRecord, CodeUse, Consent, OidcGrants, PendingAuthorization, SignInFacts, TokenKind,
    TokenRecord,
};
use portcullis_core::{Result, UnixTime};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::db_err;
use crate::tx::SqlTx;

const CODE_COLUMNS: &str = "digest, client_id, user_id, session_id, redirect_uri, \
     code_challenge, scope, nonce, auth_time, amr, acr, created_at, expires_at, used_at";
const TOKEN_COLUMNS: &str = "digest, kind, family_id, client_id, user_id, scope, code_digest, \
     auth_time, amr, acr, created_at, expires_at, used_at, revoked_at";

fn time(row: &AnyRow, column: &str) -> Result<UnixTime> {
    Ok(UnixTime(row.try_get(column).map_err(db_err)?))
}

fn opt_time(row: &AnyRow, column: &str) -> Result<Option<UnixTime>> {
    Ok(row
        .try_get::<Option<i64>, _>(column)
        .map_err(db_err)?
        .map(UnixTime))
}

fn facts(row: &AnyRow) -> Result<SignInFacts> {
    let amr: String = row.try_get("amr").map_err(db_err)?;
    Ok(SignInFacts {
        auth_time: time(row, "auth_time")?,
        amr: amr.split_whitespace().map(str::to_owned).collect(),
        acr: row.try_get("acr").map_err(db_err)?,
    })
}

fn code_from_row(row: &AnyRow) -> Result<(CodeRecord, bool)> {
    let code = CodeRecord {
        digest: TokenDigest(row.try_get("digest").map_err(db_err)?),
        client_id: row.try_get("client_id").map_err(db_err)?,
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        session_id: row
            .try_get::<Option<String>, _>("session_id")
            .map_err(db_err)?
            .map(SessionId),
        redirect_uri: row.try_get("redirect_uri").map_err(db_err)?,
        code_challenge: row.try_get("code_challenge").map_err(db_err)?,
        scope: row.try_get("scope").map_err(db_err)?,
        nonce: row.try_get("nonce").map_err(db_err)?,
        facts: facts(row)?,
        created_at: time(row, "created_at")?,
        expires_at: time(row, "expires_at")?,
    };
    Ok((code, opt_time(row, "used_at")?.is_some()))
}

fn token_from_row(row: &AnyRow) -> Result<TokenRecord> {
    Ok(TokenRecord {
        digest: TokenDigest(row.try_get("digest").map_err(db_err)?),
        kind: TokenKind::parse(&row.try_get::<String, _>("kind").map_err(db_err)?),
        family_id: row.try_get("family_id").map_err(db_err)?,
        client_id: row.try_get("client_id").map_err(db_err)?,
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        scope: row.try_get("scope").map_err(db_err)?,
        code_digest: TokenDigest(row.try_get("code_digest").map_err(db_err)?),
        facts: facts(row)?,
        created_at: time(row, "created_at")?,
        expires_at: time(row, "expires_at")?,
        used_at: opt_time(row, "used_at")?,
        revoked_at: opt_time(row, "revoked_at")?,
    })
}

fn consent_from_row(row: &AnyRow) -> Result<Consent> {
    Ok(Consent {
        user_id: UserId(row.try_get("user_id").map_err(db_err)?),
        client_id: row.try_get("client_id").map_err(db_err)?,
        scope: row.try_get("scope").map_err(db_err)?,
        granted_at: time(row, "granted_at")?,
    })
}

impl OidcGrants for SqlTx {
    async fn insert_pending_authorization(&mut self, p: &PendingAuthorization) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_pending_authorizations (id, client_id, request, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(p.id.as_str())
        .bind(p.client_id.as_str())
        .bind(p.request.as_str())
        .bind(p.created_at.0)
        .bind(p.expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn pending_authorization(
        &mut self,
        id: &str,
        now: UnixTime,
    ) -> Result<Option<PendingAuthorization>> {
        let row = sqlx::query(
            "SELECT id, client_id, request, created_at, expires_at \
             FROM oidc_pending_authorizations WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            Ok(PendingAuthorization {
                id: row.try_get("id").map_err(db_err)?,
                client_id: row.try_get("client_id").map_err(db_err)?,
                request: row.try_get("request").map_err(db_err)?,
                created_at: time(&row, "created_at")?,
                expires_at: time(&row, "expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_pending_authorization(&mut self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM oidc_pending_authorizations WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_code(&mut self, c: &CodeRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_codes (digest, client_id, user_id, session_id, redirect_uri, \
             code_challenge, scope, nonce, auth_time, amr, acr, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(c.digest.0.as_str())
        .bind(c.client_id.as_str())
        .bind(c.user_id.as_str())
        .bind(c.session_id.as_ref().map(|s| s.0.clone()))
        .bind(c.redirect_uri.as_str())
        .bind(c.code_challenge.clone())
        .bind(c.scope.as_str())
        .bind(c.nonce.clone())
        .bind(c.facts.auth_time.0)
        .bind(c.facts.amr.join(" "))
        .bind(c.facts.acr.as_str())
        .bind(c.created_at.0)
        .bind(c.expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn take_code(&mut self, digest: &TokenDigest, at: UnixTime) -> Result<CodeUse> {
        let taken = sqlx::query(AssertSqlSafe(format!(
            "UPDATE oidc_codes SET used_at = $1 WHERE digest = $2 AND used_at IS NULL \
             RETURNING {CODE_COLUMNS}"
        )))
        .bind(at.0)
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if let Some(row) = taken {
            return Ok(CodeUse::Taken(code_from_row(&row)?.0));
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CODE_COLUMNS} FROM oidc_codes WHERE digest = $1"
        )))
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(match row {
            Some(row) => CodeUse::AlreadyUsed(code_from_row(&row)?.0),
            None => CodeUse::Unknown,
        })
    }

    async fn insert_token(&mut self, t: &TokenRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_tokens (digest, kind, family_id, client_id, user_id, scope, \
             code_digest, auth_time, amr, acr, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(t.digest.0.as_str())
        .bind(t.kind.as_str())
        .bind(t.family_id.as_str())
        .bind(t.client_id.as_str())
        .bind(t.user_id.as_str())
        .bind(t.scope.as_str())
        .bind(t.code_digest.0.as_str())
        .bind(t.facts.auth_time.0)
        .bind(t.facts.amr.join(" "))
        .bind(t.facts.acr.as_str())
        .bind(t.created_at.0)
        .bind(t.expires_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn token_by_digest(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM oidc_tokens WHERE digest = $1"
        )))
        .bind(digest.0.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn use_refresh_token(&mut self, digest: &TokenDigest, at: UnixTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE oidc_tokens SET used_at = $1 WHERE digest = $2 AND kind = 'refresh' \
             AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(digest.0.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_token_family(&mut self, family_id: &str, at: UnixTime) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE oidc_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(family_id)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn revoke_tokens_of_code(&mut self, code: &TokenDigest, at: UnixTime) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE oidc_tokens SET revoked_at = $1 WHERE code_digest = $2 \
             AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(code.0.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn revoke_tokens_of_user(
        &mut self,
        user: &UserId,
        client_id: Option<&str>,
        at: UnixTime,
    ) -> Result<u64> {
        // Two statements rather than `$3 IS NULL OR …`, whose parameter PostgreSQL cannot type.
        let done = match client_id {
            Some(client_id) => sqlx::query(
                "UPDATE oidc_tokens SET revoked_at = $1 WHERE user_id = $2 AND client_id = $3 \
                 AND revoked_at IS NULL",
            )
            .bind(at.0)
            .bind(user.as_str())
            .bind(client_id),
            None => sqlx::query(
                "UPDATE oidc_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(at.0)
            .bind(user.as_str()),
        }
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn prune_oidc_grants(&mut self, before: UnixTime) -> Result<()> {
        for table in ["oidc_pending_authorizations", "oidc_codes", "oidc_tokens"] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE expires_at < $1"
            )))
            .bind(before.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    async fn consent(&mut self, user: &UserId, client_id: &str) -> Result<Option<Consent>> {
        let row = sqlx::query(
            "SELECT user_id, client_id, scope, granted_at FROM oidc_consents \
             WHERE user_id = $1 AND client_id = $2",
        )
        .bind(user.as_str())
        .bind(client_id)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(consent_from_row).transpose()
    }

    async fn put_consent(&mut self, c: &Consent) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_consents (user_id, client_id, scope, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, client_id) \
             DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
        )
        .bind(c.user_id.as_str())
        .bind(c.client_id.as_str())
        .bind(c.scope.as_str())
        .bind(c.granted_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_consent(&mut self, user: &UserId, client_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
            .bind(user.as_str())
            .bind(client_id)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn consents_of_user(&mut self, user: &UserId) -> Result<Vec<Consent>> {
        let rows = sqlx::query(
            "SELECT user_id, client_id, scope, granted_at FROM oidc_consents \
             WHERE user_id = $1 ORDER BY granted_at, client_id",
        )
        .bind(user.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(consent_from_row).collect()
    }
}
