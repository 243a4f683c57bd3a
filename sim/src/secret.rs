//! A secret the simulator holds (the API key, the AppSecret): `Debug` and `Display` print `***`,
//! there is no `Serialize`; it is read back only with [`Secret::expose`].

use core::fmt;

/// A redacted text secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps the value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself: for signing, for comparing, and for the ready line the simulator's
    /// contract prints (throwaway credentials an SDK under test must be given).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
