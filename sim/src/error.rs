//! The simulator's one error type (start-up and the command line; the HTTP side answers
//! WeChat's codes instead).

use std::path::PathBuf;

/// What can stop the simulator from starting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file of the state directory.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The listening address.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Generating or loading certificates.
    #[error("certificates: {0}")]
    Pki(String),
    /// A credential or option that cannot be used (never carries a secret's value).
    #[error("invalid setting {name}: {reason}")]
    Setting {
        /// The variable or option.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// Anything else at start-up (the HTTP client for notifies).
    #[error("{0}")]
    Internal(String),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::File { path, source }
    }
}
