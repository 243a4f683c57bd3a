//! Feature `sandbox`: the server wired to an in-process WeChat Pay simulator (`wxpay-sim`), for
//! `serve --sandbox`, the demo and the tests. Not in the production build.

use wxpay_sim::Simulator;

use crate::{Clock, Config};

/// The server settings that point at `sim` (WeChat's bases, its CA, its merchant and client
/// certificate), calling `public_url` back for notifies.
pub fn server_config(sim: &Simulator, public_url: &str) -> Config {
    let c = sim.credentials();
    let base = sim.base_url().to_owned();
    Config {
        appid: Some(c.appid.clone()),
        app_secret: Some(c.app_secret.expose().to_owned()),
        mch_id: Some(c.mch_id.clone()),
        api_key: Some(c.api_key.expose().to_owned()),
        public_url: Some(public_url.to_owned()),
        api_base: Some(base.clone()),
        api_backup_base: Some(base.clone()),
        wechat_api_base: Some(base),
        ca_file: Some(sim.ca_file().display().to_string()),
        client_cert: Some(sim.client_cert_file().display().to_string()),
        client_key: Some(sim.client_key_file().display().to_string()),
        ..Config::default()
    }
}

/// The simulator's clock reading the server's: a test shifting one shifts both.
pub fn sim_clock(clock: &Clock) -> wxpay_sim::Clock {
    let clock = clock.clone();
    wxpay_sim::Clock::from_fn(move || clock.now_ms())
}
