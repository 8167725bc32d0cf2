//! The RADIUS listener (`serve --radius-bind`): VPN concentrators, Wi-Fi controllers and
//! `pam_radius` send PAP Access-Requests over UDP; each is decided by the same use cases as every
//! sign-in (`portcullis_core::service::radius`) and answered with Access-Accept, -Reject or
//! -Challenge. It owns the wire, not the rules:
//!
//! - [`packet`]: datagrams checked, Access-Requests read, answers built; the
//!   Message-Authenticator (RFC 3579) on every request and every answer (Blast-RADIUS).
//! - [`clients`]: the clients and their secrets, reloaded every 2 s.
//! - [`duplicates`]: a retransmission gets the first answer again, not a second decision.
//! - [`listener`]: the receive loop and its checks, in order, each refusal counted in
//!   `portcullis_radius_dropped_total{reason}`.
//! - [`decide`]: the use case, the push wait, the answer's words ([`reply`]).
//!
//! The socket is bound in `Server::build`, so a taken port fails the start; the loop runs with
//! the server and stops with it.

pub mod clients;
pub mod decide;
pub mod duplicates;
pub mod listener;
pub mod packet;
pub mod reply;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use portcullis_core::service::Services;
use portcullis_store::SqlStore;
use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::state::AppState;
use clients::ClientTable;
use duplicates::Duplicates;
use listener::Shared;

/// A bound socket with its client table loaded, not yet receiving.
pub struct RadiusListener {
    socket: Arc<UdpSocket>,
    table: Arc<ClientTable>,
}

/// The running loop and its table's reloads, to wait for once told to stop.
pub struct RadiusHandle(Vec<JoinHandle<()>>);

/// Stops receiving; requests being decided finish (push waits end with the server's).
pub struct StopRadius(watch::Sender<bool>);

impl RadiusListener {
    /// Binds `addr` and reads the clients once, so the first datagram is served.
    pub async fn bind(
        addr: SocketAddr,
        services: &Services<SqlStore>,
    ) -> anyhow::Result<RadiusListener> {
        let socket = UdpSocket::bind(addr)
            .await
            .with_context(|| format!("cannot listen for RADIUS on udp://{addr}"))?;
        let table = Arc::new(ClientTable::default());
        table
            .reload(services)
            .await
            .context("cannot read the RADIUS clients")?;
        Ok(RadiusListener {
            socket: Arc::new(socket),
            table,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.socket
            .local_addr()
            .expect("a bound socket has an address")
    }

    pub fn start(self, state: AppState) -> (RadiusHandle, StopRadius) {
        let (stop, stopped) = watch::channel(false);
        let reload = tokio::spawn(
            self.table
                .clone()
                .keep_fresh(state.services.clone(), stopped.clone()),
        );
        let shared = Arc::new(Shared {
            socket: self.socket,
            table: self.table,
            duplicates: Duplicates::default(),
            state,
        });
        let receive = tokio::spawn(listener::receive(shared, stopped));
        (RadiusHandle(vec![receive, reload]), StopRadius(stop))
    }
}

impl StopRadius {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

impl RadiusHandle {
    /// Waits until the loop and the reloads have ended (before the database closes).
    pub async fn finished(self) {
        for handle in self.0 {
            let _ = handle.await;
        }
    }
}
