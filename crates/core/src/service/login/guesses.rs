//! Guess counting: the account key the throttle counts under, how long guesses must wait, and
//! one wrong guess counted against the account and the source address. Every path that checks a
//! secret a stranger could guess (a password, a code, an app password) asks here first and
//! counts here after; the arithmetic itself is [`crate::throttle`]'s, and nothing here decides
//! what a guess was for.

use crate::clock::UnixTime;
use crate::email::Email;
use crate::error::Result;
use crate::model::RequestMeta;
use crate::service::Services;
use crate::store::{Store, Throttle};
use crate::throttle::{AccountCounter, Guess, ThrottlePolicy};

/// The key the account throttle counts under: the email key, or the raw name lower-cased when it
/// is not an email (it then matches no account, but is throttled all the same).
pub(crate) fn throttle_key(username: &str) -> String {
    let key = Email::parse(username)
        .map(|e| e.key())
        .unwrap_or_else(|_| username.trim().to_lowercase());
    format!("login:{key}")
}

/// How long guesses for the account `key` (and from `ip`, if known) must wait, if either is
/// locked out: every path that checks a secret against the login's throttle asks this first.
pub async fn guess_retry_after<T: Throttle>(
    tx: &mut T,
    policy: &ThrottlePolicy,
    key: &str,
    ip: Option<&str>,
    now: UnixTime,
) -> Result<Option<i64>> {
    let counter = tx.account_counter(key).await?;
    retry_after_with(tx, policy, &counter, ip, now).await
}

/// [`guess_retry_after`] for an account counter already read.
pub async fn retry_after_with<T: Throttle>(
    tx: &mut T,
    policy: &ThrottlePolicy,
    counter: &AccountCounter,
    ip: Option<&str>,
    now: UnixTime,
) -> Result<Option<i64>> {
    let window = match ip {
        Some(ip) => Some(
            tx.address_window(ip, policy.address_window_start(now))
                .await?,
        ),
        None => None,
    };
    Ok(policy
        .account_retry_after(counter, now)
        .into_iter()
        .chain(window.and_then(|w| policy.address_retry_after(&w, now)))
        .max())
}

impl<S: Store> Services<S> {
    /// Counts one wrong `guess` against the account and the source address. A wrong code's
    /// lockouts grow to a day, not an hour (it came from someone who knew the password, or it is
    /// a 6-digit SMS code; docs/threat-model.md).
    pub(crate) async fn count_guess_failure(
        &self,
        tx: &mut S::Tx,
        key: &str,
        meta: &RequestMeta,
        now: UnixTime,
        guess: Guess,
    ) -> Result<()> {
        let policy = self.settings.throttle;
        let counted = tx.count_account_failure(key, now).await?;
        if let Some(until) = policy.lock_after(guess, &counted, now) {
            tx.lock_account(key, until).await?;
        }
        if let Some(ip) = &meta.ip {
            tx.count_address_failure(ip, now, policy.address_window_start(now))
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::throttle_key;

    #[test]
    fn the_throttle_counts_one_account_whatever_the_spelling() {
        assert_eq!(
            throttle_key(" Alice@Example.com"),
            throttle_key("alice@example.COM")
        );
        assert_eq!(throttle_key("NotAnEmail"), "login:notanemail");
    }
}
