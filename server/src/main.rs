//! `wxpay-server serve | sandbox | demo`. Parses the configuration and hands over to the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use wxpay_server::sandbox::{Credentials, Sandbox, SandboxConfig};
use wxpay_server::secret::{ApiKeyText, AppSecret};
use wxpay_server::{logging, reconciler, AppState, Clock, Config};

#[derive(Parser)]
#[command(name = "wxpay-server", version, about = "WeChat Pay v2 mini-program server and simulator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the payment server.
    Serve {
        #[command(flatten)]
        config: Box<Config>,
        /// Start the WeChat Pay simulator in-process and wire the server to it (for WeChat
        /// devtools); credentials not given are generated.
        #[arg(long)]
        sandbox: bool,
        /// With --sandbox: where the simulator listens (default: a free loopback port). A
        /// fixed address lets the mini-program's `config.sandboxUrl` stay the same across
        /// restarts.
        #[arg(long, env = "WXPAY_SANDBOX_LISTEN", requires = "sandbox")]
        sandbox_listen: Option<std::net::SocketAddr>,
        /// With --sandbox: use DATABASE_URL even if it holds a live database (one `serve` has
        /// used, or with orders of unknown origin). Without DATABASE_URL the sandbox uses a fresh
        /// SQLite file in its temporary directory.
        #[arg(long, env = "WXPAY_SANDBOX_ALLOW_LIVE_DATABASE", requires = "sandbox")]
        sandbox_allow_live_database: bool,
    },
    /// Run the WeChat Pay simulator (HTTPS on loopback with a generated CA).
    Sandbox(SandboxArgs),
    /// Walk through a purchase: simulator + server on SQLite in a temporary directory.
    Demo,
}

#[derive(clap::Args)]
struct SandboxArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:9443")]
    listen: std::net::SocketAddr,
    /// Where ca.pem and server.env are written.
    #[arg(long, default_value = "sandbox")]
    dir: PathBuf,
    /// Multiplier of the notify retry schedule (1 = WeChat's, 0.001 = milliseconds).
    #[arg(long, default_value_t = 1.0)]
    notify_time_scale: f64,
    /// Fraction of Pay API calls answered SYSTEMERROR.
    #[arg(long, default_value_t = 0.0)]
    systemerror_rate: f64,
    /// Delay before every Pay API answer, in ms.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Extra concurrent copies of every notify.
    #[arg(long, default_value_t = 0)]
    duplicate_notifies: u32,
    /// Accept jscode2session codes the simulator did not issue (real wx.login() codes).
    #[arg(long)]
    accept_any_code: bool,
    /// The server's public URL, written into server.env.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    public_url: String,
    #[arg(long, env = "WXPAY_APPID", hide = true)]
    appid: Option<String>,
    #[arg(long, env = "WXPAY_APP_SECRET", hide = true, hide_env_values = true)]
    app_secret: Option<String>,
    #[arg(long, env = "WXPAY_MCH_ID", hide = true)]
    mch_id: Option<String>,
    #[arg(long, env = "WXPAY_API_KEY", hide = true, hide_env_values = true)]
    api_key: Option<String>,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("wxpay-server: {message}");
    ExitCode::from(2)
}

fn config_secrets(c: &Config) -> Vec<String> {
    [&c.api_key, &c.app_secret, &c.admin_token, &c.database_url, &c.client_p12_password].into_iter().flatten().cloned().collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve { config, sandbox, sandbox_listen, sandbox_allow_live_database } => {
            serve(*config, sandbox.then_some(sandbox_listen), sandbox_allow_live_database).await
        }
        Command::Sandbox(args) => run_sandbox(args).await,
        Command::Demo => {
            // The demo prints its own steps; logs only for trouble.
            logging::init(Vec::new(), "warn");
            match wxpay_server::demo::run(Arc::new(|line: &str| println!("{line}"))).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(format!("demo failed: {e}")),
            }
        }
    }
}

/// `sandbox`: `Some(listen)` for `--sandbox` (`None`: any free port).
async fn serve(mut config: Config, sandbox: Option<Option<std::net::SocketAddr>>, allow_live_database: bool) -> ExitCode {
    let clock = Clock::system();
    let mut _sandbox = None;
    // The simulator's CA and client certificate live in a temporary directory removed at exit.
    let mut _sandbox_dir = None;
    if let Some(sandbox_listen) = sandbox {
        // mkdtemp: a fresh directory no other user can have prepared, removed at exit.
        let dir = match tempfile::Builder::new().prefix("wxpay-sandbox-").tempdir() {
            Ok(d) => d,
            Err(e) => return fail(format!("sandbox: cannot create a temporary directory: {e}")),
        };
        if config.database_url.as_deref().is_none_or(str::is_empty) {
            config.database_url = Some(format!("sqlite://{}?mode=rwc", dir.path().join("wxpay-sandbox.db").display()));
        }
        let mut sc = SandboxConfig::new(dir.path().join("sandbox"));
        _sandbox_dir = Some(dir);
        if let Some(listen) = sandbox_listen {
            sc.listen = listen;
        }
        if let (Some(appid), Some(secret), Some(mch), Some(key)) = (&config.appid, &config.app_secret, &config.mch_id, &config.api_key) {
            sc.credentials = Credentials {
                appid: appid.clone(),
                app_secret: AppSecret::new(secret.clone()),
                mch_id: mch.clone(),
                api_key: ApiKeyText::new(key.clone()),
            };
        }
        sc.accept_any_code = true;
        let sb = match Sandbox::start(sc, clock.clone()).await {
            Ok(s) => s,
            Err(e) => return fail(format!("sandbox: {e}")),
        };
        let public = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen.as_deref().unwrap_or("127.0.0.1:8080")));
        // Only who we are and where WeChat is change; every other setting is kept.
        let wired = sb.server_config(&public);
        config.appid = wired.appid;
        config.app_secret = wired.app_secret;
        config.mch_id = wired.mch_id;
        config.api_key = wired.api_key;
        config.public_url = wired.public_url;
        config.api_base = wired.api_base;
        config.api_backup_base = wired.api_backup_base;
        config.wechat_api_base = wired.wechat_api_base;
        config.ca_file = wired.ca_file;
        if config.client_cert.is_none() && config.client_key.is_none() && config.client_p12.is_none() {
            config.client_cert = wired.client_cert;
            config.client_key = wired.client_key;
        }
        println!("sandbox: {} (CA {}); WeChat client at {}/sandbox/requestPayment", sb.base_url(), sb.ca_file().display(), sb.base_url());
        _sandbox = Some(sb);
    }
    logging::init(config_secrets(&config), "info");
    let settings = match config.settings() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let listen = settings.listen;
    let state = match AppState::connect(settings, clock, None).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // A sandbox never writes into a live database (its orders would mix with real ones), and
    // a live server warns about a sandbox one.
    let mode = if sandbox.is_some() { "sandbox" } else { "live" };
    let guard = async {
        let stored = state.db.mode().await?;
        if sandbox.is_some() && !allow_live_database {
            let live = match stored.as_deref() {
                Some("sandbox") => false,
                Some(_) => true,
                None => state.db.has_orders().await?,
            };
            if live {
                return Ok(Some(
                    "DATABASE_URL holds a live database (or one with orders of unknown origin); --sandbox will not write into it. \
                     Leave DATABASE_URL unset for a fresh one, or pass --sandbox-allow-live-database"
                        .to_owned(),
                ));
            }
        }
        if sandbox.is_none() && stored.as_deref() == Some("sandbox") {
            tracing::warn!("DATABASE_URL holds a database used by --sandbox: its orders are not real");
        }
        state.db.set_mode_if_unset(mode).await?;
        Ok::<_, wxpay_server::Error>(None)
    };
    match guard.await {
        Ok(None) => {}
        Ok(Some(refusal)) => return fail(format!("invalid setting DATABASE_URL: {refusal}")),
        Err(e) => return fail(e),
    }
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => return fail(format!("invalid setting LISTEN: cannot bind {listen}: {e}")),
    };
    tracing::info!(%listen, "wxpay-server listening");
    reconciler::spawn(state.clone());
    reconciler::spawn_session_purge(state.clone());
    let shutdown = async {
        // Ctrl-C, or SIGTERM from a service manager: finish the requests in flight, then stop.
        use tokio::signal::unix::{signal, SignalKind};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut t) => t.recv().await,
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    };
    match wxpay_server::serve(listener, state, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

async fn run_sandbox(a: SandboxArgs) -> ExitCode {
    let mut config = SandboxConfig::new(&a.dir);
    config.listen = a.listen;
    config.notify_time_scale = a.notify_time_scale.max(0.0);
    config.accept_any_code = a.accept_any_code;
    match (a.appid, a.app_secret, a.mch_id, a.api_key) {
        (Some(appid), Some(secret), Some(mch_id), Some(key)) => {
            config.credentials = Credentials { appid, app_secret: AppSecret::new(secret), mch_id, api_key: ApiKeyText::new(key) };
        }
        (None, None, None, None) => {}
        _ => return fail("give all of WXPAY_APPID, WXPAY_APP_SECRET, WXPAY_MCH_ID, WXPAY_API_KEY, or none (generated)"),
    }
    logging::init(vec![config.credentials.api_key.expose().to_owned(), config.credentials.app_secret.expose().to_owned()], "info");
    let sandbox = match Sandbox::start(config, Clock::system()).await {
        Ok(s) => s,
        Err(e) => return fail(format!("sandbox: {e}")),
    };
    let f = sandbox.faults();
    f.systemerror_permille.store((a.systemerror_rate.clamp(0.0, 1.0) * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
    f.delay_ms.store(a.delay_ms, std::sync::atomic::Ordering::Relaxed);
    f.duplicate_notifies.store(a.duplicate_notifies, std::sync::atomic::Ordering::Relaxed);
    let c = sandbox.credentials();
    let env = format!(
        "# Written by `wxpay-server sandbox`: settings for a server using this simulator.\n\
         WXPAY_APPID={}\nWXPAY_APP_SECRET={}\nWXPAY_MCH_ID={}\nWXPAY_API_KEY={}\nWXPAY_PUBLIC_URL={}\n\
         WXPAY_API_BASE={b}\nWXPAY_API_BACKUP_BASE={b}\nWECHAT_API_BASE={b}\nWXPAY_CA_FILE={}\n\
         WXPAY_CLIENT_CERT={}\nWXPAY_CLIENT_KEY={}\n",
        c.appid,
        c.app_secret.expose(),
        c.mch_id,
        c.api_key.expose(),
        a.public_url,
        sandbox.ca_file().display(),
        sandbox.client_cert_file().display(),
        sandbox.client_key_file().display(),
        b = sandbox.base_url(),
    );
    let env_file = a.dir.join("server.env");
    if let Err(e) = write_private(&env_file, &env) {
        return fail(format!("cannot write {}: {e}", env_file.display()));
    }
    println!("WeChat Pay simulator at {}", sandbox.base_url());
    println!("CA certificate: {}", sandbox.ca_file().display());
    println!("server settings (with secrets): {}  e.g. `set -a; . {}; set +a; wxpay-server serve`", env_file.display(), env_file.display());
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())
}
