//! `wx.login()` and `/sns/jscode2session`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::context::Sim;
use crate::model::Refusal;

/// A code lives about five minutes.
const CODE_TTL_MS: i64 = 5 * 60 * 1000;

fn new_openid() -> String {
    // Real openids are 28 characters starting with `o`.
    let n = wxpay::nonce_str().expect("random source");
    format!("o{}", &n[..27])
}

/// Plays `wx.login()` for `openid` (a new user when `None`): returns `(code, openid)`.
pub(crate) fn issue(sim: &Sim, openid: Option<&str>) -> (String, String) {
    let openid = openid.map(str::to_owned).unwrap_or_else(new_openid);
    let code = format!("0{}", &wxpay::nonce_str().expect("random source")[..31]);
    sim.model.issue_code(code.clone(), openid.clone());
    (code, openid)
}

#[derive(Deserialize, Default)]
pub(crate) struct ClientLogin {
    #[serde(default)]
    openid: Option<String>,
}

/// `POST /sandbox/login {openid?}` → `{code, openid}`: what `wx.login()` gives the mini-program
/// (the openid is shown so tests and the demo can follow the user; WeChat never shows it).
pub(crate) async fn client_login(State(sim): State<Arc<Sim>>, body: Option<Json<ClientLogin>>) -> Json<Value> {
    let req = body.map(|Json(b)| b).unwrap_or_default();
    let (code, openid) = issue(&sim, req.openid.as_deref().filter(|o| !o.is_empty() && o.len() <= 64));
    Json(json!({ "code": code, "openid": openid }))
}

fn err(code: i64, msg: &str) -> Json<Value> {
    Json(json!({ "errcode": code, "errmsg": format!("{msg}, rid: {}", wxpay::nonce_str().unwrap_or_default()) }))
}

/// `GET /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code`.
pub(crate) async fn jscode2session(State(sim): State<Arc<Sim>>, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    sim.model.count_call("/sns/jscode2session");
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(appid) = get("appid") else { return err(41002, "appid missing") };
    let Some(secret) = get("secret") else { return err(41004, "appsecret missing") };
    let Some(code) = get("js_code") else { return err(41008, "missing code") };
    if get("grant_type") != Some("authorization_code") {
        return err(40002, "invalid grant_type");
    }
    if appid != sim.creds.appid {
        return err(40013, "invalid appid");
    }
    if secret != sim.creds.app_secret.expose() {
        return err(40125, "invalid appsecret");
    }
    // A code the simulator never issued is taken, when allowed, for a new user.
    let stranger = (sim.accept_any_code && code.len() <= 128).then(new_openid);
    let openid = match sim.model.redeem_code(code, CODE_TTL_MS, stranger) {
        Ok(openid) => openid,
        Err(Refusal::CodeUsed) => return err(40163, "code been used"),
        Err(_) => return err(40029, "invalid code"),
    };
    let mut key = [0u8; 16];
    getrandom::fill(&mut key).expect("random source");
    let session_key = base64::engine::general_purpose::STANDARD.encode(key);
    tracing::info!(openid = %openid, "jscode2session ok");
    Json(json!({ "openid": openid, "session_key": session_key }))
}
