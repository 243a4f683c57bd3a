//! `wxpay-sim serve`: the simulator as a program any SDK's tests can start. Prints one JSON
//! line on stdout when ready (see [`wxpay_sim::Ready`]), logs on stderr, serves until SIGTERM
//! or Ctrl-C, then finishes the requests in flight and exits 0.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wxpay_sim::{Clock, Credentials, SimConfig, Simulator};

#[derive(Parser)]
#[command(name = "wxpay-sim", version, about = "A faithful WeChat Pay API v2 simulator for testing any SDK")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve WeChat Pay v2 on HTTPS (and the control page on plain HTTP, same port).
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Where to listen (port 0: a free port; the ready line says which).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Keeps the CA, the certificates and the credentials here across restarts (default: a
    /// fresh temporary directory, removed at exit).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Notify retries and refund processing run N times faster than WeChat's (1000: the 15 s
    /// first retry after 15 ms).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// jscode2session accepts codes it did not issue (real wx.login() codes from devtools).
    #[arg(long)]
    accept_any_code: bool,
    /// Also write the settings a server reading WXPAY_* variables needs (mode 0600).
    #[arg(long)]
    env_file: Option<PathBuf>,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("wxpay-sim: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let Command::Serve(args) = Cli::parse().command;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let credentials = match Credentials::from_env() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    // Without --state-dir: mkdtemp, so no other user can have prepared it; removed at exit.
    let temp = match &args.state_dir {
        Some(_) => None,
        None => match tempfile::Builder::new().prefix("wxpay-sim-").tempdir() {
            Ok(d) => Some(d),
            Err(e) => return fail(format!("cannot create a temporary directory: {e}")),
        },
    };
    let dir = args.state_dir.clone().unwrap_or_else(|| temp.as_ref().map(|t| t.path().to_path_buf()).unwrap_or_default());
    let config = SimConfig { credentials, listen: args.listen, dir, time_scale: args.time_scale, accept_any_code: args.accept_any_code };
    let sim = match Simulator::start(config, Clock::system()).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let ready = sim.ready();
    if let Some(path) = &args.env_file {
        if let Err(e) = write_env(path, &ready) {
            return fail(format!("{}: {e}", path.display()));
        }
    }
    let line = serde_json::to_string(&ready).expect("the ready line serialises");
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        return fail("cannot write the ready line to stdout");
    }
    drop(out);
    wait_for_stop().await;
    tracing::info!("stopping: finishing the requests in flight");
    sim.shutdown().await;
    drop(temp);
    ExitCode::SUCCESS
}

/// Ctrl-C or SIGTERM (from a test harness or a service manager).
async fn wait_for_stop() {
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
}

fn write_env(path: &std::path::Path, r: &wxpay_sim::Ready) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let text = format!(
        "# Written by `wxpay-sim serve --env-file`: a server's settings for this simulator (secrets: keep private).\n\
         WXPAY_APPID={}\nWXPAY_APP_SECRET={}\nWXPAY_MCH_ID={}\nWXPAY_API_KEY={}\n\
         WXPAY_API_BASE={b}\nWXPAY_API_BACKUP_BASE={b}\nWECHAT_API_BASE={b}\nWXPAY_CA_FILE={}\n\
         WXPAY_CLIENT_CERT={}\nWXPAY_CLIENT_KEY={}\n",
        r.appid,
        r.app_secret,
        r.mch_id,
        r.api_key,
        r.ca_file.display(),
        r.client_cert.display(),
        r.client_key.display(),
        b = r.base_url,
    );
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())
}
