//! Stopping behind a load balancer without losing a request.
//!
//! HTTP/1.1 gives a server no safe moment to close an idle keep-alive connection: the balancer
//! may be writing a request into it at that very moment, and that request is lost after it was
//! sent, which a balancer must not retry for a POST. (Closing idle connections at once is what
//! a plain graceful shutdown does; a rolling restart under load lost requests that way.) So when
//! shutdown begins, the listener closes at once: new connections are refused, which a balancer
//! retries on another node. Connections already open are served on for a grace period, every
//! response saying `Connection: close`, so each ends after its next answer; the server stops as
//! soon as its clients have closed them all, and at the latest when the grace period ends. A
//! balancer whose idle keep-alive connections time out within the grace period never meets a
//! connection closed under it.
//!
//! It owns only connection handling; what else stops on shutdown (the outbox worker, push
//! long-polls) is `Server::run`'s business.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Version, header};
use axum::middleware::Next;
use axum::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

/// The state shared by the listener, the responses and the shutdown.
pub struct Drain {
    draining: watch::Sender<bool>,
    open: Arc<AtomicUsize>,
    closed: Arc<Notify>,
}

impl Default for Drain {
    fn default() -> Self {
        Drain {
            draining: watch::Sender::new(false),
            open: Arc::new(AtomicUsize::new(0)),
            closed: Arc::new(Notify::new()),
        }
    }
}

impl Drain {
    /// Wraps the bound listener: it counts open connections and closes when draining begins.
    pub fn listener(&self, listener: TcpListener) -> DrainingListener {
        DrainingListener {
            listener: Some(listener),
            draining: self.draining.subscribe(),
            open: self.open.clone(),
            closed: self.closed.clone(),
        }
    }

    /// What [`close_when_draining`] reads.
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.draining.subscribe()
    }

    /// Closes the listener, marks every further response `Connection: close`, and waits until
    /// no connection is open or `grace` has passed.
    pub async fn begin(&self, grace: Duration) {
        self.draining.send_replace(true);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let notified = self.closed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.open.load(Ordering::SeqCst) == 0 {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }
}

/// Middleware: once draining, an HTTP/1 answer ends its connection. (HTTP/2 has GOAWAY, which
/// the graceful shutdown sends, and forbids this header.)
pub async fn close_when_draining(
    State(draining): State<watch::Receiver<bool>>,
    req: Request,
    next: Next,
) -> Response {
    let http1 = req.version() < Version::HTTP_2;
    let mut response = next.run(req).await;
    if http1 && *draining.borrow() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The server's listener until draining begins; then closed, so connecting is refused.
pub struct DrainingListener {
    listener: Option<TcpListener>,
    draining: watch::Receiver<bool>,
    open: Arc<AtomicUsize>,
    closed: Arc<Notify>,
}

impl axum::serve::Listener for DrainingListener {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        loop {
            if *self.draining.borrow() {
                self.listener = None;
            }
            let Some(listener) = self.listener.as_mut() else {
                return std::future::pending().await;
            };
            let accepted = tokio::select! {
                changed = self.draining.changed() => changed.err().map(|_| None),
                accepted = axum::serve::Listener::accept(listener) => Some(Some(accepted)),
            };
            match accepted {
                // Told to drain: the loop closes the listener.
                None => {}
                // The shutdown is gone with its sender: close as well.
                Some(None) => self.listener = None,
                Some(Some((io, addr))) => {
                    self.open.fetch_add(1, Ordering::SeqCst);
                    let io = Counted {
                        io,
                        open: self.open.clone(),
                        closed: self.closed.clone(),
                    };
                    return (io, addr);
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.listener {
            Some(listener) => listener.local_addr(),
            None => Err(io::Error::other("the listener is closed")),
        }
    }
}

/// A connection, counted as open until dropped.
pub struct Counted {
    io: TcpStream,
    open: Arc<AtomicUsize>,
    closed: Arc<Notify>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        if self.open.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.closed.notify_waiters();
        }
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
