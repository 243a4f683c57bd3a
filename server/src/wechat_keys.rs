//! WeChat's keys for API v3, one store for every instance (WeChat's advice: a central store, not
//! a download per server). The store is the core's `KeyStore`, saved in the database
//! (`db::wechat_keys`): the configured WeChat Pay public key, and the platform certificates
//! downloaded from `/v3/certificates`. One instance downloads, under a lease, when the core says
//! the store is due; the others read what it saved.
//!
//! At start-up ([`start`]) one signed request judges the merchant's key against its serial: the
//! download when one is due (a merchant with the public key asks once, to learn whether WeChat
//! still lists certificates: the switchover), else a query of an order nobody placed. WeChat
//! answering `SIGN_ERROR` stops the start with a message naming the settings.

use std::time::Duration;

use wxpay::v3::{DownloadAdvice, DownloadCertificatesRequest, KeyStore, QueryByOutTradeNoRequest, Refresh};

use crate::db::wechat_keys::SavedKeys;
use crate::error::{Error, Result};
use crate::AppState;

/// How long a download may hold the lease.
const LEASE_MS: i64 = 60_000;

/// How often every instance looks at the store ([`spawn`]).
pub const TICK: Duration = Duration::from_secs(60);

/// Who the audit names.
const ACTOR: &str = "keys";

/// What [`tick`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticked {
    /// Nothing was due, and the store had not changed.
    Unchanged,
    /// Another instance had saved the store: read again.
    Reloaded,
    /// This instance downloaded the certificates and saved the store.
    Refreshed,
    /// Due, but another instance holds the lease.
    Leased,
}

/// The store as saved, with the configured public key added (the configuration is where public
/// keys come from), or a new one.
fn store_of(state: &AppState, saved: Option<&SavedKeys>) -> Result<KeyStore> {
    let mut store = match saved {
        Some(s) => KeyStore::from_json(&s.store)?,
        None => KeyStore::new(),
    };
    if let Some(pk) = &state.settings.v3()?.public_key {
        store.add_public_key(&pk.id, &pk.pem)?;
    }
    Ok(store)
}

/// Whether the store should be downloaded now: the core's rule, or never asked yet.
fn due(store: &KeyStore, now: u64) -> bool {
    store.refresh_due(now) || store.last_download().is_none()
}

/// Reads the saved store (saving a first one if there is none) and hands it to the client.
async fn load(state: &AppState) -> Result<(KeyStore, i64)> {
    loop {
        if let Some(saved) = state.db.wechat_keys().load().await? {
            let store = store_of(state, Some(&saved))?;
            state.upstream.set_v3_keys(store.clone())?;
            return Ok((store, saved.version));
        }
        let first = store_of(state, None)?;
        // Saved once by whichever instance comes first; the others read it.
        state.db.wechat_keys().save(&first.to_json(), None, state.clock.now_ms(), ACTOR, "created").await?;
    }
}

/// Downloads the certificates under the lease (if still due once it is held, or `forced`: an
/// unknown serial the core said to download for), saves the store and hands it to the client.
async fn refresh(state: &AppState, forced: bool) -> Result<Ticked> {
    let now_ms = state.clock.now_ms();
    if !state.db.wechat_keys().take_lease(&state.instance, now_ms + LEASE_MS, now_ms).await? {
        return Ok(Ticked::Leased);
    }
    let outcome = refresh_held(state, forced).await;
    if let Err(e) = state.db.wechat_keys().release_lease(&state.instance).await {
        tracing::warn!(error = %e, "could not release the key store's lease (it runs out by itself)");
    }
    outcome
}

async fn refresh_held(state: &AppState, forced: bool) -> Result<Ticked> {
    // Read again under the lease: the instance that held it before may have just saved.
    let (mut store, version) = load(state).await?;
    let now = state.clock.now_secs() as u64;
    if !forced && !due(&store, now) {
        return Ok(Ticked::Reloaded);
    }
    let signed = state.upstream.sign_v3_with(&store, &DownloadCertificatesRequest)?;
    let answer = state.upstream.send_v3(&signed).await?;
    let v3 = state.settings.v3()?;
    let refreshed = store
        .ingest_certificates(&v3.api_v3_key, answer.status, &answer.headers, &answer.body, state.clock.now_secs() as u64)
        .map_err(|e| crate::upstream::from_v3_answer(e, &signed))?;
    let why = match &refreshed {
        Refresh::Updated { added, dropped } => format!("certificates downloaded: added {added:?}, dropped {dropped:?}"),
        Refresh::NoCertificates { dropped } => {
            format!("no platform certificate (404: the WeChat Pay public key only); dropped {dropped:?}")
        }
        other => format!("{other:?}"),
    };
    tracing::info!(serials = ?store.key_set().serials().collect::<Vec<_>>(), "{why}");
    if !state.db.wechat_keys().save(&store.to_json(), Some(version), state.clock.now_ms(), ACTOR, &why).await? {
        // Cannot happen under the lease unless it ran out: read what the other one saved.
        load(state).await?;
        return Ok(Ticked::Reloaded);
    }
    state.upstream.set_v3_keys(store)?;
    Ok(Ticked::Refreshed)
}

/// One look at the store: read it again, and download when due (one instance, under the lease).
///
/// # Errors
/// Database errors, or the download's.
pub async fn tick(state: &AppState) -> Result<Ticked> {
    let before = state.upstream.v3_keys()?;
    let (store, _) = load(state).await?;
    if due(&store, state.clock.now_secs() as u64) {
        return refresh(state, false).await;
    }
    Ok(if *before == store { Ticked::Unchanged } else { Ticked::Reloaded })
}

/// A message named a key the store does not hold (`serial`): the core's rule decides
/// ([`KeyStore::on_unknown_serial`]) — read the store again (another instance saved it), download
/// now (the first unknown serial in an interval, recorded in the shared store so that every
/// instance counts the same interval), or nothing (a forged serial must not make every request a
/// download). The caller verifies again with [`crate::Upstream::v3_keys`].
///
/// # Errors
/// Database errors, or the download's.
pub async fn on_unknown_serial(state: &AppState, serial: &str) -> Result<()> {
    let (mut store, version) = load(state).await?;
    match store.on_unknown_serial(serial, state.clock.now_secs() as u64) {
        DownloadAdvice::Download => {
            // The advice is recorded first: a save lost to another instance means it decided.
            if state.db.wechat_keys().save(&store.to_json(), Some(version), state.clock.now_ms(), ACTOR, "unknown serial: download").await?
            {
                tracing::info!(serial, "a message named a WeChat key not held: downloading the certificates");
                refresh(state, true).await?;
            } else {
                load(state).await?;
            }
        }
        DownloadAdvice::ConfigurePublicKey => {
            tracing::warn!(serial, "a message named a WeChat Pay public key that is not configured (WXPAY_PUBLIC_KEY, WXPAY_PUBLIC_KEY_ID)")
        }
        _ => {}
    }
    Ok(())
}

/// At start-up, with the v3 settings: the store read (or made), downloaded if due, and one signed
/// request judging the merchant's key against its serial.
///
/// # Errors
/// [`Error::Config`] when WeChat refuses the signature (`SIGN_ERROR`) or its answer does not
/// verify with the configured keys; database errors. WeChat out of reach is a warning: the keys
/// are downloaded at the next tick.
pub async fn start(state: &AppState) -> Result<()> {
    if state.settings.v3.is_none() {
        return Ok(());
    }
    let (store, _) = load(state).await?;
    let checked = if due(&store, state.clock.now_secs() as u64) {
        match refresh(state, false).await {
            // Another instance is downloading: wait for its store, then check on our own.
            Ok(Ticked::Leased) => match wait_for_keys(state).await {
                Ok(()) => check_signature(state).await,
                Err(e) => Err(e),
            },
            other => other.map(|_| ()),
        }
    } else {
        check_signature(state).await
    };
    match checked {
        Ok(()) => Ok(()),
        // WeChat's message says which: the key is not the certificate's, the serial is wrong, or
        // the merchant number is not the certificate's.
        Err(Error::Upstream { code, message }) if code == "SIGN_ERROR" => Err(Error::Config(format!(
            "invalid setting WXPAY_MCH_PRIVATE_KEY / WXPAY_MCH_SERIAL / WXPAY_MCH_ID: WeChat refused a signed request ({code}): {message}"
        ))),
        Err(Error::Upstream { code, message }) if code == "RESPONSE_SIGNATURE_INVALID" => Err(Error::Config(format!(
            "invalid setting WXPAY_PUBLIC_KEY / WXPAY_PUBLIC_KEY_ID: WeChat's answer does not verify ({code}): {message}"
        ))),
        Err(e @ (Error::UpstreamUnavailable(_) | Error::Upstream { .. })) => {
            tracing::warn!(error = %e, "could not check the v3 settings with WeChat at start-up; the keys are read again every minute");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Waits (bounded) until the store holds a key another instance downloaded.
async fn wait_for_keys(state: &AppState) -> Result<()> {
    for _ in 0..100 {
        let (store, _) = load(state).await?;
        if store.key_set().serials().next().is_some() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(Error::UpstreamUnavailable("another instance holds the key store's lease and has not saved a key".into()))
}

/// One signed request whose answer says whether WeChat accepts our signature: a query of an order
/// nobody placed (`ORDER_NOT_EXIST` means the signature was accepted).
async fn check_signature(state: &AppState) -> Result<()> {
    let probe = QueryByOutTradeNoRequest { out_trade_no: format!("WXPAYCHECK{}", &wxpay::nonce_str()?[..16]) };
    match state.upstream.call_v3(&probe).await {
        Ok(_) => Ok(()),
        Err(Error::Upstream { code, .. }) if code == "ORDER_NOT_EXIST" || code == "RESOURCE_NOT_EXISTS" => Ok(()),
        Err(e) => Err(e),
    }
}

/// Every [`TICK`]: [`tick`] on this instance (the store read again; downloaded when due).
pub fn spawn(state: AppState) {
    if state.settings.v3.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(e) = tick(&state).await {
                tracing::warn!(error = %e, "the v3 key store could not be refreshed; trying again in a minute");
            }
        }
    });
}
