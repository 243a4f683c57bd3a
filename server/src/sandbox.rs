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
        // The simulator calls back on loopback.
        allow_http_public_url: true,
        ..Config::default()
    }
}

/// [`server_config`] for a merchant on API v3 alone: the simulator's v3 merchant key, its serial,
/// the APIv3 key and WeChat's public key (when the simulator's mode has one; without it the
/// server downloads the platform certificates), and neither v2's API key nor the client
/// certificate, which v3 does not need.
pub fn server_config_v3(sim: &Simulator, public_url: &str) -> Config {
    let v3 = sim.ready().v3;
    Config {
        api_version: Some("v3".into()),
        api_key: None,
        client_cert: None,
        client_key: None,
        mch_private_key: Some(v3.mch_private_key.display().to_string()),
        mch_serial: Some(v3.mch_serial),
        apiv3_key: Some(v3.apiv3_key),
        public_key: v3.wechatpay_public_key.map(|p| p.display().to_string()),
        public_key_id: v3.wechatpay_public_key_id,
        ..server_config(sim, public_url)
    }
}

/// The simulator's clock reading the server's: a test shifting one shifts both.
pub fn sim_clock(clock: &Clock) -> wxpay_sim::Clock {
    let clock = clock.clone();
    wxpay_sim::Clock::from_fn(move || clock.now_ms())
}

/// A running `serve --sandbox` simulator and its temporary directory (removed when dropped).
pub struct Running {
    _sim: Simulator,
    _dir: tempfile::TempDir,
}

/// `serve --sandbox`: refuses a live `DATABASE_URL` (unless `allow_live`, which is
/// `--sandbox-allow-live-database`), then starts the simulator on `listen` (a free loopback port
/// when `None`), its state in a fresh temporary directory, and rewires `config` to it: who we are
/// and where WeChat is, and with `WXPAY_API_VERSION=v3` the v3 keys too; every other setting is
/// kept (a client certificate given stays).
///
/// # Errors
/// A live database, or the directory or the simulator cannot be made.
pub async fn start(config: &mut Config, listen: Option<std::net::SocketAddr>, allow_live: bool, clock: &Clock) -> Result<Running, String> {
    use wxpay_sim::{Credentials, Secret, SimConfig};
    // Before anything opens the database for writing (connecting migrates it, and sets SQLite's
    // journal mode): a sandbox must not change a live database's schema before refusing it.
    if let Some(url) = config.database_url.as_deref().filter(|u| !u.is_empty() && !allow_live) {
        if crate::db::mode::holds_live(url).await? {
            return Err(crate::db::mode::LIVE_DATABASE.into());
        }
    }
    // mkdtemp: a fresh directory no other user can have prepared, removed at exit.
    let dir =
        tempfile::Builder::new().prefix("wxpay-sandbox-").tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    if config.database_url.as_deref().is_none_or(str::is_empty) {
        config.database_url = Some(format!("sqlite://{}?mode=rwc", dir.path().join("wxpay-sandbox.db").display()));
    }
    let mut sc = SimConfig::new(dir.path().join("sandbox"));
    if let Some(listen) = listen {
        sc.listen = listen;
    }
    if let (Some(appid), Some(secret), Some(mch), Some(key)) = (&config.appid, &config.app_secret, &config.mch_id, &config.api_key) {
        sc.credentials = Some(Credentials {
            appid: appid.clone(),
            app_secret: Secret::new(secret.clone()),
            mch_id: mch.clone(),
            api_key: Secret::new(key.clone()),
        });
    }
    sc.accept_any_code = true;
    let sim = Simulator::start(sc, sim_clock(clock)).await.map_err(|e| e.to_string())?;
    let public = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen.as_deref().unwrap_or("127.0.0.1:8080")));
    let wired = server_config(&sim, &public);
    config.appid = wired.appid;
    config.app_secret = wired.app_secret;
    config.mch_id = wired.mch_id;
    config.api_key = wired.api_key;
    config.public_url = wired.public_url;
    config.allow_http_public_url = true;
    config.api_base = wired.api_base;
    config.api_backup_base = wired.api_backup_base;
    config.wechat_api_base = wired.wechat_api_base;
    config.ca_file = wired.ca_file;
    if config.client_cert.is_none() && config.client_key.is_none() && config.client_p12.is_none() {
        config.client_cert = wired.client_cert;
        config.client_key = wired.client_key;
    }
    // WXPAY_API_VERSION=v3: the simulator's v3 merchant key, APIv3 key and WeChat Pay public key.
    if config.api_version.as_deref().is_some_and(|v| v.trim().eq_ignore_ascii_case("v3")) {
        let v3 = server_config_v3(&sim, &public);
        config.mch_private_key = v3.mch_private_key;
        config.mch_serial = v3.mch_serial;
        config.apiv3_key = v3.apiv3_key;
        config.public_key = v3.public_key;
        config.public_key_id = v3.public_key_id;
    }
    println!(
        "sandbox: {} (CA {}); WeChat client at {}/sandbox/requestPayment; control page {}",
        sim.base_url(),
        sim.ca_file().display(),
        sim.base_url(),
        sim.control_url()
    );
    Ok(Running { _sim: sim, _dir: dir })
}
