//! v3 property tests: sign → verify and encrypt → decrypt hold for arbitrary input, and any
//! change breaks them.
// proptest is a native-only dev-dependency; `wasm-pack test` builds every test target for wasm32.
#![cfg(all(feature = "v3", not(target_arch = "wasm32")))]

mod kat_v3;

use proptest::prelude::*;
use wxpay::v3::{self, ApiV3Key, EncryptedResource, KeySet, MerchantKey, PaymentParams, PublicKey, SignatureHeaders};
use wxpay::Error;

const NOW: u64 = 1_795_000_000;

fn wechat_key() -> MerchantKey {
    MerchantKey::from_pem(kat_v3::WECHATPAY_KEY).unwrap()
}

fn keys() -> KeySet {
    let mut k = KeySet::new();
    k.add_public_key("PUB_KEY_ID_01", kat_v3::WECHATPAY_PUBLIC_KEY).unwrap();
    k
}

fn api_v3_key() -> impl Strategy<Value = ApiV3Key> {
    "[0-9A-Za-z]{32}".prop_map(|k| ApiV3Key::new(&k).unwrap())
}

proptest! {
    // RSA signing takes milliseconds: fewer cases than the v2 properties.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn sign_then_verify_round_trips(body in prop::collection::vec(any::<u8>(), 0..600), skew in -300i64..=300, nonce in "[0-9A-Za-z]{1,32}", flip in any::<prop::sample::Index>()) {
        let timestamp = NOW.checked_add_signed(skew).unwrap().to_string();
        let signature = wechat_key().sign(&v3::response_message(&timestamp, &nonce, &body)).unwrap();
        let h = SignatureHeaders { timestamp, nonce, signature, serial: "PUB_KEY_ID_01".into() };
        prop_assert_eq!(keys().verify(&h, &body, NOW), Ok(()));
        if !body.is_empty() {
            let mut tampered = body.clone();
            let at = flip.index(body.len());
            tampered[at] ^= 0x01;
            prop_assert_eq!(keys().verify(&h, &tampered, NOW), Err(Error::SignatureMismatch));
        }
    }

    #[test]
    fn request_signature_verifies_with_merchant_public_key(path in "/v3/[a-z/_-]{0,40}", body in "\\PC{0,200}", nonce in "[0-9A-Za-z]{1,32}", ts in 0u64..4_000_000_000) {
        let m = kat_v3::merchant();
        let auth = m.authorization("POST", &path, ts, &nonce, &body).unwrap();
        let sig = auth.split("signature=\"").nth(1).unwrap().split('"').next().unwrap();
        let message = v3::request_message("POST", &path, ts, &nonce, &body).unwrap();
        use base64::Engine as _;
        let sig = base64::engine::general_purpose::STANDARD.decode(sig).unwrap();
        let public = PublicKey::from_pem(kat_v3::MERCHANT_PUBLIC_KEY).unwrap();
        prop_assert!(public.verify(message.as_bytes(), &sig));
        let longer = format!("{} ", message);
        prop_assert!(!public.verify(longer.as_bytes(), &sig));
    }

    #[test]
    fn pay_sign_round_trips(prepay in "wx[0-9a-z]{1,60}", ts in 0u64..4_000_000_000, nonce in "[0-9A-Za-z]{1,32}") {
        let key = MerchantKey::from_pem(kat_v3::MERCHANT_KEY).unwrap();
        let p = PaymentParams::new("wx2421b1c4370ec43b", &prepay, &key, ts, &nonce).unwrap();
        let back: PaymentParams = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        prop_assert_eq!(back.verify("wx2421b1c4370ec43b", &key.public_key()), Ok(()));
        prop_assert_eq!(back.verify("wx2421b1c4370ec43c", &key.public_key()), Err(Error::SignatureMismatch));
    }
}

proptest! {
    #[test]
    fn encrypt_then_decrypt_round_trips(key in api_v3_key(), plain in prop::collection::vec(any::<u8>(), 0..2000), nonce in "[0-9A-Za-z]{12}", ad in "[a-z_]{0,16}", flip in any::<prop::sample::Index>(), other in api_v3_key()) {
        let r = EncryptedResource::encrypt(&key, &plain, &nonce, &ad, "transaction").unwrap();
        prop_assert_eq!(r.decrypt(&key).unwrap(), plain.clone());
        // Any changed ciphertext byte, or another key, fails the tag.
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut ct = b64.decode(&r.ciphertext).unwrap();
        let at = flip.index(ct.len());
        ct[at] ^= 0x80;
        let tampered = EncryptedResource { ciphertext: b64.encode(&ct), ..r.clone() };
        prop_assert_eq!(tampered.decrypt(&key), Err(Error::AeadTagMismatch));
        if other != key {
            prop_assert_eq!(r.decrypt(&other), Err(Error::AeadTagMismatch));
        }
    }
}
