//! `wxpay-server doctor` against the simulator: a correct configuration passes in v2 and v3, and
//! each classic misconfiguration, planted alone, is named by its code; no report repeats a secret.

use std::process::Command;

use wxpay_server::doctor::{self, Report, Severity};
use wxpay_server::{Clock, Config};
use wxpay_sim::{KeyMode, Simulator};

use crate::common::{bounded, server_config, server_config_v3, simulator};

/// The public URL of the configurations below (doctor never calls it).
const PUBLIC: &str = "https://shop.example.com";

async fn doctor_of(config: &Config) -> Report {
    bounded("doctor", doctor::run(config, &Clock::system())).await
}

/// Runs doctor on `config` and checks that it found `expected` (and, when `passes`, nothing that
/// fails).
async fn expect(config: &Config, expected: &[&str], passes: bool) -> Report {
    let report = doctor_of(config).await;
    if std::env::var_os("WXPAY_DOCTOR_SHOW").is_some() {
        eprintln!("{}\n", report.lines().join("\n"));
    }
    let codes = report.codes();
    for code in expected {
        assert!(codes.contains(code), "expected {code} in {codes:?}:\n{}", report.lines().join("\n"));
    }
    assert_eq!(!report.failed(), passes, "{}", report.lines().join("\n"));
    report
}

fn secrets_of(config: &Config) -> Vec<String> {
    [&config.api_key, &config.app_secret, &config.apiv3_key, &config.client_p12_password].into_iter().flatten().cloned().collect()
}

fn assert_no_secret(report: &Report, config: &Config) {
    let text = report.lines().join("\n");
    for secret in secrets_of(config) {
        assert!(!text.contains(&secret), "a secret in the report:\n{text}");
    }
}

/// Moves the simulator's clock (WeChat's time) forward.
async fn advance_wechat_clock(sim: &Simulator, secs: u64) {
    let resp = reqwest::Client::new()
        .post(format!("{}/clock", sim.control_url()))
        .json(&serde_json::json!({ "advance_secs": secs }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

#[tokio::test]
async fn v2_a_correct_configuration_passes() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let config = server_config(&sim, PUBLIC);
    let report = expect(&config, &["PUBLIC_URL_OK", "CLOCK_OK", "V2_KEY_OK", "CERT_OK"], true).await;
    assert_no_secret(&report, &config);
}

#[tokio::test]
async fn v2_the_app_secret_as_api_key_is_named() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let mut config = server_config(&sim, PUBLIC);
    config.api_key = config.app_secret.clone();
    let report = expect(&config, &["V2_KEY_IS_APP_SECRET", "V2_KEY_REJECTED"], false).await;
    assert!(!report.codes().contains(&"V2_KEY_OK"));
    assert_no_secret(&report, &config);
}

#[tokio::test]
async fn v2_a_wrong_p12_password_is_named() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let mut config = server_config(&sim, PUBLIC);
    (config.client_cert, config.client_key) = (None, None);
    config.client_p12 = Some(sim.client_p12_file().display().to_string());
    // The simulator's p12 opens with its mch_id (the default), as WeChat's do.
    expect(&config, &["V2_KEY_OK", "CERT_OK"], true).await;
    config.client_p12_password = Some("not-the-password".into());
    let report = expect(&config, &["P12_PASSWORD_WRONG", "V2_KEY_OK"], false).await;
    assert!(!report.codes().contains(&"CERT_OK"));
    assert_no_secret(&report, &config);
}

#[tokio::test]
async fn v2_another_merchants_certificate_is_named() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    // Another merchant: a simulator of its own, with its own number and certificate.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Simulator::start(wxpay_sim::SimConfig::new(other_dir.path()), wxpay_sim::Clock::system()).await.unwrap();
    assert_ne!(other.credentials().mch_id, sim.credentials().mch_id);
    let mut config = server_config(&sim, PUBLIC);
    (config.client_cert, config.client_key) = (None, None);
    config.client_p12 = Some(other.client_p12_file().display().to_string());
    config.client_p12_password = Some(other.credentials().mch_id.clone());
    let report = expect(&config, &["CERT_OTHER_MERCHANT", "V2_KEY_OK"], false).await;
    let line = report.lines().into_iter().find(|l| l.contains("CERT_OTHER_MERCHANT")).unwrap();
    assert!(line.contains(&other.credentials().mch_id) && line.contains(&sim.credentials().mch_id), "{line}");
    // Given as PEM files, the same.
    let mut pem = server_config(&sim, PUBLIC);
    pem.client_cert = Some(other.client_cert_file().display().to_string());
    pem.client_key = Some(other.client_key_file().display().to_string());
    expect(&pem, &["CERT_OTHER_MERCHANT"], false).await;
}

#[tokio::test]
async fn a_certificate_wechat_refuses_is_named() {
    // A certificate with the right merchant number that WeChat did not issue: the simulator's
    // front end refuses it as WeChat's does.
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let other_dir = tempfile::tempdir().unwrap();
    let mut sc = wxpay_sim::SimConfig::new(other_dir.path());
    sc.credentials = Some(sim.credentials().clone());
    let other = Simulator::start(sc, wxpay_sim::Clock::system()).await.unwrap();
    let mut config = server_config(&sim, PUBLIC);
    config.client_cert = Some(other.client_cert_file().display().to_string());
    config.client_key = Some(other.client_key_file().display().to_string());
    expect(&config, &["V2_KEY_OK", "CERT_REFUSED"], false).await;
}

#[tokio::test]
async fn v2_a_clock_ten_minutes_off_is_named() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    advance_wechat_clock(&sim, 600).await;
    let report = expect(&server_config(&sim, PUBLIC), &["CLOCK_SKEW", "V2_KEY_OK"], false).await;
    let line = report.lines().into_iter().find(|l| l.contains("CLOCK_SKEW")).unwrap();
    // 600 s, as whole seconds of WeChat's `Date` against ours: a second either way under load.
    let skew: i64 = line.split("相差 ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or_default();
    assert!((598..=602).contains(&skew), "about 600 s: {line}");
}

#[tokio::test]
async fn an_http_public_url_is_named_in_both_versions() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    for mut config in [server_config(&sim, "http://shop.example.com"), server_config_v3(&sim, "http://shop.example.com")] {
        config.allow_http_public_url = false;
        let report = expect(&config, &["PUBLIC_URL_NOT_HTTPS"], false).await;
        // The rest is judged too.
        assert!(report.codes().contains(&"CLOCK_OK"), "{:?}", report.codes());
    }
    let long = format!("https://shop.example.com/{}", "a".repeat(240));
    expect(&server_config(&sim, &long), &["PUBLIC_URL_TOO_LONG"], false).await;
    // What else WeChat refuses in a notify_url, by the core's rule, names the setting.
    let report = expect(&server_config(&sim, "https://shop.example.com/?from=doctor"), &["SETTING_INVALID"], false).await;
    assert!(report.lines().iter().any(|l| l.contains("WXPAY_PUBLIC_URL") && l.contains("query string")), "{:?}", report.lines());
}

#[tokio::test]
async fn v3_a_correct_configuration_passes_with_the_public_key_and_with_certificates() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let config = server_config_v3(&sim, PUBLIC);
    let report = expect(&config, &["PUBLIC_URL_OK", "CLOCK_OK", "V3_SIGN_OK", "V3_APIV3_KEY_UNCHECKED", "V3_ANSWER_OK"], true).await;
    assert_no_secret(&report, &config);
    let (_dir, sim) = simulator(KeyMode::Certificate).await;
    let config = server_config_v3(&sim, PUBLIC);
    let report = expect(&config, &["V3_SIGN_OK", "V3_APIV3_KEY_OK", "V3_ANSWER_OK"], true).await;
    assert_no_secret(&report, &config);
}

#[tokio::test]
async fn v3_a_key_that_is_not_its_serials_is_named() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    // Another RSA key, with this merchant's serial.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Simulator::start(wxpay_sim::SimConfig::new(other_dir.path()), wxpay_sim::Clock::system()).await.unwrap();
    let mut config = server_config_v3(&sim, PUBLIC);
    config.mch_private_key = Some(other.client_key_file().display().to_string());
    let report = expect(&config, &["V3_KEY_NOT_SERIAL"], false).await;
    assert!(!report.codes().contains(&"V3_SIGN_OK"));
    // A serial WeChat does not know is told apart.
    let mut serial = server_config_v3(&sim, PUBLIC);
    serial.mch_serial = Some("0123456789ABCDEF0123456789ABCDEF01234567".into());
    expect(&serial, &["V3_SERIAL_REJECTED"], false).await;
}

#[tokio::test]
async fn v3_a_wrong_apiv3_key_is_named() {
    let (_dir, sim) = simulator(KeyMode::Certificate).await;
    let mut config = server_config_v3(&sim, PUBLIC);
    config.apiv3_key = Some("0123456789abcdef0123456789abcdef".into());
    let report = expect(&config, &["V3_SIGN_OK", "V3_APIV3_KEY_WRONG"], false).await;
    assert_no_secret(&report, &config);
}

#[tokio::test]
async fn v3_a_clock_ten_minutes_off_is_named_and_not_blamed_on_a_key() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    advance_wechat_clock(&sim, 600).await;
    // Signed in WeChat's time once the skew is known, the keys are still judged, and pass.
    let report = expect(&server_config_v3(&sim, PUBLIC), &["CLOCK_SKEW", "V3_SIGN_OK", "V3_ANSWER_OK"], false).await;
    let fails: Vec<_> = report.findings.iter().filter(|f| f.severity() == Severity::Fail).map(|f| f.code).collect();
    assert_eq!(fails, ["CLOCK_SKEW"], "only the clock is blamed");
}

#[tokio::test]
async fn v3_a_malformed_public_key_id_is_named() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let mut config = server_config_v3(&sim, PUBLIC);
    config.public_key_id = Some("01001900000109".into());
    expect(&config, &["V3_PUBLIC_KEY_ID_FORMAT"], false).await;
}

#[tokio::test]
async fn every_missing_or_malformed_text_setting_is_named_in_one_run() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let mut config = server_config(&sim, PUBLIC);
    (config.appid, config.mch_id, config.api_key) = (None, Some("10000x".into()), None);
    let report = expect(&config, &["SETTING_MISSING", "SETTING_INVALID"], false).await;
    let lines = report.lines().join("\n");
    for setting in ["WXPAY_APPID", "WXPAY_MCH_ID", "WXPAY_API_KEY"] {
        assert!(lines.contains(setting), "{setting} named:\n{lines}");
    }
    // Nothing was asked of WeChat with a stand-in.
    assert!(!report.codes().iter().any(|c| c.starts_with("V2_") || c.starts_with("CLOCK")), "{lines}");
}

#[test]
fn a_missing_setting_is_named_and_the_exit_code_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_wxpay-server"))
        .arg("doctor")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("WXPAY_PUBLIC_URL", PUBLIC)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("SETTING_MISSING") && stdout.contains("WXPAY_APPID"), "{stdout}");
}

// The binary is waited for on a worker thread while another serves the simulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_exits_0_on_a_correct_configuration_and_prints_no_secret() {
    let (_dir, sim) = simulator(KeyMode::PublicKey).await;
    let config = server_config(&sim, PUBLIC);
    let c = sim.credentials();
    let run = |api_key: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxpay-server"));
        cmd.arg("doctor").env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in [
            ("WXPAY_APPID", c.appid.as_str()),
            ("WXPAY_APP_SECRET", c.app_secret.expose()),
            ("WXPAY_MCH_ID", c.mch_id.as_str()),
            ("WXPAY_API_KEY", api_key),
            ("WXPAY_PUBLIC_URL", PUBLIC),
            ("WXPAY_API_BASE", sim.base_url()),
            ("WXPAY_CA_FILE", config.ca_file.as_deref().unwrap()),
            ("WXPAY_CLIENT_CERT", config.client_cert.as_deref().unwrap()),
            ("WXPAY_CLIENT_KEY", config.client_key.as_deref().unwrap()),
        ] {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let ok = run(c.api_key.expose());
    let stdout = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    let bad = run(c.app_secret.expose());
    let bad_out = String::from_utf8_lossy(&bad.stdout).into_owned();
    assert_eq!(bad.status.code(), Some(1), "{bad_out}");
    assert!(bad_out.contains("V2_KEY_IS_APP_SECRET"), "{bad_out}");
    for text in [&stdout, &bad_out] {
        for secret in [c.api_key.expose(), c.app_secret.expose()] {
            assert!(!text.contains(secret), "a secret printed:\n{text}");
        }
    }
}
