//! WeChat's API v3 keys for the merchant, and the merchant's: the WeChat Pay public key
//! (`PUB_KEY_ID_…`) and/or platform certificates as the key mode says, the APIv3 key, and the
//! merchant's API key (`apiclient_key.pem`) with its serial. Generated once, kept in the state
//! directory (`v3/`).
//!
//! Which key signs what: an answer is signed with the key its request's `Wechatpay-Serial`
//! names when WeChat holds it (a listed certificate, even one not yet in use, or the public
//! key), else as notifies are: with the public key in `public-key`, the signing certificate in
//! `certificate`, and in `switchover` the signing certificate until the switch time, then the
//! public key. The signing certificate is the newest valid one whose time has come: a rotated
//! certificate is listed at once but signs only about 24 h of WeChat's time later (as WeChat
//! lists a new certificate a day before using it), or when the control API activates it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use wxpay::v3::{ApiV3Key, MerchantKey, PublicKey};

use crate::error::{Error, Result};
use crate::files::{read_optional, write_private, write_public};
use crate::lock::lock;
use crate::secret::Secret;

mod mode;
mod platform;

pub use mode::KeyMode;
use platform::PlatformCert;

/// WeChat's default for the switchover: notifies reach the public key within about 7 days.
pub const DEFAULT_SWITCHOVER_SECS: u64 = 7 * 24 * 3600;

/// How long WeChat lists a new platform certificate before using it: about a day.
pub const TAKEOVER_SECS: u64 = 24 * 3600;

/// The simulator's delays, in its own milliseconds (WeChat's time divided by the time scale).
pub(crate) struct Delays {
    /// Switchover: from start until notifies and unnamed answers move to the public key.
    pub(crate) switch_after_ms: i64,
    /// Rotation: from issue until the new certificate signs.
    pub(crate) takeover_after_ms: i64,
}

/// The WeChat Pay public key, with its private half (WeChat's side).
struct WechatPublicKey {
    id: String,
    key: Arc<MerchantKey>,
    file: PathBuf,
}

/// A WeChat key that signs: its serial (`PUB_KEY_ID_…` or a certificate serial) and the key.
pub(crate) struct SigningKey {
    pub(crate) serial: String,
    pub(crate) key: Arc<MerchantKey>,
}

/// A platform certificate as `/v3/certificates` lists it.
pub(crate) struct Listed {
    pub(crate) serial: String,
    pub(crate) pem: String,
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
}

/// What `GET /control/v3/keys` shows (no key material).
#[derive(Serialize)]
pub(crate) struct KeysInfo {
    mode: KeyMode,
    wechatpay_public_key_id: Option<String>,
    platform_serials: Vec<serde_json::Value>,
    /// The key of answers to requests naming no `Wechatpay-Serial` (a named, held key wins).
    answers_signed_by: Option<String>,
    notifies_signed_by: Option<String>,
    /// A rotated certificate listed but not yet signing: `{serial, takes_over_at_ms}`.
    next_certificate: Option<serde_json::Value>,
    switch_at_ms: Option<i64>,
    mch_serial: String,
}

/// The v3 keys of both sides.
pub(crate) struct WechatKeys {
    pub(crate) mode: KeyMode,
    dir: PathBuf,
    public: Option<WechatPublicKey>,
    certs: Mutex<Vec<PlatformCert>>,
    /// Switchover: notifies are signed with the public key from this instant (ms).
    switch_at_ms: AtomicI64,
    /// Rotation: a new certificate signs this long after its issue (ms).
    takeover_after_ms: i64,
    pub(crate) api_v3_key: ApiV3Key,
    pub(crate) api_v3_text: Secret,
    /// The merchant's API key file (`apiclient_key.pem`), its public half and serial.
    pub(crate) mch_key_file: PathBuf,
    pub(crate) mch_public: PublicKey,
    pub(crate) mch_serial: String,
}

fn setting(reason: impl std::fmt::Display) -> Error {
    Error::Pki(format!("v3 keys: {reason}"))
}

/// The merchant's side of v3: its number, and its API key (`apiclient_key.pem`, RSA) with the
/// serial of its certificate.
pub(crate) struct MerchantSide<'a> {
    pub(crate) mch_id: &'a str,
    pub(crate) key_file: PathBuf,
    pub(crate) key_pem: &'a str,
    pub(crate) serial: String,
}

/// The v3 fields of the ready line.
#[derive(Clone, Debug, Serialize)]
pub struct ReadyV3 {
    /// `public-key`, `certificate` or `switchover`.
    pub mode: KeyMode,
    /// The merchant's API private key (`apiclient_key.pem`), absolute.
    pub mch_private_key: PathBuf,
    /// Its certificate's serial, the `serial_no` of `Authorization`.
    pub mch_serial: String,
    /// The APIv3 key (throwaway, generated).
    pub apiv3_key: String,
    /// The WeChat Pay public key (PEM file), absolute; `None` in `certificate` mode.
    pub wechatpay_public_key: Option<PathBuf>,
    /// Its id, `PUB_KEY_ID_…`.
    pub wechatpay_public_key_id: Option<String>,
    /// The current platform certificate (PEM file), absolute; `None` in `public-key` mode.
    pub platform_certificate: Option<PathBuf>,
    /// Its serial.
    pub platform_serial: Option<String>,
}

impl WechatKeys {
    /// Loads the keys kept in `state_dir/v3`, making what the mode needs and is missing.
    /// `mch_key_pem` is the merchant's `apiclient_key.pem` (RSA), `mch_serial` its certificate's
    /// serial.
    pub(crate) fn prepare(state_dir: &Path, mode: KeyMode, merchant: MerchantSide<'_>, now_ms: i64, delays: Delays) -> Result<Self> {
        let MerchantSide { mch_id, key_file: mch_key_file, key_pem: mch_key_pem, serial: mch_serial } = merchant;
        let dir = state_dir.join("v3");
        std::fs::create_dir_all(&dir).map_err(Error::file(&dir))?;
        let key_file = dir.join("apiv3_key");
        let api_v3_text = match read_optional(&key_file)?.map(|k| k.trim().to_owned()).filter(|k| k.len() == 32) {
            Some(k) => k,
            None => {
                let k = wxpay::nonce_str().map_err(setting)?;
                write_private(&key_file, k.as_bytes())?;
                k
            }
        };
        let api_v3_key = ApiV3Key::new(&api_v3_text).map_err(setting)?;
        let public = if mode.has_public_key() { Some(public_key(&dir, mch_id, now_ms)?) } else { None };
        let mut certs = if mode.has_certificates() { PlatformCert::kept(&dir)? } else { Vec::new() };
        let now_secs = now_ms.div_euclid(1000);
        if mode.has_certificates() && !certs.iter().any(|c| c.not_after as i64 > now_secs) {
            certs.push(PlatformCert::issue(&dir, now_secs)?);
        }
        let mch_public = MerchantKey::from_pem(mch_key_pem).map_err(setting)?.public_key();
        let switch_at = if mode == KeyMode::Switchover { now_ms.saturating_add(delays.switch_after_ms) } else { i64::MAX };
        Ok(WechatKeys {
            mode,
            dir,
            public,
            certs: Mutex::new(certs),
            switch_at_ms: AtomicI64::new(switch_at),
            takeover_after_ms: delays.takeover_after_ms,
            api_v3_key,
            api_v3_text: Secret::new(api_v3_text),
            mch_key_file,
            mch_public,
            mch_serial,
        })
    }

    fn public_signer(&self) -> Option<SigningKey> {
        self.public.as_ref().map(|p| SigningKey { serial: p.id.clone(), key: p.key.clone() })
    }

    /// The signing certificate: the newest valid one whose time has come (else the newest
    /// valid). When every one has expired (a clock moved years on), WeChat has issued a new one,
    /// in use at once: so does the simulator.
    fn signing_cert(&self, now_ms: i64) -> Option<SigningKey> {
        let now_secs = now_ms.div_euclid(1000);
        let mut certs = lock(&self.certs);
        if self.mode.has_certificates() && !certs.iter().any(|c| c.not_after as i64 > now_secs) {
            match PlatformCert::issue(&self.dir, now_secs) {
                Ok(c) => certs.push(c),
                Err(e) => tracing::warn!(error = %e, "cannot issue a platform certificate"),
            }
        }
        let valid = || certs.iter().rev().filter(|c| c.not_after as i64 > now_secs);
        valid()
            .find(|c| c.active_from_ms <= now_ms)
            .or_else(|| valid().next())
            .map(|c| SigningKey { serial: c.serial.clone(), key: c.key.clone() })
    }

    /// The key WeChat holds under `serial` (a `PUB_KEY_ID_…` or a valid certificate's serial).
    pub(crate) fn by_serial(&self, serial: &str, now_secs: i64) -> Option<SigningKey> {
        if let Some(p) = self.public.as_ref().filter(|p| p.id == serial) {
            return Some(SigningKey { serial: p.id.clone(), key: p.key.clone() });
        }
        lock(&self.certs)
            .iter()
            .find(|c| c.serial == serial && c.not_after as i64 > now_secs)
            .map(|c| SigningKey { serial: c.serial.clone(), key: c.key.clone() })
    }

    /// The key an answer is signed with: the one `requested` (`Wechatpay-Serial`) names if
    /// held, else the one notifies are signed with now.
    pub(crate) fn answer_key(&self, requested: Option<&str>, now_ms: i64) -> Option<SigningKey> {
        if let Some(k) = requested.and_then(|s| self.by_serial(s, now_ms.div_euclid(1000))) {
            return Some(k);
        }
        self.notify_key(now_ms)
    }

    /// The key notifies are signed with now.
    pub(crate) fn notify_key(&self, now_ms: i64) -> Option<SigningKey> {
        match self.mode {
            KeyMode::PublicKey => self.public_signer(),
            KeyMode::Certificate => self.signing_cert(now_ms),
            KeyMode::Switchover if now_ms < self.switch_at_ms.load(Ordering::Relaxed) => {
                self.signing_cert(now_ms).or_else(|| self.public_signer())
            }
            KeyMode::Switchover => self.public_signer(),
        }
    }

    /// A new platform certificate, listed at once, signing (what names no serial) from a day
    /// of WeChat's time later or when [`activate`](Self::activate)d. `None` in `public-key` mode.
    /// → its serial and when it takes over (ms).
    pub(crate) fn rotate(&self, now_ms: i64) -> Option<Result<(String, i64)>> {
        if !self.mode.has_certificates() {
            return None;
        }
        // Strictly newer by `not_before` than every certificate held, even when rotated within
        // the second it was issued (SDKs name the newest; a tie would be a coin toss). `issue`
        // dates `not_before` a day before the time it is given.
        let newest = lock(&self.certs).iter().map(|c| c.not_before as i64).max().unwrap_or(i64::MIN);
        let at = now_ms.div_euclid(1000).max(newest.saturating_add(86_400 + 1));
        Some(PlatformCert::issue(&self.dir, at).map(|mut c| {
            c.active_from_ms = now_ms.saturating_add(self.takeover_after_ms);
            let made = (c.serial.clone(), c.active_from_ms);
            lock(&self.certs).push(c);
            made
        }))
    }

    /// Rotation: the listed certificates not yet in use take over now. Returns whether the
    /// mode has certificates.
    pub(crate) fn activate(&self, now_ms: i64) -> bool {
        if !self.mode.has_certificates() {
            return false;
        }
        for c in lock(&self.certs).iter_mut() {
            c.active_from_ms = c.active_from_ms.min(now_ms);
        }
        true
    }

    /// Switchover: notifies move to the public key now. Returns whether the mode has a switch.
    pub(crate) fn switch_now(&self, now_ms: i64) -> bool {
        if self.mode != KeyMode::Switchover {
            return false;
        }
        self.switch_at_ms.fetch_min(now_ms, Ordering::Relaxed);
        true
    }

    /// The certificates `/v3/certificates` lists (those not expired); `None` when the merchant
    /// has none (`public-key` mode).
    pub(crate) fn listed(&self, now_secs: i64) -> Option<Vec<Listed>> {
        if !self.mode.has_certificates() {
            return None;
        }
        self.signing_cert(now_secs.saturating_mul(1000));
        Some(
            lock(&self.certs)
                .iter()
                .filter(|c| c.not_after as i64 > now_secs)
                .map(|c| Listed { serial: c.serial.clone(), pem: c.pem.clone(), not_before: c.not_before, not_after: c.not_after })
                .collect(),
        )
    }

    /// The control API's view.
    pub(crate) fn info(&self, now_ms: i64) -> KeysInfo {
        let now_secs = now_ms.div_euclid(1000);
        let (certs, next) = {
            let certs = lock(&self.certs);
            let shown = certs
                .iter()
                .map(|c| serde_json::json!({"serial": c.serial, "not_before": c.not_before, "not_after": c.not_after, "expired": (c.not_after as i64) <= now_secs}))
                .collect();
            let next = certs
                .iter()
                .rev()
                .find(|c| c.active_from_ms > now_ms && c.not_after as i64 > now_secs)
                .map(|c| serde_json::json!({"serial": c.serial, "takes_over_at_ms": c.active_from_ms}));
            (shown, next)
        };
        let switch_at = self.switch_at_ms.load(Ordering::Relaxed);
        KeysInfo {
            mode: self.mode,
            wechatpay_public_key_id: self.public.as_ref().map(|p| p.id.clone()),
            platform_serials: certs,
            answers_signed_by: self.answer_key(None, now_ms).map(|k| k.serial),
            notifies_signed_by: self.notify_key(now_ms).map(|k| k.serial),
            next_certificate: next,
            switch_at_ms: (self.mode == KeyMode::Switchover).then_some(switch_at),
            mch_serial: self.mch_serial.clone(),
        }
    }

    /// The ready line's `v3` object.
    pub(crate) fn ready(&self, now_ms: i64) -> ReadyV3 {
        let newest = self.signing_cert(now_ms).map(|k| k.serial);
        ReadyV3 {
            mode: self.mode,
            mch_private_key: self.mch_key_file.clone(),
            mch_serial: self.mch_serial.clone(),
            apiv3_key: self.api_v3_text.expose().to_owned(),
            wechatpay_public_key: self.public.as_ref().map(|p| p.file.clone()),
            wechatpay_public_key_id: self.public.as_ref().map(|p| p.id.clone()),
            platform_certificate: newest.as_ref().map(|s| self.dir.join(format!("platform_{s}.pem"))),
            platform_serial: newest,
        }
    }
}

/// The WeChat Pay public key kept in `dir`, or a new one: `PUB_KEY_ID_` and 32 digits (as
/// WeChat's: `01`, the merchant number padded, the day, a sequence).
fn public_key(dir: &Path, mch_id: &str, now_ms: i64) -> Result<WechatPublicKey> {
    let (private, public, id) =
        (dir.join("wechatpay_private_key.pem"), dir.join("wechatpay_public_key.pem"), dir.join("wechatpay_public_key_id"));
    let kept = (read_optional(&private)?, read_optional(&id)?, public.exists());
    let (pem, id_text) = match kept {
        (Some(pem), Some(id_text), true) => (pem, id_text.trim().to_owned()),
        _ => {
            let (pem, public_pem) = crate::rsakey::generate()?;
            let day = &wxpay::time::beijing14(now_ms.div_euclid(1000))[..8];
            let digits: String = crate::rsakey::random_hex(6).bytes().map(|b| char::from(b'0' + b % 10)).take(10).collect();
            let id_text = format!("PUB_KEY_ID_01{mch_id:0>12}{day}{digits:0>10}");
            write_private(&private, pem.as_bytes())?;
            write_public(&public, public_pem.as_bytes())?;
            write_public(&id, id_text.as_bytes())?;
            (pem, id_text)
        }
    };
    let key = MerchantKey::from_pem(&pem).map_err(setting)?;
    Ok(WechatPublicKey { id: id_text, key: Arc::new(key), file: public })
}
