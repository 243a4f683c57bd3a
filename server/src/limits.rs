//! Limits against amplification: token buckets per client address and overall, on the server's
//! clock (so tests can move time). In memory, per instance: a login flood is answered before it
//! reaches jscode2session. (The order-detail throttle, which must hold across instances, is a
//! conditional update in the database instead.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::clock::Clock;

/// At most this many addresses are tracked; past it the fullest buckets are forgotten first.
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

impl Bucket {
    /// Refills at `per_minute`, up to `per_minute`, then takes one if there is one.
    fn take(&mut self, per_minute: u32, now_ms: i64) -> bool {
        let cap = f64::from(per_minute);
        let elapsed = (now_ms - self.at_ms).max(0) as f64;
        self.tokens = (self.tokens + elapsed * cap / 60_000.0).min(cap);
        self.at_ms = now_ms;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A per-address and a global budget of events per minute (bursts up to a minute's worth).
#[derive(Debug)]
pub struct RateLimit {
    per_address: u32,
    overall: u32,
    state: Mutex<(Bucket, HashMap<IpAddr, Bucket>)>,
}

impl RateLimit {
    /// `per_address` and `overall` events per minute (0: unlimited).
    pub fn new(per_address: u32, overall: u32) -> Self {
        let full = |n: u32| Bucket { tokens: f64::from(n), at_ms: i64::MIN / 2 };
        RateLimit { per_address, overall, state: Mutex::new((full(overall), HashMap::new())) }
    }

    /// Takes one event for `addr` now. `Err` says which limit was hit.
    ///
    /// # Errors
    /// `"address"` or `"overall"`.
    pub fn take(&self, addr: IpAddr, clock: &Clock) -> Result<(), &'static str> {
        let now = clock.now_ms();
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (global, per) = &mut *guard;
        if self.per_address > 0 {
            if per.len() >= MAX_TRACKED && !per.contains_key(&addr) {
                // Forget addresses whose buckets have refilled: they are as new ones.
                let cap = f64::from(self.per_address);
                per.retain(|_, b| b.tokens + (now - b.at_ms).max(0) as f64 * cap / 60_000.0 < cap);
            }
            let b = per.entry(addr).or_insert(Bucket { tokens: f64::from(self.per_address), at_ms: now });
            if !b.take(self.per_address, now) {
                return Err("address");
            }
        }
        if self.overall > 0 && !global.take(self.overall, now) {
            return Err("overall");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_then_refills() {
        let clock = Clock::system();
        let l = RateLimit::new(3, 100);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!((0..3).all(|_| l.take(a, &clock).is_ok()));
        assert_eq!(l.take(a, &clock), Err("address"));
        assert!(l.take(b, &clock).is_ok(), "another address has its own budget");
        clock.advance(std::time::Duration::from_secs(60));
        assert!(l.take(a, &clock).is_ok());
    }

    #[test]
    fn limits_overall() {
        let clock = Clock::system();
        let l = RateLimit::new(0, 2);
        let ok = (1..=3u8).filter(|i| l.take(IpAddr::from([192, 0, 2, *i]), &clock).is_ok()).count();
        assert_eq!(ok, 2);
    }
}
