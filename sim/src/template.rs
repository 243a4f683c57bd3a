//! A state directory made once and copied into many: the CA, the certificates and the RSA keys
//! of every key mode, which a simulator otherwise generates at each first start (about 0.8 s).
//! Test suites that start a simulator per test make one template per process and give each test
//! a copy (`server/tests/it`, `sim/tests/it`: [`copy_template`]). Each copy is a simulator's own
//! state from then on; the copies share throwaway keys. The template has no `port` file, so each
//! copy picks a free port.

use std::path::Path;

use tempfile::TempDir;
use tokio::sync::OnceCell;

use crate::error::{Error, Result};
use crate::{Clock, KeyMode, SimConfig, Simulator};

/// Copies this process's template into `to` (a state directory to start a simulator in), making
/// the template first, in a new directory under `keep_in`, at the process's first call. The
/// template stays for the life of the process.
///
/// # Errors
/// As [`make_template`] and [`copy_state`], or no directory can be made under `keep_in`.
pub async fn copy_template(keep_in: &Path, to: &Path) -> Result<()> {
    static TEMPLATE: OnceCell<TempDir> = OnceCell::const_new();
    let template = TEMPLATE
        .get_or_try_init(|| async {
            let dir = tempfile::tempdir_in(keep_in).map_err(Error::file(keep_in))?;
            make_template(dir.path()).await?;
            Ok::<_, Error>(dir)
        })
        .await?;
    copy_state(template.path(), to)
}

/// Makes a template in `dir`: a simulator with the keys of every mode (`switchover` holds the
/// public key and the certificates) starts there once and stops.
///
/// # Errors
/// As [`Simulator::start`], or the `port` file cannot be removed.
async fn make_template(dir: &Path) -> Result<()> {
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
fn copy_state(from: &Path, to: &Path) -> Result<()> {
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
