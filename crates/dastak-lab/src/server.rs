//! The lab's HTTP server, on tokio + axum: kiosks upload sealed batches
//! and read what the lab holds of them. The wire is the one the kiosks
//! already speak (`POST /api/batches`, `GET /api/ack/KIOSK`, their status
//! codes and bodies); what this module adds is how the lab holds up under
//! a district's kiosks: a body limit, a time limit on every request, a
//! bounded number of requests at once (the rest are told to come back:
//! 503), `GET /healthz` for a supervisor or a load balancer, TLS from a
//! certificate and key file, and a graceful stop. Officers' pages (login,
//! the dashboard, CSV exports) are in [`web`], on the same port.
//!
//! Like mini-redis, [`Server::run`] takes a bound listener and a shutdown future:
//! the binary binds the address and stops on SIGTERM or Ctrl-C; tests bind
//! port 0 and stop when they are done.
//!
//! The lab's books (one SQLite or PostgreSQL connection) belong to one
//! thread of their own: every request that touches them is sent there as a
//! job, so the async workers never wait on the database. Between jobs that
//! thread also makes the coming months' partitions of the events, when it
//! starts and every hour ([`Lab::make_months_ahead`]).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dastak_core::i18n::{Localized, Message, english};
use dastak_core::wire::{BatchError, CHALLENGE_HEADER, MAX_BATCH_BYTES, PROOF_HEADER};
use jiff::Timestamp;
use thiserror::Error;
use tokio::net::TcpListener;
use tower::ServiceBuilder;

use crate::{Lab, LabError};

mod web;

/// How the server runs, resolved from the command line.
#[derive(Clone, Debug)]
pub struct ServeSettings {
    /// Requests handled at once; more are answered 503 at once rather than
    /// queued, so a kiosk retries later instead of timing out in a queue.
    pub max_in_flight: usize,
    /// The longest a request may take, its body included: a kiosk on a
    /// line that stalls is cut off, and holds nothing up meanwhile.
    pub request_timeout: Duration,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
}

impl Default for ServeSettings {
    fn default() -> ServeSettings {
        ServeSettings {
            max_in_flight: 64,
            request_timeout: Duration::from_secs(60),
            tls: None,
        }
    }
}

/// A PEM certificate chain and its private key.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Error)]
#[error("{}", english(self))]
pub enum ServeError {
    TlsFile { path: String, detail: String },
    TlsConfig { detail: String },
    Listener { detail: String },
}

impl Localized for ServeError {
    fn message(&self) -> Message {
        match self {
            ServeError::TlsFile { path, detail } => Message::new("lab.tls_file")
                .arg("path", path)
                .arg("detail", detail),
            ServeError::TlsConfig { detail } => {
                Message::new("lab.tls_config").arg("detail", detail)
            }
            ServeError::Listener { detail } => Message::new("lab.listener").arg("detail", detail),
        }
    }
}

/// Completes on SIGTERM (systemd stopping the service) or Ctrl-C.
pub async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            // No handler could be set: Ctrl-C still stops the lab.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// How often the books' thread makes the coming months' partitions
/// ([`Lab::make_months_ahead`]).
const MONTHS_EVERY: Duration = Duration::from_secs(3600);

/// A request's work on the books.
type Job = Box<dyn FnOnce(&mut Lab) + Send>;

/// The books, as the routes reach them: jobs sent to the one thread that
/// owns the lab. A thread of its own rather than tokio's blocking pool:
/// the PostgreSQL client runs its own small runtime, which cannot be
/// entered from a thread of the server's; and one owner serialises the
/// writes as a mutex did, with nothing to poison.
#[derive(Clone)]
struct Shared {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Shared {
    /// Moves `lab` onto its thread; the thread ends, closing the books,
    /// when the last route holding a `Shared` is dropped (the server has
    /// stopped). Its handle is joined by [`Server::run`].
    fn new(mut lab: Lab) -> (Shared, std::thread::JoinHandle<()>) {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let thread = std::thread::spawn(move || {
            // This month's and next month's partitions, when the thread
            // starts and every hour (a lab that runs for weeks meets the
            // month's end ready). A month not made (a reader held the
            // events; or an error, which the uploads will show) is left to
            // ingest, as before: nothing is told here.
            let mut months_made: Option<std::time::Instant> = None;
            loop {
                let due = months_made
                    .map_or(Duration::ZERO, |t| MONTHS_EVERY.saturating_sub(t.elapsed()));
                match queue.recv_timeout(due) {
                    // A job that panicked drops its answer's sender, so its
                    // request is answered 500; the books are as the backend
                    // left them (each write is a transaction of its own),
                    // and the next job is served.
                    Ok(job) => {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            job(&mut lab)
                        }));
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
                if months_made.is_none_or(|t| t.elapsed() >= MONTHS_EVERY) {
                    months_made = Some(std::time::Instant::now());
                    let _ = lab.make_months_ahead(Timestamp::now());
                }
            }
        });
        (Shared { jobs }, thread)
    }
}

/// The routes, behind one set of limits shared by every route (a layer
/// given to `Router::layer` is applied to each route on its own, which
/// would give each route its own count of requests in flight).
fn router(lab: Shared, settings: &ServeSettings) -> Router {
    use axum::error_handling::HandleErrorLayer;
    let routes = Router::new()
        .route("/api/batches", post(upload))
        .route("/api/ack/{kiosk}", get(ack))
        .route("/healthz", get(healthz))
        .merge(web::routes())
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .with_state(lab);
    let limited = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|e: tower::BoxError| async move {
            if e.is::<tower::timeout::error::Elapsed>() {
                (StatusCode::REQUEST_TIMEOUT, "the request took too long")
            } else {
                (StatusCode::SERVICE_UNAVAILABLE, "busy; try again")
            }
        }))
        .load_shed()
        .concurrency_limit(settings.max_in_flight)
        .timeout(settings.request_timeout)
        .service(routes);
    Router::new().fallback_service(limited)
}

/// A server made ready: its routes, and its TLS identity if it has one
/// (read and checked before it listens, so that bad certificate files are
/// named before anyone is told the lab is up).
pub struct Server {
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    books: std::thread::JoinHandle<()>,
}

/// How long a stopped server waits for the books' thread to close them.
/// Only a route still held past the graceful stop could make it wait; the
/// books are then left to close when the process ends.
const CLOSE_WAIT: Duration = Duration::from_secs(10);

impl Server {
    pub fn new(lab: Lab, settings: &ServeSettings) -> Result<Server, ServeError> {
        let tls = match &settings.tls {
            Some(files) => Some(tls_acceptor(files)?),
            None => None,
        };
        let (shared, books) = Shared::new(lab);
        Ok(Server {
            app: router(shared, settings),
            tls,
            books,
        })
    }

    /// Serves on `listener` until `shutdown` completes, then stops taking
    /// connections, lets the requests under way finish, and closes the
    /// books before it returns: whoever stopped the server may then move
    /// or replace the database file (a restore) without a connection of
    /// the old server still writing to it.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let served = accept_loop(listener, self.app, self.tls, shutdown).await;
        let books = self.books;
        let _ = tokio::time::timeout(
            CLOSE_WAIT,
            tokio::task::spawn_blocking(move || books.join()),
        )
        .await;
        served
    }
}

/// A server on a thread of its own, with its own small runtime, for callers
/// that have none (tests, benches): it stops, finishing what is under way,
/// when stopped or dropped.
pub struct Background {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl Background {
    pub fn start(lab: Lab, listener: std::net::TcpListener, settings: ServeSettings) -> Background {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let listener_err = |e: std::io::Error| ServeError::Listener {
                detail: e.to_string(),
            };
            let server = Server::new(lab, &settings)?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(listener_err)?;
            rt.block_on(async move {
                listener.set_nonblocking(true).map_err(listener_err)?;
                let listener = TcpListener::from_std(listener).map_err(listener_err)?;
                // Sent, or the sender dropped: either way, stop.
                server
                    .run(listener, async move { drop(stopped.await) })
                    .await
            })
        });
        Background {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Stops taking connections, waits for the requests under way, and
    /// says how the server ended.
    pub fn stop(&mut self) -> Result<(), ServeError> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(ServeError::Listener {
                detail: "the server's thread failed".into(),
            }),
            None => Ok(()),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Accepts connections until `shutdown`, each served by hyper on a task
/// of its own. Written here rather than `axum::serve` because the lab
/// needs two things it does not offer: TLS on the same loop, and
/// half-closed connections kept (a kiosk whose line cut its upload short
/// still hears why it was refused).
async fn accept_loop(
    listener: TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.half_close(true).timer(TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors, or a connection reset before it
                // was taken: the next one may do.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        match &tls {
            None => {
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    // A client that went away is its own problem.
                    let _ = conn.await;
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let (watcher, http) = (graceful.watcher(), http.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let conn = http.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                });
            }
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A rustls server identity from PEM files.
fn tls_acceptor(files: &TlsFiles) -> Result<tokio_rustls::TlsAcceptor, ServeError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let read_err = |path: &PathBuf, e: &dyn std::fmt::Display| ServeError::TlsFile {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| read_err(&files.cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| read_err(&files.cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| read_err(&files.key, &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ServeError::TlsConfig {
        detail: e.to_string(),
    })?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| ServeError::TlsConfig {
        detail: e.to_string(),
    })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Runs `f` on the lab's books, on their own thread, off the async
/// workers.
async fn with_lab<T: Send + 'static>(
    lab: Shared,
    f: impl FnOnce(&mut Lab) -> T + Send + 'static,
) -> Result<T, Response> {
    let failed = || (StatusCode::INTERNAL_SERVER_ERROR, "the lab's books failed").into_response();
    let (answer, answered) = tokio::sync::oneshot::channel();
    lab.jobs
        .send(Box::new(move |lab: &mut Lab| {
            let _ = answer.send(f(lab));
        }))
        .map_err(|_| failed())?;
    answered.await.map_err(|_| failed())
}

/// The status a kiosk's client reads for a refusal.
fn refusal(e: LabError) -> Response {
    let status = match &e {
        LabError::Batch(BatchError::UnknownKiosk { .. }) => StatusCode::FORBIDDEN,
        LabError::Batch(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, e.to_string()).into_response()
}

/// `POST /api/batches`: a sealed batch in, the signed acknowledgement out.
/// A body that says it is over the limit is refused before it is read.
async fn upload(State(lab): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let too_large = || (StatusCode::PAYLOAD_TOO_LARGE, "batch too large").into_response();
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BATCH_BYTES as u64) {
        return too_large();
    }
    let bytes = match axum::body::to_bytes(body, MAX_BATCH_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            // Over the limit without saying so (chunked), or cut short.
            return if e.into_inner().is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                (StatusCode::BAD_REQUEST, "could not read the request").into_response()
            };
        }
    };
    let answer = with_lab(lab, move |lab| {
        let now = Timestamp::now();
        lab.receive(&bytes, now).and_then(|(k, _)| lab.ack(&k, now))
    })
    .await;
    match answer {
        Ok(Ok(ack)) => (StatusCode::OK, ack).into_response(),
        Ok(Err(e)) => refusal(e),
        Err(r) => r,
    }
}

/// `GET /api/ack/KIOSK`: what the lab holds of a kiosk, told only to the
/// kiosk that signs the lab's challenge with its key; anyone else gets a
/// fresh challenge and nothing more.
async fn ack(State(lab): State<Shared>, Path(kiosk): Path<String>, headers: HeaderMap) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (challenge, proof) = (header(CHALLENGE_HEADER), header(PROOF_HEADER));
    let answer = with_lab(lab, move |lab| {
        let now = Timestamp::now();
        let proven = match (challenge, proof) {
            (Some(c), Some(p)) => lab.check_ack_read(&kiosk, &c, &p, now)?,
            _ => false,
        };
        if proven {
            lab.ack(&kiosk, now).map(Ok)
        } else {
            Ok(Err(lab.challenge(&kiosk, now)))
        }
    })
    .await;
    match answer {
        Ok(Ok(Ok(ack))) => (StatusCode::OK, ack).into_response(),
        Ok(Ok(Err(challenge))) => {
            let mut r = (
                StatusCode::UNAUTHORIZED,
                "sign the challenge with the kiosk's key",
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert(CHALLENGE_HEADER, v);
            }
            r
        }
        Ok(Err(e)) => refusal(e),
        Err(r) => r,
    }
}

/// `GET /healthz`: the server answers and its books can be read (one
/// cheap read: a probe that asks every few seconds must not cost a
/// status of every kiosk).
async fn healthz(State(lab): State<Shared>) -> Response {
    match with_lab(lab, |lab| lab.ping()).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
        Err(r) => r,
    }
}
