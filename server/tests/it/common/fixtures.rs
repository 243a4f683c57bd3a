//! Test fixtures that need no harness (the kill -9 test, the group-commit test and the notify
//! benchmark include this file by path): an order as the database stores it.
#![allow(dead_code)]

use wxpay_server::db::orders::NewOrder;

/// An unpaid order of one unit of product 1 at `total_fee`, valid for 30 minutes from
/// `created_at`, its stock not taken (`db.orders().insert` stores it as it is).
pub fn unpaid_order(out_trade_no: &str, openid: &str, total_fee: i64, created_at: i64) -> NewOrder {
    NewOrder {
        out_trade_no: out_trade_no.into(),
        openid: openid.into(),
        product_id: 1,
        product_name: "fixture".into(),
        quantity: 1,
        unit_price_fen: wxpay::Fen::new(total_fee as u64),
        total_fee: wxpay::Fen::new(total_fee as u64),
        api: wxpay_server::api::OrderApi::V2(wxpay::SignType::Md5),
        spbill_create_ip: "127.0.0.1".into(),
        time_start: "20270115080000".into(),
        time_expire: "20270115083000".into(),
        expires_at: created_at + 1_800_000,
        created_at,
        take_stock: false,
    }
}
