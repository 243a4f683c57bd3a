//! WeChat Pay API v3, on the same host as v2: JSAPI ordering, the queries, closing, refunds
//! (with `apply-abnormal-refund`), `/v3/certificates`, the bills and their download URL, each
//! request's `Authorization` verified and each answer signed ([`layer`]); the v3 payment sheet;
//! v3 notifies and probes; the control API's v3 part.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::context::Sim;

mod auth;
mod bill;
mod certificates;
pub(crate) mod control;
mod layer;
pub(crate) mod notify;
mod pay;
mod refund;
mod reply;
mod shape;

pub(crate) use shape::refund_status;

/// WeChat's v3 endpoints, through the verifying, signing and recording layer (the v3 payment
/// sheet is the client's: `client::request_payment_v3`).
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    let api = Router::new()
        .route("/v3/pay/transactions/jsapi", post(pay::jsapi))
        .route("/v3/pay/transactions/id/{transaction_id}", get(pay::by_transaction_id))
        .route("/v3/pay/transactions/out-trade-no/{out_trade_no}", get(pay::by_out_trade_no))
        .route("/v3/pay/transactions/out-trade-no/{out_trade_no}/close", post(pay::close))
        .route("/v3/refund/domestic/refunds", post(refund::create))
        .route("/v3/refund/domestic/refunds/{out_refund_no}", get(refund::query))
        .route("/v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund", post(refund::apply_abnormal))
        .route("/v3/certificates", get(certificates::certificates))
        .route("/v3/bill/tradebill", get(bill::tradebill))
        .route("/v3/bill/fundflowbill", get(bill::fundflowbill))
        .route("/v3/billdownload/file", get(bill::download))
        .route_layer(axum::middleware::from_fn_with_state(sim.clone(), layer::layer));
    api.with_state(sim)
}
