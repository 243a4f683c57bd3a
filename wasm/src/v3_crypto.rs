//! The host's crypto for `wxpay/v3` (part of export group `v3`): the core is built without a
//! backend of its own (`wxpay/v3-rules`), and this installs `node:crypto` as its
//! [`HostCrypto`] when the module is instantiated. OpenSSL's RSA and AES-GCM, not ring's
//! compiled to WebAssembly: several times faster (BENCHMARKS.md), and ring and rsa are not in
//! the `.wasm`. What the core checks (PEM, DER, key sizes, which error) it still checks: this
//! file only carries bytes to `v3_crypto.js` and back, and a JS exception becomes the answer
//! the core turns into its error (never the exception's text, which may describe a key).

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wxpay::v3::crypto::{HostCrypto, HostKey};

#[wasm_bindgen(module = "/src/v3_crypto.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = importPrivateKey)]
    fn import_private_key(der: &[u8], pkcs8: bool) -> Result<u32, JsValue>;
    #[wasm_bindgen(catch, js_name = importPublicKey)]
    fn import_public_key(pkcs1: &[u8]) -> Result<u32, JsValue>;
    #[wasm_bindgen(js_name = releaseKey)]
    fn release_key(key: u32);
    #[wasm_bindgen(catch, js_name = rsaSign)]
    fn rsa_sign(key: u32, message: &[u8]) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(js_name = rsaVerify)]
    fn rsa_verify(key: u32, message: &[u8], signature: &[u8]) -> bool;
    #[wasm_bindgen(catch, js_name = oaepEncrypt)]
    fn oaep_encrypt(key: u32, plaintext: &[u8]) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(catch, js_name = oaepDecrypt)]
    fn oaep_decrypt(key: u32, ciphertext: &[u8]) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(catch, js_name = aesGcmOpen)]
    fn aes_gcm_open(key: &[u8], nonce: &[u8], aad: &[u8], data: &[u8]) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(catch, js_name = aesGcmSeal)]
    fn aes_gcm_seal(key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Uint8Array, JsValue>;
}

/// `node:crypto`, through `v3_crypto.js`.
struct NodeCrypto;

fn bytes(out: Result<Uint8Array, JsValue>) -> Option<Vec<u8>> {
    out.ok().map(|b| b.to_vec())
}

impl HostCrypto for NodeCrypto {
    fn import_private_key(&self, der: &[u8], pkcs8: bool) -> Option<HostKey> {
        import_private_key(der, pkcs8).ok()
    }

    fn import_public_key(&self, pkcs1: &[u8]) -> Option<HostKey> {
        import_public_key(pkcs1).ok()
    }

    fn release(&self, key: HostKey) {
        release_key(key);
    }

    fn rsa_sha256_sign(&self, key: HostKey, message: &[u8]) -> Option<Vec<u8>> {
        bytes(rsa_sign(key, message))
    }

    fn rsa_sha256_verify(&self, key: HostKey, message: &[u8], signature: &[u8]) -> bool {
        rsa_verify(key, message, signature)
    }

    fn rsa_oaep_sha1_encrypt(&self, key: HostKey, plaintext: &[u8]) -> Option<Vec<u8>> {
        bytes(oaep_encrypt(key, plaintext))
    }

    fn rsa_oaep_sha1_decrypt(&self, key: HostKey, ciphertext: &[u8]) -> Option<Vec<u8>> {
        bytes(oaep_decrypt(key, ciphertext))
    }

    fn aes_256_gcm_open(&self, key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        bytes(aes_gcm_open(key, nonce, aad, data))
    }

    fn aes_256_gcm_seal(&self, key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
        bytes(aes_gcm_seal(key, nonce, aad, plaintext))
    }
}

static NODE_CRYPTO: NodeCrypto = NodeCrypto;

/// Installs `node:crypto` as the core's crypto, if it is not yet. Called by every export that
/// reads a key or decrypts with one it is handed: `new Merchant`, `new KeySet`, `new KeyStore`
/// and `decryptResource` (everything else that holds a key got it from one of them). Not a
/// `#[wasm_bindgen(start)]` function: wasm-bindgen exports those to JS too, and the API is
/// checked export by export (node/test/v3.test.js). A new export that reads keys calls it too;
/// without it the core answers `INVALID_KEY` ("no crypto host installed").
pub(crate) fn install() {
    wxpay::v3::crypto::install(&NODE_CRYPTO);
}
