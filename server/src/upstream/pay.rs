//! The Pay API: a request signed once into XML ([`Prepared`]), sent (see `retry`), and WeChat's
//! answer checked and typed by the core.

use wxpay::{Request, Response, SignType};

use super::Upstream;
use crate::error::{Error, Result};

/// A signed request body, ready to send (and to resend: the same bytes every time).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub(super) path: &'static str,
    pub(super) body: String,
    /// What it is signed with; WeChat signs its answer the same way.
    pub(super) sign_type: SignType,
}

/// Turns a core error about WeChat's answer into the server's error.
pub(super) fn from_answer(e: wxpay::Error, raw: &[u8]) -> Error {
    match e {
        wxpay::Error::Business { code, message } => Error::Upstream { code, message },
        // WeChat refuses a signature it cannot verify with return_code=FAIL, unsigned: a setting
        // (the API key, the sign type) is wrong, and resending cannot help.
        wxpay::Error::ReturnFail { message } if message.starts_with("签名错误") => Error::Upstream {
            code: "SIGNERROR".into(),
            message: format!("{message} (WeChat did not accept the request's signature: check WXPAY_API_KEY and WXPAY_SIGN_TYPE)"),
        },
        wxpay::Error::ReturnFail { message } => Error::Upstream { code: "FAIL".into(), message },
        wxpay::Error::SignatureMismatch | wxpay::Error::MissingSignature => {
            // Say what WeChat complained about, if anything, but trust none of it.
            let said = wxpay::xml::decode(raw).ok().and_then(|p| p.get("err_code").cloned()).unwrap_or_default();
            Error::Upstream {
                code: "RESPONSE_SIGNATURE_INVALID".into(),
                message: format!("the answer's signature does not verify (check WXPAY_API_KEY); unverified err_code {said:?}"),
            }
        }
        other => Error::Upstream { code: "BAD_RESPONSE".into(), message: other.to_string() },
    }
}

impl Upstream {
    /// Sends a Pay API request and parses the answer.
    ///
    /// The body is signed once and the *same* bytes are resent on a network error, an HTTP 5xx
    /// or `SYSTEMERROR` / `BIZERR_NEED_RETRY`, so WeChat sees one request however often it
    /// arrives. A connection failure on the primary base moves traffic to the backup for a
    /// while; business errors never cause a failover.
    ///
    /// # Errors
    /// [`Error::Upstream`] with WeChat's code, or [`Error::UpstreamUnavailable`].
    pub async fn pay<Q: Request, P: Response>(&self, request: &Q) -> Result<P> {
        self.send(&self.prepare(request)?).await
    }

    /// [`Upstream::pay`], signed with `sign_type` rather than the configured one: a call about
    /// an order already placed (a renewed unifiedorder) keeps the order's sign type, which its
    /// notify is pinned to, whatever `WXPAY_SIGN_TYPE` says now.
    ///
    /// # Errors
    /// As [`Upstream::pay`].
    pub async fn pay_as<Q: Request, P: Response>(&self, request: &Q, sign_type: SignType) -> Result<P> {
        self.send(&self.prepare_as(request, sign_type)?).await
    }

    /// Signs and encodes a request: nothing leaves the process. An error here means the request
    /// was never sent (e.g. a field the XML encoder cannot carry).
    ///
    /// # Errors
    /// [`Error::Core`] with the core's validation or encoding error.
    pub fn prepare<Q: Request>(&self, request: &Q) -> Result<Prepared> {
        self.prepare_as(request, self.v2()?.sign_type)
    }

    /// The merchant signing with `sign_type` (the configured one borrowed, as almost always).
    fn merchant_as(&self, sign_type: SignType) -> Result<std::borrow::Cow<'_, wxpay::Merchant>> {
        let merchant = self.v2()?;
        Ok(if sign_type == merchant.sign_type {
            std::borrow::Cow::Borrowed(merchant)
        } else {
            std::borrow::Cow::Owned(merchant.clone().with_sign_type(sign_type))
        })
    }

    fn prepare_as<Q: Request>(&self, request: &Q, sign_type: SignType) -> Result<Prepared> {
        let nonce = wxpay::nonce_str()?;
        let body = self.merchant_as(sign_type)?.request_xml(request, &nonce)?;
        Ok(Prepared { path: Q::PATH, body, sign_type })
    }

    /// Sends a [`Prepared`] request (see [`Upstream::pay`]).
    ///
    /// # Errors
    /// As [`Upstream::pay`].
    pub async fn send<P: Response>(&self, prepared: &Prepared) -> Result<P> {
        let merchant = self.merchant_as(prepared.sign_type)?;
        self.send_with(prepared, |bytes| merchant.parse_response::<P>(bytes)).await
    }

    /// `downloadbill`: the bill of one day, or WeChat's refusal (`20002` `No Bill Exist`) as
    /// [`Error::Upstream`]. Retried like every call; the answer is text, not signed XML.
    ///
    /// # Errors
    /// As [`Upstream::pay`]; `BAD_RESPONSE` for a bill that cannot be read whole.
    pub async fn download_bill(&self, request: &wxpay::bill::DownloadBill) -> Result<wxpay::bill::Bill> {
        self.send_with(&self.prepare(request)?, wxpay::bill::parse_answer).await
    }
}
