//! The API's errors: one JSON shape, `{"error": {"code", "message"}}`, with stable codes that
//! docs/errors.md lists.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("log in first")]
    Unauthenticated,
    #[error("your role ({0}) may not do this")]
    Forbidden(String),
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("wrong user name or password")]
    BadLogin,
    #[error("too many failed logins; try again in {0} s")]
    RateLimited(u64),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("catalog error: {0}")]
    Catalog(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Csrf => "csrf",
            ApiError::BadLogin => "bad_login",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::NotFound(_) => "not_found",
            ApiError::Invalid(_) => "invalid_argument",
            ApiError::Catalog(_) => "catalog_database",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::BadLogin => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::Catalog(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<anshu_inventory::InventoryError> for ApiError {
    fn from(e: anshu_inventory::InventoryError) -> Self {
        match e {
            anshu_inventory::InventoryError::NotFound(m) => ApiError::NotFound(m),
            anshu_inventory::InventoryError::Invalid(m) => ApiError::Invalid(m),
            other => ApiError::Catalog(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code(), "message": self.to_string()}});
        let mut r = (self.status(), Json(body)).into_response();
        if let ApiError::RateLimited(s) = self {
            if let Ok(v) = s.to_string().parse() {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        r
    }
}
