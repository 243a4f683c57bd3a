//! `wxpay-sim serve`: the simulator as a program any SDK's tests can start. Prints one JSON
//! line on stdout when ready (see [`wxpay_sim::Ready`]), logs on stderr, serves until SIGTERM
//! or Ctrl-C, then finishes the requests in flight and exits 0.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wxpay_sim::{Clock, Credentials, KeyMode, SimConfig, Simulator, DEFAULT_SWITCHOVER_SECS, ENV_VARS};

#[derive(Parser)]
#[command(name = "wxpay-sim", version, about = "A faithful WeChat Pay simulator (API v2 and v3) for testing any SDK")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve WeChat Pay (v2 and v3) on HTTPS (and the control page on plain HTTP, same port).
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
    /// Also write the settings a server reading WXPAY_* variables needs (mode 0600); adopted
    /// secrets only with --print-adopted-secrets.
    #[arg(long)]
    env_file: Option<PathBuf>,
    /// Play the merchant of WXPAY_APPID, WXPAY_APP_SECRET, WXPAY_MCH_ID, WXPAY_API_KEY (all four)
    /// instead of its own. Without it those variables are ignored: they may be a live merchant's.
    /// Its API key and AppSecret are then shown as *** on the ready line and not written to the
    /// state directory.
    #[arg(long)]
    adopt_env_credentials: bool,
    /// With --adopt-env-credentials: print the adopted API key and AppSecret on the ready line
    /// and keep them in the state directory (and --env-file) as generated ones are.
    #[arg(long, requires = "adopt_env_credentials")]
    print_adopted_secrets: bool,
    /// API v3: WeChat's keys for the merchant: public-key (the WeChat Pay public key, as new
    /// merchants have), certificate (platform certificates) or switchover (both; notifies, and
    /// answers naming no Wechatpay-Serial, move to the public key after --v3-switchover-after).
    #[arg(long, default_value = "public-key")]
    v3_keys: KeyMode,
    /// API v3, switchover mode: notifies (and answers naming no Wechatpay-Serial) are signed
    /// with the platform certificate for this many of WeChat's seconds (divided by
    /// --time-scale), then with the public key.
    #[arg(long, default_value_t = DEFAULT_SWITCHOVER_SECS)]
    v3_switchover_after: u64,
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
    let credentials = if args.adopt_env_credentials {
        match Credentials::from_env() {
            Ok(Some(c)) => Some(c),
            Ok(None) => return fail(format!("--adopt-env-credentials: none of {} is set", ENV_VARS.join(", "))),
            Err(e) => return fail(e),
        }
    } else {
        None
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
    let config = SimConfig {
        credentials,
        print_adopted_secrets: args.print_adopted_secrets,
        listen: args.listen,
        dir,
        time_scale: args.time_scale,
        accept_any_code: args.accept_any_code,
        v3_keys: args.v3_keys,
        v3_switchover_after_secs: args.v3_switchover_after,
    };
    let sim = match Simulator::start(config, Clock::system()).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    say_whose_credentials(&sim);
    let ready = sim.ready();
    if let Some(path) = &args.env_file {
        if let Err(e) = write_env(path, &ready, sim.secrets_shown()) {
            return fail(format!("{}: {e}", path.display()));
        }
    }
    // Listen for the stop signals before saying we are ready: a harness may send SIGTERM the
    // moment it has read the line, and a signal that arrives before the handler kills the
    // process instead of stopping it cleanly.
    let stop = match stop_signals() {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot listen for SIGTERM / Ctrl-C: {e}")),
    };
    let line = serde_json::to_string(&ready).expect("the ready line serialises");
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        return fail("cannot write the ready line to stdout");
    }
    drop(out);
    stop.await;
    tracing::info!("stopping: finishing the requests in flight");
    sim.shutdown().await;
    drop(temp);
    ExitCode::SUCCESS
}

/// Tells on stderr (never a secret) whose merchant it plays when the environment has one: a
/// shell that sourced a live server's `.env` must not have the simulator take its keys unnoticed,
/// nor wonder why they are not used.
fn say_whose_credentials(sim: &Simulator) {
    let c = sim.credentials();
    if sim.adopted() {
        let withheld = if sim.secrets_shown() {
            ""
        } else {
            "; its API key and AppSecret show as *** on the ready line and are not written to the state directory or --env-file \
             (--print-adopted-secrets shows them)"
        };
        eprintln!("wxpay-sim: playing the merchant of the WXPAY_* variables (appid {}, mch_id {}){withheld}", c.appid, c.mch_id);
        return;
    }
    // Variables equal to what it plays are its own (a sourced --env-file): nothing ignored.
    let own = [c.appid.as_str(), c.app_secret.expose(), c.mch_id.as_str(), c.api_key.expose()];
    let ignored: Vec<&str> =
        ENV_VARS.iter().zip(own).filter(|(k, own)| std::env::var(k).is_ok_and(|v| !v.is_empty() && v != *own)).map(|(k, _)| *k).collect();
    if !ignored.is_empty() {
        eprintln!(
            "wxpay-sim: ignoring {} from the environment (they may be a live merchant's): playing its own merchant (appid {}, mch_id {}); \
             pass --adopt-env-credentials to play theirs",
            ignored.join(", "),
            c.appid,
            c.mch_id
        );
    }
}

/// Ctrl-C or SIGTERM (from a test harness or a service manager). The handlers are installed
/// when this is called; the returned future ends at the first of the two.
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

/// `secrets_shown`: false for adopted secrets not to be printed, which are left out (the server
/// that reads the file already has them: they came from its environment) rather than written as
/// `***`, which would replace them.
fn write_env(path: &std::path::Path, r: &wxpay_sim::Ready, secrets_shown: bool) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let secrets = if secrets_shown {
        format!("WXPAY_APP_SECRET={}\nWXPAY_API_KEY={}\n", r.app_secret, r.api_key)
    } else {
        "# WXPAY_APP_SECRET, WXPAY_API_KEY: adopted from the environment, not written (--print-adopted-secrets writes them)\n".to_owned()
    };
    let v3 = &r.v3;
    let public_key = match (&v3.wechatpay_public_key, &v3.wechatpay_public_key_id) {
        (Some(file), Some(id)) => format!("WXPAY_PUBLIC_KEY={}\nWXPAY_PUBLIC_KEY_ID={id}\n", file.display()),
        _ => "# no WeChat Pay public key in this --v3-keys mode: the server downloads the platform certificates\n".to_owned(),
    };
    let text = format!(
        "# Written by `wxpay-sim serve --env-file`: a server's settings for this simulator (secrets: keep private).\n\
         WXPAY_APPID={}\nWXPAY_MCH_ID={}\n{secrets}\
         WXPAY_API_BASE={b}\nWXPAY_API_BACKUP_BASE={b}\nWECHAT_API_BASE={b}\nWXPAY_CA_FILE={}\n\
         WXPAY_CLIENT_CERT={}\nWXPAY_CLIENT_KEY={}\n\
         # API v3 (with WXPAY_API_VERSION=v3 the server places new orders in v3)\n\
         WXPAY_MCH_PRIVATE_KEY={}\nWXPAY_MCH_SERIAL={}\nWXPAY_APIV3_KEY={}\n{public_key}",
        r.appid,
        r.mch_id,
        r.ca_file.display(),
        r.client_cert.display(),
        r.client_key.display(),
        v3.mch_private_key.display(),
        v3.mch_serial,
        v3.apiv3_key,
        b = r.base_url,
    );
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())
}
