//! `wxpay-server serve | demo`: parse the configuration, open the store, serve. `serve --sandbox`
//! and `demo` run the WeChat Pay simulator in-process, only with the feature `sandbox` (the
//! production build has no simulator).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser as _;
use wxpay_server::cli::{Cli, Command};
use wxpay_server::db::Mode;
use wxpay_server::{logging, reconciler, shutdown, AppState, Clock, Config};

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve { config, sandbox, sandbox_listen, sandbox_allow_live_database: allow_live } => {
            serve(*config, sandbox.then_some(sandbox_listen), allow_live).await
        }
        Command::Demo { api } => demo(&api).await,
        Command::Doctor { config } => return doctor(&config).await,
    };
    result.map_or_else(
        |message| {
            eprintln!("wxpay-server: {message}");
            ExitCode::from(2)
        },
        |()| ExitCode::SUCCESS,
    )
}

/// Prints one line per finding; exit 0 only when nothing failed.
async fn doctor(config: &Config) -> ExitCode {
    let report = wxpay_server::doctor::run(config, &Clock::system()).await;
    println!("wxpay-server doctor: {}", env!("CARGO_PKG_VERSION"));
    for line in report.lines() {
        println!("{line}");
    }
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `sandbox`: `Some(listen)` for `--sandbox` (`None`: any free port).
async fn serve(config: Config, sandbox: Option<Option<SocketAddr>>, allow_live: bool) -> Result<(), String> {
    // First: a SIGTERM that comes with the first line of output must still stop cleanly.
    let stop = shutdown::stop_signals().map_err(|e| format!("cannot listen for SIGTERM / Ctrl-C: {e}"))?;
    let clock = Clock::system();
    #[cfg(feature = "sandbox")]
    let mut config = config;
    #[cfg(feature = "sandbox")] // kept until the server stops: the simulator and its directory
    let _sim = match sandbox {
        Some(listen) => {
            Some(wxpay_server::sandbox::start(&mut config, listen, allow_live, &clock).await.map_err(|e| format!("sandbox: {e}"))?)
        }
        None => None,
    };
    #[cfg(not(feature = "sandbox"))]
    if sandbox.is_some() {
        return Err(NO_SANDBOX.into());
    }
    logging::init(config.secret_values(), "info");
    let settings = config.settings().map_err(|e| e.to_string())?;
    let listen = settings.listen;
    // Which API new orders use, and whether the other one's orders in flight are still served.
    tracing::info!(versions = %settings.versions_line(), "API versions");
    let state = AppState::connect(settings, clock, None).await.map_err(|e| e.to_string())?;
    let mode = if sandbox.is_some() { Mode::Sandbox { allow_live } } else { Mode::Live };
    state.db.meta().enter_mode(mode).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("invalid setting LISTEN: cannot bind {listen}: {e}"))?;
    tracing::info!(%listen, "wxpay-server listening");
    reconciler::spawn(state.clone());
    reconciler::spawn_session_purge(state.clone());
    wxpay_server::serve(listener, state, stop).await.map_err(|e| e.to_string())
}

#[cfg(feature = "sandbox")]
async fn demo(api: &str) -> Result<(), String> {
    logging::init(Vec::new(), "warn"); // the demo prints its own steps; logs only for trouble
    let api = wxpay_server::api::ApiVersion::parse(api).map_err(|e| e.to_string())?;
    wxpay_server::demo::run(std::sync::Arc::new(|line: &str| println!("{line}")), api).await.map_err(|e| format!("demo failed: {e}"))
}

#[cfg(not(feature = "sandbox"))]
async fn demo(_: &str) -> Result<(), String> {
    Err(NO_SANDBOX.into())
}

#[cfg(not(feature = "sandbox"))]
const NO_SANDBOX: &str = "this build has no simulator (the production build); build with the feature `sandbox`: \
     cargo run -p wxpay-server --features sandbox -- serve --sandbox (or ./scripts/demo)";
