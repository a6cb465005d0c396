//! JSON handlers under `/api`. Every route but `/api/login` needs a session; every write needs
//! the CSRF header and a role allowed to make it, and is written to the audit log.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use anshu_inventory::{Filter, Review};

use crate::auth::{self, lock_catalog, now_rfc3339, Authed, Role};
use crate::{ApiError, App};

/// The client's address (for rate limiting and the audit log), when the server runs with
/// connection info; `local` otherwise (in-process tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "local".into()),
        ))
    }
}

#[derive(Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

pub async fn login(
    State(app): State<App>,
    ClientAddr(client): ClientAddr,
    req: Request,
) -> Result<Response, ApiError> {
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::Invalid("login body too large or unreadable".into()))?;
    let b: LoginBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::Invalid(format!("login body: {e}")))?;
    let (token, csrf, user) = auth::login(&app, &b.username, &b.password, &client)?;
    let mut r = Json(json!({"user": user, "csrf": csrf})).into_response();
    if let Ok(v) = auth::session_cookie(&token, app.secure_cookies).parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

pub async fn logout(State(app): State<App>, a: Authed) -> Result<Response, ApiError> {
    auth::logout(&app, &a)?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = auth::clear_cookie(app.secure_cookies).parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

pub async fn me(a: Authed) -> Json<Value> {
    Json(json!({"user": a.user, "csrf": a.csrf}))
}

pub async fn openapi(_a: Authed) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

pub async fn not_found(_a: Authed) -> ApiError {
    ApiError::NotFound("no such API route".into())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    level: Option<String>,
    #[serde(rename = "type")]
    type_id: Option<String>,
    source: Option<String>,
    asset: Option<i64>,
    #[serde(default)]
    removed: bool,
    /// Page size (default 100, at most 1,000) and start; the total is in `X-Total-Count`.
    limit: Option<usize>,
    #[serde(default)]
    offset: usize,
}

/// One page of a listing, with the total in `X-Total-Count`.
fn paged<T: serde::Serialize>(rows: &[T], q: &ListQuery) -> Response {
    let total = rows.len();
    let limit = q.limit.unwrap_or(100).clamp(1, 1_000);
    let page: Vec<&T> = rows.iter().skip(q.offset).take(limit).collect();
    let mut r = Json(json!(page)).into_response();
    if let Ok(v) = total.to_string().parse() {
        r.headers_mut().insert("x-total-count", v);
    }
    r
}

impl ListQuery {
    fn filter(&self) -> Filter {
        Filter {
            level: self.level.clone().filter(|s| !s.is_empty()),
            type_id: self.type_id.clone().filter(|s| !s.is_empty()),
            source: self.source.clone().filter(|s| !s.is_empty()),
            include_removed: self.removed,
        }
    }
}

pub async fn sources(
    State(app): State<App>,
    _a: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows = lock_catalog(&app)?.sources(&q.filter())?;
    Ok(Json(json!(rows)))
}

pub async fn assets(
    State(app): State<App>,
    _a: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let rows = lock_catalog(&app)?.assets(&q.filter())?;
    Ok(paged(&rows, &q))
}

pub async fn columns(
    State(app): State<App>,
    _a: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let rows = app.columns(&q.filter(), q.asset)?;
    Ok(paged(&rows, &q))
}

/// One column with its asset's history.
pub(crate) fn column_detail(app: &App, id: i64) -> Result<Value, ApiError> {
    let mut c = lock_catalog(app)?;
    let all = c.columns(
        &Filter {
            include_removed: true,
            ..Filter::default()
        },
        None,
    )?;
    let col = all
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("column {id}")))?;
    let history = c.asset_history(col.asset_id)?;
    let history: Vec<_> = history
        .into_iter()
        .filter(|h| h.column.is_none() || h.column.as_deref() == Some(col.column.as_str()))
        .collect();
    Ok(json!({"column": col, "history": history}))
}

pub async fn column(
    State(app): State<App>,
    _a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(column_detail(&app, id)?))
}

#[derive(Deserialize)]
pub struct ReviewBody {
    pub reason: String,
    /// New types (empty list: not personal data); absent keeps the detected ones.
    pub types: Option<Vec<String>>,
    pub level: Option<String>,
    pub category: Option<String>,
    pub sensitive: Option<bool>,
    #[serde(default)]
    pub confirm: bool,
    #[serde(default)]
    pub clear: bool,
}

pub(crate) fn apply_review(app: &App, who: &str, id: i64, b: ReviewBody) -> Result<(), ApiError> {
    let at = now_rfc3339();
    let detail = json!({
        "reason": b.reason, "types": b.types, "level": b.level, "category": b.category,
        "sensitive": b.sensitive, "confirm": b.confirm, "clear": b.clear
    })
    .to_string();
    let review = Review {
        reviewer: who.to_owned(),
        reason: b.reason,
        types: b.types,
        category: b.category,
        level: b.level.filter(|l| !l.is_empty()),
        sensitive: b.sensitive,
        confirm: b.confirm,
        clear: b.clear,
        at: at.clone(),
    };
    app.changed();
    let mut c = lock_catalog(app)?;
    c.review(id, &review, &app.pack)?;
    c.audit(
        &at,
        who,
        "column_reviewed",
        Some(&format!("column {id}")),
        Some(&detail),
    )?;
    Ok(())
}

pub async fn review(
    State(app): State<App>,
    a: Authed,
    Path(id): Path<i64>,
    Json(b): Json<ReviewBody>,
) -> Result<Json<Value>, ApiError> {
    a.require(a.role.can_review())?;
    apply_review(&app, &a.user.username, id, b)?;
    Ok(Json(column_detail(&app, id)?))
}

#[derive(Deserialize)]
pub struct ChangesQuery {
    #[serde(default)]
    after: i64,
}

pub async fn changes(
    State(app): State<App>,
    _a: Authed,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows = lock_catalog(&app)?.changes_since(q.after)?;
    Ok(Json(json!(rows)))
}

/// Counts for the dashboard: columns by level and by type, sources, recent changes.
pub(crate) fn summary_of(app: &App) -> Result<Value, ApiError> {
    let mut c = lock_catalog(app)?;
    let cols = c.columns(&Filter::default(), None)?;
    let mut by_level: BTreeMap<String, (String, i64, u64)> = BTreeMap::new();
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    for col in &cols {
        if col.types.is_empty() {
            continue;
        }
        let e = by_level.entry(col.level.clone()).or_insert((
            col.level_name.clone(),
            col.level_rank,
            0,
        ));
        e.2 += 1;
        for t in &col.types {
            *by_type.entry(t.clone()).or_default() += 1;
        }
    }
    let mut levels: Vec<Value> = by_level
        .into_iter()
        .map(|(id, (name, rank, n))| json!({"level": id, "name": name, "rank": rank, "columns": n}))
        .collect();
    levels.sort_by_key(|v| std::cmp::Reverse(v["rank"].as_i64().unwrap_or(0)));
    let sources = c.sources(&Filter::default())?;
    let changes = c.changes_since(0)?;
    let recent: Vec<_> = changes.iter().rev().take(20).cloned().collect();
    Ok(json!({
        "columns": cols.len(),
        "sensitive_columns": cols.iter().filter(|c| !c.types.is_empty()).count(),
        "by_level": levels,
        "by_type": by_type,
        "sources": sources,
        "recent_changes": recent,
    }))
}

pub async fn summary(State(app): State<App>, _a: Authed) -> Result<Json<Value>, ApiError> {
    Ok(Json(summary_of(&app)?))
}

pub async fn shares(State(app): State<App>, _a: Authed) -> Result<Json<Value>, ApiError> {
    let rows = lock_catalog(&app)?.shares()?;
    Ok(Json(json!(rows)))
}

pub async fn users(State(app): State<App>, a: Authed) -> Result<Json<Value>, ApiError> {
    a.require(a.role.can_administer())?;
    let rows = lock_catalog(&app)?.users()?;
    Ok(Json(json!(rows)))
}

#[derive(Deserialize)]
pub struct NewUser {
    username: String,
    password: String,
    role: String,
}

pub async fn create_user(
    State(app): State<App>,
    a: Authed,
    Json(b): Json<NewUser>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    a.require(a.role.can_administer())?;
    if Role::parse(&b.role).is_none() {
        return Err(ApiError::Invalid(format!(
            "unknown role {:?}; roles: admin, reviewer, operator, viewer",
            b.role
        )));
    }
    let name = b.username.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::Invalid(
            "a user name has 1–64 printable characters".into(),
        ));
    }
    if b.password.chars().count() < 12 {
        return Err(ApiError::Invalid(
            "a password has at least 12 characters".into(),
        ));
    }
    let hash = auth::hash_password(&b.password).map_err(ApiError::Invalid)?;
    let at = now_rfc3339();
    let mut c = lock_catalog(&app)?;
    c.create_user(name, &hash, &b.role, &at)?;
    c.audit(
        &at,
        &a.user.username,
        "user_created",
        Some(name),
        Some(&format!("role {}", b.role)),
    )?;
    let u = c.user(name)?;
    Ok((StatusCode::CREATED, Json(json!(u))))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<i64>,
}

pub async fn audit(
    State(app): State<App>,
    a: Authed,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    a.require(a.role.can_administer())?;
    let rows = lock_catalog(&app)?.audit_entries(q.limit.unwrap_or(200).clamp(1, 10_000))?;
    Ok(Json(json!(rows)))
}

pub async fn audit_verify(State(app): State<App>, a: Authed) -> Result<Json<Value>, ApiError> {
    a.require(a.role.can_administer())?;
    let r = lock_catalog(&app)?.verify_audit()?;
    Ok(Json(json!(r)))
}

pub async fn list_sources(State(app): State<App>, _a: Authed) -> Result<Json<Value>, ApiError> {
    let rows = lock_catalog(&app)?.console_sources()?;
    Ok(Json(json!(rows)))
}

#[derive(Deserialize)]
pub struct NewSource {
    pub name: String,
    /// A directory on the server, or a database URL (a password in it is moved to the
    /// encrypted credential).
    pub uri: String,
    pub password: Option<String>,
}

/// Registers a source: directories by their canonical path, databases by their URL without the
/// password, which is stored encrypted.
pub(crate) fn register_source(app: &App, who: &str, b: NewSource) -> Result<i64, ApiError> {
    let name = b.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ApiError::Invalid(
            "a source needs a name of 1–100 characters".into(),
        ));
    }
    let (uri, kind, secret) = if anshu_scan::is_database_url(&b.uri) {
        let t =
            anshu_scan::DbTarget::parse(&b.uri).map_err(|e| ApiError::Invalid(e.to_string()))?;
        let password = b
            .password
            .filter(|p| !p.is_empty())
            .or_else(|| t.password.as_ref().map(|p| p.expose().to_owned()));
        (t.display(), "database", password)
    } else {
        let p = std::path::Path::new(b.uri.trim());
        let canon = std::fs::canonicalize(p)
            .map_err(|e| ApiError::Invalid(format!("{}: {e}", p.display())))?;
        (canon.display().to_string(), "directory", None)
    };
    let sealed = match &secret {
        Some(s) => Some(app.secrets.seal(s).map_err(ApiError::Catalog)?),
        None => None,
    };
    let at = now_rfc3339();
    let mut c = lock_catalog(app)?;
    let id = c.add_console_source(name, &uri, kind, sealed.as_deref(), &at, who)?;
    c.audit(
        &at,
        who,
        "source_added",
        Some(name),
        Some(&format!(
            "{kind} {uri}{}",
            if secret.is_some() {
                " (credential stored encrypted)"
            } else {
                ""
            }
        )),
    )?;
    Ok(id)
}

pub async fn add_source(
    State(app): State<App>,
    a: Authed,
    Json(b): Json<NewSource>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    a.require(a.role.can_operate())?;
    let id = register_source(&app, &a.user.username, b)?;
    let s = lock_catalog(&app)?.console_source(id)?;
    Ok((StatusCode::CREATED, Json(json!(s))))
}

/// The password of a source, decrypted, for the scanner.
fn source_password(
    app: &App,
    s: &anshu_inventory::console::ConsoleSource,
) -> Result<Option<String>, ApiError> {
    s.secret_enc
        .as_deref()
        .map(|e| app.secrets.open_sealed(e).map_err(ApiError::Catalog))
        .transpose()
}

pub(crate) fn test_source_now(app: &App, id: i64) -> Result<Value, ApiError> {
    let s = lock_catalog(app)?.console_source(id)?;
    if s.kind == "directory" {
        return Ok(match std::fs::read_dir(&s.uri) {
            Ok(rd) => json!({"ok": true, "message": format!("{} entries readable", rd.count())}),
            Err(e) => json!({"ok": false, "message": format!("{}: {e}", s.uri)}),
        });
    }
    let mut t =
        anshu_scan::DbTarget::parse(&s.uri).map_err(|e| ApiError::Invalid(e.to_string()))?;
    t.password = source_password(app, &s)?.map(anshu_db::Secret::new);
    let session = anshu_db::SessionOptions {
        connect_timeout: std::time::Duration::from_secs(5),
        ..anshu_db::SessionOptions::default()
    };
    Ok(
        match anshu_db::connect(&t, &session).and_then(|mut c| c.tables(false, &|_| true)) {
            Ok(tables) => {
                json!({"ok": true, "message": format!("connected; {} tables visible", tables.len())})
            }
            // The scrub removes any password from the driver's message.
            Err(e) => json!({"ok": false, "message": t.scrub(&e.to_string())}),
        },
    )
}

pub async fn test_source(
    State(app): State<App>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    a.require(a.role.can_operate())?;
    Ok(Json(test_source_now(&app, id)?))
}

#[derive(Deserialize)]
pub struct NewScan {
    pub source_id: i64,
}

pub(crate) fn start_scan_now(app: &App, who: &str, source_id: i64) -> Result<u64, ApiError> {
    let s = lock_catalog(app)?.console_source(source_id)?;
    // Directories are counted up front so the progress bar has a total; databases have none.
    let total = (s.kind == "directory").then(|| {
        let found = anshu_source::discover(
            &[std::path::PathBuf::from(&s.uri)],
            &anshu_source::WalkOptions::default(),
        );
        found.files.len() as u64
    });
    let args = vec![
        "scan".into(),
        s.uri.clone(),
        "--format".into(),
        "jsonl".into(),
        "--quiet".into(),
        "--catalog".into(),
        app.catalog_target.clone(),
    ];
    run_job(app, who, "scan", args, total, &s, "scan_started")
}

pub async fn start_scan(
    State(app): State<App>,
    a: Authed,
    Json(b): Json<NewScan>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    a.require(a.role.can_operate())?;
    let id = start_scan_now(&app, &a.user.username, b.source_id)?;
    Ok(accepted(&app, id))
}

/// `202 Accepted` with the job just started.
fn accepted(app: &App, id: u64) -> (StatusCode, Json<Value>) {
    let job = app.jobs.lock().ok().and_then(|j| j.get(id));
    (StatusCode::ACCEPTED, Json(json!(job)))
}

pub async fn list_scans(State(app): State<App>, _a: Authed) -> Result<Json<Value>, ApiError> {
    let jobs = app
        .jobs
        .lock()
        .map_err(|_| ApiError::Catalog("jobs lock poisoned".into()))?
        .list();
    Ok(Json(json!(jobs)))
}

pub async fn scan_status(
    State(app): State<App>,
    _a: Authed,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let job = app
        .jobs
        .lock()
        .map_err(|_| ApiError::Catalog("jobs lock poisoned".into()))?
        .get(id)
        .ok_or_else(|| ApiError::NotFound(format!("scan {id}")))?;
    Ok(Json(json!(job)))
}

pub async fn cancel_scan(
    State(app): State<App>,
    a: Authed,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    a.require(a.role.can_operate())?;
    let job = app
        .jobs
        .lock()
        .map_err(|_| ApiError::Catalog("jobs lock poisoned".into()))?
        .cancel(id)
        .ok_or_else(|| ApiError::NotFound(format!("scan {id}")))?;
    lock_catalog(&app)?.audit(
        &now_rfc3339(),
        &a.user.username,
        "scan_cancelled",
        Some(&job.source),
        Some(&format!("{} {id}", job.kind)),
    )?;
    Ok(Json(json!(job)))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// The inventory, the important-data catalogue or the summary by level, as CSV, XLSX or JSON.
pub async fn export(
    State(app): State<App>,
    a: Authed,
    Path(kind): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    use anshu_inventory::{ExportFormat, ExportKind};
    let k = match kind.as_str() {
        "inventory" => ExportKind::Inventory,
        "important" => ExportKind::Important,
        "summary" => ExportKind::Summary,
        other => {
            return Err(ApiError::NotFound(format!(
                "export {other:?}; exports: inventory, important, summary"
            )))
        }
    };
    let (f, ext, mime) = match q.format.as_deref().unwrap_or("xlsx") {
        "csv" => (ExportFormat::Csv, "csv", "text/csv; charset=utf-8"),
        "json" => (ExportFormat::Json, "json", "application/json"),
        "xlsx" => (
            ExportFormat::Xlsx,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        other => {
            return Err(ApiError::Invalid(format!(
                "format {other:?}; formats: csv, xlsx, json"
            )))
        }
    };
    let dir = tempfile_dir()?;
    let path = dir.join(format!("{kind}.{ext}"));
    {
        let mut c = lock_catalog(&app)?;
        let n = anshu_inventory::export(&mut c, k, f, &path)?;
        c.audit(
            &now_rfc3339(),
            &a.user.username,
            "exported",
            Some(&kind),
            Some(&format!("{n} rows as {ext}")),
        )?;
    }
    let bytes = std::fs::read(&path).map_err(|e| ApiError::Catalog(e.to_string()))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"anshu-{kind}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A fresh private directory for an export file.
fn tempfile_dir() -> Result<std::path::PathBuf, ApiError> {
    let d = std::env::temp_dir().join(format!("anshu-export-{}", crate::auth::random_hex(8)));
    std::fs::create_dir_all(&d).map_err(|e| ApiError::Catalog(e.to_string()))?;
    Ok(d)
}

#[derive(Deserialize)]
pub struct NewMask {
    pub source_id: i64,
    /// A directory for a directory source; a database URL (same engine) for a database.
    pub output: String,
    /// A built-in policy (default, waybill, test-data, analytics, share).
    pub preset: Option<String>,
    /// Databases: the target schema or database.
    pub target_schema: Option<String>,
}

fn key_args(app: &App) -> Vec<String> {
    app.key_file
        .as_ref()
        .map(|k| vec!["--key-file".into(), k.display().to_string()])
        .unwrap_or_default()
}

/// Starts `anshu ARGS…` as a job on `source` (its password, if any, in the child's environment)
/// and writes the audit entry.
fn run_job(
    app: &App,
    who: &str,
    kind: &'static str,
    args: Vec<String>,
    total: Option<u64>,
    source: &anshu_inventory::console::ConsoleSource,
    audit: &str,
) -> Result<u64, ApiError> {
    let scanner = app.scanner.clone().ok_or_else(|| {
        ApiError::Invalid("this server was started without the anshu executable".into())
    })?;
    let password = source_password(app, source)?;
    let at = now_rfc3339();
    let id = app
        .jobs
        .lock()
        .map_err(|_| ApiError::Catalog("jobs lock poisoned".into()))?
        .start(
            crate::jobs::JobRequest {
                scanner,
                kind,
                args,
                password,
                total,
                source_id: source.id,
                source_name: source.name.clone(),
                user: who.to_owned(),
                at: at.clone(),
            },
            now_rfc3339,
        )
        .map_err(ApiError::Invalid)?;
    lock_catalog(app)?.audit(
        &at,
        who,
        audit,
        Some(&source.name),
        Some(&format!("{kind} {id}")),
    )?;
    Ok(id)
}

fn checked_preset(p: Option<String>) -> Result<Option<String>, ApiError> {
    match p.as_deref() {
        None | Some("") => Ok(None),
        Some(x) if ["default", "waybill", "test-data", "analytics", "share"].contains(&x) => {
            Ok(Some(x.to_owned()))
        }
        Some(x) => Err(ApiError::Invalid(format!(
            "unknown preset {x:?}; presets: default, waybill, test-data, analytics, share"
        ))),
    }
}

pub(crate) fn start_mask_now(app: &App, who: &str, b: NewMask) -> Result<u64, ApiError> {
    let s = lock_catalog(app)?.console_source(b.source_id)?;
    let mut args = vec![
        "mask".into(),
        s.uri.clone(),
        "-o".into(),
        b.output.clone(),
        "--format".into(),
        "json".into(),
        "--quiet".into(),
    ];
    if let Some(p) = checked_preset(b.preset)? {
        args.extend(["--preset".into(), p]);
    }
    if let Some(t) = b.target_schema.filter(|t| !t.is_empty()) {
        args.extend(["--target-schema".into(), t]);
    }
    if s.kind == "directory" {
        args.extend([
            "--record".into(),
            std::path::Path::new(&b.output)
                .join("mask-record.json")
                .display()
                .to_string(),
        ]);
    }
    args.extend(key_args(app));
    run_job(app, who, "mask", args, None, &s, "mask_started")
}

pub async fn start_mask(
    State(app): State<App>,
    a: Authed,
    Json(b): Json<NewMask>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    a.require(a.role.can_operate())?;
    let id = start_mask_now(&app, &a.user.username, b)?;
    Ok(accepted(&app, id))
}

#[derive(Deserialize)]
pub struct NewShare {
    pub source_id: i64,
    /// For a directory source, the file inside it to share (relative to the source).
    pub file: Option<String>,
    pub recipient: String,
    pub output: String,
    pub preset: Option<String>,
    pub purpose: Option<String>,
}

pub(crate) fn start_share_now(app: &App, who: &str, b: NewShare) -> Result<u64, ApiError> {
    if app.key_file.is_none() {
        return Err(ApiError::Invalid(
            "shares need a key: start the console with --key-file (or ANSHU_KEY_FILE)".into(),
        ));
    }
    let s = lock_catalog(app)?.console_source(b.source_id)?;
    let input = if s.kind == "directory" {
        let rel = b.file.clone().unwrap_or_default();
        let p = std::path::Path::new(&s.uri).join(&rel);
        // Only files inside the registered directory may be shared from the console.
        let canon =
            std::fs::canonicalize(&p).map_err(|e| ApiError::Invalid(format!("{rel}: {e}")))?;
        if !canon.starts_with(&s.uri) || !canon.is_file() {
            return Err(ApiError::Invalid(format!(
                "{rel} is not a file inside source {}",
                s.name
            )));
        }
        canon.display().to_string()
    } else {
        s.uri.clone()
    };
    if b.recipient.trim().is_empty() {
        return Err(ApiError::Invalid("a share needs a recipient".into()));
    }
    let mut args = vec![
        "share".into(),
        input,
        "--to".into(),
        b.recipient.trim().to_owned(),
        "-o".into(),
        b.output.clone(),
        "--format".into(),
        "json".into(),
        "--catalog".into(),
        app.catalog_target.clone(),
    ];
    if let Some(p) = checked_preset(b.preset)? {
        args.extend(["--preset".into(), p]);
    }
    if let Some(p) = b.purpose.filter(|p| !p.is_empty()) {
        args.extend(["--purpose".into(), p]);
    }
    args.extend(key_args(app));
    run_job(app, who, "share", args, None, &s, "share_started")
}

pub async fn start_share(
    State(app): State<App>,
    a: Authed,
    Json(b): Json<NewShare>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    a.require(a.role.can_operate())?;
    let id = start_share_now(&app, &a.user.username, b)?;
    Ok(accepted(&app, id))
}
