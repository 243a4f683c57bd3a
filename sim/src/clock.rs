//! The simulator's clock: wall-clock milliseconds, shiftable by tests, or borrowed from the
//! program that embeds the simulator (a test harness whose server shares one shifted clock).

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type Source = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Milliseconds since the Unix epoch. Cheap to clone; clones share the offset.
#[derive(Clone, Default)]
pub struct Clock {
    source: Option<Source>,
    offset_ms: Arc<AtomicI64>,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock").field("external", &self.source.is_some()).field("offset_ms", &self.offset_ms).finish()
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock::default()
    }

    /// A clock that reads `now_ms` (e.g. the embedding program's shiftable clock).
    pub fn from_fn(now_ms: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Clock { source: Some(Arc::new(now_ms)), offset_ms: Arc::default() }
    }

    /// Milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        let base = match &self.source {
            Some(f) => f(),
            None => SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0),
        };
        base + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Seconds since the epoch.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Moves this clock (and every clone) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}
