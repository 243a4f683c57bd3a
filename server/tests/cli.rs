//! The binary: a missing or malformed setting stops start-up with a message naming it, and
//! never repeats a secret.

use std::process::Command;

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
