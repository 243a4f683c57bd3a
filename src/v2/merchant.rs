//! The merchant's configuration and the operations that need its key.

use serde::Deserialize;

use super::message::{check_result_code, check_return_code, Read, Request, Response};
use super::{sign, xml, SignType};
use crate::error::{Error, Result};
use crate::{validate, ApiKey, Params};

/// Who we are to WeChat Pay: the mini-program's `appid`, the merchant's `mch_id`, the API key
/// and the sign type used for our requests.
///
/// `Debug` shows the key as `***`.
/// Deserialises from JS-style `{appId, mchId, key, signType?}` or WeChat-style
/// `{appid, mch_id, key, sign_type?}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Merchant {
    /// The mini-program's AppID (`wx…`).
    #[serde(rename = "appId", alias = "appid")]
    pub appid: String,
    /// The merchant number (商户号).
    #[serde(rename = "mchId", alias = "mch_id")]
    pub mch_id: String,
    /// The API v2 key.
    pub key: ApiKey,
    /// The algorithm for requests we sign (`MD5` unless configured).
    #[serde(default, rename = "signType", alias = "sign_type")]
    pub sign_type: SignType,
}

impl Merchant {
    /// A merchant signing with MD5.
    pub fn new(appid: impl Into<String>, mch_id: impl Into<String>, key: ApiKey) -> Self {
        Merchant { appid: appid.into(), mch_id: mch_id.into(), key, sign_type: SignType::Md5 }
    }

    /// The same merchant, signing with `sign_type`.
    pub fn with_sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// The complete, signed parameters of `request`.
    ///
    /// # Errors
    /// Validation errors for the request or `nonce` ([`Error::MissingField`],
    /// [`Error::InvalidField`]).
    pub fn request_params<R: Request>(&self, request: &R, nonce: &str) -> Result<Params> {
        validate::id("appid", &self.appid, 32)?;
        validate::id("mch_id", &self.mch_id, 32)?;
        validate::nonce_str(nonce)?;
        let mut p = Params::new();
        request.write_fields(&mut p)?;
        p.insert("appid".into(), self.appid.clone());
        p.insert("mch_id".into(), self.mch_id.clone());
        p.insert("nonce_str".into(), nonce.to_owned());
        if self.sign_type != SignType::Md5 {
            p.insert("sign_type".into(), self.sign_type.as_str().into());
        }
        let signature = sign(&p, &self.key, self.sign_type);
        p.insert("sign".into(), signature);
        Ok(p)
    }

    /// The signed XML body to POST to `R::PATH`.
    ///
    /// # Errors
    /// As [`Merchant::request_params`], or [`Error::Unencodable`].
    pub fn request_xml<R: Request>(&self, request: &R, nonce: &str) -> Result<String> {
        xml::encode(&self.request_params(request, nonce)?)
    }

    /// Parses WeChat's answer to a request: `return_code`, then the signature, then
    /// `appid`/`mch_id`, then `result_code`, then the typed fields.
    ///
    /// # Errors
    /// [`Error::ReturnFail`] (not processed), [`Error::SignatureMismatch`] (do not trust it),
    /// [`Error::Business`] (refused: see `err_code`; [`Error::is_retryable`] says whether to
    /// resend the same request), or an XML / field error.
    pub fn parse_response<R: Response>(&self, body: &[u8]) -> Result<R> {
        let params = xml::decode(body)?;
        check_return_code(&params)?;
        super::verify(&params, &self.key, self.sign_type)?;
        self.check_identity(&params, false)?;
        check_result_code(&params)?;
        R::from_params(&params)
    }

    /// Checks that a message is addressed to this appid and mch_id. With `required`, both
    /// fields must be present; otherwise only present ones are compared.
    ///
    /// # Errors
    /// [`Error::AppIdMismatch`], [`Error::MchIdMismatch`], or [`Error::MissingField`].
    pub fn check_identity(&self, params: &Params, required: bool) -> Result<()> {
        for (name, ours) in [("appid", &self.appid), ("mch_id", &self.mch_id)] {
            let theirs = match params.opt(name) {
                Some(v) => v,
                None if required => return Err(Error::missing(name)),
                None => continue,
            };
            if theirs != ours {
                let (expected, actual) = (ours.clone(), theirs.chars().take(64).collect());
                return Err(if name == "appid" {
                    Error::AppIdMismatch { expected, actual }
                } else {
                    Error::MchIdMismatch { expected, actual }
                });
            }
        }
        Ok(())
    }
}
