//! `wxpay-server serve | demo`. Parses the configuration and hands over to the library.
//! `serve --sandbox` and `demo` run the WeChat Pay simulator in-process: only with the feature
//! `sandbox` (the production build has no simulator).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wxpay_server::{logging, reconciler, AppState, Clock, Config};

#[derive(Parser)]
#[command(name = "wxpay-server", version, about = "WeChat Pay v2 mini-program server")]
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
        /// devtools); credentials not given are generated. Needs the feature `sandbox`.
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
    /// Walk through a purchase: simulator + server on SQLite in a temporary directory. Needs
    /// the feature `sandbox`.
    Demo,
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
        Command::Demo => demo().await,
    }
}

/// `sandbox`: `Some(listen)` for `--sandbox` (`None`: any free port).
async fn serve(config: Config, sandbox: Option<Option<std::net::SocketAddr>>, allow_live_database: bool) -> ExitCode {
    // Listen for the stop signals first: a supervisor (or a test) may send SIGTERM as soon as
    // it sees the first line of output, and a signal before the handler kills the process
    // without the clean stop (requests finished, the sandbox's directory removed).
    let shutdown = match stop_signals() {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot listen for SIGTERM / Ctrl-C: {e}")),
    };
    let clock = Clock::system();
    // Kept until the server stops: the simulator, and its temporary directory.
    #[cfg(feature = "sandbox")]
    let mut config = config;
    #[cfg(feature = "sandbox")]
    let _sandbox = match sandbox {
        None => None,
        Some(listen) => match sandbox::start(&mut config, listen, &clock).await {
            Ok(s) => Some(s),
            Err(e) => return fail(format!("sandbox: {e}")),
        },
    };
    #[cfg(not(feature = "sandbox"))]
    if sandbox.is_some() {
        return fail(NO_SANDBOX);
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
    match wxpay_server::serve(listener, state, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

#[cfg(not(feature = "sandbox"))]
const NO_SANDBOX: &str = "this build has no simulator (the production build); build with the feature `sandbox`: \
     cargo run -p wxpay-server --features sandbox -- serve --sandbox (or ./scripts/demo)";

#[cfg(not(feature = "sandbox"))]
async fn demo() -> ExitCode {
    fail(NO_SANDBOX)
}

#[cfg(feature = "sandbox")]
async fn demo() -> ExitCode {
    // The demo prints its own steps; logs only for trouble.
    logging::init(Vec::new(), "warn");
    match wxpay_server::demo::run(std::sync::Arc::new(|line: &str| println!("{line}"))).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("demo failed: {e}")),
    }
}

/// `serve --sandbox`: the simulator in-process, its state in a temporary directory.
#[cfg(feature = "sandbox")]
mod sandbox {
    use wxpay_server::sandbox::{server_config, sim_clock};
    use wxpay_server::{Clock, Config};
    use wxpay_sim::{Credentials, Secret, SimConfig, Simulator};

    /// The running simulator and its directory (removed when dropped).
    pub struct Running {
        _sim: Simulator,
        _dir: tempfile::TempDir,
    }

    /// Starts the simulator on `listen` (a free loopback port when `None`) and rewires `config`
    /// to it: who we are and where WeChat is; every other setting is kept.
    pub async fn start(config: &mut Config, listen: Option<std::net::SocketAddr>, clock: &Clock) -> Result<Running, String> {
        // mkdtemp: a fresh directory no other user can have prepared, removed at exit.
        let dir = tempfile::Builder::new().prefix("wxpay-sandbox-").tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        if config.database_url.as_deref().is_none_or(str::is_empty) {
            config.database_url = Some(format!("sqlite://{}?mode=rwc", dir.path().join("wxpay-sandbox.db").display()));
        }
        let mut sc = SimConfig::new(dir.path().join("sandbox"));
        if let Some(listen) = listen {
            sc.listen = listen;
        }
        if let (Some(appid), Some(secret), Some(mch), Some(key)) = (&config.appid, &config.app_secret, &config.mch_id, &config.api_key) {
            sc.credentials = Some(Credentials { appid: appid.clone(), app_secret: Secret::new(secret.clone()), mch_id: mch.clone(), api_key: Secret::new(key.clone()) });
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
        config.api_base = wired.api_base;
        config.api_backup_base = wired.api_backup_base;
        config.wechat_api_base = wired.wechat_api_base;
        config.ca_file = wired.ca_file;
        if config.client_cert.is_none() && config.client_key.is_none() && config.client_p12.is_none() {
            config.client_cert = wired.client_cert;
            config.client_key = wired.client_key;
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
}

/// Ctrl-C, or SIGTERM from a service manager: finish the requests in flight, then stop. The
/// handlers are installed when this is called; the future ends at the first of the two.
fn stop_signals() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}
