//! The binary: a missing or malformed setting stops start-up with a message naming it, and
//! never repeats a secret.

use std::process::Command;

use crate::common::fixtures;

fn serve(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxpay-server"));
    cmd.arg("serve").env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const GOOD: [(&str, &str); 5] = [
    ("WXPAY_APPID", "wxd930ea5d5a258f4f"),
    ("WXPAY_APP_SECRET", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    ("WXPAY_MCH_ID", "10000100"),
    ("WXPAY_API_KEY", "192006250b4c09247ec02edce69f6a2d"),
    ("WXPAY_PUBLIC_URL", "https://shop.example.com"),
];

#[test]
fn startup_stops_naming_a_missing_setting() {
    let (code, err) = serve(&[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing setting WXPAY_APPID"), "{err}");
    for skip in ["WXPAY_API_KEY", "WXPAY_APP_SECRET", "WXPAY_PUBLIC_URL"] {
        let env: Vec<_> = GOOD.iter().copied().filter(|(k, _)| *k != skip).collect();
        let (code, err) = serve(&env);
        assert_eq!(code, Some(2));
        assert!(err.contains(&format!("missing setting {skip}")), "{err}");
    }
}

#[test]
fn startup_stops_naming_a_malformed_setting_without_echoing_secrets() {
    let bad_key = "192006250b4c09247ec02edce69f6a2d-TOO-LONG";
    let mut env: Vec<_> = GOOD.iter().copied().filter(|(k, _)| *k != "WXPAY_API_KEY").collect();
    env.push(("WXPAY_API_KEY", bad_key));
    let (code, err) = serve(&env);
    assert_eq!(code, Some(2));
    assert!(err.contains("invalid setting WXPAY_API_KEY"), "{err}");
    assert!(!err.contains(bad_key) && !err.contains("0f1e2d3c4b5a69788796a5b4c3d2e1f0"), "{err}");

    let mut env = GOOD.to_vec();
    env.push(("WXPAY_SIGN_TYPE", "SHA1"));
    let (_, err) = serve(&env);
    assert!(err.contains("invalid setting WXPAY_SIGN_TYPE"), "{err}");

    let mut env = GOOD.to_vec();
    env.push(("WXPAY_CA_FILE", "/nonexistent/ca.pem"));
    let (_, err) = serve(&env);
    assert!(err.contains("invalid setting WXPAY_CA_FILE"), "{err}");
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn serve_sandbox_listens_where_told_and_removes_its_certificates_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let (api, sim) = (free_port(), free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxpay-server"))
        .args(["serve", "--sandbox"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TMPDIR", tmp.path())
        .env("WXPAY_SANDBOX_LISTEN", format!("127.0.0.1:{sim}"))
        .env("LISTEN", format!("127.0.0.1:{api}"))
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", tmp.path().join("s.db").display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with(&format!("sandbox: https://127.0.0.1:{sim} (CA ")), "{line}");
    let ca = line.split("(CA ").nth(1).and_then(|r| r.split(')').next()).unwrap().to_owned();
    assert!(std::path::Path::new(&ca).exists(), "{ca}");
    // Started: the API answers.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", api)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the API never listened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM is a clean stop: {exit:?}");
    assert!(!std::path::Path::new(&ca).exists(), "the simulator's CA directory is removed at exit");
}

#[test]
fn serve_sandbox_refuses_a_live_database_unless_told() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("live.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    // A database with an order in it, as a live server leaves it.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let d = wxpay_server::Db::connect(&url).await.unwrap();
        let o = fixtures::unpaid_order("20270115080000LIVE000001", "oLivePayer", 100, 1_800_000_000_000);
        d.orders().insert(&o, "test").await.unwrap();
        d.close().await;
    });
    let api = free_port();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_wxpay-server"))
            .args(["serve", "--sandbox"])
            .args(extra)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TMPDIR", tmp.path())
            .env("LISTEN", format!("127.0.0.1:{api}"))
            .env("DATABASE_URL", &url)
            .env("WXPAY_RECONCILE_INTERVAL_SECS", "0")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut refused = run(&[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while refused.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            refused.kill().unwrap();
            panic!("serve --sandbox started on a live database");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = refused.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("invalid setting DATABASE_URL") && err.contains("--sandbox-allow-live-database"), "{err}");
    // Told: it starts.
    let mut child = run(&["--sandbox-allow-live-database"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", api)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "it runs when told");
        assert!(std::time::Instant::now() < deadline, "the API never listened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
