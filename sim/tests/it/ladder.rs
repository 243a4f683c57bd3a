//! Payment notifies follow WeChat's retry ladder — 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/
//! 3h/3h/3h/6h/6h after the first delivery — divided by the time scale. The ladder is written
//! here again from WeChat's documentation (not taken from the simulator), and every attempt's
//! arrival at the merchant is held to it: never early, and late by at most a scheduling
//! tolerance (attempts are due at offsets from the first, so lateness does not add up).
//! Offsets are measured from just before the payment that starts the ladder, not from the
//! first arrival: the first delivery's own latency (a new connection) would otherwise make
//! every later attempt look early.

use crate::common;

use std::time::{Duration, Instant};

/// Seconds between attempts, from WeChat's documentation.
const LADDER: [u64; 15] = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

/// The milliseconds after the first attempt each attempt is due, at `scale`.
fn due_ms(scale: f64) -> Vec<f64> {
    let mut at = vec![0.0];
    for step in LADDER {
        at.push(at.last().unwrap() + step as f64 * 1000.0 / scale);
    }
    at
}

/// The offsets (ms) of the notifies' arrivals after `start` (taken just before the payment).
fn arrivals(r: &common::Receiver, start: Instant) -> Vec<f64> {
    let seen = r.seen.lock().unwrap();
    seen.iter().map(|(t, _)| t.duration_since(start).as_secs_f64() * 1000.0).collect()
}

/// The simulator's record of `out_trade_no`'s deliveries once it holds `n` attempts (or after
/// 5 s). It records an attempt when the merchant's answer is in, a moment after the receiver
/// saw the request, so reading it right after the receiver's count would race.
async fn recorded(s: &common::Sim, out_trade_no: &str, n: usize) -> Vec<wxpay_sim::Delivery> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let d = s.sim.deliveries(out_trade_no);
        if d.len() >= n || Instant::now() >= deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn assert_on_ladder(actual: &[f64], due: &[f64], early_ms: f64, late_ms: f64) {
    for (i, (a, d)) in actual.iter().zip(due).enumerate() {
        assert!(
            *a >= d - early_ms && *a <= d + late_ms,
            "attempt {} arrived at {a:.1} ms, due at {d:.1} ms (-{early_ms}/+{late_ms} ms); all: {actual:.1?}",
            i + 1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_retries_follow_the_ladder_at_a_hundredfold_speed() {
    // 15 s, 15 s, 30 s, 3 min at 100×: 150, 300, 600, 2400 ms. Refused four times, then SUCCESS.
    let s = common::start(100.0).await;
    let r = common::receiver(4).await;
    s.place("LADDER100", 100, &r.url).await;
    let start = Instant::now();
    s.pay("LADDER100").await;
    r.wait_for(5, Duration::from_secs(20)).await;
    let due = due_ms(100.0);
    assert_on_ladder(&arrivals(&r, start), &due[..5], 5.0, 120.0);
    // Acknowledged: no sixth attempt, as the simulator's own record says too.
    let d = recorded(&s, "LADDER100", 5).await;
    assert_eq!(
        d.iter().map(|d| (d.attempt, d.acknowledged)).collect::<Vec<_>>(),
        [(1, false), (2, false), (3, false), (4, false), (5, true)]
    );
    assert_eq!(d.iter().map(|d| d.due_offset_ms).collect::<Vec<_>>(), [0, 150, 300, 600, 2400]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_ladder_of_sixteen_attempts_at_ten_thousandfold_speed() {
    // About 24 hours of WeChat's time in 8.7 s; never acknowledged.
    let s = common::start(10_000.0).await;
    let r = common::receiver(usize::MAX).await;
    s.place("LADDER10K", 100, &r.url).await;
    let start = Instant::now();
    s.pay("LADDER10K").await;
    r.wait_for(16, Duration::from_secs(30)).await;
    let due = due_ms(10_000.0);
    assert_on_ladder(&arrivals(&r, start), &due, 5.0, 250.0);
    // Every attempt is a fresh, valid notify of the same payment.
    let m = s.merchant();
    let bodies: Vec<String> = r.seen.lock().unwrap().iter().map(|(_, b)| b.clone()).collect();
    for b in &bodies {
        assert_eq!(m.verify_payment_notify(b.as_bytes()).unwrap().out_trade_no, "LADDER10K");
    }
    let nonces: std::collections::HashSet<_> =
        bodies.iter().map(|b| wxpay::xml::decode(b.as_bytes()).unwrap()["nonce_str"].clone()).collect();
    assert_eq!(nonces.len(), 16, "each attempt is nonced afresh");
    // The ladder is over: the simulator records exactly 16 attempts, none acknowledged. (It
    // records an attempt when the merchant's answer is in, a moment after the receiver saw it.)
    let d = recorded(&s, "LADDER10K", 16).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let d_after = s.sim.deliveries("LADDER10K");
    assert_eq!(d.len(), 16);
    assert_eq!(d_after.len(), 16, "no seventeenth attempt");
    assert!(d.iter().all(|d| !d.acknowledged));
}
