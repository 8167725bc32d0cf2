//! The store and the use cases on a pinned clock, on SQLite and on PostgreSQL: what takes time
//! (lockouts that expire and double, idle and absolute session ends, the address window) and what
//! must hold under concurrency (counters, single-use setup links, the append-only audit log).

use std::sync::Arc;

use portcullis_core::crypto::{Keyring, SealingKey};
use portcullis_core::model::{RequestMeta, Role, SessionKind, SessionPolicy};
use portcullis_core::password::{Password, PasswordHasher};
use portcullis_core::secret::Token;
use portcullis_core::service::{
    CodesOccasion, HOLD_SECS, HeldAppPassword, HeldCodes, LoginResult, ServiceKeys, Services,
    Settings, Shown,
};
use portcullis_core::store::{Store, Throttle, TotpFactors, Transaction};
use portcullis_core::throttle::{AccountCounter, ThrottlePolicy};
use portcullis_core::{Error, FixedClock, UnixTime};
use portcullis_store::testing::with_database_on;
use portcullis_store::{Backend, SqlStore};

const PASSWORD: &str = "Correct-Horse-7";
const START: i64 = 1_800_000_000;

struct World {
    services: Services<SqlStore>,
    clock: FixedClock,
}

async fn world(url: &str, settings: Settings) -> World {
    let store = SqlStore::connect(url, 8).await.expect("connect");
    store.migrate().await.expect("migrate");
    // Migrating twice is harmless: every node runs it at start.
    store.migrate().await.expect("migrate again");
    let clock = FixedClock::at(START);
    let hasher = PasswordHasher::on_blocking_pool().unwrap();
    let keys = ServiceKeys {
        sealing: Keyring::new(SealingKey::new(&[9; 32]), vec![]),
        recovery: [8; 32],
    };
    let services = Services::new(store, Arc::new(clock.clone()), hasher, keys, settings);
    World { services, clock }
}

fn from(ip: &str) -> RequestMeta {
    RequestMeta {
        ip: Some(ip.to_owned()),
        user_agent: Some("contract-tests".to_owned()),
    }
}

impl World {
    async fn owner(&self, email: &str) {
        self.services
            .create_owner_from_shell(email, &Password::new(PASSWORD))
            .await
            .unwrap();
    }
    async fn login(&self, email: &str, password: &str, ip: &str) -> Result<Token, Error> {
        match self
            .services
            .sign_in(email, &Password::new(password), SessionKind::Api, &from(ip))
            .await?
        {
            LoginResult::Complete { token, .. } => Ok(token),
            other => panic!("no second factor expected here: {other:?}"),
        }
    }
    async fn fail(&self, email: &str, times: usize) {
        for _ in 0..times {
            assert!(matches!(
                self.login(email, "Wrong-Password-1", "192.0.2.1").await,
                Err(Error::InvalidCredentials)
            ));
        }
    }
}

fn retry_after(r: Result<Token, Error>) -> i64 {
    match r {
        Err(Error::TooManyAttempts { retry_after_secs }) => retry_after_secs,
        other => panic!("expected too_many_attempts, got {other:?}"),
    }
}

macro_rules! on_both_backends {
    ($(async fn $name:ident($url:ident: String) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn scenario($url: String, _folder: std::path::PathBuf, _backend: Backend) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() { with_database_on(Backend::Sqlite, scenario).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() { with_database_on(Backend::Postgres, scenario).await }
        }
    )*};
}

on_both_backends! {
    async fn the_gateway_lookup_reads_user_factor_and_counter_in_one_statement(url: String) {
        let w = world(&url, Settings::default()).await;
        w.owner("alice@example.com").await;
        w.fail("alice@example.com", 2).await;
        let store = SqlStore::connect(&url, 2).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let found = tx
            .gateway_lookup("alice@example.com", "login:alice@example.com")
            .await
            .unwrap();
        assert_eq!(found.user.unwrap().email.as_str(), "alice@example.com");
        assert!(found.totp.is_none());
        assert_eq!(found.counter.failures, 2);
        // An unknown name still reads its counter (unknown users are throttled too).
        tx.count_account_failure("login:nobody@example.com", UnixTime(START)).await.unwrap();
        let nobody = tx
            .gateway_lookup("nobody@example.com", "login:nobody@example.com")
            .await
            .unwrap();
        assert!(nobody.user.is_none() && nobody.totp.is_none());
        assert_eq!(nobody.counter.failures, 1);
        let clean = tx.gateway_lookup("", "login:").await.unwrap();
        assert!(clean.user.is_none());
        assert_eq!(clean.counter, AccountCounter::default());
    }

    async fn lockouts_expire_and_double_on_repeat_until_a_success(url: String) {
        let w = world(&url, Settings::default()).await;
        w.owner("alice@example.com").await;
        w.fail("alice@example.com", 10).await;
        assert_eq!(retry_after(w.login("alice@example.com", PASSWORD, "192.0.2.1").await), 60);
        w.clock.advance(59);
        assert_eq!(retry_after(w.login("alice@example.com", PASSWORD, "192.0.2.1").await), 1);
        w.clock.advance(1);
        // The lock is over; ten more failures lock it again, for twice as long.
        w.fail("alice@example.com", 10).await;
        assert_eq!(retry_after(w.login("alice@example.com", PASSWORD, "192.0.2.1").await), 120);
        w.clock.advance(120);
        w.login("alice@example.com", PASSWORD, "192.0.2.1").await.expect("the lock has ended");
        // The success reset the doubling.
        w.fail("alice@example.com", 10).await;
        assert_eq!(retry_after(w.login("alice@example.com", PASSWORD, "192.0.2.1").await), 60);
    }

    async fn an_address_with_too_many_failures_is_refused_until_they_age_out(url: String) {
        let settings = Settings {
            throttle: ThrottlePolicy { ip_max_failures: 3, ip_window_secs: 600, ..ThrottlePolicy::default() },
            ..Settings::default()
        };
        let w = world(&url, settings).await;
        w.owner("bob@example.com").await;
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            w.clock.advance(i as i64 * 10);
            let r = w.login(&format!("{name}@example.com"), "Wrong-Password-1", "198.51.100.7").await;
            assert!(matches!(r, Err(Error::InvalidCredentials)));
        }
        // Four failures in the window: this address is refused, even with the right password.
        let wait = retry_after(w.login("bob@example.com", PASSWORD, "198.51.100.7").await);
        assert!((1..=600).contains(&wait), "{wait}");
        // Another address is not affected.
        w.login("bob@example.com", PASSWORD, "198.51.100.8").await.unwrap();
        w.clock.advance(wait);
        w.login("bob@example.com", PASSWORD, "198.51.100.7").await.expect("the window has moved on");
    }

    async fn sessions_end_when_idle_too_long_or_too_old(url: String) {
        let settings = Settings { sessions: SessionPolicy { idle_secs: 1800, absolute_secs: 7200 }, ..Settings::default() };
        let w = world(&url, settings).await;
        w.owner("carol@example.com").await;
        let idle = w.login("carol@example.com", PASSWORD, "192.0.2.1").await.unwrap();
        let busy = w.login("carol@example.com", PASSWORD, "192.0.2.1").await.unwrap();
        for _ in 0..3 {
            w.clock.advance(1700);
            w.services.authenticate(&busy).await.expect("used within the idle time");
        }
        assert!(matches!(w.services.authenticate(&idle).await, Err(Error::Unauthenticated)));
        w.clock.advance(1700);
        // 6800 s: still alive; then past the absolute end, activity does not help.
        let auth = w.services.authenticate(&busy).await.unwrap();
        assert_eq!(w.services.list_sessions(&auth).await.unwrap().len(), 1, "the idle session is not listed");
        w.clock.advance(400);
        assert!(matches!(w.services.authenticate(&busy).await, Err(Error::Unauthenticated)));
    }

    async fn concurrent_failures_are_all_counted(url: String) {
        let w = world(&url, Settings::default()).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let store = w.services.store.clone();
            tasks.spawn(async move {
                let mut tx = store.begin().await.unwrap();
                tx.count_account_failure("login:x@example.com", UnixTime(START)).await.unwrap();
                tx.commit().await.unwrap();
            });
        }
        tasks.join_all().await;
        let mut tx = w.services.store.begin_read().await.unwrap();
        assert_eq!(tx.account_counter("login:x@example.com").await.unwrap().failures, 16);
    }

    async fn what_a_page_shows_once_is_taken_once_even_by_concurrent_requests(url: String) {
        let w = world(&url, Settings::default()).await;
        w.owner("held@example.com").await;
        let token = w.login("held@example.com", PASSWORD, "192.0.2.1").await.unwrap();
        let auth = Arc::new(w.services.authenticate(&token).await.unwrap());
        for round in 0..3 {
            let codes = HeldCodes { occasion: CodesOccasion::Regenerated, codes: vec![format!("code-{round}")] };
            w.services.hold(&auth, &codes).await.unwrap();
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..8 {
                let (services, auth) = (w.services.clone(), auth.clone());
                tasks.spawn(async move {
                    matches!(services.take_held::<HeldCodes>(&auth).await.unwrap(), Shown::Now(_))
                });
            }
            let shown = tasks.join_all().await.into_iter().filter(|s| *s).count();
            assert_eq!(shown, 1, "round {round}");
            assert!(matches!(w.services.take_held::<HeldCodes>(&auth).await.unwrap(), Shown::Already));
        }
        // Each purpose is held apart, and after a few minutes nothing is left to show.
        let password = HeldAppPassword { name: "Mail".into(), password: "abcd-efgh".into() };
        w.services.hold(&auth, &password).await.unwrap();
        assert!(matches!(w.services.take_held::<HeldCodes>(&auth).await.unwrap(), Shown::Already));
        w.clock.advance(HOLD_SECS);
        assert!(matches!(w.services.take_held::<HeldAppPassword>(&auth).await.unwrap(), Shown::Nothing));
        assert!(matches!(w.services.take_held::<HeldCodes>(&auth).await.unwrap(), Shown::Nothing));
    }

    async fn a_setup_link_registers_exactly_one_owner(url: String) {
        let w = world(&url, Settings::default()).await;
        let token = w.services.issue_setup_link_if_needed().await.unwrap().expect("registration is closed and empty");
        assert!(w.services.setup_link_valid(&token).await.unwrap());
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..4 {
            let services = w.services.clone();
            let token = token.clone();
            tasks.spawn(async move {
                services
                    .sign_up_with_setup_link(&token, &format!("owner{i}@example.com"), &Password::new(PASSWORD), &RequestMeta::default())
                    .await
                    .is_ok()
            });
        }
        let wins = tasks.join_all().await.into_iter().filter(|ok| *ok).count();
        assert_eq!(wins, 1);
        assert!(!w.services.setup_link_valid(&token).await.unwrap());
        assert!(w.services.issue_setup_link_if_needed().await.unwrap().is_none());
        assert!(matches!(
            w.services.sign_up_with_setup_link(&Token::generate(), "x@example.com", &Password::new(PASSWORD), &RequestMeta::default()).await,
            Err(Error::InvalidSetupToken)
        ));
    }

    async fn login_tickets_expire_after_five_minutes_and_codes_follow_the_pinned_clock(url: String) {
        use portcullis_core::totp::{TotpParams, code_at};
        let w = world(&url, Settings::default()).await;
        w.owner("totp@example.com").await;
        let token = w.login("totp@example.com", PASSWORD, "192.0.2.1").await.unwrap();
        let auth = w.services.authenticate(&token).await.unwrap();
        let enrolment = w.services.start_totp(&auth, TotpParams::default(), &from("192.0.2.1")).await.unwrap();
        let p = TotpParams::default();
        let step = p.step(UnixTime(START));
        let code = code_at(&enrolment.secret, &p, step);
        w.services.activate_totp(&auth, &Password::new(PASSWORD), &code, &from("192.0.2.1")).await.unwrap();

        let ticket = |r: LoginResult| match r {
            LoginResult::SecondFactor { ticket, expires_at, .. } => (ticket, expires_at),
            other => panic!("expected a second step, got {other:?}"),
        };
        let meta = from("192.0.2.1");
        let first = w.services.sign_in("totp@example.com", &Password::new(PASSWORD), SessionKind::Api, &meta).await.unwrap();
        let (t, expires_at) = ticket(first);
        assert_eq!(expires_at, UnixTime(START + 300));
        // The activation used this step: it is refused as a replay, the next one is accepted.
        let r = w.services.login_with_totp(&t, &code, SessionKind::Api, &meta).await;
        assert!(matches!(r, Err(Error::SecondFactorFailed)), "{r:?}");
        // Five minutes later the ticket is dead, even with a good code.
        w.clock.advance(300);
        let late = code_at(&enrolment.secret, &p, p.step(UnixTime(START + 300)));
        let r = w.services.login_with_totp(&t, &late, SessionKind::Api, &meta).await;
        assert!(matches!(r, Err(Error::InvalidTicket)), "{r:?}");
        let (t, _) = ticket(w.services.sign_in("totp@example.com", &Password::new(PASSWORD), SessionKind::Api, &meta).await.unwrap());
        assert!(matches!(w.services.login_with_totp(&t, &late, SessionKind::Api, &meta).await, Ok(LoginResult::Complete { .. })));
        // A minute later the code of the step before the current one is still accepted (drift).
        let (t, _) = ticket(w.services.sign_in("totp@example.com", &Password::new(PASSWORD), SessionKind::Api, &meta).await.unwrap());
        w.clock.advance(60);
        let previous = code_at(&enrolment.secret, &p, p.step(UnixTime(START + 360)) - 1);
        let r = w.services.login_with_totp(&t, &previous, SessionKind::Api, &meta).await;
        assert!(matches!(r, Ok(LoginResult::Complete { .. })), "{r:?}");
    }

    async fn a_ticket_is_extended_only_forward_and_only_while_it_lives(url: String) {
        use portcullis_core::model::{LoginTicket, TicketId, TicketPurpose};
        use portcullis_core::store::LoginTickets;
        let w = world(&url, Settings::default()).await;
        w.owner("wizard@example.com").await;
        let token = w.login("wizard@example.com", PASSWORD, "192.0.2.1").await.unwrap();
        let user = w.services.authenticate(&token).await.unwrap().user.id;
        let ticket = |id: &str| LoginTicket {
            id: TicketId(id.to_owned()),
            user_id: user.clone(),
            purpose: TicketPurpose::Enrollment,
            created_at: UnixTime(START),
            expires_at: UnixTime(START + 1800),
            failures: 0,
            used: false,
            acr: portcullis_core::login::Acr::Pwd,
            step_up_of: None,
        };
        let mut tx = w.services.store.begin().await.unwrap();
        tx.insert_ticket(&ticket("t1"), &Token::generate().digest()).await.unwrap();
        tx.insert_ticket(&ticket("t2"), &Token::generate().digest()).await.unwrap();
        tx.commit().await.unwrap();
        let extend = |id: &'static str, until: i64, now: i64| {
            let store = &w.services.store;
            async move {
                let mut tx = store.begin().await.unwrap();
                let done = tx.extend_ticket(&TicketId(id.to_owned()), UnixTime(until), UnixTime(now)).await.unwrap();
                tx.commit().await.unwrap();
                done
            }
        };
        // Forward while it lives; never backward, so two racing steps both end at the later time.
        assert!(extend("t1", START + 2400, START + 600).await);
        assert!(!extend("t1", START + 2000, START + 700).await, "never moved back");
        assert!(extend("t1", START + 2400, START + 700).await, "the same end again is fine");
        // Not once it has run out, and not once it is used.
        assert!(!extend("t1", START + 9000, START + 2400).await, "an expired ticket stays expired");
        let mut tx = w.services.store.begin().await.unwrap();
        assert!(tx.consume_ticket(&TicketId("t2".into()), UnixTime(START + 60)).await.unwrap());
        tx.commit().await.unwrap();
        assert!(!extend("t2", START + 2400, START + 120).await, "a used ticket stays used");
    }

    async fn a_new_setup_link_voids_the_older_unused_one(url: String) {
        let w = world(&url, Settings::default()).await;
        let old = w.services.issue_setup_link_if_needed().await.unwrap().unwrap();
        let new = w.services.issue_setup_link_if_needed().await.unwrap().unwrap();
        assert!(!w.services.setup_link_valid(&old).await.unwrap());
        assert!(w.services.setup_link_valid(&new).await.unwrap());
    }

    async fn expired_setup_links_are_refused(url: String) {
        let w = world(&url, Settings::default()).await;
        let token = w.services.issue_setup_link_if_needed().await.unwrap().unwrap();
        w.clock.advance(Settings::default().setup_link_secs);
        let r = w.services.sign_up_with_setup_link(&token, "late@example.com", &Password::new(PASSWORD), &RequestMeta::default()).await;
        assert!(matches!(r, Err(Error::InvalidSetupToken)));
    }

    async fn the_database_refuses_to_change_or_delete_audit_events(url: String) {
        let w = world(&url, Settings { open_registration: true, ..Settings::default() }).await;
        w.owner("dave@example.com").await;
        let pool = w.services.store.raw_pool();
        assert!(sqlx::query("UPDATE audit_events SET type = 'forged'").execute(pool).await.is_err());
        assert!(sqlx::query("DELETE FROM audit_events").execute(pool).await.is_err());
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(pool).await.unwrap();
        assert_eq!(n, 1);
    }

    async fn secrets_are_stored_only_as_hashes(url: String) {
        let w = world(&url, Settings::default()).await;
        w.owner("erin@example.com").await;
        let token = w.login("erin@example.com", PASSWORD, "192.0.2.1").await.unwrap();
        let pool = w.services.store.raw_pool();
        let phc: String = sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(pool).await.unwrap();
        assert!(phc.starts_with("$argon2id$") && !phc.contains(PASSWORD));
        let digest: String = sqlx::query_scalar("SELECT token_digest FROM sessions").fetch_one(pool).await.unwrap();
        assert_ne!(digest, token.expose());
        assert_eq!(digest.len(), 64);
    }

    async fn an_invitation_link_sets_the_password_once_and_dies_after_seven_days(url: String) {
        let w = world(&url, Settings::default()).await;
        w.owner("owner@example.com").await;
        let (admin, _) = w.services.operator_session("owner@example.com").await.unwrap();
        let meta = from("192.0.2.1");
        for email in ["invited@example.com", "late@example.com"] {
            w.services.create_user(&admin, email, None, Role::User, false, &meta).await.unwrap();
        }
        let invited = invitation_link(&w, "invited@example.com").await;
        let late = invitation_link(&w, "late@example.com").await;
        assert!(w.services.invitation_valid(&invited).await.unwrap());
        assert!(matches!(
            w.login("invited@example.com", PASSWORD, "192.0.2.1").await,
            Err(Error::InvalidCredentials)
        ));

        // A password the policy refuses leaves the link usable.
        let r = w.services.accept_invitation(&invited, &Password::new("Invited@example.com"), &meta).await;
        assert!(matches!(r, Err(Error::WeakPassword(_))), "{r:?}");
        assert!(w.services.invitation_valid(&invited).await.unwrap());

        w.services.accept_invitation(&invited, &Password::new(PASSWORD), &meta).await.unwrap();
        w.login("invited@example.com", PASSWORD, "192.0.2.1").await.expect("the chosen password works");
        assert!(!w.services.invitation_valid(&invited).await.unwrap());
        let again = w.services.accept_invitation(&invited, &Password::new("Another-Horse-8"), &meta).await;
        assert!(matches!(again, Err(Error::InvalidSetupToken)), "{again:?}");
        w.login("invited@example.com", PASSWORD, "192.0.2.1").await.expect("the second use changed nothing");

        let pool = w.services.store.raw_pool();
        let accepted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE type = 'invitation.accepted'")
            .fetch_one(pool).await.unwrap();
        assert_eq!(accepted, 1);

        w.clock.advance(Settings::default().invitation_secs);
        assert!(!w.services.invitation_valid(&late).await.unwrap());
        let expired = w.services.accept_invitation(&late, &Password::new(PASSWORD), &meta).await;
        assert!(matches!(expired, Err(Error::InvalidSetupToken)), "{expired:?}");
        assert!(matches!(
            w.login("late@example.com", PASSWORD, "192.0.2.1").await,
            Err(Error::InvalidCredentials)
        ));
        assert!(matches!(
            w.services.accept_invitation(&Token::generate(), &Password::new(PASSWORD), &meta).await,
            Err(Error::InvalidSetupToken)
        ));
    }

    async fn a_webauthn_ceremony_is_taken_once_for_its_purpose_and_only_in_time(url: String) {
        use portcullis_core::store::{CeremonyPurpose, NewCeremony, WebauthnStore};
        let store = SqlStore::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        let token = Token::generate();
        let digest = token.digest();
        let mut tx = store.begin().await.unwrap();
        tx.insert_webauthn_ceremony(&NewCeremony {
            digest: &digest,
            purpose: CeremonyPurpose::Passkey,
            user: None,
            ticket: None,
            state: "{}",
            now: UnixTime(START),
            expires_at: UnixTime(START + 300),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let wrong = tx
            .take_webauthn_ceremony(&digest, CeremonyPurpose::Registration, UnixTime(START + 1))
            .await
            .unwrap();
        assert!(wrong.is_none(), "a ceremony is taken only for its own purpose");
        let late = tx
            .take_webauthn_ceremony(&digest, CeremonyPurpose::Passkey, UnixTime(START + 300))
            .await
            .unwrap();
        assert!(late.is_none(), "five minutes and no more");
        let taken = tx
            .take_webauthn_ceremony(&digest, CeremonyPurpose::Passkey, UnixTime(START + 299))
            .await
            .unwrap()
            .expect("taken in time");
        assert_eq!(taken.state, "{}");
        let again = tx
            .take_webauthn_ceremony(&digest, CeremonyPurpose::Passkey, UnixTime(START + 299))
            .await
            .unwrap();
        assert!(again.is_none(), "and only once");
        tx.commit().await.unwrap();
    }

    async fn a_keys_count_moves_once_from_the_count_that_was_verified(url: String) {
        use portcullis_core::model::{WebauthnCredential, WebauthnCredentialId};
        use portcullis_core::store::{StoredCredential, Users, WebauthnStore};
        let w = world(&url, Settings::default()).await;
        w.owner("alice@example.com").await;
        let store = SqlStore::connect(&url, 2).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let user = tx
            .user_by_email_key("alice@example.com")
            .await
            .unwrap()
            .expect("the owner");
        let key = StoredCredential {
            credential: WebauthnCredential {
                id: WebauthnCredentialId::generate(),
                user_id: user.id.clone(),
                name: "YubiKey".into(),
                created_at: UnixTime(START),
                last_used_at: None,
                passkey: true,
                backup_eligible: false,
                backup_state: false,
                transports: vec!["usb".into()],
                aaguid: None,
            },
            credential_id: "AQID".into(),
            record: "{}".into(),
            sign_count: 4,
        };
        tx.insert_webauthn_credential(&key).await.unwrap();
        tx.commit().await.unwrap();
        // The same authenticator again, to anyone: refused by the unique credential id.
        let mut twin = key.clone();
        twin.credential.id = WebauthnCredentialId::generate();
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(
            tx.insert_webauthn_credential(&twin).await,
            Err(Error::CredentialExists)
        ));
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        let id = &key.credential.id;
        assert!(tx.record_webauthn_use(id, 4, 5, true, UnixTime(START + 1)).await.unwrap());
        // A second use verified against the same old count (a replay or a racing clone) loses.
        assert!(!tx.record_webauthn_use(id, 4, 5, true, UnixTime(START + 2)).await.unwrap());
        let found = tx.webauthn_credential_by_credential_id("AQID").await.unwrap().unwrap();
        assert_eq!(found.sign_count, 5);
        assert_eq!(found.credential.last_used_at, Some(UnixTime(START + 1)));
        assert!(found.credential.backup_state && found.credential.passkey);
        assert_eq!(found.credential.transports, vec!["usb".to_owned()]);
        assert_eq!(tx.delete_webauthn_credentials_of_user(&user.id).await.unwrap(), 1);
        tx.commit().await.unwrap();
    }
}

/// The link's token, read from the invitation queued for `email` (the only place it exists).
async fn invitation_link(w: &World, email: &str) -> Token {
    // The queued notice is sealed under the sealing key with the row id as associated data.
    let (id, key_id, data): (String, String, Vec<u8>) =
        sqlx::query_as("SELECT id, key_id, sealed FROM outbox WHERE recipient = $1")
            .bind(email)
            .fetch_one(w.services.store.raw_pool())
            .await
            .unwrap();
    let sealed = portcullis_core::crypto::Sealed { key_id, data };
    let plain = w
        .services
        .keys
        .sealing
        .open(&sealed, id.as_bytes())
        .unwrap();
    match &portcullis_core::notice::OpenedNotice::from_json(&plain)
        .unwrap()
        .notice
    {
        portcullis_core::notice::Notice::Invitation { token, .. } => Token::from_client(token),
        other => panic!("not an invitation: {other:?}"),
    }
}
