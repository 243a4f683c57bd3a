//! 支付通知 / 退款结果通知: the v3 notify, `{id, create_time, event_type, resource_type,
//! summary, resource}`, verified first, then decrypted.
//!
//! Answer 200 or 204 once the state change has committed; anything else and WeChat retries
//! (15 times over about a day). Refuse with a 4xx/5xx what fails verification, including the
//! `WECHATPAY/SIGNTEST/` probes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::v3::keys::ApiV3Key;
use crate::v3::messages::{RefundNotice, Transaction};
use crate::v3::request::json;
use crate::v3::resource::EncryptedResource;
use crate::v3::verify::{KeySet, SignatureHeaders};

/// A notify body, verified but still encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The notify's id (the same across WeChat's retries).
    pub id: String,
    /// When WeChat created it (RFC 3339).
    pub create_time: String,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, …
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// A human summary, e.g. `支付成功`.
    #[serde(default)]
    pub summary: String,
    /// The encrypted payload.
    pub resource: EncryptedResource,
}

/// What a notify carries, decrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NotifyEvent {
    /// `TRANSACTION.*`: a payment. Check [`Transaction::is_success`] and the amount, then
    /// change the order's state once.
    Payment(Transaction),
    /// `REFUND.*`: a refund's final state.
    Refund(RefundNotice),
}

/// A verified and decrypted notify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecryptedNotification {
    /// The notify's id.
    pub id: String,
    /// When WeChat created it.
    pub create_time: String,
    /// The event type.
    pub event_type: String,
    /// The summary.
    pub summary: String,
    /// The decrypted payload.
    pub event: NotifyEvent,
}

impl Notification {
    /// Parses a notify body without verifying it: use [`KeySet::verify_notification`].
    ///
    /// # Errors
    /// [`Error::MalformedJson`].
    pub fn parse_unverified(body: &[u8]) -> Result<Self> {
        json(body)
    }

    /// Decrypts the resource into the event its `event_type` announces.
    ///
    /// # Errors
    /// The errors of [`EncryptedResource::decrypt`], [`Error::MalformedJson`], or
    /// [`Error::InvalidField`] for an event type that is neither `TRANSACTION.*` nor
    /// `REFUND.*`.
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<NotifyEvent> {
        let event = if self.event_type.starts_with("TRANSACTION.") {
            NotifyEvent::Payment(json(&self.resource.decrypt(key)?)?)
        } else if self.event_type.starts_with("REFUND.") {
            NotifyEvent::Refund(json(&self.resource.decrypt(key)?)?)
        } else {
            return Err(Error::invalid("event_type", format!("unknown event {:?}", self.event_type.chars().take(40).collect::<String>())));
        };
        Ok(event)
    }
}

impl KeySet {
    /// Verifies a notify (as [`KeySet::verify`]) and parses its body.
    ///
    /// # Errors
    /// As [`KeySet::verify`], or [`Error::MalformedJson`].
    pub fn verify_notification(&self, headers: &SignatureHeaders, body: &[u8], now: u64) -> Result<Notification> {
        self.verify(headers, body, now)?;
        Notification::parse_unverified(body)
    }

    /// Verifies, parses and decrypts a notify: the whole of a notify handler's check. Nothing
    /// is decrypted unless the signature holds.
    ///
    /// # Errors
    /// As [`KeySet::verify_notification`] and [`Notification::decrypt`].
    pub fn open_notification(&self, key: &ApiV3Key, headers: &SignatureHeaders, body: &[u8], now: u64) -> Result<DecryptedNotification> {
        let n = self.verify_notification(headers, body, now)?;
        let event = n.decrypt(key)?;
        Ok(DecryptedNotification { id: n.id, create_time: n.create_time, event_type: n.event_type, summary: n.summary, event })
    }
}
