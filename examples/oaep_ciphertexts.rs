//! Encrypts sensitive fields with wxpay (RSA-OAEP, SHA-1) to the test WeChat Pay public key and
//! to the test platform certificate, through the key-set rule and an abnormal refund, and writes
//! them as JSON, for an outside tool to decrypt:
//!
//! ```sh
//! cargo run -q --example oaep_ciphertexts > target/oaep-from-wxpay.json
//! scripts/make-v3-vectors --decrypt-check target/oaep-from-wxpay.json
//! ```
//!
//! (`scripts/test-core vectors` does this.) The keys are test keys made by
//! scripts/make-v3-vectors, never a merchant's.

use wxpay::v3::{AbnormalRefundRequest, KeySet};

const WECHATPAY_PUBLIC_KEY: &str = include_str!("../tests/data/v3_test_wechatpay_public_key.pem");
const PLATFORM_CERT: &str = include_str!("../tests/data/v3_test_platform_cert.pem");
const PUB_KEY_ID: &str = "PUB_KEY_ID_0119000001202611230000000000000000";
const NOW: u64 = 1_795_000_000;

fn main() -> Result<(), wxpay::Error> {
    let mut public_key = KeySet::new();
    public_key.add_public_key(PUB_KEY_ID, WECHATPAY_PUBLIC_KEY)?;
    let mut certificate = KeySet::new();
    certificate.add_certificate_pem(PLATFORM_CERT)?;

    let mut out = Vec::new();
    for keys in [&public_key, &certificate] {
        let encryptor = keys.field_encryptor(NOW)?;
        for text in ["张三", "欧阳娜娜·买买提艾力", "6222021234567890123", ""] {
            let ciphertext = encryptor.encrypt("real_name", &text.into())?;
            out.push(serde_json::json!({"serial": encryptor.serial(), "plaintext": text, "ciphertext": ciphertext}));
        }
        let refund = AbnormalRefundRequest::user_bank_card(
            "50000408942026112307145868882",
            "R20261123000001",
            "ICBC_DEBIT",
            "6222021234567890123",
            "张三",
        )
        .encrypt(keys, NOW)?;
        for (text, ciphertext) in [("6222021234567890123", refund.bank_account()), ("张三", refund.real_name())] {
            out.push(serde_json::json!({"serial": refund.serial(), "plaintext": text, "ciphertext": ciphertext}));
        }
    }
    println!("{}", serde_json::json!({ "ciphertexts": out }));
    Ok(())
}
