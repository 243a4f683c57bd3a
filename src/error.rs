//! The one error type of the crate.

/// Everything that can go wrong in `wxpay`.
///
/// Variants are grouped by what a caller does about them: a bad local request
/// (fix the input), a message that must not be trusted (reject it, answer
/// `FAIL`), and an answer from WeChat (retry, or surface `err_code`).
///
/// No variant ever carries the API key or any other secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- amounts -------------------------------------------------------
    /// An amount was not a non-negative integer number of fen that fits in `u64`.
    #[error("invalid amount {}: {reason}", quoted(.value))]
    InvalidAmount {
        /// What was given (truncated to 40 characters).
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The amount WeChat reported is not the amount of the order.
    #[error("amount mismatch: order is {expected} fen, message says {actual} fen")]
    AmountMismatch {
        /// The order's amount in fen.
        expected: u64,
        /// The amount in the message, in fen.
        actual: u64,
    },

    // ---- signatures ----------------------------------------------------
    /// The signature does not match the message: tampered, or signed with another key.
    #[error("signature mismatch")]
    SignatureMismatch,
    /// A message that must be signed carries no `sign`.
    #[error("message is not signed")]
    MissingSignature,
    /// `sign_type` (or `signType`) names an algorithm WeChat Pay v2 does not use.
    #[error("unsupported sign type {} (expected MD5 or HMAC-SHA256)", quoted(.0))]
    UnsupportedSignType(String),
    /// The API key is not 32 ASCII letters and digits, as WeChat issues it.
    #[error("invalid API key: {0}")]
    InvalidApiKey(&'static str),

    // ---- fields --------------------------------------------------------
    /// A required field is absent or empty.
    #[error("missing field `{name}`")]
    MissingField {
        /// The WeChat field name.
        name: String,
    },
    /// A field is present but WeChat would refuse it (or we cannot trust it).
    #[error("invalid field `{name}`: {reason}")]
    InvalidField {
        /// The WeChat field name.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// The message is for another mini-program (`appid`) than ours.
    #[error("appid mismatch: expected {}, message has {}", quoted(.expected), quoted(.actual))]
    AppIdMismatch {
        /// Our configured appid.
        expected: String,
        /// What the message carries.
        actual: String,
    },
    /// The message is for another merchant (`mch_id`) than ours.
    #[error("mch_id mismatch: expected {}, message has {}", quoted(.expected), quoted(.actual))]
    MchIdMismatch {
        /// Our configured mch_id.
        expected: String,
        /// What the message carries.
        actual: String,
    },

    // ---- XML -----------------------------------------------------------
    /// The document has a DOCTYPE or entity declaration (the XXE vector). Never parsed further.
    #[error("DOCTYPE and entity declarations are forbidden")]
    DoctypeForbidden,
    /// An entity reference other than the five predefined ones and character references.
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
    /// A field contains an element: WeChat messages are flat.
    #[error("nested element <{child}> inside <{parent}>")]
    NestedElement {
        /// The field holding the child.
        parent: String,
        /// The child element.
        child: String,
    },
    /// The same field appears twice; which one to believe is ambiguous, so neither is.
    #[error("duplicate field <{0}>")]
    DuplicateKey(String),
    /// The input is not UTF-8.
    #[error("input is not valid UTF-8 (byte offset {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The input is larger than the configured limit.
    #[error("input of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Input size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The root element is not the expected one (`xml`, or `root` inside `req_info`).
    #[error("unexpected root element <{actual}>, expected <{expected}>")]
    UnexpectedRoot {
        /// The expected root name.
        expected: &'static str,
        /// The root found.
        actual: String,
    },
    /// A value or key cannot be written as XML (e.g. a control character, an invalid name).
    #[error("cannot encode as XML: {0}")]
    Unencodable(String),
    /// Anything else that is not well-formed XML.
    #[error("malformed XML: {0}")]
    MalformedXml(String),

    // ---- answers from WeChat ------------------------------------------
    /// `return_code=FAIL`: WeChat did not process the request (communication or format
    /// problem). `return_msg` says why; there is no signature to check.
    #[error("WeChat returned FAIL: {message}")]
    ReturnFail {
        /// `return_msg`.
        message: String,
    },
    /// `result_code=FAIL`: WeChat processed the request and refused it.
    #[error("WeChat business error {code}: {message}")]
    Business {
        /// `err_code`, e.g. `ORDERPAID`, `SYSTEMERROR`.
        code: String,
        /// `err_code_des`.
        message: String,
    },

    // ---- refund notify -------------------------------------------------
    /// `req_info` is not valid base64.
    #[error("req_info is not valid base64")]
    InvalidBase64,
    /// A ciphertext too short to be whole: a v2 `req_info` that is not a positive multiple of
    /// 16 bytes, a v3 `ciphertext` shorter than its 16-byte GCM tag, or a v3 sensitive field
    /// (RSA-OAEP) shorter than the merchant key's modulus. Truncated in transit.
    #[error("ciphertext of {len} bytes is truncated (v2: not a positive multiple of 16; v3: shorter than the 16-byte tag)")]
    TruncatedCiphertext {
        /// Decoded length in bytes.
        len: usize,
    },
    /// `req_info` does not decrypt under our key: it was encrypted with another API key.
    #[error("req_info does not decrypt with this merchant's API key")]
    DecryptKeyMismatch,
    /// The first block decrypts but the PKCS#7 padding is wrong: the ciphertext was altered.
    #[error("req_info has invalid PKCS#7 padding")]
    BadPadding,

    // ---- API v3 ----------------------------------------------------------
    /// A key or certificate could not be used: not PEM, the wrong PEM label, not RSA, too
    /// small, or an APIv3 key that is not 32 bytes. The error never echoes the key.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// A platform certificate could not be read (not an X.509 PEM, or not an RSA key).
    #[error("invalid platform certificate: {0}")]
    InvalidCertificate(&'static str),
    /// `Wechatpay-Signature` is one of WeChat's deliberate probes (`WECHATPAY/SIGNTEST/…`):
    /// WeChat checks that merchants refuse it. Answer with a 4xx/5xx.
    #[error("Wechatpay-Signature is a WECHATPAY/SIGNTEST probe")]
    SignatureProbe,
    /// `Wechatpay-Serial` names no key in the key set: download the platform certificates or
    /// configure the WeChat Pay public key (`PUB_KEY_ID_…`), then retry.
    #[error("no key for Wechatpay-Serial {0:?}")]
    UnknownSerial(String),
    /// `Wechatpay-Timestamp` is more than 5 minutes from `now`: a replay, or a wrong clock.
    #[error("Wechatpay-Timestamp {timestamp} is more than 300 s from now ({now})")]
    TimestampSkew {
        /// The signed timestamp, in seconds.
        timestamp: u64,
        /// The `now` given, in seconds.
        now: u64,
    },
    /// The platform certificate chosen by `Wechatpay-Serial` expired before `now`.
    #[error("platform certificate {serial_no} expired")]
    CertificateExpired {
        /// The certificate's serial number.
        serial_no: String,
    },
    /// AES-256-GCM authentication failed: the wrong APIv3 key (the usual cause), or the
    /// ciphertext, `nonce` or `associated_data` was altered.
    #[error("AEAD tag mismatch: wrong APIv3 key, or ciphertext, nonce or associated_data altered")]
    AeadTagMismatch,
    /// `resource.algorithm` is not `AEAD_AES_256_GCM`.
    #[error("unsupported algorithm {0:?} (expected AEAD_AES_256_GCM)")]
    UnsupportedAlgorithm(String),
    /// A v3 body is not the JSON expected (the reason names the field).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// WeChat answered a v3 request with HTTP 4xx/5xx and `{code, message, detail}`.
    #[error("WeChat API error {status} {code}: {message}")]
    ApiError {
        /// The HTTP status.
        status: u16,
        /// `code`, e.g. `PARAM_ERROR`, `ORDER_NOT_EXIST`, `SYSTEM_ERROR`.
        code: String,
        /// `message`.
        message: String,
        /// `detail` as compact JSON text, when present (e.g. which field was refused).
        detail: Option<String>,
    },

    /// A saved v3 `KeyStore` was refused as a whole: not its JSON, another
    /// version, or an entry that does not re-parse to what the store recorded (tampered or
    /// truncated). Nothing of it was loaded.
    #[error("key store refused: {0}")]
    InvalidKeyStore(String),
    /// A downloaded v3 bill's SHA-1 is not the `hash_value` of its (signed) download answer:
    /// the file was cut or altered on the way. Nothing of it may be used; download it again.
    #[error("the bill's SHA-1 is not hash_value: cut or altered in transit")]
    BillHashMismatch,
    /// A bill asked for with `tar_type=GZIP` is not a whole gzip stream (truncated, or not gzip).
    #[error("invalid gzip: {0}")]
    InvalidGzip(String),
    /// There is no WeChat key to name in a request's `Wechatpay-Serial` or to encrypt a
    /// sensitive field to: the key set is empty, or holds only platform certificates that have
    /// expired or are not valid yet. Add the WeChat Pay public key or download the certificates.
    #[error("no WeChat Pay key for Wechatpay-Serial: {0}")]
    NoWechatPayKey(&'static str),
    /// A sensitive field (RSA-OAEP) does not decrypt with the merchant's private key: it was
    /// encrypted to another key, or altered. Nothing of the plaintext is kept.
    #[error("sensitive field does not decrypt with the merchant private key (another key, or altered)")]
    OaepDecryptFailed,

    // ---- environment ---------------------------------------------------
    /// The platform's random source failed.
    #[error("random source unavailable")]
    Random,
}

impl Error {
    /// A stable, SCREAMING_SNAKE_CASE code for this error, for logs, JSON and JS callers.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidAmount { .. } => "INVALID_AMOUNT",
            Error::AmountMismatch { .. } => "AMOUNT_MISMATCH",
            Error::SignatureMismatch => "SIGNATURE_MISMATCH",
            Error::MissingSignature => "MISSING_SIGNATURE",
            Error::UnsupportedSignType(_) => "UNSUPPORTED_SIGN_TYPE",
            Error::InvalidApiKey(_) => "INVALID_API_KEY",
            Error::MissingField { .. } => "MISSING_FIELD",
            Error::InvalidField { .. } => "INVALID_FIELD",
            Error::AppIdMismatch { .. } => "APPID_MISMATCH",
            Error::MchIdMismatch { .. } => "MCHID_MISMATCH",
            Error::DoctypeForbidden => "DOCTYPE_FORBIDDEN",
            Error::UnknownEntity(_) => "UNKNOWN_ENTITY",
            Error::NestedElement { .. } => "NESTED_ELEMENT",
            Error::DuplicateKey(_) => "DUPLICATE_KEY",
            Error::NotUtf8 { .. } => "NOT_UTF8",
            Error::TooLarge { .. } => "TOO_LARGE",
            Error::UnexpectedRoot { .. } => "UNEXPECTED_ROOT",
            Error::Unencodable(_) => "UNENCODABLE",
            Error::MalformedXml(_) => "MALFORMED_XML",
            Error::ReturnFail { .. } => "RETURN_FAIL",
            Error::Business { .. } => "BUSINESS_ERROR",
            Error::InvalidBase64 => "INVALID_BASE64",
            Error::TruncatedCiphertext { .. } => "TRUNCATED_CIPHERTEXT",
            Error::DecryptKeyMismatch => "DECRYPT_KEY_MISMATCH",
            Error::BadPadding => "BAD_PADDING",
            Error::InvalidKey(_) => "INVALID_KEY",
            Error::InvalidCertificate(_) => "INVALID_CERTIFICATE",
            Error::SignatureProbe => "SIGNATURE_PROBE",
            Error::UnknownSerial(_) => "UNKNOWN_SERIAL",
            Error::TimestampSkew { .. } => "TIMESTAMP_SKEW",
            Error::CertificateExpired { .. } => "CERTIFICATE_EXPIRED",
            Error::AeadTagMismatch => "AEAD_TAG_MISMATCH",
            Error::UnsupportedAlgorithm(_) => "UNSUPPORTED_ALGORITHM",
            Error::MalformedJson(_) => "MALFORMED_JSON",
            Error::ApiError { .. } => "API_ERROR",
            Error::InvalidKeyStore(_) => "INVALID_KEY_STORE",
            Error::BillHashMismatch => "BILL_HASH_MISMATCH",
            Error::InvalidGzip(_) => "INVALID_GZIP",
            Error::NoWechatPayKey(_) => "NO_WECHATPAY_KEY",
            Error::OaepDecryptFailed => "OAEP_DECRYPT_FAILED",
            Error::Random => "RANDOM_UNAVAILABLE",
        }
    }

    /// Whether WeChat asks for the *same* request to be sent again (v2 `SYSTEMERROR`,
    /// `BIZERR_NEED_RETRY`; v3 `SYSTEM_ERROR`, and `FREQUENCY_LIMITED` after slowing down), as
    /// [`crate::codes`] classifies them. What a code means for a particular call (refused for
    /// sure, or perhaps done) is [`crate::codes::outcome`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Business { code, .. } => crate::codes::asks_for_same_request(code),
            Error::ApiError { code, .. } => crate::codes::v3_asks_for_same_request(code),
            _ => false,
        }
    }

    /// WeChat's error code: v2 `err_code` of a business error, or v3 `code` of an API error.
    pub fn err_code(&self) -> Option<&str> {
        match self {
            Error::Business { code, .. } | Error::ApiError { code, .. } => Some(code),
            _ => None,
        }
    }

    /// `MISSING_FIELD`: a required field `name` (as the caller names it) is absent.
    pub fn missing(name: &str) -> Self {
        Error::MissingField { name: name.to_owned() }
    }

    /// `INVALID_FIELD`: field `name` (as the caller names it) holds a value that breaks `reason`.
    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        Error::InvalidField { name: name.to_owned(), reason: reason.into() }
    }
}

/// `"value"` for a message: what came from outside, in quotes, its control characters shown as
/// U+FFFD so that a log line stays one line. (Not `{:?}`: `Debug` escaping brings Unicode tables
/// into the WebAssembly package for nothing a log reader needs.)
pub(crate) fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    out.extend(value.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }));
    out.push('"');
    out
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
