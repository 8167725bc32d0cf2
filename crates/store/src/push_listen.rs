//! The PostgreSQL side of push wake-ups: a dedicated connection that LISTENs on
//! [`PUSH_CHANNEL`], so an answer committed on one node wakes the long-polls held by every other.
//! What to do with a signal (wake local waiters) is the server's.

use portcullis_core::Result;
use sqlx::postgres::PgListener;

use crate::db_err;
use crate::push::PUSH_CHANNEL;

/// What the listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushSignal {
    /// A challenge id, or `user:<id>`, was announced by some node.
    Key(String),
    /// The connection dropped and was re-established: notifications may have been missed, so
    /// every waiter should re-read the database.
    Reconnected,
}

pub struct PushListener {
    inner: PgListener,
}

impl PushListener {
    pub async fn connect(url: &str) -> Result<PushListener> {
        let mut inner = PgListener::connect(url).await.map_err(db_err)?;
        inner.listen(PUSH_CHANNEL).await.map_err(db_err)?;
        Ok(PushListener { inner })
    }

    /// The next signal; reconnects by itself when the connection drops.
    pub async fn next(&mut self) -> Result<PushSignal> {
        match self.inner.try_recv().await.map_err(db_err)? {
            Some(n) => Ok(PushSignal::Key(n.payload().to_owned())),
            None => Ok(PushSignal::Reconnected),
        }
    }
}
