//! What doctor judges without asking WeChat: the API version, the notify URL, the AppSecret given
//! as the API key, the client certificate (password, merchant, validity), the public key id, and
//! start-up's message for any other setting.

use crate::api::ApiVersion;
use crate::client_cert::{CertProblem, ClientIdentity};
use crate::config::{given, is_loopback_authority};
use crate::error::Error;
use crate::Config;

use super::Finding;

/// A certificate that ends within this many days is reported.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// `WXPAY_API_VERSION`, or a finding and `None`.
pub(super) fn api_version(c: &Config, out: &mut Vec<Finding>) -> Option<ApiVersion> {
    match given(&c.api_version) {
        None => Some(ApiVersion::V2),
        Some(v) => ApiVersion::parse(&v.to_ascii_lowercase()).ok().or_else(|| {
            out.push(Finding::new("SETTING_INVALID").with("setting", "WXPAY_API_VERSION").with("reason", "must be v2 or v3"));
            None
        }),
    }
}

/// Start-up's error as a finding: the setting it names, and why.
pub(super) fn setting_error(e: &Error) -> Finding {
    let text = match e {
        Error::Config(m) => m.clone(),
        other => other.to_string(),
    };
    if let Some(setting) = text.strip_prefix("missing setting ") {
        return Finding::new("SETTING_MISSING").with("setting", setting);
    }
    match text.strip_prefix("invalid setting ").and_then(|t| t.split_once(": ")) {
        Some((setting, why)) => Finding::new("SETTING_INVALID").with("setting", setting).with("reason", why),
        None => Finding::new("SETTING_INVALID").with("setting", "?").with("reason", text),
    }
}

/// The rest of the settings as start-up reads them, or `None` with a finding for each setting
/// it refuses: a refused setting that is plain text is stood in for by a well-formed value and
/// the rest read again, so that every such setting is named in one run (nothing is asked of
/// WeChat with a stand-in); a file or a secret doctor cannot stand in for ends the list.
pub(super) fn settings(rest: &mut Config, out: &mut Vec<Finding>) -> Option<crate::Settings> {
    let mut refused = false;
    for _ in 0..16 {
        let e = match rest.settings() {
            Ok(s) if !refused => return Some(s),
            Ok(_) => return None,
            Err(e) => e,
        };
        let finding = setting_error(&e);
        let named = finding.value("setting").map(str::to_owned);
        out.push(finding);
        refused = true;
        let slot = match named.as_deref() {
            Some("WXPAY_APPID") => (&mut rest.appid, "wx0000000000000000"),
            Some("WXPAY_APP_SECRET") => (&mut rest.app_secret, "00000000000000000000000000000000"),
            Some("WXPAY_MCH_ID") => (&mut rest.mch_id, "1000000000"),
            Some("WXPAY_API_KEY") => (&mut rest.api_key, "00000000000000000000000000000000"),
            Some("WXPAY_SIGN_TYPE") => (&mut rest.sign_type, "MD5"),
            _ => return None,
        };
        *slot.0 = Some(slot.1.to_owned());
    }
    None
}

/// Whether `url`'s host is this machine.
fn loopback(url: &str) -> bool {
    is_loopback_authority(url.split_once("://").map_or(url, |(_, rest)| rest))
}

/// `WXPAY_PUBLIC_URL`: https (plain http only when it and WeChat are both this machine: a
/// simulator), and every notify URL one WeChat takes (the core's `notify_url` rule: 256 bytes, a
/// host, no query string, printable ASCII).
pub(super) fn public_url(c: &Config, out: &mut Vec<Finding>) {
    let Some(url) = given(&c.public_url) else { return out.push(Finding::new("SETTING_MISSING").with("setting", "WXPAY_PUBLIC_URL")) };
    let url = url.trim_end_matches('/');
    let api_base = given(&c.api_base).unwrap_or("https://api.mch.weixin.qq.com");
    let sandbox = url.starts_with("http://") && loopback(url) && loopback(api_base);
    if !(url.starts_with("https://") || sandbox) {
        return out.push(Finding::new("PUBLIC_URL_NOT_HTTPS"));
    }
    for path in ["/wxpay/notify", "/wxpay/refund-notify", "/wxpay/v3/notify"] {
        let notify_url = format!("{url}{path}");
        if let Err(e) = wxpay::validate::notify_url(&notify_url) {
            return out.push(if notify_url.len() > 256 {
                Finding::new("PUBLIC_URL_TOO_LONG").with("url_length", notify_url.len())
            } else {
                Finding::new("SETTING_INVALID").with("setting", "WXPAY_PUBLIC_URL").with("reason", e)
            });
        }
    }
    out.push(Finding::new("PUBLIC_URL_OK"));
}

/// The AppSecret given as the APIv2 key: both are 32 characters, and WeChat only says 签名错误.
pub(super) fn app_secret_as_key(c: &Config, out: &mut Vec<Finding>) {
    if let (Some(key), Some(secret)) = (given(&c.api_key), given(&c.app_secret)) {
        if key == secret {
            out.push(Finding::new("V2_KEY_IS_APP_SECRET"));
        }
    }
}

/// The client certificate, read and judged on its own: the identity when it can be presented.
pub(super) fn client_certificate(c: &Config, now_secs: i64, out: &mut Vec<Finding>) -> Option<ClientIdentity> {
    let mch_id = given(&c.mch_id).unwrap_or_default();
    let read = match (given(&c.client_cert), given(&c.client_key), given(&c.client_p12)) {
        (None, None, None) => {
            if given(&c.api_key).is_some() {
                out.push(Finding::new("CERT_NOT_CONFIGURED"));
            }
            return None;
        }
        (Some(cert), Some(key), None) => ClientIdentity::read_pem_files(cert.as_ref(), key.as_ref()),
        (None, None, Some(p12)) => ClientIdentity::read_p12_file(p12.as_ref(), given(&c.client_p12_password).unwrap_or(mch_id)),
        // Start-up's message says which is missing or doubled.
        _ => return None,
    };
    let finding = match read.and_then(|id| id.check(mch_id, now_secs)) {
        Ok(id) => {
            let days = (id.not_after - now_secs) / 86_400;
            if days < EXPIRY_WARNING_DAYS {
                out.push(Finding::new("CERT_EXPIRING").with("date", date(id.not_after)).with("days", days));
            }
            return Some(id);
        }
        Err(CertProblem::WrongPassword) => Finding::new("P12_PASSWORD_WRONG"),
        Err(CertProblem::OtherMerchant { cn }) => Finding::new("CERT_OTHER_MERCHANT").with("cn", cn).with("mch_id", mch_id),
        Err(CertProblem::Expired { at, .. }) => Finding::new("CERT_EXPIRED").with("date", at),
        Err(CertProblem::NotYetValid { at, .. }) => {
            Finding::new("CERT_UNREADABLE").with("reason", format!("not valid before {at} UTC (is this machine's clock right?)"))
        }
        Err(CertProblem::KeyMismatch { subject }) => {
            Finding::new("CERT_UNREADABLE").with("reason", format!("the private key does not belong to the certificate ({subject})"))
        }
        Err(CertProblem::Unreadable(why)) => Finding::new("CERT_UNREADABLE").with("reason", why),
        Err(CertProblem::KeyUnreadable(why)) => Finding::new("CERT_UNREADABLE").with("reason", format!("WXPAY_CLIENT_KEY: {why}")),
    };
    out.push(finding);
    None
}

/// `2031-12-07`, the UTC day (as `npx wxpay doctor` prints it).
pub(super) fn date(secs: i64) -> String {
    // Beijing time is UTC+8: eight hours earlier there is UTC here.
    let t = wxpay::time::beijing14(secs - 8 * 3600);
    format!("{}-{}-{}", &t[0..4], &t[4..6], &t[6..8])
}

/// `WXPAY_PUBLIC_KEY_ID`: `PUB_KEY_ID_` and digits, as the merchant platform shows it. False
/// when it is given and malformed.
pub(super) fn public_key_id(c: &Config, out: &mut Vec<Finding>) -> bool {
    let Some(id) = given(&c.public_key_id) else { return true };
    let digits = id.strip_prefix(wxpay::v3::PUB_KEY_ID_PREFIX).unwrap_or_default();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        out.push(Finding::new("V3_PUBLIC_KEY_ID_FORMAT"));
        return false;
    }
    true
}
