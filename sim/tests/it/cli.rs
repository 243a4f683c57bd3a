//! The contract of `wxpay-sim serve`: one JSON line on stdout when ready, with everything an
//! SDK needs; credentials from WXPAY_* only when asked, their secrets printed only when asked;
//! the state directory kept across restarts; SIGTERM a clean stop; no secret in its logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use wxpay::{ApiKey, Fen, Merchant, UnifiedOrder};

const KEYS: [&str; 10] =
    ["base_url", "ca_file", "client_cert", "client_key", "client_p12", "appid", "mch_id", "api_key", "app_secret", "control_url"];

fn serve(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxpay-sim"));
    cmd.arg("serve").args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts it and reads the ready line.
fn start(mut cmd: Command, tmp: &std::path::Path) -> (Child, Value) {
    let mut child = cmd.env("TMPDIR", tmp).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON line ({e}): {line:?}"));
    (child, ready)
}

fn sigterm(mut child: Child) {
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM is a clean stop: {exit:?}");
}

fn text<'a>(ready: &'a Value, k: &str) -> &'a str {
    ready[k].as_str().unwrap_or_else(|| panic!("{k} missing: {ready}"))
}

fn https(ready: &Value, with_cert: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(text(ready, "ca_file")).unwrap()).unwrap();
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .timeout(Duration::from_secs(20));
    if with_cert {
        let mut pem = std::fs::read(text(ready, "client_cert")).unwrap();
        pem.extend(std::fs::read(text(ready, "client_key")).unwrap());
        b = b.identity(reqwest::Identity::from_pem(&pem).unwrap());
    }
    b.build().unwrap()
}

fn merchant(ready: &Value) -> Merchant {
    Merchant::new(text(ready, "appid"), text(ready, "mch_id"), ApiKey::new(text(ready, "api_key")).unwrap())
}

/// A unifiedorder for a new user through the control API's login → the answer's fields.
async fn order(ready: &Value, no: &str) -> wxpay::Params {
    let http = reqwest::Client::new();
    let login: Value =
        http.post(format!("{}/login", text(ready, "control_url"))).json(&serde_json::json!({})).send().await.unwrap().json().await.unwrap();
    let o = UnifiedOrder::new("cli", no, Fen::new(100), "127.0.0.1", "http://127.0.0.1:9/n", login["openid"].as_str().unwrap());
    let body = merchant(ready).request_xml(&o, &wxpay::nonce_str().unwrap()).unwrap();
    let answer = https(ready, false)
        .post(format!("{}/pay/unifiedorder", text(ready, "base_url")))
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    wxpay::xml::decode(answer.as_bytes()).unwrap()
}

#[tokio::test]
async fn serve_prints_one_ready_line_and_stops_cleanly_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let (child, ready) = start(serve(&[], &[]), tmp.path());
    for k in KEYS {
        assert!(ready[k].is_string(), "{k} missing: {ready}");
    }
    for f in ["ca_file", "client_cert", "client_key", "client_p12"] {
        assert!(std::path::Path::new(text(&ready, f)).is_file(), "{f}");
    }
    assert!(text(&ready, "base_url").starts_with("https://127.0.0.1:"));
    // Generated credentials of the right shapes, usable at once.
    assert!(ApiKey::new(text(&ready, "api_key")).is_ok());
    let answer = order(&ready, "CLI1").await;
    assert_eq!(answer["result_code"], "SUCCESS", "{answer:?}");
    // The control page, over plain HTTP on the same port.
    let page = reqwest::get(text(&ready, "control_url")).await.unwrap();
    assert!(page.status().is_success());
    assert!(page.text().await.unwrap().contains("<title>wxpay-sim</title>"));
    // Without --state-dir its files live in a temporary directory removed at exit.
    let ca = text(&ready, "ca_file").to_owned();
    sigterm(child);
    assert!(!std::path::Path::new(&ca).exists(), "the temporary state directory is removed");
}

#[tokio::test]
async fn state_dir_keeps_the_ca_certificates_and_credentials_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let args = ["--state-dir", state.to_str().unwrap()];
    let (child, first) = start(serve(&args, &[]), tmp.path());
    let read = |r: &Value, k: &str| std::fs::read(text(r, k)).unwrap();
    let (ca, cert, key, p12) =
        (read(&first, "ca_file"), read(&first, "client_cert"), read(&first, "client_key"), read(&first, "client_p12"));
    sigterm(child);

    let (child, second) = start(serve(&args, &[]), tmp.path());
    assert_eq!(read(&second, "ca_file"), ca, "same CA");
    assert_eq!((read(&second, "client_cert"), read(&second, "client_key"), read(&second, "client_p12")), (cert.clone(), key, p12));
    for k in ["appid", "mch_id", "api_key", "app_secret"] {
        assert_eq!(second[k], first[k], "{k} kept");
    }
    // A client holding the first run's CA and certificate still gets through (mutual TLS).
    let refusal = https(&first, true).post(format!("{}/secapi/pay/refund", text(&second, "base_url"))).body("<xml/>").send().await.unwrap();
    let status = refusal.status();
    let body = refusal.text().await.unwrap();
    assert!(status == 200 && !body.contains("No required SSL certificate"), "the kept client certificate is accepted: {status} {body}");
    sigterm(child);

    // Another merchant (WXPAY_* set): the same CA issues a new client certificate for its mch_id.
    let env = [
        ("WXPAY_APPID", "wx0123456789abcdef"),
        ("WXPAY_APP_SECRET", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        ("WXPAY_MCH_ID", "1900000109"),
        ("WXPAY_API_KEY", "192006250b4c09247ec02edce69f6a2d"),
    ];
    let (child, third) = start(serve(&[&args[..], &["--adopt-env-credentials"]].concat(), &env), tmp.path());
    assert_eq!(read(&third, "ca_file"), ca, "same CA");
    assert_ne!(read(&third, "client_cert"), cert, "a client certificate for the new mch_id");
    assert_eq!(text(&third, "mch_id"), "1900000109");
    sigterm(child);
    assert!(state.join("ca.pem").exists(), "--state-dir is kept at exit");
}

#[tokio::test]
async fn credentials_come_from_the_wxpay_variables_when_adopted() {
    let tmp = tempfile::tempdir().unwrap();
    let env = [
        ("WXPAY_APPID", "wx0123456789abcdef"),
        ("WXPAY_APP_SECRET", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        ("WXPAY_MCH_ID", "1900000109"),
        ("WXPAY_API_KEY", "192006250b4c09247ec02edce69f6a2d"),
    ];
    let (child, ready) = start(serve(&["--adopt-env-credentials", "--print-adopted-secrets"], &env), tmp.path());
    for (k, (_, v)) in ["appid", "app_secret", "mch_id", "api_key"].iter().zip(env) {
        assert_eq!(text(&ready, k), v);
    }
    let answer = order(&ready, "CLIENV1").await;
    assert_eq!(answer["result_code"], "SUCCESS", "{answer:?}");
    sigterm(child);
}

#[test]
fn rejects_some_but_not_all_wxpay_variables_naming_the_missing_one() {
    let out = serve(
        &["--adopt-env-credentials"],
        &[("WXPAY_APPID", "wx0123456789abcdef"), ("WXPAY_MCH_ID", "1900000109"), ("WXPAY_API_KEY", "192006250b4c09247ec02edce69f6a2d")],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WXPAY_APP_SECRET"), "{err}");
    assert!(!err.contains("192006250b4c09247ec02edce69f6a2d"), "no secret repeated: {err}");
    assert!(out.stdout.is_empty(), "no ready line");
}

/// Recognisable values of a live merchant's `.env`, as a shell that sourced it passes them on.
const LIVE: [(&str, &str); 4] = [
    ("WXPAY_APPID", "wxL1VEL1VEL1VE00"),
    ("WXPAY_APP_SECRET", "LIVEappSECRETliveAPPsecretLIVE00"),
    ("WXPAY_MCH_ID", "1577700001"),
    ("WXPAY_API_KEY", "LIVEapiKEYliveAPIkeyLIVEapiKEY00"),
];

/// Starts it with `args` and the LIVE variables in a fresh state directory → the ready line, the
/// state directory's credentials.json and stderr (after SIGTERM).
fn run_with_live_env(tmp: &std::path::Path, name: &str, args: &[&str]) -> (Value, String, String, std::path::PathBuf) {
    let state = tmp.join(name);
    let log = tmp.join(format!("{name}.stderr"));
    let env_file = tmp.join(format!("{name}.env"));
    let mut cmd = serve(&[&["--state-dir", state.to_str().unwrap(), "--env-file", env_file.to_str().unwrap()], args].concat(), &LIVE);
    cmd.stderr(std::fs::File::create(&log).unwrap());
    let mut child = cmd.env("TMPDIR", tmp).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON line ({e}): {line:?}"));
    sigterm(child);
    let kept = std::fs::read_to_string(state.join("credentials.json")).unwrap();
    (ready, kept, std::fs::read_to_string(&log).unwrap(), env_file)
}

#[tokio::test]
async fn simulator_does_not_adopt_live_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let [(_, appid), (_, app_secret), (_, mch_id), (_, api_key)] = LIVE;

    // No flag: its own merchant; none of the environment's values anywhere; stderr says why.
    let (ready, kept, err, env_file) = run_with_live_env(tmp.path(), "plain", &[]);
    let line = ready.to_string();
    for (k, v) in LIVE {
        assert!(!line.contains(v), "the ready line carries {k}: {line}");
        assert!(!kept.contains(v), "credentials.json carries {k}: {kept}");
        assert!(!std::fs::read_to_string(&env_file).unwrap().contains(v), "--env-file carries {k}");
    }
    assert_ne!(text(&ready, "appid"), appid);
    assert_ne!(text(&ready, "mch_id"), mch_id);
    assert!(ApiKey::new(text(&ready, "api_key")).is_ok(), "its own key is printed, usable: {ready}");
    assert!(err.contains("ignoring WXPAY_APPID, WXPAY_APP_SECRET, WXPAY_MCH_ID, WXPAY_API_KEY"), "{err}");
    assert!(err.contains("--adopt-env-credentials"), "{err}");
    assert!(!err.contains(app_secret) && !err.contains(api_key), "{err}");
    // The v3 settings for the server, as the ready line's `v3` object has them (public-key mode).
    let env_text = std::fs::read_to_string(&env_file).unwrap();
    let v3 = &ready["v3"];
    for (k, field) in [
        ("WXPAY_MCH_PRIVATE_KEY", "mch_private_key"),
        ("WXPAY_MCH_SERIAL", "mch_serial"),
        ("WXPAY_APIV3_KEY", "apiv3_key"),
        ("WXPAY_PUBLIC_KEY", "wechatpay_public_key"),
        ("WXPAY_PUBLIC_KEY_ID", "wechatpay_public_key_id"),
    ] {
        let want = format!("{k}={}\n", v3[field].as_str().unwrap());
        assert!(env_text.contains(&want), "--env-file lacks {want}: {env_text}");
    }

    // Adopted: that merchant, its secrets withheld from the ready line, the state directory and
    // the env file.
    let (ready, kept, err, env_file) = run_with_live_env(tmp.path(), "adopted", &["--adopt-env-credentials"]);
    assert_eq!((text(&ready, "appid"), text(&ready, "mch_id")), (appid, mch_id));
    assert_eq!((text(&ready, "api_key"), text(&ready, "app_secret")), ("***", "***"));
    let env_text = std::fs::read_to_string(&env_file).unwrap();
    for secret in [app_secret, api_key] {
        assert!(!ready.to_string().contains(secret), "{ready}");
        assert!(!kept.contains(secret), "credentials.json: {kept}");
        assert!(!env_text.contains(secret), "--env-file: {env_text}");
        assert!(!err.contains(secret), "{err}");
    }
    assert!(kept.contains(mch_id), "the client certificate's mch_id is kept: {kept}");
    assert!(env_text.contains(&format!("WXPAY_APPID={appid}\n")) && !env_text.contains("WXPAY_API_KEY="), "{env_text}");
    assert!(err.contains("--print-adopted-secrets"), "{err}");

    // Both flags: printed and kept as asked.
    let (ready, kept, _, env_file) = run_with_live_env(tmp.path(), "printed", &["--adopt-env-credentials", "--print-adopted-secrets"]);
    assert_eq!((text(&ready, "api_key"), text(&ready, "app_secret")), (api_key, app_secret));
    assert!(kept.contains(api_key) && kept.contains(app_secret), "{kept}");
    assert!(std::fs::read_to_string(&env_file).unwrap().contains(&format!("WXPAY_API_KEY={api_key}\n")));
}

#[tokio::test]
async fn adopted_credentials_are_not_played_again_without_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let args = ["--state-dir", state.to_str().unwrap()];
    let adopt = [&args[..], &["--adopt-env-credentials", "--print-adopted-secrets"]].concat();
    let (child, adopted) = start(serve(&adopt, &LIVE), tmp.path());
    assert_eq!(text(&adopted, "mch_id"), LIVE[2].1);
    sigterm(child);
    // The state directory kept them (asked to), yet without the flag it plays its own merchant,
    // with a client certificate of its own.
    let (child, again) = start(serve(&args, &[]), tmp.path());
    assert_ne!(text(&again, "mch_id"), LIVE[2].1);
    assert_ne!(text(&again, "api_key"), LIVE[3].1);
    let answer = order(&again, "CLIAGAIN1").await;
    assert_eq!(answer["result_code"], "SUCCESS", "{answer:?}");
    sigterm(child);
    let (child, kept) = start(serve(&args, &[]), tmp.path());
    assert_eq!(kept["api_key"], again["api_key"], "its own generated merchant is kept from then on");
    sigterm(child);
}

#[test]
fn rejects_adopting_when_no_wxpay_variable_is_set() {
    let out = serve(&["--adopt-env-credentials"], &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--adopt-env-credentials: none of WXPAY_APPID"));
    assert!(out.stdout.is_empty(), "no ready line");
    let out = serve(&["--print-adopted-secrets"], &LIVE).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--print-adopted-secrets needs --adopt-env-credentials");
    assert!(out.stdout.is_empty(), "no ready line");
}

#[tokio::test]
async fn logs_never_carry_the_api_key_or_the_app_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("stderr.log");
    let mut cmd = serve(&["--time-scale", "1000"], &[("RUST_LOG", "trace")]);
    cmd.stderr(std::fs::File::create(&log).unwrap());
    let mut child = cmd.env("TMPDIR", tmp.path()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    let (key, secret) = (text(&ready, "api_key").to_owned(), text(&ready, "app_secret").to_owned());
    // Every kind of call: login with the AppSecret in the query, good and bad, an order, a
    // forged order, a refund without and with the certificate, the control API.
    let client = https(&ready, true);
    let base = text(&ready, "base_url");
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/login", text(&ready, "control_url")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for s in [secret.as_str(), "wrong-secret-0000000000000000000"] {
        let q = [
            ("appid", text(&ready, "appid")),
            ("secret", s),
            ("js_code", login["code"].as_str().unwrap()),
            ("grant_type", "authorization_code"),
        ];
        client.get(format!("{base}/sns/jscode2session")).query(&q).send().await.unwrap().text().await.unwrap();
    }
    let answer = order(&ready, "CLILOG1").await;
    assert_eq!(answer["result_code"], "SUCCESS");
    let forged = merchant(&ready)
        .request_xml(&UnifiedOrder::new("x", "CLILOG2", Fen::new(1), "127.0.0.1", "http://127.0.0.1:9/n", "o1"), "n")
        .unwrap()
        .replace("CLILOG2", "CLILOG3");
    client.post(format!("{base}/pay/unifiedorder")).body(forged).send().await.unwrap().text().await.unwrap();
    https(&ready, false).post(format!("{base}/secapi/pay/refund")).body("<xml/>").send().await.unwrap().text().await.unwrap();
    let calls = http.get(format!("{}/calls", text(&ready, "control_url"))).send().await.unwrap().text().await.unwrap();
    assert!(!calls.contains(&secret) && !calls.contains(&key), "the journal shows no secret");
    assert!(calls.contains("secret=***"), "{calls}");
    sigterm(child);
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.lines().count() > 10, "trace logging was on: {logs}");
    assert!(!logs.contains(&key), "the API key is in the logs");
    assert!(!logs.contains(ready["v3"]["apiv3_key"].as_str().unwrap()), "the APIv3 key is in the logs");
    assert!(!logs.contains(&secret), "the AppSecret is in the logs");
}

#[tokio::test]
async fn the_v3_ready_line_has_absolute_paths_and_the_state_dir_keeps_keys_and_port() {
    let tmp = tempfile::tempdir().unwrap();
    let relative = ["--state-dir", "state"];
    let (child, first) = start(
        {
            let mut c = serve(&relative, &[]);
            c.current_dir(tmp.path());
            c
        },
        tmp.path(),
    );
    let v3 = &first["v3"];
    assert_eq!(v3["mode"], "public-key");
    assert_eq!((&v3["platform_certificate"], &v3["platform_serial"]), (&Value::Null, &Value::Null));
    for f in ["mch_private_key", "wechatpay_public_key"] {
        let path = std::path::Path::new(v3[f].as_str().unwrap_or_else(|| panic!("{f}: {v3}")));
        assert!(path.is_absolute() && path.is_file(), "{f}: {}", path.display());
    }
    for f in ["ca_file", "client_cert", "client_key", "client_p12"] {
        assert!(std::path::Path::new(text(&first, f)).is_absolute(), "{f}");
    }
    assert_eq!(v3["mch_private_key"], first["client_key"], "apiclient_key.pem is also the v3 key");
    assert!(v3["wechatpay_public_key_id"].as_str().unwrap().starts_with("PUB_KEY_ID_"));
    assert_eq!(v3["apiv3_key"].as_str().unwrap().len(), 32);
    sigterm(child);

    let (child, second) = start(
        {
            let mut c = serve(&relative, &[]);
            c.current_dir(tmp.path());
            c
        },
        tmp.path(),
    );
    assert_eq!(second["base_url"], first["base_url"], "the same port");
    for k in ["mch_serial", "apiv3_key", "wechatpay_public_key_id"] {
        assert_eq!(second["v3"][k], first["v3"][k], "{k} kept");
    }
    sigterm(child);

    let state = tmp.path().join("state");
    let (child, third) = start(serve(&["--state-dir", state.to_str().unwrap(), "--v3-keys", "certificate"], &[]), tmp.path());
    assert_eq!(third["v3"]["mode"], "certificate");
    assert_eq!(third["v3"]["wechatpay_public_key"], Value::Null);
    let cert = third["v3"]["platform_certificate"].as_str().unwrap();
    assert!(std::path::Path::new(cert).is_file(), "{cert}");
    assert_eq!(third["v3"]["platform_serial"].as_str().unwrap().len(), 40);
    sigterm(child);
}
