//! Log output: `tracing` to stderr through a writer that blanks every known secret. That is
//! the last line of defence; the code never logs a secret in the first place (a test captures
//! everything at TRACE without this writer and searches it).

use std::io::Write;
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::secret::scrub;

/// Makes one [`Line`] per event.
#[derive(Clone)]
pub struct Scrubbed(Arc<Vec<String>>);

/// One formatted event, written scrubbed when dropped.
pub struct Line(Vec<u8>, Arc<Vec<String>>);

impl Write for Line {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = scrub(&String::from_utf8_lossy(&self.0), &self.1);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

impl<'a> MakeWriter<'a> for Scrubbed {
    type Writer = Line;
    fn make_writer(&'a self) -> Line {
        Line(Vec::new(), self.0.clone())
    }
}

/// Installs the global subscriber: `RUST_LOG` if set, else `default`; `secrets` are blanked.
pub fn init(secrets: Vec<String>, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(Scrubbed(Arc::new(secrets))).try_init();
}
