//! # anshu-server
//!
//! The web console and HTTP API (`anshu serve`): accounts with roles (admin, reviewer,
//! operator, viewer), argon2-hashed passwords, session cookies (`HttpOnly`, `Secure`,
//! `SameSite=Strict`) with a per-session CSRF token, rate-limited login, the hash-chained audit
//! log of every state-changing action, the inventory API (list, filter, show, history, review
//! overrides, the share registry), the OpenAPI document, and server-rendered pages in Chinese and
//! English that need no build step.
//!
//! It owns HTTP: routing, authentication, authorisation and rendering. It deliberately does not
//! scan, grade or store anything itself: the catalog (`anshu-inventory`) stores, the rule pack
//! (`anshu-classify`) grades overrides.

mod api;
mod auth;
mod error;
mod jobs;
mod secrets;
mod ui;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anshu_classify::RulePack;
use anshu_inventory::Catalog;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

pub use auth::{hash_password, Role};
pub use error::ApiError;

/// What the server shares between requests.
#[derive(Clone)]
pub struct App {
    catalog: Arc<Mutex<Catalog>>,
    pack: Arc<RulePack>,
    limiter: Arc<Mutex<auth::Limiter>>,
    /// Mark cookies `Secure` (browsers accept them on http://127.0.0.1 and http://localhost;
    /// a deployment on another address needs TLS in front).
    secure_cookies: bool,
    jobs: Arc<Mutex<jobs::Jobs>>,
    secrets: Arc<secrets::SecretBox>,
    /// The `anshu` executable that runs scans; `None` disables scans.
    scanner: Option<PathBuf>,
    /// The catalog as given (scans record into it).
    catalog_target: String,
    /// The key file masks and shares use (`--key-file`).
    key_file: Option<PathBuf>,
    /// Column listings by filter, kept for [`LISTING_TTL`] (writes through the console clear it;
    /// a scan finishing in its own process shows within the TTL).
    listings: Arc<Mutex<Listings>>,
}

/// Cached column listings: filter key → (when read, rows).
type Listings =
    std::collections::HashMap<String, (std::time::Instant, Arc<Vec<anshu_inventory::ColumnRow>>)>;

/// How long a column listing is reused.
pub(crate) const LISTING_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl App {
    /// Columns matching a filter, from the short-lived cache or the catalog.
    pub(crate) fn columns(
        &self,
        f: &anshu_inventory::Filter,
        asset: Option<i64>,
    ) -> Result<Arc<Vec<anshu_inventory::ColumnRow>>, ApiError> {
        let key = format!(
            "{:?}|{:?}|{:?}|{}|{:?}",
            f.level, f.type_id, f.source, f.include_removed, asset
        );
        if let Ok(c) = self.listings.lock() {
            if let Some((at, rows)) = c.get(&key) {
                if at.elapsed() < LISTING_TTL {
                    return Ok(Arc::clone(rows));
                }
            }
        }
        let rows = Arc::new(auth::lock_catalog(self)?.columns(f, asset)?);
        if let Ok(mut c) = self.listings.lock() {
            if c.len() > 1_000 {
                c.clear();
            }
            c.insert(key, (std::time::Instant::now(), Arc::clone(&rows)));
        }
        Ok(rows)
    }

    /// Forgets cached listings after a change made through the console.
    pub(crate) fn changed(&self) {
        if let Ok(mut c) = self.listings.lock() {
            c.clear();
        }
    }
}

/// How the server is set up.
pub struct Config {
    /// The catalog: a SQLite path or a postgres:// URL.
    pub catalog: String,
    pub pack: RulePack,
    /// The first admin's password; when `None` on first start a one-time password is made.
    pub admin_password: Option<String>,
    pub secure_cookies: bool,
    /// The `anshu` executable that runs scans (the server's own binary).
    pub scanner: Option<PathBuf>,
    /// Where the key that encrypts stored credentials lives (created on first start).
    pub console_key: PathBuf,
    /// The masking key file (`anshu key new`) for masks and shares started from the console.
    pub key_file: Option<PathBuf>,
}

/// What starting the server found or made.
pub struct Started {
    pub app: App,
    /// The password made for the first admin account, to print once.
    pub one_time_password: Option<String>,
}

/// Errors setting the server up.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Catalog(#[from] anshu_inventory::InventoryError),
    #[error("{0}")]
    Setup(String),
}

/// Opens the catalog and, on first start, creates the `admin` account.
pub fn start(cfg: Config) -> Result<Started, ServerError> {
    let mut catalog = Catalog::open(&cfg.catalog)?;
    let secrets = secrets::SecretBox::open(&cfg.console_key).map_err(ServerError::Setup)?;
    let mut one_time = None;
    if catalog.user_count()? == 0 {
        let password = match cfg.admin_password {
            Some(p) if p.chars().count() >= 12 => p,
            Some(_) => {
                return Err(ServerError::Setup(
                    "the admin password must have at least 12 characters".into(),
                ))
            }
            None => {
                let p = auth::random_token(12);
                one_time = Some(p.clone());
                p
            }
        };
        let hash = hash_password(&password).map_err(ServerError::Setup)?;
        let now = auth::now_rfc3339();
        catalog.create_user("admin", &hash, "admin", &now)?;
        catalog.audit(
            &now,
            "system",
            "user_created",
            Some("admin"),
            Some("role admin (first start)"),
        )?;
    }
    Ok(Started {
        app: App {
            catalog: Arc::new(Mutex::new(catalog)),
            pack: Arc::new(cfg.pack),
            limiter: Arc::new(Mutex::new(auth::Limiter::default())),
            secure_cookies: cfg.secure_cookies,
            jobs: Arc::new(Mutex::new(jobs::Jobs::default())),
            secrets: Arc::new(secrets),
            scanner: cfg.scanner,
            catalog_target: cfg.catalog,
            key_file: cfg.key_file,
            listings: Arc::new(Mutex::new(std::collections::HashMap::new())),
        },
        one_time_password: one_time,
    })
}

/// Every route.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/api/login", post(api::login))
        .route("/api/logout", post(api::logout))
        .route("/api/me", get(api::me))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/inventory/sources", get(api::sources))
        .route("/api/inventory/assets", get(api::assets))
        .route("/api/inventory/columns", get(api::columns))
        .route("/api/inventory/columns/{id}", get(api::column))
        .route("/api/inventory/columns/{id}/review", post(api::review))
        .route("/api/inventory/changes", get(api::changes))
        .route("/api/inventory/summary", get(api::summary))
        .route("/api/shares", get(api::shares).post(api::start_share))
        .route("/api/masks", post(api::start_mask))
        .route("/api/jobs", get(api::list_scans))
        .route("/api/jobs/{id}", get(api::scan_status))
        .route("/api/jobs/{id}/cancel", post(api::cancel_scan))
        .route("/api/sources", get(api::list_sources).post(api::add_source))
        .route("/api/sources/{id}/test", post(api::test_source))
        .route("/api/scans", get(api::list_scans).post(api::start_scan))
        .route("/api/scans/{id}", get(api::scan_status))
        .route("/api/scans/{id}/cancel", post(api::cancel_scan))
        .route("/api/exports/{kind}", get(api::export))
        .route("/api/users", get(api::users).post(api::create_user))
        .route("/api/audit", get(api::audit))
        .route("/api/audit/verify", get(api::audit_verify))
        .route("/api/{*rest}", get(api::not_found).post(api::not_found))
        .route("/login", get(ui::login_page).post(ui::login_form))
        .route("/logout", post(ui::logout_form))
        .route("/", get(ui::dashboard))
        .route("/inventory", get(ui::inventory))
        .route("/inventory/columns/{id}", get(ui::column_page))
        .route("/inventory/columns/{id}/review", post(ui::review_form))
        .route("/audit", get(ui::audit_page))
        .route("/sources", get(ui::sources_page).post(ui::add_source_form))
        .route("/sources/{id}/scan", post(ui::scan_form))
        .route("/scans/{id}", get(ui::scan_page))
        .route("/exports", get(ui::exports_page))
        .route("/protect", get(ui::protect_page))
        .route("/protect/mask", post(ui::mask_form))
        .route("/protect/share", post(ui::share_form))
        .layer(axum::middleware::from_fn(blocking_region))
        .with_state(app)
}

/// Handlers call the catalog and database drivers synchronously, and the PostgreSQL driver runs
/// a runtime of its own inside, which tokio forbids on its worker threads. So each request's
/// handler runs on the blocking pool, outside the runtime, driven by a minimal executor; the
/// workers keep serving connections meanwhile.
async fn blocking_region(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::task::spawn_blocking(move || block_on(next.run(req))).await {
        Ok(r) => r,
        Err(_) => ApiError::Catalog("the request handler failed".into()).into_response(),
    }
}

/// Drives a future to completion on the current (non-runtime) thread.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// Serves until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
