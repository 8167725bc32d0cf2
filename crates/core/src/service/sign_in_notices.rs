//! Telling the account holder about sign-ins they may not have made: "New sign-in to your
//! account" when a sign-in comes from a browser family or network not seen lately, and "Someone
//! knows your password" when wrong second-factor codes follow a right password. The rules are
//! [`crate::sign_in_notice`]'s; here they are applied inside the caller's transaction, so a
//! notice is queued if and only if the sign-in (or the counted wrong code) commits.
//!
//! Which wrong answers count: a wrong authenticator-app or recovery code, and a push request the
//! holder denied on their phone (someone typed the right password and asked; a wrong number
//! typed in the app also denies). A request reported as "this wasn't me" locks the account and
//! says so itself; an unanswered request or a cancelled security-key prompt proves nothing and
//! does not count.

use crate::clock::UnixTime;
use crate::error::Result;
use crate::login::{Assurance, Factor};
use crate::model::{RequestMeta, User};
use crate::notice::{Channel, Notice};
use crate::sign_in_notice::{
    NEW_SIGN_IN_NOTICES, SignInFacts, WRONG_CODE_NOTICES, WRONG_CODES, client_name, network_of,
    new_sign_in_notice_due, seen_since,
};
use crate::store::{Contracts, RateEvents, RateLimit, SignInHistory, Store};
use crate::user_agent;

use super::Services;

/// "New sign-in" notices sent, per account.
const NEW_SIGN_IN_SCOPE: &str = "new_sign_in_notice";
/// Wrong second-factor codes, per account.
const WRONG_CODE_SCOPE: &str = "second_factor_failure";
/// "Someone knows your password" notices sent, per account.
const WRONG_CODE_NOTICE_SCOPE: &str = "second_factor_failures_notice";

impl<S: Store> Services<S> {
    /// Called by every sign-in that opens a session, in its transaction: queues "New sign-in to
    /// your account" when [`new_sign_in_notice_due`] says so, then records the sign-in's family
    /// and network. A step-up comes from a browser whose sign-in recorded both when its session
    /// began, so it is not new.
    pub(crate) async fn note_sign_in(
        &self,
        tx: &mut S::Tx,
        user: &User,
        meta: &RequestMeta,
        assurance: &Assurance,
        now: UnixTime,
    ) -> Result<()> {
        let family = user_agent::family(meta.user_agent.as_deref());
        let family_name = family.describe();
        let network = network_of(meta.ip.as_deref());
        let signed_in_before = tx.has_sign_in_history(&user.id).await?;
        let remembered_browser = assurance
            .methods
            .iter()
            .any(|m| m == Factor::RememberedBrowser.method_name());
        if signed_in_before && !remembered_browser {
            let since = seen_since(now);
            let family_seen = tx.family_seen_since(&user.id, &family_name, since).await?;
            let network_seen = tx.network_seen_since(&user.id, &network, since).await?;
            let notices_on = tx
                .contract(&user.contract_id)
                .await?
                .is_none_or(|c| c.new_sign_in_notice);
            let mut facts = SignInFacts {
                signed_in_before,
                remembered_browser,
                family_seen,
                network_seen,
                notices_on,
                notified_lately: false,
            };
            if new_sign_in_notice_due(&facts) {
                // Only now read the hourly limit (two sign-ins at once on two nodes send one
                // notice between them).
                let turn = notice_turn(tx, NEW_SIGN_IN_SCOPE, user, NEW_SIGN_IN_NOTICES, now);
                facts.notified_lately = !turn.await?;
                if new_sign_in_notice_due(&facts) {
                    let notice = Notice::NewSignIn {
                        email: user.email.to_string(),
                        at: now.0,
                        ip: meta.ip.clone(),
                        client: client_name(&family),
                        lock_token: self.issue_lock_token(tx, user, now).await?,
                    };
                    self.enqueue_notice(
                        tx,
                        Channel::Email,
                        user.email.as_str(),
                        user,
                        &notice,
                        now,
                    )
                    .await?;
                }
            }
        }
        tx.record_sign_in(&user.id, &family_name, &network, now)
            .await
    }

    /// Counts one wrong second-factor answer after a right password (`meta`: the sign-in's
    /// address and browser) in the caller's transaction; the third within the hour queues
    /// "Someone knows your password", at most one an hour.
    pub(crate) async fn note_second_factor_failure(
        &self,
        tx: &mut S::Tx,
        user: &User,
        meta: &RequestMeta,
        now: UnixTime,
    ) -> Result<()> {
        let subject = user.id.as_str();
        let since = WRONG_CODES.since(now);
        tx.hold_rate_key(WRONG_CODE_SCOPE, subject).await?;
        tx.prune_rate_events(WRONG_CODE_SCOPE, subject, since)
            .await?;
        tx.record_rate_event(WRONG_CODE_SCOPE, subject, now).await?;
        let wrong = tx.rate_window(WRONG_CODE_SCOPE, subject, since).await?;
        if WRONG_CODES.retry_after(&wrong, now).is_none() {
            return Ok(());
        }
        if !notice_turn(tx, WRONG_CODE_NOTICE_SCOPE, user, WRONG_CODE_NOTICES, now).await? {
            return Ok(());
        }
        let notice = Notice::SecondFactorFailures {
            email: user.email.to_string(),
            at: now.0,
            ip: meta.ip.clone(),
            client: client_name(&user_agent::family(meta.user_agent.as_deref())),
            wrong_codes: wrong.count,
            lock_token: self.issue_lock_token(tx, user, now).await?,
        };
        self.enqueue_notice(tx, Channel::Email, user.email.as_str(), user, &notice, now)
            .await
    }
}

/// Takes the account's turn to be sent a notice of this kind: holds the scope's key (so two
/// sign-ins at once on two nodes take turns), reads the window and, when the limit allows one
/// more, records it. False when a notice of this kind went out within the window.
async fn notice_turn<T: RateEvents>(
    tx: &mut T,
    scope: &str,
    user: &User,
    limit: RateLimit,
    now: UnixTime,
) -> Result<bool> {
    let subject = user.id.as_str();
    let since = limit.since(now);
    tx.hold_rate_key(scope, subject).await?;
    let sent = tx.rate_window(scope, subject, since).await?;
    if limit.retry_after(&sent, now).is_some() {
        return Ok(false);
    }
    tx.prune_rate_events(scope, subject, since).await?;
    tx.record_rate_event(scope, subject, now).await?;
    Ok(true)
}
