//! The server's layers, checked on its sources: a handler under `src/http/` reads the request,
//! calls a service and shapes the answer. It never writes SQL, and never calls a storage method
//! that writes; every write goes through a service (`checkout.rs`, `refunds.rs`,
//! `back_office.rs`, …).
//!
//! A storage method writes when its body begins a write transaction, runs a statement with
//! `.execute(`, or moves a row (`transition`, `move_refund`, the paid writer): read from
//! `src/db/` itself, so a new write method is covered without a list to keep.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(p).unwrap())).collect()
}

/// The `pub async fn`s of `src/db/` whose bodies write.
fn write_methods() -> BTreeSet<String> {
    const WRITES: [&str; 6] = ["begin_write", ".execute(", "transition(", "move_refund(", "paid_writer", "mark_paid_on("];
    let mut found = BTreeSet::new();
    for (_, text) in sources("src/db") {
        let starts: Vec<usize> = text.match_indices("pub async fn ").map(|(i, _)| i).collect();
        for (k, &start) in starts.iter().enumerate() {
            let body = &text[start..starts.get(k + 1).copied().unwrap_or(text.len())];
            let name: String = body["pub async fn ".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if WRITES.iter().any(|w| body.contains(w)) {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn handlers_never_write_storage_directly() {
    let writes = write_methods();
    assert!(writes.contains("change_stock") && writes.contains("insert_refund") && !writes.contains("order"), "{writes:?}");
    let mut offences = Vec::new();
    for (path, text) in sources("src/http") {
        let name = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
        if text.contains("sqlx") {
            offences.push(format!("{name}: uses sqlx"));
        }
        for m in &writes {
            if text.contains(&format!(".db.{m}(")) {
                offences.push(format!("{name}: calls the storage write {m}"));
            }
        }
    }
    assert!(offences.is_empty(), "handlers that write storage themselves (move it into a service):\n{}", offences.join("\n"));
}
