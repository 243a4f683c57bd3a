//! RSA-2048 SHA256withRSA (PKCS#1 v1.5) sign + verify through one backend per feature (none:
//! SHA-256 only, the baseline the size contributions are measured against), on the test
//! merchant key of scripts/make-v3-vectors.

const KEY_PEM: &str = include_str!("../../../tests/data/v3_test_merchant_key.pem");
const PUB_PEM: &str = include_str!("../../../tests/data/v3_test_merchant_public_key.pem");

fn der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

pub fn key_der() -> Vec<u8> {
    der(KEY_PEM)
}

pub fn pub_der() -> Vec<u8> {
    der(PUB_PEM)
}

#[cfg(feature = "rsa09")]
pub mod imp {
    use rsa09::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa09::pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa09::signature::{RandomizedSigner, SignatureEncoding, Verifier};
    use sha2_10::Sha256;
    pub struct S(SigningKey<Sha256>);
    pub struct V(VerifyingKey<Sha256>);
    pub fn signer(der: &[u8]) -> S { S(SigningKey::new(rsa09::RsaPrivateKey::from_pkcs8_der(der).unwrap())) }
    pub fn verifier(der: &[u8]) -> V { V(VerifyingKey::new(rsa09::RsaPublicKey::from_public_key_der(der).unwrap())) }
    // sign_with_rng: blinded (the only mitigation 0.9 has).
    pub fn sign(s: &S, msg: &[u8]) -> Vec<u8> { s.0.sign_with_rng(&mut rand_core06::OsRng, msg).to_vec() }
    pub fn verify(v: &V, msg: &[u8], sig: &[u8]) -> bool { Signature::try_from(sig).map(|s| v.0.verify(msg, &s).is_ok()).unwrap_or(false) }
}

#[cfg(feature = "rsa10")]
pub mod imp {
    use rsa10::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa10::pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa10::signature::{SignatureEncoding, Signer, Verifier};
    use sha2_11::Sha256;
    pub struct S(SigningKey<Sha256>);
    pub struct V(VerifyingKey<Sha256>);
    pub fn signer(der: &[u8]) -> S { S(SigningKey::new(rsa10::PrivateKey::from_pkcs8_der(der).unwrap())) }
    pub fn verifier(der: &[u8]) -> V { V(VerifyingKey::new(rsa10::PublicKey::from_public_key_der(der).unwrap())) }
    // Signer::sign blinds with the OS RNG (getrandom feature).
    pub fn sign(s: &S, msg: &[u8]) -> Vec<u8> { s.0.sign(msg).to_vec() }
    pub fn verify(v: &V, msg: &[u8], sig: &[u8]) -> bool { Signature::try_from(sig).map(|s| v.0.verify(msg, &s).is_ok()).unwrap_or(false) }
}

#[cfg(feature = "ring")]
pub mod imp {
    use ring::rand::SystemRandom;
    use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
    pub struct S(RsaKeyPair, SystemRandom);
    pub struct V(Vec<u8>);
    pub fn signer(der: &[u8]) -> S { S(RsaKeyPair::from_pkcs8(der).unwrap(), SystemRandom::new()) }
    // ring takes the PKCS#1 RSAPublicKey: the SPKI's BIT STRING content (fixed 24-byte header for RSA-2048).
    pub fn verifier(der: &[u8]) -> V { V(der[24..].to_vec()) }
    pub fn sign(s: &S, msg: &[u8]) -> Vec<u8> {
        let mut out = vec![0; s.0.public().modulus_len()];
        s.0.sign(&signature::RSA_PKCS1_SHA256, &s.1, msg, &mut out).unwrap();
        out
    }
    pub fn verify(v: &V, msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &v.0).verify(msg, sig).is_ok()
    }
}

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Signer(imp::S);
#[wasm_bindgen]
impl Signer {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Signer { Signer(imp::signer(&key_der())) }
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> { imp::sign(&self.0, msg) }
}
#[wasm_bindgen]
pub struct Verifier(imp::V);
#[wasm_bindgen]
impl Verifier {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Verifier { Verifier(imp::verifier(&pub_der())) }
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool { imp::verify(&self.0, msg, sig) }
}

#[cfg(not(any(feature = "rsa09", feature = "rsa10", feature = "ring")))]
pub mod imp {
    use sha2_11::{Digest, Sha256};
    pub struct S;
    pub struct V;
    pub fn signer(_: &[u8]) -> S { S }
    pub fn verifier(_: &[u8]) -> V { V }
    pub fn sign(_: &S, msg: &[u8]) -> Vec<u8> { Sha256::digest(msg).to_vec() }
    pub fn verify(_: &V, msg: &[u8], sig: &[u8]) -> bool { Sha256::digest(msg).as_slice() == sig }
}
