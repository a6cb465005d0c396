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
mod ui;

use std::sync::{Arc, Mutex};

use anshu_classify::RulePack;
use anshu_inventory::Catalog;
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
}

/// How the server is set up.
pub struct Config {
    /// The catalog: a SQLite path or a postgres:// URL.
    pub catalog: String,
    pub pack: RulePack,
    /// The first admin's password; when `None` on first start a one-time password is made.
    pub admin_password: Option<String>,
    pub secure_cookies: bool,
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
        .route("/api/shares", get(api::shares))
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
        .with_state(app)
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
