//! The heavy primitives of v3, behind one interface: RSA SHA256 signatures (PKCS#1 v1.5),
//! RSA-OAEP (SHA-1, MGF1-SHA-1) and AES-256-GCM. Everything around them (PEM and DER, key sizes,
//! canonical strings, which check comes first, the errors) is the core's, in `keys.rs`,
//! `resource.rs` and `sensitive.rs`, whichever backend computes.
//!
//! Two backends, chosen by cargo feature, with the same surface (`PrivateKey`, `VerifyingKey`,
//! `aes_256_gcm_open`, `aes_256_gcm_seal`):
//!
//! - `native` (feature `v3`): ring (signatures, AES-GCM) and RustCrypto's `rsa` (OAEP only).
//! - `hosted` (feature `v3-rules` without `v3`): the host computes, through [`HostCrypto`], which
//!   the embedder installs once ([`install`]). The wasm package installs `node:crypto`
//!   (wasm/src/v3_crypto.rs): OpenSSL's RSA and AES-GCM are several times faster than the same
//!   code compiled to WebAssembly, and ring and rsa are then not in the `.wasm` at all. With
//!   `v3` as well (cargo adds features up across a build), the native backend computes and an
//!   installed host is not asked.

mod host;
#[cfg(not(feature = "v3"))]
mod hosted;
#[cfg(feature = "v3")]
mod native;
#[cfg(not(feature = "v3"))]
mod rsa_der;

pub use host::{install, HostCrypto, HostKey};
#[cfg(not(feature = "v3"))]
pub(crate) use hosted::{aes_256_gcm_open, aes_256_gcm_seal, PrivateKey, VerifyingKey};
#[cfg(feature = "v3")]
pub(crate) use native::{aes_256_gcm_open, aes_256_gcm_seal, PrivateKey, VerifyingKey};

/// The GCM tag's length, at the end of the ciphertext (RFC 5116).
pub(crate) const TAG_LEN: usize = 16;
/// The GCM nonce's length.
pub(crate) const NONCE_LEN: usize = 12;
/// OAEP's overhead with SHA-1: two 20-byte hashes and two bytes.
pub(crate) const OAEP_SHA1_OVERHEAD: usize = 2 * 20 + 2;
