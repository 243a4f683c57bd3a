//! The downloaded bill file, checked by its SHA-1 before anything reads it.
//!
//! The answer to `download_url` is not signed: the `hash_value` of the signed [`BillResponse`]
//! is all that ties the file to WeChat. Which bytes it covers: the bill *as text*, after gzip is
//! undone. WeChat's API reference says so of `hash_value` ("原始账单（gzip需要解压缩）的摘要值",
//! as wechatpay-java's generated `QueryBillEntity` and wechatpay-go's generated bill models
//! quote it), and the official Java SDK does so: `BillDownloadServiceExtension` wraps the
//! download in a `GZIPInputStream` when `tar_type` is `GZIP` and `DigestBillEntity` digests
//! that decompressed stream, comparing hex case-insensitively. wechatpay-php does not check the
//! mainland bill's hash at all; its note on the overseas statement says the same (the plain CSV
//! stream is hashed, gzip or not). wechatpay-go has no bill downloader. No source disagrees.
//! The text hashed is the file as served, so a UTF-8 BOM at its start is part of it.

use std::io::Read;

use sha1::{Digest, Sha1};

use crate::error::{quoted, Error, Result};
use crate::v3::bill::{BillResponse, TarType};
use crate::v3::request::{Method, Request, API_BASE};

/// The largest bill [`BillResponse::open`] accepts, decompressed: 256 MiB. A gzip file that
/// inflates past this is refused (a "gzip bomb" must cost an error, not the process's memory).
///
/// For scale: 200 000 trade rows are 47 MB of text (3 MB gzip), and opening then parsing them
/// peaked at 262 MB resident (about 5× the text) natively. Where memory is tight (a wasm cloud
/// function), pass a smaller limit to [`BillResponse::open_with_limit`].
pub const MAX_BILL_BYTES: usize = 256 << 20;

/// The `GET` of a bill's `download_url`, to sign like any v3 request
/// ([`Merchant::sign_request`](crate::v3::Merchant::sign_request)): WeChat wants the download
/// signed too. Its answer is the file, **unsigned**: do not read it with
/// [`read_response`](crate::v3::read_response) (it has no signature to verify) but give the
/// bytes to [`BillResponse::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillDownloadRequest {
    path_and_query: String,
}

impl Request for BillDownloadRequest {
    /// Nothing typed: the answer is the file itself.
    type Response = ();
    const METHOD: Method = Method::Get;
    fn path_and_query(&self, _mchid: &str) -> Result<String> {
        Ok(self.path_and_query.clone())
    }
}

impl BillResponse {
    /// The signed `GET` to make for the file (valid 30 s after the answer).
    ///
    /// # Errors
    /// [`Error::InvalidField`] when `download_url` is not on [`API_BASE`] (the request is signed
    /// for that host and sent there), or holds bytes an HTTP client would change.
    pub fn download_request(&self) -> Result<BillDownloadRequest> {
        self.download_request_on(API_BASE)
    }

    /// [`download_request`](Self::download_request) for a merchant whose requests go to another
    /// base than [`API_BASE`] (`https://host[:port]`, no path): a simulator or a proxy, which
    /// answers with a `download_url` on itself. The URL must be on that base and nowhere else:
    /// the signed request would otherwise be sent to a host the merchant never chose.
    ///
    /// # Errors
    /// As [`download_request`](Self::download_request), with `api_base` in place of
    /// [`API_BASE`].
    pub fn download_request_on(&self, api_base: &str) -> Result<BillDownloadRequest> {
        let bad = |why: String| Error::invalid("download_url", why);
        let path =
            self.download_url.strip_prefix(api_base).filter(|p| p.starts_with('/')).ok_or_else(|| bad(format!("not on {api_base}")))?;
        // Signed byte for byte: nothing a client would percent-encode or trim.
        if !path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad("holds spaces, control or non-ASCII characters".to_owned()));
        }
        Ok(BillDownloadRequest { path_and_query: path.to_owned() })
    }

    /// The bill's text from the downloaded bytes, only if its SHA-1 is `hash_value`.
    ///
    /// `tar_type` is the one the request asked for: with `Some(TarType::Gzip)` the bytes are
    /// inflated first (at most [`MAX_BILL_BYTES`]) and the hash is checked on the result. The
    /// hash is compared as hex, case-insensitively (it is public: no constant time needed).
    /// Nothing is parsed before the hash matches. A leading UTF-8 BOM is removed from the text.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] when `hash_type` is not `SHA1`,
    /// [`Error::InvalidField`] when `hash_value` is not 40 hex digits, [`Error::InvalidGzip`]
    /// (truncated or not gzip), [`Error::TooLarge`], [`Error::BillHashMismatch`], and
    /// [`Error::NotUtf8`] for a file whose hash matches but which is not UTF-8 text.
    pub fn open(&self, tar_type: Option<TarType>, downloaded: &[u8]) -> Result<String> {
        self.open_with_limit(tar_type, downloaded, MAX_BILL_BYTES)
    }

    /// [`open`](Self::open) with another size limit, in bytes of text.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn open_with_limit(&self, tar_type: Option<TarType>, downloaded: &[u8], limit: usize) -> Result<String> {
        if !self.hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(Error::UnsupportedAlgorithm(self.hash_type.chars().take(40).collect()));
        }
        let expected = self.hash_value.trim();
        if expected.len() != 40 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(
                "hash_value",
                format!("not a SHA-1 in hex: {}", quoted(&expected.chars().take(60).collect::<String>())),
            ));
        }
        let text = match tar_type {
            None if downloaded.len() > limit => return Err(Error::TooLarge { size: downloaded.len(), limit }),
            None => downloaded.to_vec(),
            Some(TarType::Gzip) => gunzip(downloaded, limit)?,
        };
        let actual = hex(&Sha1::digest(&text));
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(Error::BillHashMismatch);
        }
        let mut text = String::from_utf8(text).map_err(|e| Error::NotUtf8 { offset: e.utf8_error().valid_up_to() })?;
        if text.starts_with('\u{FEFF}') {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        Ok(text)
    }
}

/// Inflates one gzip member, reading at most `limit + 1` bytes so that a bomb stops early.
/// flate2 checks the trailer (CRC-32 and length): a cut file is an error, not a short text.
fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::GzDecoder::new(bytes).take(cap).read_to_end(&mut out).map_err(|e| Error::InvalidGzip(e.to_string()))?;
    if out.len() > limit {
        return Err(Error::TooLarge { size: out.len(), limit });
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(hash: &str) -> BillResponse {
        BillResponse { hash_type: "SHA1".into(), hash_value: hash.into(), download_url: String::new() }
    }

    // sha1("abc"), a FIPS 180 example.
    const ABC: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

    #[test]
    fn a_plain_bill_with_its_hash_opens_in_either_case() {
        assert_eq!(answer(ABC).open(None, b"abc").unwrap(), "abc");
        assert_eq!(answer(&ABC.to_uppercase()).open(None, b"abc").unwrap(), "abc");
    }

    #[test]
    fn a_bill_with_a_wrong_hash_is_refused() {
        assert_eq!(answer(ABC).open(None, b"abd"), Err(Error::BillHashMismatch));
    }

    #[test]
    fn a_hash_type_other_than_sha1_is_refused() {
        let mut a = answer(ABC);
        a.hash_type = "SM3".into();
        assert!(matches!(a.open(None, b"abc"), Err(Error::UnsupportedAlgorithm(_))));
    }

    #[test]
    fn a_hash_value_that_is_not_hex_sha1_is_refused() {
        for bad in ["", "a9993e36", &format!("{ABC}00"), &ABC.replace('a', "g")] {
            assert!(matches!(answer(bad).open(None, b"abc"), Err(Error::InvalidField { .. })), "{bad:?}");
        }
    }

    #[test]
    fn a_plain_bill_over_the_limit_is_refused() {
        assert_eq!(answer(ABC).open_with_limit(None, b"abc", 2), Err(Error::TooLarge { size: 3, limit: 2 }));
    }

    #[test]
    fn the_download_request_is_the_url_path_signed_as_a_get() {
        let mut a = answer(ABC);
        a.download_url =
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"
                .into();
        let r = a.download_request().unwrap();
        assert_eq!(
            r.path_and_query("1").unwrap(),
            "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"
        );
        assert_eq!((BillDownloadRequest::METHOD, r.body("wx", "1").unwrap()), (Method::Get, String::new()));
    }

    #[test]
    fn a_download_url_on_the_merchants_own_base_is_signed_and_any_other_host_refused() {
        let base = "https://127.0.0.1:8443";
        let mut a = answer(ABC);
        a.download_url = format!("{base}/v3/billdownload/file?token=t");
        assert_eq!(a.download_request_on(base).unwrap().path_and_query("1").unwrap(), "/v3/billdownload/file?token=t");
        assert!(matches!(a.download_request(), Err(Error::InvalidField { .. })), "not on WeChat's host");
        for bad in [
            "https://127.0.0.1:84430/v3/billdownload/file",
            "https://127.0.0.1:8443.evil.example/v3/billdownload/file",
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=t",
        ] {
            a.download_url = bad.into();
            assert!(matches!(a.download_request_on(base), Err(Error::InvalidField { .. })), "{bad:?}");
        }
    }

    #[test]
    fn a_download_url_off_wechats_host_is_refused() {
        for bad in [
            "https://evil.example/v3/billdownload/file?token=x",
            "https://api.mch.weixin.qq.com.evil.example/v3/billdownload/file",
            "http://api.mch.weixin.qq.com/v3/billdownload/file",
            "https://api.mch.weixin.qq.com/v3/bill download",
            "",
        ] {
            let mut a = answer(ABC);
            a.download_url = bad.into();
            assert!(matches!(a.download_request(), Err(Error::InvalidField { .. })), "{bad:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_gzip_are_refused_as_gzip() {
        assert!(matches!(answer(ABC).open(Some(TarType::Gzip), b"abc"), Err(Error::InvalidGzip(_))));
    }
}
