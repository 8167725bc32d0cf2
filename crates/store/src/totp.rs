//! Authenticator secrets, sealed, and the replay guard on their last accepted step.

use portcullis_core::crypto::Sealed;
use portcullis_core::model::UserId;
use portcullis_core::store::{GatewayLookup, StoredTotp, TotpFactors};
use portcullis_core::totp::{Algorithm, TotpParams};
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::throttle::counter_from_row;
use crate::tx::SqlTx;
use crate::users::user_from_row;
use crate::{db_err, is_unique_violation};

fn totp_from_row(row: &AnyRow, with_step: bool) -> Result<StoredTotp> {
    let algorithm: String = row.try_get("algorithm").map_err(db_err)?;
    let digits: i64 = row.try_get("digits").map_err(db_err)?;
    let period: i64 = row.try_get("period").map_err(db_err)?;
    let algorithm = Algorithm::parse(&algorithm)
        .ok_or_else(|| Error::internal_msg("stored TOTP algorithm unknown"))?;
    let params = TotpParams::new(algorithm, digits as u32, period).map_err(Error::internal_msg)?;
    Ok(StoredTotp {
        sealed: Sealed {
            key_id: row.try_get("key_id").map_err(db_err)?,
            data: row.try_get("secret").map_err(db_err)?,
        },
        params,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        last_step: if with_step {
            row.try_get("last_step").map_err(db_err)?
        } else {
            None
        },
    })
}

/// One row whatever exists: the typed name joined to its user, the user's active factor and
/// the account counter (absent parts are NULL; a missing counter reads as zero failures).
const GATEWAY_LOOKUP: &str = "SELECT u.id, u.contract_id, u.email, u.password_hash, u.role, u.created_at, \
     u.last_login_at, u.force_2fa, u.locked_at, u.language, u.time_zone, \
     t.key_id, t.secret, t.algorithm, t.digits, t.period, t.activated_at AS totp_created_at, t.last_step, \
     COALESCE(a.failures, 0) AS failures, COALESCE(a.lockouts, 0) AS lockouts, a.locked_until \
     FROM (SELECT CAST($1 AS TEXT) AS k) q \
     LEFT JOIN users u ON u.email_key = q.k \
     LEFT JOIN totp_factors t ON t.user_id = u.id \
     LEFT JOIN account_throttle a ON a.key = $2";

impl TotpFactors for SqlTx {
    async fn gateway_lookup(
        &mut self,
        email_key: &str,
        throttle_key: &str,
    ) -> Result<GatewayLookup> {
        let row = sqlx::query(GATEWAY_LOOKUP)
            .bind(email_key)
            .bind(throttle_key)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let user = match row.try_get::<Option<String>, _>("id").map_err(db_err)? {
            Some(_) => Some(user_from_row(&row)?),
            None => None,
        };
        let totp = match row.try_get::<Option<String>, _>("key_id").map_err(db_err)? {
            Some(key_id) => {
                let algorithm: String = row.try_get("algorithm").map_err(db_err)?;
                let algorithm = Algorithm::parse(&algorithm)
                    .ok_or_else(|| Error::internal_msg("stored TOTP algorithm unknown"))?;
                let digits: i64 = row.try_get("digits").map_err(db_err)?;
                let period: i64 = row.try_get("period").map_err(db_err)?;
                Some(StoredTotp {
                    sealed: Sealed {
                        key_id,
                        data: row.try_get("secret").map_err(db_err)?,
                    },
                    params: TotpParams::new(algorithm, digits as u32, period)
                        .map_err(Error::internal_msg)?,
                    created_at: UnixTime(row.try_get("totp_created_at").map_err(db_err)?),
                    last_step: row.try_get("last_step").map_err(db_err)?,
                })
            }
            None => None,
        };
        Ok(GatewayLookup {
            user,
            totp,
            counter: counter_from_row(&row)?,
        })
    }

    async fn put_pending_totp(&mut self, user: &UserId, t: &StoredTotp) -> Result<()> {
        sqlx::query("DELETE FROM totp_pending WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO totp_pending (user_id, key_id, secret, algorithm, digits, period, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user.as_str())
        .bind(t.sealed.key_id.as_str())
        .bind(t.sealed.data.clone())
        .bind(t.params.algorithm.as_str())
        .bind(i64::from(t.params.digits))
        .bind(t.params.period)
        .bind(t.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn pending_totp(&mut self, user: &UserId) -> Result<Option<StoredTotp>> {
        let row = sqlx::query(
            "SELECT key_id, secret, algorithm, digits, period, created_at FROM totp_pending WHERE user_id = $1",
        )
        .bind(user.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| totp_from_row(&r, false)).transpose()
    }

    async fn delete_pending_totp(&mut self, user: &UserId) -> Result<()> {
        sqlx::query("DELETE FROM totp_pending WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn insert_active_totp(&mut self, user: &UserId, t: &StoredTotp) -> Result<()> {
        sqlx::query(
            "INSERT INTO totp_factors (user_id, key_id, secret, algorithm, digits, period, last_step, activated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(user.as_str())
        .bind(t.sealed.key_id.as_str())
        .bind(t.sealed.data.clone())
        .bind(t.params.algorithm.as_str())
        .bind(i64::from(t.params.digits))
        .bind(t.params.period)
        .bind(t.last_step)
        .bind(t.created_at.0)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) { Error::Conflict("an authenticator app is already active") } else { db_err(e) }
        })?;
        Ok(())
    }

    async fn active_totp(&mut self, user: &UserId) -> Result<Option<StoredTotp>> {
        let row = sqlx::query(
            "SELECT key_id, secret, algorithm, digits, period, activated_at AS created_at, last_step \
             FROM totp_factors WHERE user_id = $1",
        )
        .bind(user.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| totp_from_row(&r, true)).transpose()
    }

    async fn advance_totp_step(&mut self, user: &UserId, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = $1 WHERE user_id = $2 AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(user.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_totp(&mut self, user: &UserId) -> Result<bool> {
        self.delete_pending_totp(user).await?;
        let done = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
