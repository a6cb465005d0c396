//! Server-rendered pages: plain HTML forms and a little inline CSS, no build step, every label
//! in Chinese and English. Values shown come from the inventory, which never holds raw data
//! values (examples are stored masked).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::Value;

use anshu_inventory::console::Session;

use crate::api::{self, ReviewBody};
use crate::auth::{self, lock_catalog, Role};
use crate::{ApiError, App};
use anshu_report::esc;

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#17324d;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header a{color:#dce8f5;text-decoration:none;white-space:nowrap}header b{font-size:18px}main{padding:20px 24px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e3e6ea;padding:6px 8px;text-align:left;font-size:14px}
th{background:#eef1f5}.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:14px;margin:0 0 16px}
.bar{background:#3b7dd8;height:14px;display:inline-block;vertical-align:middle}.lvl{font-weight:600}
form.inline{display:inline}input,select,button{font-size:14px;padding:4px 6px}.err{color:#b00020}.muted{color:#667}";

fn page(title: &str, user: Option<&Session>, body: &str) -> Html<String> {
    let nav = match user {
        Some(s) => format!(
            "<a href=\"/\">概览 Dashboard</a><a href=\"/inventory\">数据资产 Inventory</a><a href=\"/sources\">数据源 Sources</a><a href=\"/exports\">导出 Exports</a><a href=\"/protect\">脱敏与分享 Mask &amp; share</a>{}<span style=\"margin-left:auto\">{} ({})</span>\
             <form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button id=\"logout\">退出 Log out</button></form>",
            if s.user.role == "admin" { "<a href=\"/audit\">审计 Audit</a>" } else { "" },
            esc(&s.user.username),
            esc(&s.user.role),
            esc(&s.csrf)
        ),
        None => String::new(),
    };
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{} · 安数 Anshu</title><style>{STYLE}</style></head>\
         <body><header><b>安数 Anshu</b>{nav}</header><main>{body}</main></body></html>",
        esc(title)
    ))
}

/// The session of a page request, or a redirect to the login page.
fn viewer(app: &App, headers: &HeaderMap) -> Result<Session, Box<Response>> {
    match auth::session(app, headers) {
        Ok((s, _)) => Ok(s),
        Err(ApiError::Unauthenticated) => Err(Box::new(Redirect::to("/login").into_response())),
        Err(e) => Err(Box::new(e.into_response())),
    }
}

/// The session of a form post that changes state: logged in, the form's CSRF token, and a role
/// `allowed` to do it.
fn form_session(
    app: &App,
    headers: &HeaderMap,
    csrf: &str,
    allowed: fn(Role) -> bool,
) -> Result<Session, Box<Response>> {
    let s = viewer(app, headers)?;
    check_csrf(&s, csrf)?;
    if !Role::parse(&s.user.role).is_some_and(allowed) {
        return Err(Box::new(
            ApiError::Forbidden(s.user.role.clone()).into_response(),
        ));
    }
    Ok(s)
}

/// An error as a page, with its status.
fn error_page(s: &Session, e: &ApiError) -> Response {
    (
        e.status(),
        page(
            "错误 Error",
            Some(s),
            &format!("<p class=\"err\">{}</p>", esc(&e.to_string())),
        ),
    )
        .into_response()
}

fn check_csrf(s: &Session, sent: &str) -> Result<(), Box<Response>> {
    if auth::constant_time_eq(sent.as_bytes(), s.csrf.as_bytes()) {
        Ok(())
    } else {
        Err(Box::new(ApiError::Csrf.into_response()))
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    error: Option<String>,
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Html<String> {
    let err = match q.error.as_deref() {
        Some("rate") => "<p class=\"err\">失败次数过多，请稍后再试 · Too many failed logins; try again later.</p>",
        Some(_) => "<p class=\"err\">用户名或密码错误 · Wrong user name or password.</p>",
        None => "",
    };
    page(
        "登录 Log in",
        None,
        &format!(
            "<div class=\"card\" style=\"max-width:360px\"><h2>登录 Log in</h2>{err}\
             <form method=\"post\" action=\"/login\"><p><label>用户名 User name<br><input name=\"username\" id=\"username\" autocomplete=\"username\" required></label></p>\
             <p><label>密码 Password<br><input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>\
             <p><button id=\"login\">登录 Log in</button></p></form></div>"
        ),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login_form(
    State(app): State<App>,
    api::ClientAddr(client): api::ClientAddr,
    Form(f): Form<LoginForm>,
) -> Response {
    match auth::login(&app, &f.username, &f.password, &client) {
        Ok((token, _, _)) => {
            let mut r = Redirect::to("/").into_response();
            if let Ok(v) = auth::session_cookie(&token, app.secure_cookies).parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(ApiError::RateLimited(_)) => Redirect::to("/login?error=rate").into_response(),
        Err(_) => Redirect::to("/login?error=1").into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout_form(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if let Err(r) = check_csrf(&s, &f.csrf) {
        return *r;
    }
    if let Some(t) = auth::cookie_token(&headers) {
        if let Ok(mut c) = lock_catalog(&app) {
            let _ = c.delete_session(&auth::sha256_hex(&t));
            let _ = c.audit(&auth::now_rfc3339(), &s.user.username, "logout", None, None);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = auth::clear_cookie(app.secure_cookies).parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub async fn dashboard(State(app): State<App>, headers: HeaderMap) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let sum = match api::summary_of(&app) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let max = sum["by_type"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).max().unwrap_or(1))
        .unwrap_or(1)
        .max(1);
    let mut body = format!(
        "<h2>概览 Dashboard</h2><div class=\"card\" id=\"totals\"><b>{}</b> 列含个人或敏感信息 columns hold personal or sensitive data, of <b>{}</b> 列 columns in <b>{}</b> 个数据源 sources.</div>",
        sum["sensitive_columns"], sum["columns"], sum["sources"].as_array().map_or(0, Vec::len)
    );
    body.push_str("<div class=\"card\"><h3>按级别 By level</h3><table><tr><th>级别 Level</th><th>列 Columns</th></tr>");
    for l in sum["by_level"].as_array().into_iter().flatten() {
        body.push_str(&format!(
            "<tr><td class=\"lvl\"><a href=\"/inventory?level={}\">{}</a></td><td>{}</td></tr>",
            esc(l["level"].as_str().unwrap_or("")),
            esc(l["name"].as_str().unwrap_or("")),
            l["columns"]
        ));
    }
    body.push_str("</table></div><div class=\"card\"><h3>按类型 By type</h3><table>");
    for (t, n) in sum["by_type"].as_object().into_iter().flatten() {
        let n = n.as_u64().unwrap_or(0);
        body.push_str(&format!(
            "<tr><td><a href=\"/inventory?type={t}\">{t}</a></td><td><span class=\"bar\" style=\"width:{}px\"></span> {n}</td></tr>",
            n * 300 / max,
            t = esc(t)
        ));
    }
    body.push_str("</table></div><div class=\"card\"><h3>数据源 Sources</h3><table><tr><th>来源 Source</th><th>级别 Level</th><th>人数 People</th><th>重要数据 Important</th></tr>");
    for src in sum["sources"].as_array().into_iter().flatten() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(src["uri"].as_str().unwrap_or("")),
            esc(src["level_name"].as_str().unwrap_or("")),
            src["people"],
            if src["important"] == true {
                "是 yes"
            } else {
                "否 no"
            }
        ));
    }
    body.push_str("</table></div><div class=\"card\"><h3>最近变化 Recent changes</h3><table><tr><th>时间 At</th><th>资产 Asset</th><th>列 Column</th><th>变化 Change</th></tr>");
    for c in sum["recent_changes"].as_array().into_iter().flatten() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {} → {}</td></tr>",
            esc(c["at"].as_str().unwrap_or("")),
            esc(c["asset"].as_str().unwrap_or("")),
            esc(c["column"].as_str().unwrap_or("")),
            esc(c["change"].as_str().unwrap_or("")),
            esc(c["old"].as_str().unwrap_or("")),
            esc(c["new"].as_str().unwrap_or(""))
        ));
    }
    body.push_str("</table></div>");
    page("概览 Dashboard", Some(&s), &body).into_response()
}

#[derive(Deserialize, Default)]
pub struct InventoryQuery {
    level: Option<String>,
    #[serde(rename = "type")]
    type_id: Option<String>,
    source: Option<String>,
}

pub async fn inventory(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<InventoryQuery>,
) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let f = anshu_inventory::Filter {
        level: q.level.clone().filter(|x| !x.is_empty()),
        type_id: q.type_id.clone().filter(|x| !x.is_empty()),
        source: q.source.clone().filter(|x| !x.is_empty()),
        include_removed: false,
    };
    let cols =
        match lock_catalog(&app).and_then(|mut c| c.columns(&f, None).map_err(ApiError::from)) {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        };
    let levels: String = app
        .pack
        .levels
        .iter()
        .map(|l| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                esc(&l.id),
                if q.level.as_deref() == Some(l.id.as_str()) {
                    " selected"
                } else {
                    ""
                },
                esc(&l.name)
            )
        })
        .collect();
    let mut body = format!(
        "<h2>数据资产 Inventory</h2><form class=\"card\" method=\"get\" action=\"/inventory\">\
         级别 Level <select name=\"level\"><option value=\"\">全部 all</option>{levels}</select> \
         类型 Type <input name=\"type\" value=\"{}\" size=\"14\"> 来源 Source <input name=\"source\" value=\"{}\" size=\"24\"> \
         <button>筛选 Filter</button></form><p class=\"muted\">{} 列 columns</p>\
         <table id=\"columns\"><tr><th>来源 Source</th><th>表 Table</th><th>列 Column</th><th>类型 Types</th><th>级别 Level</th><th>复核 Reviewed</th></tr>",
        esc(q.type_id.as_deref().unwrap_or("")),
        esc(q.source.as_deref().unwrap_or("")),
        cols.len()
    );
    for c in cols.iter().take(2_000) {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><a href=\"/inventory/columns/{}\">{}</a></td><td>{}</td><td class=\"lvl\">{}</td><td>{}</td></tr>",
            esc(&c.source),
            esc(&c.table),
            c.id,
            esc(&c.column),
            esc(&c.types.join(", ")),
            esc(&c.level_name),
            if c.overridden { "✓" } else { "" }
        ));
    }
    body.push_str("</table>");
    page("数据资产 Inventory", Some(&s), &body).into_response()
}

pub async fn column_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let d = match api::column_detail(&app, id) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let c = &d["column"];
    let text = |v: &Value| esc(v.as_str().unwrap_or(""));
    let list = |v: &Value| {
        esc(&v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default())
    };
    let mut body = format!(
        "<h2>{} · {}</h2><div class=\"card\" id=\"detail\"><table>\
         <tr><th>来源 Source</th><td>{}</td></tr><tr><th>类型 Types</th><td id=\"types\">{}</td></tr>\
         <tr><th>检测类型 Detected</th><td>{}</td></tr><tr><th>级别 Level</th><td class=\"lvl\" id=\"level\">{}</td></tr>\
         <tr><th>依据 Why</th><td><pre>{}</pre></td></tr><tr><th>复核 Review</th><td>{} {} {}</td></tr></table></div>",
        text(&c["table"]),
        text(&c["column"]),
        text(&c["source"]),
        list(&c["types"]),
        list(&c["detected_types"]),
        text(&c["level_name"]),
        esc(&serde_json::to_string_pretty(&c["reasons"]).unwrap_or_default()),
        text(&c["reviewed_by"]),
        text(&c["reviewed_at"]),
        text(&c["review_reason"]),
    );
    // Findings with their examples. Examples are masked again here: a scan run with
    // --show-values stores raw examples, and the console never shows those.
    body.push_str("<div class=\"card\"><h3>检测结果 Findings</h3><table id=\"findings\"><tr><th>类型 Type</th><th>置信度 Confidence</th><th>占比 Share</th><th>依据 Evidence</th><th>示例（已脱敏）Example (masked)</th></tr>");
    for f in c["findings"].as_array().into_iter().flatten() {
        let t = f["type"].as_str().unwrap_or("");
        let example = f["example"]
            .as_str()
            .map(|e| {
                if e.contains('*') {
                    e.to_owned()
                } else {
                    anshu_detect::mask::mask_for_display(t, e)
                }
            })
            .unwrap_or_default();
        body.push_str(&format!(
            "<tr><td>{}</td><td>{:.2}</td><td>{:.0}%</td><td>{}</td><td class=\"example\">{}</td></tr>",
            esc(t),
            f["confidence"].as_f64().unwrap_or(0.0),
            100.0 * f["match_ratio"].as_f64().unwrap_or(0.0),
            esc(f["evidence"].as_str().unwrap_or("")),
            esc(&example)
        ));
    }
    body.push_str("</table></div>");
    let role = Role::parse(&s.user.role).unwrap_or(Role::Viewer);
    if role.can_review() {
        let levels: String = app
            .pack
            .levels
            .iter()
            .map(|l| format!("<option value=\"{}\">{}</option>", esc(&l.id), esc(&l.name)))
            .collect();
        body.push_str(&format!(
            "<form class=\"card\" method=\"post\" action=\"/inventory/columns/{id}/review\" id=\"review\"><h3>复核 Override</h3>\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <p>类型 Types (逗号分隔，留空表示非个人信息 · comma-separated, empty = not personal data)<br><input name=\"types\" id=\"override-types\" size=\"40\" value=\"{}\"></p>\
             <p>级别 Level <select name=\"level\" id=\"override-level\"><option value=\"\">按类型 from types</option>{levels}</select></p>\
             <p>理由 Reason<br><input name=\"reason\" id=\"override-reason\" size=\"60\" required></p><p><button id=\"override-submit\">保存 Save</button></p></form>",
            esc(&s.csrf),
            list(&c["types"])
        ));
    }
    body.push_str("<div class=\"card\"><h3>历史 History</h3><table><tr><th>时间 At</th><th>变化 Change</th><th>旧 Old</th><th>新 New</th></tr>");
    for h in d["history"].as_array().into_iter().flatten() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&h["at"]),
            text(&h["change"]),
            text(&h["old"]),
            text(&h["new"])
        ));
    }
    body.push_str("</table></div>");
    page("列 Column", Some(&s), &body).into_response()
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: String,
    types: String,
    #[serde(default)]
    level: String,
    reason: String,
}

pub async fn review_form(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let s = match form_session(&app, &headers, &f.csrf, Role::can_review) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let types: Vec<String> = f
        .types
        .split([',', '，'])
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let b = ReviewBody {
        reason: f.reason,
        types: Some(types),
        level: Some(f.level).filter(|l| !l.is_empty()),
        category: None,
        sensitive: None,
        confirm: false,
        clear: false,
    };
    match api::apply_review(&app, &s.user.username, id, b) {
        Ok(()) => Redirect::to(&format!("/inventory/columns/{id}")).into_response(),
        Err(e) => error_page(&s, &e),
    }
}

pub async fn audit_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if s.user.role != "admin" {
        return (
            StatusCode::FORBIDDEN,
            page(
                "审计 Audit",
                Some(&s),
                "<p class=\"err\">仅管理员 Admins only.</p>",
            ),
        )
            .into_response();
    }
    let (entries, check) =
        match lock_catalog(&app).and_then(|mut c| Ok((c.audit_entries(500)?, c.verify_audit()?))) {
            Ok(x) => x,
            Err(e) => return e.into_response(),
        };
    let mut body = format!(
        "<h2>审计日志 Audit log</h2><div class=\"card\" id=\"chain\">{}</div><table><tr><th>#</th><th>时间 At</th><th>操作者 Actor</th><th>操作 Action</th><th>对象 Target</th><th>详情 Detail</th></tr>",
        esc(&check.message)
    );
    for e in entries {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.id,
            esc(&e.at),
            esc(&e.actor),
            esc(&e.action),
            esc(e.target.as_deref().unwrap_or("")),
            esc(e.detail.as_deref().unwrap_or(""))
        ));
    }
    body.push_str("</table>");
    page("审计 Audit", Some(&s), &body).into_response()
}

pub async fn sources_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (sources, jobs) =
        match lock_catalog(&app).and_then(|mut c| c.console_sources().map_err(ApiError::from)) {
            Ok(x) => (x, app.jobs.lock().map(|j| j.list()).unwrap_or_default()),
            Err(e) => return e.into_response(),
        };
    let can = Role::parse(&s.user.role).is_some_and(Role::can_operate);
    let mut body = String::from(
        "<h2>数据源 Sources</h2><table id=\"sources\"><tr><th>名称 Name</th><th>位置 Location</th><th>类别 Kind</th><th>凭据 Credential</th><th></th></tr>",
    );
    for src in &sources {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&src.name),
            esc(&src.uri),
            esc(&src.kind),
            if src.has_credential { "已加密保存 stored encrypted" } else { "" },
            if can {
                format!(
                    "<form class=\"inline\" method=\"post\" action=\"/sources/{}/scan\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button class=\"scan\" data-source=\"{}\">扫描 Scan</button></form>",
                    src.id,
                    esc(&s.csrf),
                    esc(&src.name)
                )
            } else {
                String::new()
            }
        ));
    }
    body.push_str("</table>");
    if can {
        body.push_str(&format!(
            "<form class=\"card\" method=\"post\" action=\"/sources\" id=\"add-source\" style=\"margin-top:16px\"><h3>添加数据源 Add a source</h3>\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <p>名称 Name <input name=\"name\" id=\"source-name\" required></p>\
             <p>目录或数据库 URL · Directory or database URL <input name=\"uri\" id=\"source-uri\" size=\"60\" required></p>\
             <p>密码 Password (数据库 databases; 加密保存 stored encrypted) <input name=\"password\" type=\"password\" autocomplete=\"off\"></p>\
             <p><button id=\"source-add\">添加 Add</button></p></form>",
            esc(&s.csrf)
        ));
    }
    body.push_str("<h3>扫描任务 Scans</h3><table id=\"scans\"><tr><th>#</th><th>数据源 Source</th><th>状态 Status</th><th>进度 Progress</th><th>开始 Started</th></tr>");
    for j in jobs {
        body.push_str(&format!(
            "<tr><td><a href=\"/scans/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}{}</td><td>{} {}</td></tr>",
            j.id,
            j.id,
            esc(&j.source),
            esc(&j.status),
            j.done,
            j.total.map(|t| format!(" / {t}")).unwrap_or_default(),
            esc(&j.started_at),
            esc(&j.started_by)
        ));
    }
    body.push_str("</table>");
    page("数据源 Sources", Some(&s), &body).into_response()
}

#[derive(Deserialize)]
pub struct SourceForm {
    csrf: String,
    name: String,
    uri: String,
    #[serde(default)]
    password: String,
}

pub async fn add_source_form(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<SourceForm>,
) -> Response {
    let s = match form_session(&app, &headers, &f.csrf, Role::can_operate) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b = api::NewSource {
        name: f.name,
        uri: f.uri,
        password: Some(f.password).filter(|p| !p.is_empty()),
    };
    match api::register_source(&app, &s.user.username, b) {
        Ok(_) => Redirect::to("/sources").into_response(),
        Err(e) => error_page(&s, &e),
    }
}

pub async fn scan_form(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let s = match form_session(&app, &headers, &f.csrf, Role::can_operate) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match api::start_scan_now(&app, &s.user.username, id) {
        Ok(job) => Redirect::to(&format!("/scans/{job}")).into_response(),
        Err(e) => error_page(&s, &e),
    }
}

/// A scan's live progress: the page polls the API every half second.
pub async fn scan_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(j) = app.jobs.lock().ok().and_then(|j| j.get(id)) else {
        return ApiError::NotFound(format!("scan {id}")).into_response();
    };
    let body = format!(
        "<h2>扫描 Scan #{id} · {}</h2><div class=\"card\"><div style=\"background:#e3e6ea;width:100%;height:18px\"><div id=\"progress\" class=\"bar\" style=\"height:18px;width:0\"></div></div>\
         <p>状态 Status: <b id=\"status\">{}</b> · <span id=\"count\"></span></p><table id=\"found\"></table><pre id=\"result\"></pre><pre id=\"errors\" class=\"err\"></pre></div>\
         <p><a href=\"/inventory\">查看数据资产 See the inventory</a></p>\
         <script>\
         async function tick(){{const r=await fetch('/api/scans/{id}');if(!r.ok)return;const j=await r.json();\
         document.getElementById('status').textContent=j.status;\
         const pct=j.total?Math.min(100,Math.round(100*j.done/Math.max(1,j.total))):(j.status==='running'?50:100);\
         document.getElementById('progress').style.width=pct+'%';\
         document.getElementById('count').textContent=j.done+(j.total?' / '+j.total:'')+' 文件 files';\
         const t=document.getElementById('found');t.innerHTML='';for(const [k,v] of Object.entries(j.found)){{const tr=t.insertRow();tr.insertCell().textContent=k;tr.insertCell().textContent=v;}}\
         if(j.result)document.getElementById('result').textContent=JSON.stringify(j.result.verification||j.result.share||j.result,null,1);\
         if(j.status==='failed')document.getElementById('errors').textContent=j.errors.join('\\n');\
         if(j.status==='running')setTimeout(tick,500);}}\
         tick();</script>",
        esc(&j.source),
        esc(&j.status)
    );
    page("扫描 Scan", Some(&s), &body).into_response()
}

pub async fn exports_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let mut body = String::from("<h2>导出 Exports</h2><table id=\"exports\"><tr><th>内容 What</th><th>格式 Formats</th></tr>");
    for (kind, label) in [
        ("inventory", "数据资产清单 Inventory (every column)"),
        (
            "important",
            "重要数据目录 Important-data catalogue (filing layout)",
        ),
        ("summary", "分级汇总 Summary by level"),
    ] {
        body.push_str(&format!(
            "<tr><td>{label}</td><td><a id=\"export-{kind}-xlsx\" href=\"/api/exports/{kind}?format=xlsx\">XLSX</a> · <a href=\"/api/exports/{kind}?format=csv\">CSV</a> · <a href=\"/api/exports/{kind}?format=json\">JSON</a></td></tr>"
        ));
    }
    body.push_str("</table>");
    page("导出 Exports", Some(&s), &body).into_response()
}

pub async fn protect_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let s = match viewer(&app, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let sources =
        match lock_catalog(&app).and_then(|mut c| c.console_sources().map_err(ApiError::from)) {
            Ok(x) => x,
            Err(e) => return e.into_response(),
        };
    let options: String = sources
        .iter()
        .map(|x| {
            format!(
                "<option value=\"{}\">{} ({})</option>",
                x.id,
                esc(&x.name),
                esc(&x.kind)
            )
        })
        .collect();
    let presets = ["", "default", "waybill", "test-data", "analytics", "share"]
        .iter()
        .map(|p| {
            format!(
                "<option value=\"{p}\">{}</option>",
                if p.is_empty() { "—" } else { p }
            )
        })
        .collect::<String>();
    let mut body = String::from("<h2>脱敏与分享 Mask &amp; share</h2>");
    if Role::parse(&s.user.role).is_some_and(Role::can_operate) {
        body.push_str(&format!(
            "<form class=\"card\" method=\"post\" action=\"/protect/mask\" id=\"mask-form\"><h3>脱敏副本 Masked copy</h3>\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <p>数据源 Source <select name=\"source_id\">{options}</select> 策略 Preset <select name=\"preset\">{presets}</select></p>\
             <p>输出 Output (目录或数据库 URL · directory or database URL) <input name=\"output\" size=\"50\" required></p>\
             <p><button>开始 Start</button></p></form>\
             <form class=\"card\" method=\"post\" action=\"/protect/share\" id=\"share-form\"><h3>带水印分享 Share with a mark</h3>\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <p>数据源 Source <select name=\"source_id\">{options}</select> 文件 File (目录内 · inside a directory source) <input name=\"file\" size=\"30\"></p>\
             <p>接收方 Recipient <input name=\"recipient\" required> 用途 Purpose <input name=\"purpose\" size=\"30\"> 策略 Preset <select name=\"preset\">{presets}</select></p>\
             <p>输出文件 Output file <input name=\"output\" size=\"50\" required></p><p><button>开始 Start</button></p></form>",
            csrf = esc(&s.csrf)
        ));
    }
    let jobs = app.jobs.lock().map(|j| j.list()).unwrap_or_default();
    body.push_str("<h3>任务 Jobs</h3><table id=\"jobs\"><tr><th>#</th><th>类别 Kind</th><th>数据源 Source</th><th>状态 Status</th><th>开始 Started</th></tr>");
    for j in jobs {
        body.push_str(&format!(
            "<tr><td><a href=\"/scans/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
            j.id, j.id, esc(&j.kind), esc(&j.source), esc(&j.status), esc(&j.started_at), esc(&j.started_by)
        ));
    }
    body.push_str("</table><h3>分享登记 Share registry</h3><table id=\"registry\"><tr><th>分享 Share</th><th>接收方 Recipient</th><th>时间 At</th><th>行数 Rows</th><th>带标记值 Marked</th><th>策略 Policy</th></tr>");
    let shares = lock_catalog(&app)
        .and_then(|mut c| c.shares().map_err(ApiError::from))
        .unwrap_or_default();
    for x in shares.iter().rev() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.share_id),
            esc(&x.recipient),
            esc(&x.created_at),
            x.rows,
            x.marked,
            esc(&x.policy)
        ));
    }
    body.push_str("</table>");
    page("脱敏与分享 Mask & share", Some(&s), &body).into_response()
}

#[derive(Deserialize)]
pub struct MaskForm {
    csrf: String,
    source_id: i64,
    output: String,
    #[serde(default)]
    preset: String,
}

pub async fn mask_form(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<MaskForm>,
) -> Response {
    let s = match form_session(&app, &headers, &f.csrf, Role::can_operate) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b = api::NewMask {
        source_id: f.source_id,
        output: f.output,
        preset: Some(f.preset),
        target_schema: None,
    };
    match api::start_mask_now(&app, &s.user.username, b) {
        Ok(job) => Redirect::to(&format!("/scans/{job}")).into_response(),
        Err(e) => error_page(&s, &e),
    }
}

#[derive(Deserialize)]
pub struct ShareForm {
    csrf: String,
    source_id: i64,
    #[serde(default)]
    file: String,
    recipient: String,
    output: String,
    #[serde(default)]
    preset: String,
    #[serde(default)]
    purpose: String,
}

pub async fn share_form(
    State(app): State<App>,
    headers: HeaderMap,
    Form(f): Form<ShareForm>,
) -> Response {
    let s = match form_session(&app, &headers, &f.csrf, Role::can_operate) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let b = api::NewShare {
        source_id: f.source_id,
        file: Some(f.file),
        recipient: f.recipient,
        output: f.output,
        preset: Some(f.preset),
        purpose: Some(f.purpose),
    };
    match api::start_share_now(&app, &s.user.username, b) {
        Ok(job) => Redirect::to(&format!("/scans/{job}")).into_response(),
        Err(e) => error_page(&s, &e),
    }
}
