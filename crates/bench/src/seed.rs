//! Accounts seeded in bulk straight into a migrated database: one contract, `accounts` users
//! sharing one precomputed Argon2id hash; the first `totp` of them with an active authenticator
//! (sealed as the server seals it) and one open login ticket each.
//!
//! User `i` is `u{i}@bench.example`; its TOTP key and ticket are derived from `i`, so the load
//! generator (and privacyIDEA's set-up) can compute them without asking the database.

use std::time::{SystemTime, UNIX_EPOCH};

use portcullis_core::secret::Token;
use portcullis_core::service::ServiceKeys;
use portcullis_core::totp::{self, Algorithm, TotpParams, TotpSecret};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

pub const PASSWORD: &str = "Bench-Horse-Battery-7";

pub fn email(i: u64) -> String {
    format!("u{i}@bench.example")
}

/// User `i`'s authenticator key (20 bytes, SHA-1, 6 digits, 30 s).
pub fn totp_key(i: u64) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"portcullis-bench totp ");
    h.update(i.to_be_bytes());
    h.finalize()[..20].to_vec()
}

/// User `i`'s open login ticket (the second step of a login whose password step passed).
pub fn ticket(i: u64) -> String {
    let mut h = Sha256::new();
    h.update(b"portcullis-bench ticket ");
    h.update(i.to_be_bytes());
    hex::encode(h.finalize())
}

pub fn params() -> TotpParams {
    TotpParams::new(Algorithm::Sha1, 6, 30).expect("valid parameters")
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The current code of user `i`.
pub fn code_now(i: u64) -> String {
    let p = params();
    let step = p.step(portcullis_core::clock::UnixTime(now()));
    totp::code_at(&TotpSecret::from_bytes(totp_key(i)), &p, step)
}

/// A code that is wrong for user `i` in every step of the window.
pub fn wrong_code(i: u64) -> String {
    let p = params();
    let secret = TotpSecret::from_bytes(totp_key(i));
    let step = p.step(portcullis_core::clock::UnixTime(now()));
    let near: Vec<String> = (step - 2..=step + 2)
        .map(|s| totp::code_at(&secret, &p, s))
        .collect();
    let mut n = (i * 7919) % 1_000_000;
    loop {
        let c = format!("{n:06}");
        if !near.contains(&c) {
            return c;
        }
        n = (n + 1) % 1_000_000;
    }
}

pub async fn connect(url: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    Ok(AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?)
}

/// Inserts the population into a database the server has already migrated.
pub async fn seed(
    url: &str,
    keys: &ServiceKeys,
    password_hash: &str,
    accounts: u64,
    totp: u64,
) -> anyhow::Result<()> {
    let pool = connect(url).await?;
    let sqlite = url.starts_with("sqlite:");
    let now = now();
    let mut tx = pool.begin().await?;
    if sqlite {
        // Bulk loading only; the server itself runs with its own settings.
        tx.execute("PRAGMA defer_foreign_keys = ON").await?;
    }
    let contract = uuid::Uuid::new_v4().to_string();
    sqlx::query("INSERT INTO contracts (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&contract)
        .bind("bench")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    const BATCH: u64 = 500;
    let mut start = 0;
    while start < accounts {
        let end = (start + BATCH).min(accounts);
        let ids: Vec<String> = (start..end)
            .map(|_| uuid::Uuid::new_v4().to_string())
            .collect();
        let mut sql = String::from(
            "INSERT INTO users (id, contract_id, email, email_key, password_hash, role, created_at) VALUES ",
        );
        push_rows(&mut sql, ids.len(), 7);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (k, id) in ids.iter().enumerate() {
            let e = email(start + k as u64);
            q = q
                .bind(id.clone())
                .bind(contract.clone())
                .bind(e.clone())
                .bind(e)
                .bind(password_hash.to_owned())
                .bind("user")
                .bind(now);
        }
        q.execute(&mut *tx).await?;

        let with_totp: Vec<(u64, &String)> = (start..end)
            .zip(ids.iter())
            .filter(|(i, _)| *i < totp)
            .collect();
        if !with_totp.is_empty() {
            let mut sql = String::from(
                "INSERT INTO totp_factors (user_id, key_id, secret, algorithm, digits, period, activated_at) VALUES ",
            );
            push_rows(&mut sql, with_totp.len(), 7);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (i, id) in &with_totp {
                let sealed = keys
                    .sealing
                    .seal(&totp_key(*i), format!("totp:{id}").as_bytes())
                    .map_err(|e| anyhow::anyhow!("sealing: {e}"))?;
                q = q
                    .bind((*id).clone())
                    .bind(sealed.key_id)
                    .bind(sealed.data)
                    .bind("SHA1")
                    .bind(6_i64)
                    .bind(30_i64)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;

            let mut sql = String::from(
                "INSERT INTO login_tickets (id, digest, user_id, purpose, created_at, expires_at, failures) VALUES ",
            );
            push_rows(&mut sql, with_totp.len(), 7);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (i, id) in &with_totp {
                q = q
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(Token::from_client(&ticket(*i)).digest().0)
                    .bind((*id).clone())
                    .bind("second_factor")
                    .bind(now)
                    .bind(now + 3 * 3600)
                    .bind(0_i64);
            }
            q.execute(&mut *tx).await?;
        }
        start = end;
    }
    tx.commit().await?;
    if sqlite {
        pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    } else {
        pool.execute("ANALYZE").await?;
    }
    pool.close().await;
    Ok(())
}

/// Appends `rows` groups of `cols` numbered placeholders: `($1, $2), ($3, $4)`.
fn push_rows(sql: &mut String, rows: usize, cols: usize) {
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&n.to_string());
            n += 1;
        }
        sql.push(')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows() {
        let mut s = String::new();
        push_rows(&mut s, 2, 3);
        assert_eq!(s, "($1, $2, $3), ($4, $5, $6)");
    }

    #[test]
    fn a_wrong_code_matches_no_step_near_now() {
        for i in 0..50 {
            let w = wrong_code(i);
            assert_ne!(w, code_now(i));
            assert_eq!(w.len(), 6);
        }
    }
}
