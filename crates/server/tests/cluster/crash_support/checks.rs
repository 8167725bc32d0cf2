//! What must hold after a `kill -9` and a restart:
//! - [`lives_hold`]: every answered request of the journal is in the database, exactly as
//!   answered (the user, the factor's secret, the set of recovery codes and which are used, the
//!   app password, the SMS code, the security emails); an unanswered one either happened
//!   completely or not at all;
//! - [`lives_answer`]: the same through the API, once per life: the session survives, the
//!   password logs in, the second step takes a code made from the journaled secret, a used
//!   recovery code is refused, `/me` counts the codes left;
//! - [`invariants`]: over whole tables, nothing half-done (see the function);
//! - [`outbox_delivered`]: what was queued is delivered once, as a file, or still held by the
//!   killed node's lease;
//! - [`clean_log`]: no node panicked or logged an error, the killed ones included.
//!
//! Findings are collected and reported together, with the seed that repeats the run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::db::Db;
use super::load::{Client, Life, Step};

use crate::harness::totp::code_at_step;

/// Everything found wrong in one cycle.
pub struct Findings {
    heading: String,
    found: Vec<String>,
}

impl Findings {
    pub fn new(heading: String) -> Findings {
        Findings {
            heading,
            found: Vec::new(),
        }
    }

    pub fn check(&mut self, holds: bool, what: impl FnOnce() -> String) {
        if !holds {
            self.found.push(what());
        }
    }

    #[track_caller]
    pub fn assert_none(&self) {
        assert!(
            self.found.is_empty(),
            "{}: {} findings:\n- {}",
            self.heading,
            self.found.len(),
            self.found.join("\n- ")
        );
    }
}

/// The journal against the database, for every life so far.
pub async fn lives_hold(db: &Db, lives: &[Life], f: &mut Findings) {
    for life in lives {
        life_holds(db, life, f).await;
    }
}

async fn life_holds(db: &Db, life: &Life, f: &mut Findings) {
    let who = &life.email;
    let stored = db.user_id(who).await;
    if let Some(answered) = &life.user_id {
        f.check(stored.as_ref() == Some(answered), || {
            format!("{who}: signed up as {answered}, the database has {stored:?}")
        });
    } else {
        f.check(stored.is_none() || life.lost(&Step::Signup), || {
            format!("{who}: exists without a signup")
        });
    }
    let Some(id) = stored else {
        return;
    };

    // The authenticator: the answered state, or for an unanswered activation the state before
    // or after it, never both and never neither.
    let active = db.totp_secret(&id, false).await;
    let pending = db.totp_secret(&id, true).await;
    let decode = |s: &str| portcullis_core::totp::base32_decode(s).expect("base32");
    for (what, sealed) in [("active factor", &active), ("pending enrolment", &pending)] {
        f.check(!matches!(sealed, Some(None)), || {
            format!("{who}: the {what}'s sealed secret does not open")
        });
    }
    let active = active.flatten();
    let pending = pending.flatten();
    f.check(!(active.is_some() && pending.is_some()), || {
        format!("{who}: a pending enrolment beside an active factor")
    });
    match (&life.factor, &life.pending) {
        (Some(factor), _) => f.check(active == Some(decode(&factor.secret)), || {
            format!("{who}: activation answered, but the active factor is not its secret")
        }),
        (None, Some(secret)) if life.lost(&Step::Activate) => {
            let either = active.as_ref().or(pending.as_ref());
            f.check(either == Some(&decode(secret)), || {
                format!(
                    "{who}: activation unanswered, and its secret is neither pending nor active"
                )
            })
        }
        (None, Some(secret)) => f
            .check(pending == Some(decode(secret)) && active.is_none(), || {
                format!("{who}: an answered enrolment start is not pending")
            }),
        (None, None) => f.check(
            active.is_none() && (pending.is_none() || life.lost(&Step::StartTotp)),
            || format!("{who}: a factor nobody was answered for"),
        ),
    }

    // The recovery codes: a full set with an active factor, none without.
    let rows = db.recovery_codes(&id).await;
    if active.is_none() {
        f.check(rows.is_empty(), || {
            format!("{who}: {} recovery codes without a factor", rows.len())
        });
    } else {
        f.check(rows.len() == 10, || {
            format!("{who}: {} recovery codes, not a full set", rows.len())
        });
        let stored: BTreeSet<&str> = rows.iter().map(|r| r.digest.as_str()).collect();
        match &life.factor {
            None => f.check(rows.iter().all(|r| !r.used), || {
                format!("{who}: a used code in a set nobody saw")
            }),
            Some(factor) => {
                let answered: BTreeSet<String> =
                    factor.codes.iter().map(|c| db.digest(c)).collect();
                let answered: BTreeSet<&str> = answered.iter().map(String::as_str).collect();
                for void in &factor.void {
                    let digest = db.digest(void);
                    f.check(!stored.contains(digest.as_str()), || {
                        format!("{who}: a code of a replaced set is still stored")
                    });
                }
                if stored == answered {
                    let in_flight = match &life.unanswered {
                        Some(Step::RecoveryLogin { code }) => Some(db.digest(code)),
                        _ => None,
                    };
                    let used: BTreeSet<String> = factor.used.iter().map(|c| db.digest(c)).collect();
                    for row in &rows {
                        let either = in_flight.as_deref() == Some(row.digest.as_str());
                        let expected = used.contains(&row.digest);
                        f.check(either || row.used == expected, || {
                            format!(
                                "{who}: a recovery code is used={}, answered {expected}",
                                row.used
                            )
                        });
                    }
                } else {
                    f.check(
                        life.lost(&Step::Regenerate)
                            && stored.is_disjoint(&answered)
                            && rows.iter().all(|r| !r.used),
                        || format!("{who}: the stored recovery codes are not the answered set"),
                    );
                }
            }
        }
    }

    // The app password and the SMS code: there when answered, at most one when unanswered.
    let apps = db
        .rows("SELECT id FROM app_passwords WHERE user_id = $1", &[&id])
        .await;
    let ids: Vec<String> = apps
        .iter()
        .map(|r| sqlx::Row::try_get(r, "id").expect("id"))
        .collect();
    let expected_apps = match &life.app_password_id {
        Some(answered) => ids == [answered.clone()],
        None if life.lost(&Step::AppPassword) => ids.len() <= 1,
        None => ids.is_empty(),
    };
    f.check(expected_apps, || {
        format!(
            "{who}: app passwords {ids:?}, answered {:?}",
            life.app_password_id
        )
    });
    let codes = db
        .number(
            "SELECT COUNT(*) FROM phone_codes WHERE user_id = $1 AND purpose = 'verify' AND number = $2",
            &[&id, &life.number],
        )
        .await;
    let sms = db
        .number(
            "SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND recipient = $1",
            &[&life.number],
        )
        .await;
    let expected_sms = if life.sms_sent {
        codes == 1 && sms == 1
    } else if life.lost(&Step::Phone) {
        codes == sms && sms <= 1
    } else {
        codes == 0 && sms == 0
    };
    f.check(expected_sms, || {
        format!(
            "{who}: {codes} SMS codes and {sms} SMS queued; answered: {}",
            life.sms_sent
        )
    });

    // The security emails: one per answered request that queues one, and the unanswered
    // request's if it happened.
    let emails = db
        .number(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'security' AND recipient = $1",
            &[who],
        )
        .await;
    let maybe = i64::from(life.lost_kind(Step::notifies));
    f.check(
        (life.notices..=life.notices + maybe).contains(&emails),
        || {
            format!(
                "{who}: {emails} security emails queued, answered {}",
                life.notices
            )
        },
    );
}

/// The journal through the API, for the lives of `cycle` (each life once: a TOTP step is used).
/// A used recovery code is tried at most `probes` times in all: wrong codes count against the
/// address.
pub async fn lives_answer(
    client: &Client,
    db: &Db,
    lives: &mut [Life],
    cycle: usize,
    mut probes: usize,
    f: &mut Findings,
) {
    for life in lives.iter_mut().filter(|l| l.cycle == cycle && !l.checked) {
        life.checked = true;
        let who = life.email.clone();
        let Some(id) = db.user_id(&who).await else {
            continue;
        };
        if let Some(token) = &life.token {
            let me = client
                .send(Method::GET, "/api/v1/me", Some(token), None)
                .await;
            f.check(
                matches!(&me, Some((StatusCode::OK, body)) if body["email"] == who.as_str()),
                || format!("{who}: the answered session no longer works: {me:?}"),
            );
        }
        let login = json!({ "username": who, "password": life.password });
        let answer = client
            .send(Method::POST, "/api/v1/login", None, Some(login))
            .await;
        let Some((StatusCode::OK, body)) = answer else {
            f.check(false, || {
                format!("{who}: the password does not log in: {answer:?}")
            });
            continue;
        };
        let active = db.totp_secret(&id, false).await.flatten();
        let expected = if active.is_some() {
            "second_factor"
        } else {
            "ok"
        };
        f.check(body["status"] == expected, || {
            format!("{who}: login answered {body}, expected {expected}")
        });
        if active.is_none() || body["status"] != "second_factor" {
            continue;
        }
        let ticket = body["login_ticket"].as_str().unwrap_or_default().to_owned();
        let used = life.factor.as_ref().and_then(|f| f.used.first().cloned());
        if let Some(used) = used.filter(|_| probes > 0) {
            probes -= 1;
            let again = json!({ "login_ticket": ticket, "code": used });
            let answer = client
                .send(Method::POST, "/api/v1/login/recovery", None, Some(again))
                .await;
            f.check(
                matches!(&answer, Some((StatusCode::UNAUTHORIZED, b)) if b["error"]["code"] == "invalid_code"),
                || format!("{who}: a used recovery code was not refused: {answer:?}"),
            );
        }
        let secret = life
            .factor
            .as_ref()
            .map(|f| f.secret.clone())
            .or(life.pending.clone())
            .expect("a factor comes from an answered enrolment start");
        // The next step: activation used the current one, and a step works once.
        let code = code_at_step(&secret, super::now().div_euclid(30) + 1);
        let second = json!({ "login_ticket": ticket, "code": code });
        let answer = client
            .send(Method::POST, "/api/v1/login/totp", None, Some(second))
            .await;
        let Some((StatusCode::OK, body)) = answer else {
            f.check(false, || {
                format!("{who}: a code of the journaled secret does not log in: {answer:?}")
            });
            continue;
        };
        let token = body["token"].as_str().unwrap_or_default();
        let me = client
            .send(Method::GET, "/api/v1/me", Some(token), None)
            .await;
        let left = me
            .as_ref()
            .map(|(_, b)| b["two_factor"]["recovery_codes_left"].clone());
        let unused = db
            .number(
                "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                &[&id],
            )
            .await;
        let answered = life.factor.as_ref().map(|f| 10 - f.used.len() as i64);
        // An unanswered step that changes the codes leaves their number open.
        let certain = !life.lost_kind(|s| {
            matches!(
                s,
                Step::Activate | Step::Regenerate | Step::RecoveryLogin { .. }
            )
        });
        f.check(left == Some(Value::from(unused)), || {
            format!("{who}: /me shows {left:?} recovery codes left, the database {unused}")
        });
        if let (Some(answered), true) = (answered, certain) {
            f.check(unused == answered, || {
                format!("{who}: {unused} recovery codes left, answered {answered}")
            });
        }
    }
}

/// Over whole tables, whoever wrote them: each use case's rows come together or not at all.
pub async fn invariants(db: &Db, f: &mut Findings) {
    let zero = [
        (
            "users without a password",
            "SELECT COUNT(*) FROM users WHERE password_hash IS NULL",
        ),
        (
            "users without their contract",
            "SELECT COUNT(*) FROM users u LEFT JOIN contracts c ON c.id = u.contract_id WHERE c.id IS NULL",
        ),
        (
            "pending enrolments beside an active factor",
            "SELECT COUNT(*) FROM totp_pending p JOIN totp_factors t ON t.user_id = p.user_id",
        ),
        (
            "active factors without the step their activation used",
            "SELECT COUNT(*) FROM totp_factors WHERE last_step IS NULL",
        ),
        (
            "recovery codes without a factor",
            "SELECT COUNT(*) FROM recovery_codes r LEFT JOIN totp_factors t ON t.user_id = r.user_id WHERE t.user_id IS NULL",
        ),
        (
            "failed or given-up messages",
            "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL",
        ),
        (
            "sent messages that kept their text",
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND sealed IS NOT NULL",
        ),
    ];
    for (what, sql) in zero {
        let n = db.number(sql, &[]).await;
        f.check(n == 0, || format!("{n} {what}"));
    }

    let users = db
        .counts("SELECT id, COUNT(*) FROM users GROUP BY id")
        .await;
    let owners = db
        .counts(
            "SELECT c.id, COUNT(u.id) FROM contracts c LEFT JOIN users u \
             ON u.contract_id = c.id AND u.role = 'owner' WHERE c.id <> 'support' GROUP BY c.id",
        )
        .await;
    f.check(owners.values().all(|n| *n == 1), || {
        format!(
            "contracts without exactly one owner: {:?}",
            not_one(&owners)
        )
    });
    let created = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'account.created' GROUP BY subject_id")
        .await;
    same(f, "users / account.created audit rows", &users, &created);

    // A full set of recovery codes, made together, for every active factor; as many used codes
    // as audited uses (this load regenerates before it uses one).
    let factors = db
        .counts("SELECT user_id, COUNT(*) FROM totp_factors GROUP BY user_id")
        .await;
    let sets = db
        .counts("SELECT user_id, COUNT(*) FROM recovery_codes GROUP BY user_id")
        .await;
    let not_full: BTreeMap<&String, Option<&i64>> = factors
        .keys()
        .chain(sets.keys())
        .filter(|user| !factors.contains_key(*user) || sets.get(*user) != Some(&10))
        .map(|user| (user, sets.get(user)))
        .collect();
    f.check(not_full.is_empty(), || {
        format!("users whose factor and codes disagree (codes per user): {not_full:?}")
    });
    let batches = db
        .counts("SELECT user_id, COUNT(DISTINCT created_at) FROM recovery_codes GROUP BY user_id")
        .await;
    f.check(batches.values().all(|n| *n == 1), || {
        format!("sets mixed from several batches: {:?}", not_one(&batches))
    });
    let activations = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'totp.activated' AND outcome = 'success' GROUP BY subject_id")
        .await;
    same(f, "active factors / totp.activated", &factors, &activations);
    let used = db
        .counts("SELECT user_id, COUNT(*) FROM recovery_codes WHERE used_at IS NOT NULL GROUP BY user_id")
        .await;
    let uses = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'recovery.used' AND outcome = 'success' GROUP BY subject_id")
        .await;
    same(f, "used recovery codes / recovery.used", &used, &uses);

    // Every security email has its "this wasn't me" link and the audit row of the change.
    let emails = db
        .counts("SELECT u.id, COUNT(*) FROM outbox o JOIN users u ON u.email = o.recipient WHERE o.kind = 'security' GROUP BY u.id")
        .await;
    let links = db
        .counts(
            "SELECT user_id, COUNT(*) FROM password_links WHERE purpose = 'lock' GROUP BY user_id",
        )
        .await;
    let notified = db
        .counts(
            "SELECT subject_id, COUNT(*) FROM audit_events WHERE outcome = 'success' AND type IN \
             ('totp.activated', 'recovery.regenerated', 'recovery.used', 'app_password.created') \
             GROUP BY subject_id",
        )
        .await;
    same(f, "security emails / lock links", &emails, &links);
    same(
        f,
        "security emails / notifying audit rows",
        &emails,
        &notified,
    );

    // Sessions, second steps, app passwords and SMS codes with their audit rows.
    let sessions = db
        .counts("SELECT user_id, COUNT(*) FROM sessions GROUP BY user_id")
        .await;
    let logins = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'login.success' GROUP BY subject_id")
        .await;
    same(f, "sessions / login.success", &sessions, &logins);
    let tickets = db
        .counts("SELECT user_id, COUNT(*) FROM login_tickets WHERE used_at IS NOT NULL GROUP BY user_id")
        .await;
    let second = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'login.second_factor.success' GROUP BY subject_id")
        .await;
    same(
        f,
        "used login tickets / second-step successes",
        &tickets,
        &second,
    );
    let apps = db
        .counts("SELECT user_id, COUNT(*) FROM app_passwords GROUP BY user_id")
        .await;
    let app_audits = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'app_password.created' GROUP BY subject_id")
        .await;
    same(
        f,
        "app passwords / app_password.created",
        &apps,
        &app_audits,
    );
    let codes = db
        .counts("SELECT user_id, COUNT(*) FROM phone_codes GROUP BY user_id")
        .await;
    let sms = db
        .counts("SELECT p.user_id, COUNT(*) FROM outbox o JOIN phone_codes p ON p.number = o.recipient WHERE o.channel = 'sms' GROUP BY p.user_id")
        .await;
    let sent = db
        .counts("SELECT subject_id, COUNT(*) FROM audit_events WHERE type = 'phone.code_sent' GROUP BY subject_id")
        .await;
    same(f, "SMS codes / queued SMS", &codes, &sms);
    same(f, "SMS codes / phone.code_sent", &codes, &sent);
    let all_sms = db
        .number("SELECT COUNT(*) FROM outbox WHERE channel = 'sms'", &[])
        .await;
    let matched: i64 = sms.values().sum();
    f.check(all_sms == matched, || {
        format!("{all_sms} SMS queued, {matched} of them for a stored code")
    });

    // Every sealed secret still opens: nothing was written torn.
    for table in ["totp_factors", "totp_pending"] {
        let sql = if table == "totp_factors" {
            "SELECT user_id, key_id, secret FROM totp_factors"
        } else {
            "SELECT user_id, key_id, secret FROM totp_pending"
        };
        for row in db.rows(sql, &[]).await {
            let user: String = sqlx::Row::try_get(&row, "user_id").expect("user_id");
            let key_id: String = sqlx::Row::try_get(&row, "key_id").expect("key_id");
            let data: Vec<u8> = sqlx::Row::try_get(&row, "secret").expect("secret");
            let opens = db
                .unseal(key_id, data, format!("totp:{user}").as_bytes())
                .is_some();
            f.check(opens, || {
                format!("{table}: the secret of {user} does not open")
            });
        }
    }

    if db.sqlite {
        let (integrity, broken) = db.sqlite_integrity().await;
        f.check(integrity == "ok", || {
            format!("PRAGMA integrity_check: {integrity}")
        });
        f.check(broken == 0, || format!("{broken} rows break a foreign key"));
    }
}

fn not_one(counts: &BTreeMap<String, i64>) -> BTreeMap<&String, &i64> {
    counts.iter().filter(|(_, n)| **n != 1).collect()
}

fn same(f: &mut Findings, what: &str, a: &BTreeMap<String, i64>, b: &BTreeMap<String, i64>) {
    let differ: Vec<_> = a
        .keys()
        .chain(b.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{k}: {:?} / {:?}", a.get(k), b.get(k)))
        .collect();
    f.check(differ.is_empty(), || format!("{what} differ: {differ:?}"));
}

/// Waits until the restarted node has delivered everything it may, then checks the outbox
/// against the files of the file transport. `held` collects the rows a killed node left claimed:
/// their lease runs for two minutes and then they are sent again (at least once); every other
/// row must have been claimed at most once, so never delivered twice.
pub async fn outbox_delivered(
    db: &Db,
    data: &Path,
    killed_at: i64,
    held: &mut BTreeSet<String>,
    f: &mut Findings,
) {
    const LEASE_SECS: i64 = 120;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let rows = loop {
        let rows = db.outbox().await;
        let waiting = rows
            .iter()
            .filter(|r| !r.sent && !r.failed && r.claimed_until - LEASE_SECS > killed_at)
            .chain(rows.iter().filter(|r| !r.sent && r.claimed_until == 0))
            .count();
        if waiting == 0 {
            break rows;
        }
        if std::time::Instant::now() > deadline {
            f.check(false, || {
                format!("{waiting} messages still undelivered 20 s after the restart")
            });
            break rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let mut ids = BTreeSet::new();
    for row in &rows {
        ids.insert(row.id.clone());
        let file = data
            .join("outbox")
            .join(&row.channel)
            .join(format!("{}.json", row.id));
        if !row.sent {
            // Claimed by the node that was killed: the lease keeps it until it runs out.
            held.insert(row.id.clone());
            f.check(row.opens == Some(true), || {
                format!("message {}: unsent, and its notice does not open", row.id)
            });
        } else {
            let written: Option<Value> = std::fs::read(&file)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            f.check(
                written.as_ref().is_some_and(|m| {
                    m["id"] == row.id.as_str()
                        && m["to"] == row.recipient.as_str()
                        && m["kind"] == row.kind.as_str()
                }),
                || format!("message {}: marked sent, its file is {written:?}", row.id),
            );
        }
        f.check(row.attempts <= 1 || held.contains(&row.id), || {
            format!(
                "message {} was claimed {} times: delivered twice",
                row.id, row.attempts
            )
        });
    }
    for channel in ["email", "sms"] {
        let Ok(entries) = std::fs::read_dir(data.join("outbox").join(channel)) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".json") {
                f.check(ids.contains(id), || {
                    format!("{channel}/{name}: delivered, but no such message was queued")
                });
            }
        }
    }
}

/// No panic and no error in what a node wrote to stderr (JSON log lines).
pub fn clean_log(lines: &[String], node: &str, f: &mut Findings) {
    for line in lines {
        let level = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v["level"].as_str().map(str::to_owned));
        f.check(
            !line.contains("panicked") && level.as_deref() != Some("ERROR"),
            || format!("{node} logged: {line}"),
        );
    }
}
