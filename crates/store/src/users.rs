//! Users, found by id or by the lower-cased email key.

use portcullis_core::email::Email;
use portcullis_core::locale::{Language, TimeZoneName};
use portcullis_core::model::{ContractId, Role, User, UserId};
use portcullis_core::store::Users;
use portcullis_core::{Error, Result, UnixTime};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::tx::SqlTx;
use crate::{db_err, is_unique_violation};

/// The columns `user_from_row` reads.
macro_rules! user_columns {
    () => {
        "id, contract_id, email, password_hash, role, created_at, last_login_at, force_2fa, locked_at, language, time_zone"
    };
}

const BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
const BY_EMAIL_KEY: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM users WHERE email_key = $1"
);

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User> {
    let email: String = row.try_get("email").map_err(db_err)?;
    let role: String = row.try_get("role").map_err(db_err)?;
    Ok(User {
        id: UserId(row.try_get("id").map_err(db_err)?),
        contract_id: ContractId(row.try_get("contract_id").map_err(db_err)?),
        email: Email::parse(&email)
            .map_err(|e| Error::internal_msg(format!("stored email: {e}")))?,
        password_hash: row.try_get("password_hash").map_err(db_err)?,
        role: Role::parse(&role).ok_or_else(|| Error::internal_msg("stored role unknown"))?,
        created_at: UnixTime(row.try_get("created_at").map_err(db_err)?),
        force_2fa: row.try_get::<i64, _>("force_2fa").map_err(db_err)? != 0,
        last_login_at: row
            .try_get::<Option<i64>, _>("last_login_at")
            .map_err(db_err)?
            .map(UnixTime),
        locked_at: row
            .try_get::<Option<i64>, _>("locked_at")
            .map_err(db_err)?
            .map(UnixTime),
        // A value the server no longer knows (a zone renamed away) reads as not chosen.
        language: row
            .try_get::<Option<String>, _>("language")
            .map_err(db_err)?
            .as_deref()
            .and_then(Language::parse),
        time_zone: row
            .try_get::<Option<String>, _>("time_zone")
            .map_err(db_err)?
            .as_deref()
            .and_then(TimeZoneName::parse),
    })
}

impl Users for SqlTx {
    async fn insert_user(&mut self, u: &User) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, contract_id, email, email_key, password_hash, role, created_at, last_login_at, force_2fa, language, time_zone) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(u.id.as_str())
        .bind(u.contract_id.as_str())
        .bind(u.email.as_str())
        .bind(u.email.key())
        .bind(u.password_hash.as_deref())
        .bind(u.role.as_str())
        .bind(u.created_at.0)
        .bind(u.last_login_at.map(|t| t.0))
        .bind(i64::from(u.force_2fa))
        .bind(u.language.map(Language::as_str))
        .bind(u.time_zone.as_ref().map(TimeZoneName::as_str))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| if is_unique_violation(&e) { Error::EmailTaken } else { db_err(e) })?;
        Ok(())
    }

    async fn user_by_email_key(&mut self, key: &str) -> Result<Option<User>> {
        let row = sqlx::query(BY_EMAIL_KEY)
            .bind(key)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&mut self, id: &UserId) -> Result<Option<User>> {
        let row = sqlx::query(BY_ID)
            .bind(id.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn count_users(&mut self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn set_password_hash(&mut self, id: &UserId, phc: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(phc)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_last_login(&mut self, id: &UserId, at: UnixTime) -> Result<()> {
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(at.0)
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn all_users(&mut self) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY contract_id, created_at, email_key"
        ))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn users_of_contract(&mut self, contract: &ContractId) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE contract_id = $1 ORDER BY created_at, email_key"
        ))
        .bind(contract.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_locale(
        &mut self,
        id: &UserId,
        language: Option<Language>,
        time_zone: Option<&TimeZoneName>,
    ) -> Result<()> {
        sqlx::query("UPDATE users SET language = $1, time_zone = $2 WHERE id = $3")
            .bind(language.map(Language::as_str))
            .bind(time_zone.map(TimeZoneName::as_str))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_force_2fa(&mut self, id: &UserId, on: bool) -> Result<()> {
        sqlx::query("UPDATE users SET force_2fa = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_role(&mut self, id: &UserId, role: Role) -> Result<()> {
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn set_locked(&mut self, id: &UserId, at: Option<UnixTime>) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET locked_at = $1 WHERE id = $2")
            .bind(at.map(|t| t.0))
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_user(&mut self, id: &UserId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
