//! Payment notifies committed together on SQLite (`db/paid_writer.rs`) keep each notify's own
//! outcome: concurrent first notifies and duplicates each move their order once, and one
//! failing record in a batch fails alone.

use std::collections::HashMap;

use wxpay_server::db::orders::{NewOrder, OrderStatus, PaidOutcome};
use wxpay_server::Db;

use crate::common::fixtures;

fn order(no: &str) -> NewOrder {
    fixtures::unpaid_order(no, "oGroupCommit00000000000000", 1800, 1_800_000_000_000)
}

async fn db_with_orders(n: usize) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display())).await.unwrap();
    for i in 0..n {
        db.orders().insert(&order(&format!("G{i:05}")), "test").await.unwrap();
    }
    (dir, db)
}

fn tx_id(i: usize) -> String {
    format!("4200000000{i:018}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_notifies_and_duplicates_each_move_their_order_once() {
    let (_dir, db) = db_with_orders(200).await;
    let mut tasks = tokio::task::JoinSet::new();
    // Every order's notify three times, all at once, interleaved across orders.
    for copy in 0..3 {
        for i in 0..200 {
            let db = db.clone();
            tasks.spawn(async move {
                let no = format!("G{i:05}");
                let outcome = db.orders().mark_paid(&no, &tx_id(i), "20270115081500", 1_800_000_100_000, "wechat:notify", "body").await;
                (no, copy, outcome.unwrap())
            });
        }
    }
    let mut applied: HashMap<String, usize> = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        let (no, _, outcome) = done.unwrap();
        match outcome {
            PaidOutcome::Applied { from: OrderStatus::Notpay, .. } => *applied.entry(no).or_default() += 1,
            PaidOutcome::AlreadyPaid { same_transaction: true } => {}
            other => panic!("{no}: unexpected {other:?}"),
        }
    }
    assert_eq!(applied.len(), 200, "every order applied");
    assert!(applied.values().all(|&n| n == 1), "each order applied exactly once");
    for i in 0..200 {
        let no = format!("G{i:05}");
        let o = db.orders().get(&no).await.unwrap().unwrap();
        assert_eq!((o.status, o.transaction_id.as_deref()), (OrderStatus::Paid, Some(tx_id(i).as_str())));
        let paid = db.audit().of("order", &no).await.unwrap().into_iter().filter(|a| a.action == "order.paid").count();
        assert_eq!(paid, 1, "{no}: one order.paid audit row");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_record_fails_alone_and_the_rest_of_its_batch_commits() {
    let (_dir, db) = db_with_orders(101).await;
    db.orders().mark_paid("G00100", &tx_id(100), "20270115081500", 1, "wechat:notify", "body").await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..100 {
        let db = db.clone();
        // Order 50 reports the transaction_id already recorded for order 100: UNIQUE refuses it.
        let t = if i == 50 { tx_id(100) } else { tx_id(i) };
        tasks.spawn(async move { (i, db.orders().mark_paid(&format!("G{i:05}"), &t, "20270115081500", 2, "wechat:notify", "body").await) });
    }
    let mut failed = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (i, outcome) = done.unwrap();
        match outcome {
            Ok(PaidOutcome::Applied { .. }) => assert_ne!(i, 50),
            Ok(other) => panic!("order {i}: unexpected {other:?}"),
            Err(_) => failed.push(i),
        }
    }
    assert_eq!(failed, vec![50], "only the conflicting record fails");
    assert_eq!(db.orders().get("G00050").await.unwrap().unwrap().status, OrderStatus::Notpay, "and changes nothing");
    // Alone, the same record gets the database's own error, not a failed commit.
    let alone = db.orders().mark_paid("G00050", &tx_id(100), "20270115081500", 3, "wechat:notify", "body").await;
    assert!(matches!(alone, Err(wxpay_server::error::Error::Db(_))), "{alone:?}");
    for i in (0..100).filter(|&i| i != 50) {
        assert_eq!(db.orders().get(&format!("G{i:05}")).await.unwrap().unwrap().status, OrderStatus::Paid);
    }
}
