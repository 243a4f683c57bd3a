//! The merchant's private key read in Rust when the host computes: the host is handed a key the
//! core has accepted by ring's rules (PKCS#8 v1 with `rsaEncryption`, or PKCS#1, two primes,
//! a modulus of 2048 to 4096 bits, an odd public exponent from 65537 to 2^33 - 1, primes of half
//! the modulus' length and a multiple of 512 bits), so that a key is refused with the same error
//! on every backend. That the numbers belong together the host checks when it imports the key
//! ([`HostCrypto::import_private_key`](super::host::HostCrypto::import_private_key)).

use der::asn1::{OctetStringRef, UintRef};
use der::{Decode, Reader, SliceReader};
use spki::AlgorithmIdentifierRef;

use crate::v3::keys::RSA_ENCRYPTION;

/// The public half of an accepted private key.
pub(crate) struct RsaPublicParts {
    /// `RSAPublicKey` (PKCS#1) DER.
    pub(crate) pkcs1: Vec<u8>,
    /// The modulus' length in bytes.
    pub(crate) modulus_len: usize,
}

/// The `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo`, or `None`.
fn pkcs8_inner(der: &[u8]) -> Option<&[u8]> {
    let mut r = SliceReader::new(der).ok()?;
    let inner = r
        .sequence(|r| {
            // Version 1 (0): ring reads no other for RSA.
            if u8::decode(r)? != 0 {
                return Err(der::Tag::Integer.value_error().into());
            }
            let alg = AlgorithmIdentifierRef::decode(r)?;
            if alg.oid != RSA_ENCRYPTION || alg.parameters.is_some_and(|p| !p.is_null()) {
                return Err(der::Tag::ObjectIdentifier.value_error().into());
            }
            let key = <&OctetStringRef>::decode(r)?;
            Ok::<_, der::Error>(key.as_bytes())
        })
        .ok()?;
    r.finish().ok()?;
    Some(inner)
}

fn bit_len(n: UintRef<'_>) -> usize {
    n.as_bytes().first().map_or(0, |b| n.as_bytes().len() * 8 - b.leading_zeros() as usize)
}

/// The public half of a PKCS#8 (`pkcs8`) or PKCS#1 RSA private key, if the key passes the checks
/// of the module.
pub(crate) fn private_key(der: &[u8], pkcs8: bool) -> Option<RsaPublicParts> {
    let der = if pkcs8 { pkcs8_inner(der)? } else { der };
    let mut r = SliceReader::new(der).ok()?;
    let (n, e, p, q) = r
        .sequence(|r| {
            if u8::decode(r)? != 0 {
                return Err(der::Tag::Integer.value_error().into());
            }
            let n = UintRef::decode(r)?;
            let e = UintRef::decode(r)?;
            let _d = UintRef::decode(r)?;
            let p = UintRef::decode(r)?;
            let q = UintRef::decode(r)?;
            for _ in 0..3 {
                UintRef::decode(r)?;
            }
            Ok::<_, der::Error>((n, e, p, q))
        })
        .ok()?;
    r.finish().ok()?;
    let bits = bit_len(n);
    let e_bits = bit_len(e);
    let e_odd = e.as_bytes().last().is_some_and(|b| b & 1 == 1);
    let e_ok = e_odd && (17..=33).contains(&e_bits) && (e_bits > 17 || e.as_bytes() >= [1, 0, 1].as_slice());
    // ring's rules: primes of the same length, half the modulus', a multiple of 512 bits.
    let p_bits = bit_len(p);
    if !(2048..=4096).contains(&bits) || !e_ok || p_bits != bits.div_ceil(2) || bit_len(q) != p_bits || p_bits % 512 != 0 {
        return None;
    }
    Some(RsaPublicParts {
        pkcs1: tlv(0x30, &[tlv(0x02, &unsigned(n.as_bytes())), tlv(0x02, &unsigned(e.as_bytes()))].concat()),
        modulus_len: bits.div_ceil(8),
    })
}

/// Whether ring would verify with the `RSAPublicKey` `pkcs1` (sizes aside, which the core checks
/// when it reads the key): an odd modulus, an odd public exponent from 3 to 2^33 - 1. ring answers
/// "does not verify" for any other; OpenSSL would compute.
pub(crate) fn public_key_verifies(pkcs1: &[u8]) -> bool {
    let parts = SliceReader::new(pkcs1).and_then(|mut r| {
        let ne = r.sequence(|r| Ok::<_, der::Error>((UintRef::decode(r)?, UintRef::decode(r)?)))?;
        r.finish()?;
        Ok(ne)
    });
    let Ok((n, e)) = parts else { return false };
    let odd = |x: UintRef<'_>| x.as_bytes().last().is_some_and(|b| b & 1 == 1);
    odd(n) && odd(e) && (2..=33).contains(&bit_len(e)) && e.as_bytes() != [1]
}

/// A DER INTEGER's content for a non-negative number given without leading zeros.
fn unsigned(bytes: &[u8]) -> Vec<u8> {
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        [&[0], bytes].concat()
    } else {
        bytes.to_vec()
    }
}

/// Tag, DER length, content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}
