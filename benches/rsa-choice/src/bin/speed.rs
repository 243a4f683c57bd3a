//! Native sign and verify times of the backend chosen by feature, on the JSAPI-order request of
//! tests/data/v3_vectors.json; the signature must equal the one Python's cryptography made.
use std::time::Instant;

fn main() {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/v3_vectors.json")).unwrap()).unwrap();
    let case = &v["requests"][1];
    let (msg, expected) = (case["message"].as_str().unwrap(), case["signature"].as_str().unwrap());
    let s = rsa_choice::imp::signer(&rsa_choice::key_der());
    let k = rsa_choice::imp::verifier(&rsa_choice::pub_der());
    let sig = rsa_choice::imp::sign(&s, msg.as_bytes());
    use base64::Engine as _;
    assert_eq!(base64::engine::general_purpose::STANDARD.encode(&sig), expected, "signature differs from Python cryptography's");
    assert!(rsa_choice::imp::verify(&k, msg.as_bytes(), &sig));
    let med = |f: &dyn Fn(), n: u32| {
        let mut t: Vec<f64> = (0..7)
            .map(|_| {
                let a = Instant::now();
                for _ in 0..n {
                    f()
                }
                a.elapsed().as_secs_f64() * 1e6 / f64::from(n)
            })
            .collect();
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        t[3]
    };
    let sign = med(&|| drop(std::hint::black_box(rsa_choice::imp::sign(&s, std::hint::black_box(msg.as_bytes())))), 40);
    let verify = med(&|| assert!(rsa_choice::imp::verify(&k, std::hint::black_box(msg.as_bytes()), &sig)), 400);
    println!("native sign {sign:.0} µs, verify {verify:.1} µs");
}
