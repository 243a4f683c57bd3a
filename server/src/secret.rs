//! Secrets of the server side: the AppSecret (jscode2session) and a user's session_key.
//! Like the core's `ApiKey`, `Debug` and `Display` print `***` and there is no `Serialize`.

use core::fmt;

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps the value. It can only be read back with [`Self::expose`].
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The value itself: only for the one place that must send or store it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("***")
            }
        }
    };
}

secret!(
    /// The mini-program's AppSecret, sent only to `jscode2session`.
    AppSecret
);
secret!(
    /// A user's `session_key` from `jscode2session`: kept on the server, never answered.
    SessionKey
);
secret!(
    /// The bearer token that protects the admin endpoints (issue #5).
    AdminToken
);

/// Replaces every occurrence of each secret in `text` by `***` (the last line of defence in the
/// log writer; code must not log secrets in the first place).
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = AppSecret::new("0123456789abcdef0123456789abcdef");
        assert_eq!(format!("{s:?}"), "AppSecret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn scrub_replaces_every_secret() {
        let out = scrub("a=SECRETVALUE1&b=OTHERSECRET2 SECRETVALUE1", &["SECRETVALUE1".into(), "OTHERSECRET2".into()]);
        assert_eq!(out, "a=***&b=*** ***");
    }
}
