//! What a database is for, `live` or `sandbox`: a sandbox never writes into a live database
//! (its made-up orders would mix with real ones), and a live server warns about a sandbox one.

use super::Db;
use crate::error::{Error, Result};

/// Who is opening the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `serve`: real WeChat, real money.
    Live,
    /// `serve --sandbox`: the simulator. `allow_live` is `--sandbox-allow-live-database`.
    Sandbox {
        /// Write into a database that a live server used (or one with orders of unknown origin).
        allow_live: bool,
    },
}

impl Db {
    /// Checks that `mode` may use this database, then records the mode if the database has
    /// none yet.
    ///
    /// # Errors
    /// [`Error::Config`] (naming `DATABASE_URL`) when a sandbox would write into a live database;
    /// database errors.
    pub async fn enter_mode(&self, mode: Mode) -> Result<()> {
        let stored = self.mode().await?;
        match mode {
            Mode::Sandbox { allow_live: false } => {
                let live = match stored.as_deref() {
                    Some("sandbox") => false,
                    Some(_) => true,
                    None => self.has_orders().await?,
                };
                if live {
                    return Err(Error::Config(
                        "invalid setting DATABASE_URL: it holds a live database (or one with orders of unknown origin); \
                         --sandbox will not write into it. Leave DATABASE_URL unset for a fresh one, or pass \
                         --sandbox-allow-live-database"
                            .into(),
                    ));
                }
            }
            Mode::Sandbox { allow_live: true } => {}
            Mode::Live => {
                if stored.as_deref() == Some("sandbox") {
                    tracing::warn!("DATABASE_URL holds a database used by --sandbox: its orders are not real");
                }
            }
        }
        self.set_mode_if_unset(if mode == Mode::Live { "live" } else { "sandbox" }).await
    }
}
