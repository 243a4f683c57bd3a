//! A state directory made once and copied into many: the CA, the certificates and the RSA keys
//! of every key mode, which a simulator otherwise generates at each first start (about 0.8 s).
//! Test suites that start a simulator per test make one template per process and give each test
//! a copy (`server/tests/it`, `sim/tests`). Each copy is a simulator's own state from then on;
//! the copies share throwaway keys. The template has no `port` file, so each copy picks a free
//! port.

use std::path::Path;

use crate::error::{Error, Result};
use crate::{Clock, KeyMode, SimConfig, Simulator};

/// Makes a template in `dir`: a simulator with the keys of every mode (`switchover` holds the
/// public key and the certificates) starts there once and stops.
///
/// # Errors
/// As [`Simulator::start`], or the `port` file cannot be removed.
pub async fn make_template(dir: &Path) -> Result<()> {
    let mut config = SimConfig::new(dir);
    config.v3_keys = KeyMode::Switchover;
    Simulator::start(config, Clock::system()).await?.shutdown().await;
    let port = dir.join("port");
    std::fs::remove_file(&port).map_err(Error::file(port))
}

/// Copies the state directory `from` (a template) into `to`, folders included.
///
/// # Errors
/// A file that cannot be read or written.
pub fn copy_state(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(Error::file(to))?;
    for entry in std::fs::read_dir(from).map_err(Error::file(from))? {
        let entry = entry.map_err(Error::file(from))?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(Error::file(entry.path()))?.is_dir() {
            copy_state(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(Error::file(target))?;
        }
    }
    Ok(())
}
