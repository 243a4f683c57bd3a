//! The server's layers, checked on its sources: a handler under `src/http/` reads the request,
//! calls a service and shapes the answer. It never writes SQL, and never calls a storage method
//! that writes; every write goes through a service (`checkout.rs`, `refunds.rs`,
//! `back_office.rs`, …).
//!
//! A storage method writes when its body begins a write transaction, runs a statement with
//! `.execute(`, moves a row (`transition`, `apply`, the paid writer), or calls another write
//! method of its handle: read from `src/db/` itself, so a new write method is covered without a
//! list to keep. Storage is reached through a handle per table (`db.orders()`, `db.claims()`, …,
//! named in `src/db/mod.rs`), so a write is named by its handle and method.

use std::collections::{BTreeMap, BTreeSet};
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

/// The handle accessors of `src/db/mod.rs`: handle type → accessor (`Orders` → `orders`).
fn handles() -> BTreeMap<String, String> {
    let (_, text) = sources("src/db").into_iter().find(|(p, _)| p.ends_with("db/mod.rs")).unwrap();
    let mut found = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        // `pub fn orders(&self) -> orders::Orders<'_> {`
        let Some(rest) = line.strip_prefix("pub fn ") else { continue };
        let Some((accessor, ty)) = rest.split_once("(&self) -> ") else { continue };
        if let Some(ty) = ty.strip_suffix("<'_> {") {
            found.insert(ty.rsplit("::").next().unwrap().to_owned(), accessor.to_owned());
        }
    }
    found
}

/// The function starting at `start`, to the brace that closes its body (braces in its strings
/// come in pairs: `{COLUMNS}`, `{{`).
fn body_at(text: &str, start: usize) -> &str {
    let open = start + text[start..].find('{').unwrap();
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..=open + i];
                }
            }
            _ => {}
        }
    }
    &text[start..]
}

/// The handle methods of `src/db/` whose bodies write, as `(accessor, method)`: `("orders", "close")`.
fn write_methods() -> BTreeSet<(String, String)> {
    const WRITES: [&str; 6] = ["begin_write", ".execute(", "transition(", "apply(", "paid_writer", "mark_paid_on("];
    let handles = handles();
    // (accessor, method) → its body.
    let mut bodies = BTreeMap::new();
    for (_, text) in sources("src/db") {
        // Private helpers too (a move's `step`): a public method calling one writes.
        for (start, _) in text.match_indices("async fn ") {
            let body = body_at(&text, start);
            let name: String = body["async fn ".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // A method is indented in its `impl`; a free function is not.
            let line = text[..start].rfind('\n').map_or(0, |i| i + 1);
            if !text[line..].starts_with("    ") {
                continue;
            }
            // The handle: the `impl Name<'_>` this method sits in.
            let Some(imp) = text[..start].rfind("\nimpl ") else { continue };
            let ty: String = text[imp + "\nimpl ".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if let Some(accessor) = handles.get(&ty) {
                bodies.insert((accessor.clone(), name), body.to_owned());
            }
        }
    }
    let mut found: BTreeSet<(String, String)> =
        bodies.iter().filter(|(_, body)| WRITES.iter().any(|w| body.contains(w))).map(|(m, _)| m.clone()).collect();
    // A method that calls a write method of its own handle writes too.
    loop {
        let more: Vec<(String, String)> = bodies
            .iter()
            .filter(|(m, body)| !found.contains(*m) && found.iter().any(|(a, w)| *a == m.0 && body.contains(&format!("self.{w}("))))
            .map(|(m, _)| m.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        found.extend(more);
    }
    found
}

fn write(accessor: &str, method: &str) -> (String, String) {
    (accessor.to_owned(), method.to_owned())
}

#[test]
fn handlers_never_write_storage_directly() {
    let writes = write_methods();
    for expected in [
        write("products", "change_stock"),
        write("refunds", "insert"),
        write("refunds", "approve"),
        write("orders", "insert"),
        write("orders", "close"),
        write("claims", "release"),
    ] {
        assert!(writes.contains(&expected), "{expected:?} not found among {writes:?}");
    }
    assert!(!writes.contains(&write("orders", "get")), "{writes:?}");
    let mut offences = Vec::new();
    for (path, text) in sources("src/http") {
        let name = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
        if text.contains("sqlx") {
            offences.push(format!("{name}: uses sqlx"));
        }
        // Without whitespace, so a chain split over lines is still one chain.
        let code: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for (accessor, m) in &writes {
            if code.contains(&format!(".{accessor}().{m}(")) {
                offences.push(format!("{name}: calls the storage write {accessor}().{m}"));
            }
        }
        // A handle kept in a variable would hide its calls from the above.
        for accessor in handles().values() {
            if code.contains(&format!("=state.db.{accessor}();")) {
                offences.push(format!("{name}: keeps the storage handle {accessor}() (call it in place)"));
            }
        }
    }
    assert!(offences.is_empty(), "handlers that write storage themselves (move it into a service):\n{}", offences.join("\n"));
}
