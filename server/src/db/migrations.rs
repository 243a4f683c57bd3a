//! The schema's migrations, embedded in the binary, one list per backend.
//!
//! Each entry is a file of `server/migrations/<backend>/`, read at compile time. sqlx's
//! `migrate!` macro would do this too, but it is a procedural macro that links the whole of
//! sqlx, both drivers and tokio a second time, compiled for the host: half a minute of every
//! cold build on two cores. The version, description and checksum are the ones `migrate!` gives
//! (the number before `_`, the rest with `_` as spaces, SHA-384 of the text), so a database
//! migrated by an earlier build is recognised. A test checks that the lists are the folders.

use std::borrow::Cow;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use super::Backend;
use crate::error::Result;

/// One migration file: its name and text.
type File = (&'static str, &'static str);

/// The migrations, by file name, the same in both folders (a backend's SQL differs, its
/// versions do not): one list, read from each folder at compile time.
macro_rules! migrations {
    ($($name:literal),* $(,)?) => {
        const SQLITE: &[File] = &[$(($name, include_str!(concat!("../../migrations/sqlite/", $name)))),*];
        const POSTGRES: &[File] = &[$(($name, include_str!(concat!("../../migrations/postgres/", $name)))),*];
    };
}

migrations!(
    "0001_init.sql",
    "0002_refunds.sql",
    "0003_money_safety.sql",
    "0004_stock.sql",
    "0005_back_office.sql",
    "0006_money_safety_2.sql",
    "0007_api_v3.sql",
);

fn files(backend: Backend) -> &'static [File] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// The migrator for `backend`, its migrations in the binary.
pub(super) async fn migrator(backend: Backend) -> Result<Migrator> {
    Ok(Migrator::new(Embedded(files(backend))).await?)
}

/// Embedded files as a source of migrations, the way sqlx reads a folder of them.
struct Embedded(&'static [File]);

impl std::fmt::Debug for Embedded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(name, _)| name)).finish()
    }
}

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> std::pin::Pin<Box<dyn Future<Output = std::result::Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async move { self.0.iter().map(|&(name, sql)| migration(name, sql)).collect() })
    }
}

/// `0004_stock.sql` → version 4, description "stock": sqlx's reading of a file name.
fn migration(name: &'static str, sql: &'static str) -> std::result::Result<Migration, BoxDynError> {
    let stem = name.strip_suffix(".sql").ok_or_else(|| format!("migration {name}: not a .sql file"))?;
    let (version, description) = stem.split_once('_').ok_or_else(|| format!("migration {name}: no <version>_<description>"))?;
    let version: i64 = version.parse().map_err(|_| format!("migration {name}: the version is not a number"))?;
    Ok(Migration::new(
        version,
        Cow::Owned(description.replace('_', " ")),
        MigrationType::Simple,
        Cow::Borrowed(sql),
        sql.starts_with("-- no-transaction"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files of `server/migrations/<dir>/`, sorted.
    fn folder(dir: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let mut names: Vec<String> = std::fs::read_dir(path).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        for (dir, files) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let embedded: Vec<String> = files.iter().map(|(name, _)| name.to_string()).collect();
            assert_eq!(embedded, folder(dir), "server/migrations/{dir}/ and db/migrations.rs differ");
        }
    }

    #[test]
    fn migrations_are_read_as_sqlx_reads_a_folder() {
        let m = migration("0004_stock_and_more.sql", "SELECT 1;").unwrap();
        assert_eq!((m.version, &*m.description), (4, "stock and more"));
        assert_eq!(m.migration_type, MigrationType::Simple);
        assert!(!m.no_tx);
        // sqlx's checksum: SHA-384 of the text.
        use sha2::Digest;
        assert_eq!(&*m.checksum, sha2::Sha384::digest(b"SELECT 1;").as_slice());
    }

    /// The first 8 bytes of each released migration's checksum, as databases in service hold
    /// them (read from `_sqlx_migrations` of a database the `migrate!` build made). A database
    /// refuses to start on a changed migration: add a new file instead of editing one.
    const RELEASED: &[(&str, &[&str])] = &[
        (
            "sqlite",
            &["5b1a8e6d342b9b77", "4c70be42a7cf6419", "87b82b6de022378c", "c592883107fc3476", "bcc8cab86cec54ce", "029447177320b11d"],
        ),
        (
            "postgres",
            &["61bdab3de12ed3ad", "d3203097416b6557", "ebfd0b9c4e6cd655", "1e986cf36710cb31", "d66b3544be0fed9c", "836252def153cd0b"],
        ),
    ];

    #[test]
    fn released_migrations_keep_the_checksums_databases_hold() {
        for (dir, released) in RELEASED {
            let files = if *dir == "sqlite" { SQLITE } else { POSTGRES };
            for (i, want) in released.iter().enumerate() {
                let (name, sql) = files[i];
                let m = migration(name, sql).unwrap();
                let got: String = m.checksum[..8].iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(&got, want, "{dir}/{name} changed after release");
                assert_eq!(m.version, i as i64 + 1);
            }
        }
    }

    #[test]
    fn a_file_without_a_version_is_refused() {
        assert!(migration("init.sql", "").is_err());
        assert!(migration("x_init.sql", "").is_err());
    }
}
