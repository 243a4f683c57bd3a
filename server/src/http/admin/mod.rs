//! The merchant's back office: `GET /admin`, a page of a few static files driven by `fetch`, and
//! the JSON API under `/admin/api/`, every route of which sits behind `Authorization: Bearer
//! <ADMIN_TOKEN>`.
//!
//! The token check is a layer over the whole `/admin/api` tree (its fallback included), not an
//! argument each handler must remember: a route added there later is behind it by
//! construction, and an unknown path answers 401 to a caller without the token, not 404.
//! Without `ADMIN_TOKEN` every admin path answers 404.

mod exceptions;
mod export;
pub mod mask;
mod orders;
mod products;
mod pulse;
mod refunds;
mod reports;
mod views;

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::AppState;

/// Who the audit trail names for everything done with the admin token.
pub const MERCHANT: &str = "merchant:admin";

/// Every route of the admin API, as `(method, path)` with `{…}` parameters: the table the
/// authorization test walks (`tests/it/admin.rs`). [`api`] builds the same routes.
pub const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/admin/api/pulse"),
    ("GET", "/admin/api/orders"),
    ("GET", "/admin/api/orders/search"),
    ("GET", "/admin/api/orders/export.csv"),
    ("GET", "/admin/api/orders/{out_trade_no}"),
    ("POST", "/admin/api/orders/{out_trade_no}/refunds"),
    ("POST", "/admin/api/orders/{out_trade_no}/refunds/reject-pending"),
    ("POST", "/admin/api/orders/{out_trade_no}/requery"),
    ("POST", "/admin/api/orders/{out_trade_no}/handled"),
    ("GET", "/admin/api/audit/{id}"),
    ("GET", "/admin/api/refunds"),
    ("POST", "/admin/api/refunds/{out_refund_no}/approve"),
    ("POST", "/admin/api/refunds/{out_refund_no}/reject"),
    ("POST", "/admin/api/refunds/{out_refund_no}/requery"),
    ("POST", "/admin/api/refunds/{out_refund_no}/handled"),
    ("GET", "/admin/api/attention"),
    ("GET", "/admin/api/totals"),
    ("GET", "/admin/api/totals/{day}"),
    ("GET", "/admin/api/reconcile"),
    ("GET", "/admin/api/products"),
    ("POST", "/admin/api/products/{id}/stock"),
];

/// The page and the API.
pub fn router(state: AppState) -> Router<AppState> {
    let guard = middleware::from_fn_with_state(state, require_admin);
    Router::new()
        .route("/admin", get(page))
        .route("/admin/{file}", get(asset))
        .nest("/admin/api", api().fallback(|| async { Error::NotFound("admin route") }).layer(guard))
}

/// The API routes (paths relative to `/admin/api`); see [`API_ROUTES`].
fn api() -> Router<AppState> {
    Router::new()
        .route("/pulse", get(pulse::pulse))
        .route("/orders", get(orders::recent))
        .route("/orders/search", get(orders::search))
        .route("/orders/export.csv", get(export::orders_csv))
        .route("/orders/{out_trade_no}", get(orders::detail))
        .route("/orders/{out_trade_no}/refunds", post(refunds::merchant_refund))
        .route("/orders/{out_trade_no}/refunds/reject-pending", post(refunds::reject_pending))
        .route("/orders/{out_trade_no}/requery", post(exceptions::requery_order))
        .route("/orders/{out_trade_no}/handled", post(exceptions::order_handled))
        .route("/audit/{id}", get(orders::audit_raw))
        .route("/refunds", get(refunds::list))
        .route("/refunds/{out_refund_no}/approve", post(refunds::approve))
        .route("/refunds/{out_refund_no}/reject", post(refunds::reject))
        .route("/refunds/{out_refund_no}/requery", post(exceptions::requery_refund))
        .route("/refunds/{out_refund_no}/handled", post(exceptions::refund_handled))
        .route("/refunds/{out_refund_no}/abnormal-refund", post(exceptions::abnormal_refund))
        .route("/attention", get(exceptions::queue))
        .route("/totals", get(reports::totals))
        .route("/totals/{day}", get(reports::day_rows))
        .route("/reconcile", get(reports::reconcile))
        .route("/products", get(products::list))
        .route("/products/{id}/stock", post(products::stock))
}

/// Checks the admin token in constant time.
fn check(parts: &Parts, state: &AppState) -> Result<()> {
    let Some(expected) = &state.settings.admin_token else {
        return Err(Error::NotFound("admin"));
    };
    let given = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(Error::Unauthorized)?;
    // Equal-time comparison of digests: the token's length and prefix do not leak.
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.expose().as_bytes()));
    if a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) != 0 {
        return Err(Error::Unauthorized);
    }
    Ok(())
}

/// The layer over `/admin/api`: no valid admin token, no handler (and no database work).
async fn require_admin(axum::extract::State(state): axum::extract::State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if let Err(e) = check(&parts, &state) {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The page's files, built into the binary (no build step: plain HTML, CSS and ES modules).
const ASSETS: &[(&str, &str, &str)] = &[
    ("admin.css", "text/css; charset=utf-8", include_str!("page/admin.css")),
    ("admin.js", "text/javascript; charset=utf-8", include_str!("page/admin.js")),
    ("api.js", "text/javascript; charset=utf-8", include_str!("page/api.js")),
    ("inbox.js", "text/javascript; charset=utf-8", include_str!("page/inbox.js")),
    ("orders.js", "text/javascript; charset=utf-8", include_str!("page/orders.js")),
    ("products.js", "text/javascript; charset=utf-8", include_str!("page/products.js")),
    ("reports.js", "text/javascript; charset=utf-8", include_str!("page/reports.js")),
];

/// Same-origin scripts and styles only: the page runs nothing it did not ship, and no other
/// site may frame it.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    r
}

async fn page(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    if state.settings.admin_token.is_none() {
        return (StatusCode::NOT_FOUND, "admin is off: set ADMIN_TOKEN").into_response();
    }
    static_file("text/html; charset=utf-8", include_str!("page/index.html"))
}

async fn asset(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, ct, body)) if state.settings.admin_token.is_some() => static_file(ct, body),
        _ => Error::NotFound("file").into_response(),
    }
}

/// A free-text note or reason as people type it, checked when it enters like a refund reason
/// (plain text: no control, direction or invisible characters), at most `max` bytes.
///
/// # Errors
/// [`Error::Invalid`] naming `what`.
fn checked_text<'a>(what: &str, raw: &'a str, max: usize) -> Result<&'a str> {
    let t = raw.trim();
    wxpay::validate::plain_text(what, t, max)
        .map_err(|e| Error::Invalid(format!("{what} must be 1 to {max} bytes of plain text (no control or direction characters): {e}")))?;
    Ok(t)
}
