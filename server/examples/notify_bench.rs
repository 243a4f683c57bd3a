//! Fixtures and the anchor of the notify benchmark (`scripts/bench server`):
//!
//! - `seed DB_URL N BODIES_FILE`: N unpaid orders of 100 fen, and one signed payment notify per
//!   order, one XML document a line, for wrk to post (`server/bench/notify.lua`).
//! - `count DB_URL`: how many orders are PAID, and how many `order.paid` audit rows exist.
//! - `reset DB_URL`: removes the bench's orders and their audit rows (before measuring a second
//!   server on the same database).
//! - `commit-rate DB_URL SECONDS [BATCH]`: the raw durable-commit rate of the same SQLite file
//!   with the server's settings (WAL, SQLite's default synchronous=FULL): one small transaction
//!   (an update and an audit insert, like a paid notify) after another on one connection; with
//!   BATCH > 1, that many update + insert pairs a transaction, printed as pairs/s (the ceiling
//!   of group commit at that batch size).
//!
//! The key is the fixed test key of `scripts/bench`; nothing here is a real secret.

use std::io::Write as _;
use std::time::{Duration, Instant};

use sqlx::Connection as _;
use wxpay::{ApiKey, SignType};
use wxpay_server::db::orders::NewOrder;
use wxpay_server::db::Backend;
use wxpay_server::Db;
use wxpay_sim::PaidNotify;

#[path = "../tests/it/common/fixtures.rs"]
mod fixtures;

const KEY: &str = "BenchKey0123456789abcdefABCDEF01";
const APPID: &str = "wxbench000000000";
const MCH_ID: &str = "1900000109";
const OPENID: &str = "oBenchOpenid000000000000000";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["seed", url, n, out] => seed(url, n.parse().expect("N"), out).await,
        ["count", url] => count(url).await,
        ["reset", url] => reset(url).await,
        ["commit-rate", url, secs] => commit_rate(url, secs.parse().expect("SECONDS"), 1).await,
        ["commit-rate", url, secs, batch] => commit_rate(url, secs.parse().expect("SECONDS"), batch.parse().expect("BATCH")).await,
        _ => {
            eprintln!("usage: notify_bench seed DB_URL N FILE | count DB_URL | reset DB_URL | commit-rate DB_URL SECONDS [BATCH]");
            std::process::exit(2);
        }
    }
}

fn order_no(i: usize) -> String {
    format!("BENCH{i:010}")
}

async fn seed(url: &str, n: usize, out: &str) {
    let db = Db::connect(url).await.expect("database");
    let now = 1_800_000_000_000i64;
    let key = ApiKey::new(KEY).unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).expect("bodies file"));
    // SQLite has one writer: inserting one after another is fastest. PostgreSQL commits
    // concurrent transactions together: 16 inserting tasks.
    let workers = if db.backend() == Backend::Sqlite { 1 } else { 16 };
    let mut pending: Vec<Vec<NewOrder>> = (0..workers).map(|_| Vec::new()).collect();
    for i in 0..n {
        let no = order_no(i);
        let order = fixtures::unpaid_order(&no, OPENID, 100, now);
        pending[i % workers].push(order);
        let body = PaidNotify {
            appid: APPID,
            mch_id: MCH_ID,
            openid: OPENID,
            out_trade_no: &no,
            total_fee: 100,
            transaction_id: &format!("42000000{i:020}"),
            time_end: "20270115081500",
            attach: None,
            nonce_str: "5d2b6c2a8db53831f7eda20af46e531c",
        }
        .xml(&key, SignType::Md5);
        writeln!(file, "{body}").unwrap();
    }
    file.flush().unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for orders in pending {
        let db = db.clone();
        tasks.spawn(async move {
            for order in orders {
                db.orders().insert(&order, "bench").await.expect("insert order");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("seeding task");
    }
    db.close().await;
}

async fn count(url: &str) {
    let db = Db::connect(url).await.expect("database");
    let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'PAID'").fetch_one(db.pool()).await.unwrap();
    let audits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'order.paid'").fetch_one(db.pool()).await.unwrap();
    println!("{paid} {audits}");
    db.close().await;
}

/// Removes what `seed` and the runs wrote (the bench's orders and their audit rows), so that a
/// second server can be measured on the same database.
async fn reset(url: &str) {
    let db = Db::connect(url).await.expect("database");
    sqlx::query("DELETE FROM audit_log WHERE entity = 'order' AND entity_id LIKE 'BENCH%'").execute(db.pool()).await.unwrap();
    sqlx::query("DELETE FROM orders WHERE out_trade_no LIKE 'BENCH%'").execute(db.pool()).await.unwrap();
    db.close().await;
}

async fn commit_rate(url: &str, seconds: u64, batch: u64) {
    let db = Db::connect(url).await.expect("database");
    let mut conn = db.pool().acquire().await.unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").execute(&mut *conn).await.unwrap();
    sqlx::query("INSERT INTO bench_commit (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING").execute(&mut *conn).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut pairs = 0u64;
    let start = Instant::now();
    while Instant::now() < deadline {
        let mut tx = conn.begin().await.unwrap();
        for _ in 0..batch.max(1) {
            sqlx::query("UPDATE bench_commit SET n = n + 1 WHERE id = 1").execute(&mut *tx).await.unwrap();
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, from_status, to_status, detail) \
                 VALUES ($1, 'bench', 'bench.commit', 'bench', 'x', NULL, NULL, NULL)",
            )
            .bind(pairs as i64)
            .execute(&mut *tx)
            .await
            .unwrap();
            pairs += 1;
        }
        tx.commit().await.unwrap();
    }
    println!("{:.0}", pairs as f64 / start.elapsed().as_secs_f64());
}
