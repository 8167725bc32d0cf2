//! Test support: every test gets a database of its own. SQLite lives in a fresh temporary folder;
//! PostgreSQL gets a freshly created database on the server named by
//! `PORTCULLIS_TEST_DATABASE_URL`, dropped again by [`TestDatabase::remove`].
//!
//! Without that variable PostgreSQL tests are skipped with a visible message, unless
//! `PORTCULLIS_REQUIRE_POSTGRES=1` (as `.ci/run` sets), which makes the skip a failure.

use std::path::PathBuf;

use sqlx::Connection;

use crate::Backend;

pub struct TestDatabase {
    pub backend: Backend,
    /// A data folder of the test's own (SQLite keeps its file here).
    pub folder: PathBuf,
    /// `None` for SQLite in `folder`, else the URL of the fresh PostgreSQL database.
    pub url: Option<String>,
    admin_url: Option<String>,
    name: Option<String>,
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

async fn admin_connection(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url}: {e}"))
}

/// Replaces the database name in a postgres:// URL, keeping any query string.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestDatabase {
    /// A fresh database, or `None` (with a message) when PostgreSQL is not configured.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        let folder = std::env::temp_dir().join(unique("portcullis-test"));
        std::fs::create_dir_all(&folder).expect("create a temporary folder");
        if backend == Backend::Sqlite {
            return Some(TestDatabase {
                backend,
                folder,
                url: None,
                admin_url: None,
                name: None,
            });
        }
        let Some(admin) = std::env::var("PORTCULLIS_TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
        else {
            if std::env::var("PORTCULLIS_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("PORTCULLIS_REQUIRE_POSTGRES=1 but PORTCULLIS_TEST_DATABASE_URL is not set");
            }
            eprintln!(
                "SKIPPED on PostgreSQL: set PORTCULLIS_TEST_DATABASE_URL=postgres://... to run it"
            );
            let _ = std::fs::remove_dir_all(&folder);
            return None;
        };
        let name = unique("portcullis_test");
        let mut conn = admin_connection(&admin).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        Some(TestDatabase {
            backend,
            folder,
            url: Some(with_database(&admin, &name)),
            admin_url: Some(admin),
            name: Some(name),
        })
    }

    /// The URL to connect to: the PostgreSQL database, or a SQLite file in the folder.
    pub fn effective_url(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.folder.join("portcullis.db").display()
            ),
        }
    }

    /// Drops the PostgreSQL database (closing whatever still holds it) and deletes the folder.
    pub async fn remove(self) {
        if let (Some(admin), Some(name)) = (&self.admin_url, &self.name) {
            let mut conn = admin_connection(admin).await;
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
            {
                eprintln!("could not drop test database {name}: {e}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Runs `scenario` with a fresh database on `backend` and removes it afterwards, also when the
/// scenario panics.
pub async fn with_database_on<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(String, PathBuf, Backend) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let outcome = tokio::spawn(scenario(db.effective_url(), db.folder.clone(), backend)).await;
    db.remove().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

impl crate::SqlStore {
    /// The writer's pool, for tests that must check what the database itself refuses or change
    /// rows behind the use cases' back. On SQLite it is one connection: a test that holds a
    /// transaction on it holds up every write of the server under test.
    pub fn raw_pool(&self) -> &sqlx::AnyPool {
        &self.writer
    }
}
