//! The sweep's deletes and the lease. Every kind is one portable statement,
//! `DELETE FROM t WHERE key IN (SELECT key FROM t WHERE <expired> LIMIT n)`, the same on SQLite
//! and PostgreSQL (composite keys as row values); the caller commits after each, so no lock is
//! held for long. Foreign keys take what hangs on a deleted row along (a session's held secrets
//! and kit, a ticket's push challenges and ceremonies).

use portcullis_core::Result;
use portcullis_core::UnixTime;
use portcullis_core::store::{Leases, Sweep, Swept};
use sqlx::AssertSqlSafe;

use crate::db_err;
use crate::tx::SqlTx;

/// The table, its key (a column, or a row value of columns) and when a row is expired, with
/// `$1` the cutoff. Only `RateKeys` has no cutoff.
fn statement(kind: Swept) -> (&'static str, &'static str, &'static str) {
    match kind {
        Swept::EndedSessions => ("sessions", "id", "expires_at <= $1 OR revoked_at <= $1"),
        Swept::IdleSessions => ("sessions", "id", "last_seen_at <= $1"),
        Swept::LoginTickets => ("login_tickets", "id", "expires_at <= $1"),
        Swept::PasswordLinks => ("password_links", "digest", "expires_at <= $1"),
        Swept::EmergencyKits => ("emergency_kits", "session_id", "expires_at <= $1"),
        Swept::WebauthnCeremonies => ("webauthn_ceremonies", "digest", "expires_at <= $1"),
        Swept::Held => ("held", "id", "expires_at <= $1"),
        Swept::PushPairings => ("push_pairings", "digest", "expires_at <= $1"),
        Swept::PushChallenges => ("push_challenges", "id", "expires_at <= $1"),
        Swept::RadiusStates => ("radius_states", "digest", "expires_at <= $1"),
        Swept::DeviceNonces => ("device_nonces", "(device_id, nonce)", "expires_at <= $1"),
        Swept::PhoneCodes => ("phone_codes", "(user_id, purpose)", "expires_at <= $1"),
        Swept::SetupTokens => ("setup_tokens", "digest", "expires_at <= $1"),
        Swept::RateEvents => ("rate_events", "id", "at <= $1"),
        Swept::RateKeys => (
            "rate_keys",
            "(scope, subject)",
            "NOT EXISTS (SELECT 1 FROM rate_events e \
             WHERE e.scope = rate_keys.scope AND e.subject = rate_keys.subject)",
        ),
        Swept::AddressFailures => ("address_failures", "id", "at <= $1"),
        Swept::OidcPendingAuthorizations => {
            ("oidc_pending_authorizations", "id", "expires_at <= $1")
        }
        Swept::OidcCodes => ("oidc_codes", "digest", "expires_at <= $1"),
        Swept::OidcTokens => ("oidc_tokens", "digest", "expires_at <= $1"),
        Swept::RememberedBrowsers => ("remembered_browsers", "id", "expires_at <= $1"),
        Swept::SignInHistory => (
            "sign_in_history",
            "(user_id, family, network)",
            // Each account keeps its newest row, however old: an account with no history at
            // all reads as never signed in, and its next sign-in would go untold.
            "last_seen_at <= $1 AND EXISTS (SELECT 1 FROM sign_in_history newer \
             WHERE newer.user_id = sign_in_history.user_id \
             AND newer.last_seen_at > sign_in_history.last_seen_at)",
        ),
        Swept::Outbox => ("outbox", "id", "sent_at <= $1 OR failed_at <= $1"),
    }
}

impl Sweep for SqlTx {
    async fn sweep_batch(&mut self, kind: Swept, before: UnixTime, limit: i64) -> Result<u64> {
        let (table, key, expired) = statement(kind);
        // A statement without the cutoff must not bind it (PostgreSQL refuses a parameter it
        // cannot type), so the limit's number follows what the condition uses.
        let uses_cutoff = expired.contains("$1");
        let limit_param = if uses_cutoff { "$2" } else { "$1" };
        // `(a, b)` on the left is a row value; the sub-select lists the columns plainly.
        let columns = key.trim_start_matches('(').trim_end_matches(')');
        let sql = format!(
            "DELETE FROM {table} WHERE {key} IN \
             (SELECT {columns} FROM {table} WHERE {expired} LIMIT {limit_param})"
        );
        let query = sqlx::query(AssertSqlSafe(sql));
        let query = if uses_cutoff {
            query.bind(before.0)
        } else {
            query
        };
        let done = query
            .bind(limit)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

impl Leases for SqlTx {
    async fn take_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: UnixTime,
        until: UnixTime,
    ) -> Result<bool> {
        // One statement decides: a new row, a run-out lease taken over, or the holder's own
        // renewal; otherwise the WHERE leaves the row alone and nothing comes back. Concurrent
        // takers queue on the row (PostgreSQL) or the writer (SQLite); the second sees the
        // first's lease and gets nothing.
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, \
             expires_at = EXCLUDED.expires_at \
             WHERE leases.expires_at <= $4 OR leases.holder = EXCLUDED.holder \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(until.0)
        .bind(now.0)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(taken.as_deref() == Some(holder))
    }

    async fn release_lease(&mut self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
