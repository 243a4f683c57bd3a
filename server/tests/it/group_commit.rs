//! Payments committed together (`db/paid_writer.rs`) keep each payment's own outcome:
//! concurrent first notifies and duplicates each move their order once, one failing record in a
//! batch fails alone, and a payment judged in the batch (the read, the core's rule and the write
//! in one transaction) gets the verdict and the write it would get alone.

use std::collections::HashMap;
use std::future::Future;

use wxpay::acceptance::{PaymentReport, PaymentVerdict};
use wxpay::{Fen, SignType};
use wxpay_server::db::audit::AuditRow;
use wxpay_server::db::orders::{NewOrder, OrderStatus, PaidOutcome, PaidRecord};
use wxpay_server::db::{Judge, PaymentApplied};
use wxpay_server::error::Result;
use wxpay_server::Db;

use crate::common::fixtures;

pub(crate) fn order(no: &str) -> NewOrder {
    fixtures::unpaid_order(no, "oGroupCommit00000000000000", 1800, 1_800_000_000_000)
}

async fn db_with_orders(n: usize) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display())).await.unwrap();
    insert_orders(&db, n).await;
    (dir, db)
}

/// Orders `G00000`, `G00001`, … unpaid.
pub(crate) async fn insert_orders(db: &Db, n: usize) {
    for i in 0..n {
        db.orders().insert(&order(&format!("G{i:05}")), "test").await.unwrap();
    }
}

pub(crate) fn tx_id(i: usize) -> String {
    format!("4200000000{i:018}")
}

/// Every order's notify three times, all at once, interleaved across the `n` orders, each
/// submitted by `submit(db, order number, index)`, which says whether that copy moved its order
/// (and panics on an outcome that must not happen). Asserts that each order moved exactly once
/// and is PAID with its own transaction.
async fn each_moves_once<F, Fut>(db: &Db, n: usize, submit: F)
where
    F: Fn(Db, String, usize) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for _copy in 0..3 {
        for i in 0..n {
            let no = format!("G{i:05}");
            let moved = submit(db.clone(), no.clone(), i);
            tasks.spawn(async move { (no, moved.await) });
        }
    }
    let mut applied: HashMap<String, usize> = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        let (no, moved) = done.unwrap();
        if moved {
            *applied.entry(no).or_default() += 1;
        }
    }
    assert_eq!(applied.len(), n, "every order applied");
    assert!(applied.values().all(|&n| n == 1), "each order applied exactly once");
    for i in 0..n {
        let o = db.orders().get(&format!("G{i:05}")).await.unwrap().unwrap();
        assert_eq!((o.status, o.transaction_id.as_deref()), (OrderStatus::Paid, Some(tx_id(i).as_str())));
    }
}

/// The order's one `order.paid` audit row.
async fn paid_audit(db: &Db, no: &str) -> AuditRow {
    let mut paid: Vec<_> = db.audit().of("order", no).await.unwrap().into_iter().filter(|a| a.action == "order.paid").collect();
    assert_eq!(paid.len(), 1, "{no}: one order.paid audit row");
    paid.remove(0)
}

/// Orders G00000..G00099 paid all at once, so that they share batches, while order 50 reports
/// the transaction_id already recorded for order 100 (UNIQUE refuses it); each is submitted by
/// `submit(db, order number, transaction_id)`, which answers `Ok` when it was applied, the error
/// otherwise (and panics on an outcome that must not happen). Asserts that only order 50 failed,
/// that it changed nothing, and that every other order is PAID; returns the database.
async fn only_the_conflict_fails<F, Fut, E>(submit: F) -> (tempfile::TempDir, Db)
where
    F: Fn(Db, String, String) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Send + 'static,
{
    let (dir, db) = db_with_orders(101).await;
    db.orders().mark_paid("G00100", &tx_id(100), "20270115081500", 1, "wechat:notify", "body").await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..100 {
        let t = if i == 50 { tx_id(100) } else { tx_id(i) };
        let outcome = submit(db.clone(), format!("G{i:05}"), t);
        tasks.spawn(async move { (i, outcome.await.is_err()) });
    }
    let mut failed = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (i, is_err) = done.unwrap();
        if is_err {
            failed.push(i);
        }
    }
    assert_eq!(failed, vec![50], "only the conflicting payment fails");
    assert_eq!(db.orders().get("G00050").await.unwrap().unwrap().status, OrderStatus::Notpay, "and changes nothing");
    for i in (0..100).filter(|&i| i != 50) {
        assert_eq!(db.orders().get(&format!("G{i:05}")).await.unwrap().unwrap().status, OrderStatus::Paid);
    }
    (dir, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_notifies_and_duplicates_each_move_their_order_once() {
    let (_dir, db) = db_with_orders(200).await;
    each_moves_once(&db, 200, |db, no, i| async move {
        match db.orders().mark_paid(&no, &tx_id(i), "20270115081500", 1_800_000_100_000, "wechat:notify", "body").await.unwrap() {
            PaidOutcome::Applied { from: OrderStatus::Notpay, .. } => true,
            PaidOutcome::AlreadyPaid { same_transaction: true } => false,
            other => panic!("{no}: unexpected {other:?}"),
        }
    })
    .await;
    for i in 0..200 {
        paid_audit(&db, &format!("G{i:05}")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_record_fails_alone_and_the_rest_of_its_batch_commits() {
    let (_dir, db) = only_the_conflict_fails(|db, no, t| async move {
        match db.orders().mark_paid(&no, &t, "20270115081500", 2, "wechat:notify", "body").await {
            Ok(PaidOutcome::Applied { .. }) => Ok(()),
            Ok(other) => panic!("{no}: unexpected {other:?}"),
            Err(e) => Err(e),
        }
    })
    .await;
    // Alone, the same record gets the database's own error, not a failed commit.
    let alone = db.orders().mark_paid("G00050", &tx_id(100), "20270115081500", 3, "wechat:notify", "body").await;
    assert!(matches!(alone, Err(wxpay_server::error::Error::Db(_))), "{alone:?}");
}

/// A payment judged by the core's rule inside the writer's batch (`judge_and_mark_paid`), as
/// the notify service submits it.
pub(crate) async fn judged(
    db: &Db,
    no: &str,
    transaction_id: &str,
    total_fee: u64,
    judge_hook: Option<Box<dyn FnOnce() + Send + Sync>>,
) -> Result<PaymentApplied> {
    let record = PaidRecord {
        no: no.into(),
        transaction_id: transaction_id.into(),
        time_end: "20270115081500".into(),
        now: 1_800_000_100_000,
        actor: "wechat:notify".into(),
        detail: "body".into(),
    };
    let (no, txn) = (no.to_owned(), transaction_id.to_owned());
    let judge: Judge = Box::new(move |order| {
        if let Some(hook) = judge_hook {
            hook();
        }
        let report = PaymentReport {
            out_trade_no: &no,
            paid: true,
            transaction_id: Some(&txn),
            total_fee: Some(Fen::new(total_fee)),
            openid: Some("oGroupCommit00000000000000"),
            sign_type: Some(SignType::Md5),
        };
        wxpay_server::acceptance::payment(order, &report)
    });
    db.orders().judge_and_mark_paid(record, judge).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn judged_notifies_and_duplicates_each_move_their_order_once() {
    let (_dir, db) = db_with_orders(200).await;
    each_moves_once(&db, 200, |db, no, i| async move {
        match judged(&db, &no, &tx_id(i), 1800, None).await.unwrap() {
            PaymentApplied::Paid(PaidOutcome::Applied { from: OrderStatus::Notpay, oversold: false }) => true,
            // A duplicate read after the first committed, or written after it in the same batch.
            PaymentApplied::Judged(PaymentVerdict::AlreadyRecorded)
            | PaymentApplied::Paid(PaidOutcome::AlreadyPaid { same_transaction: true }) => false,
            other => panic!("{no}: unexpected {other:?}"),
        }
    })
    .await;
    for i in 0..200 {
        let no = format!("G{i:05}");
        let o = db.orders().get(&no).await.unwrap().unwrap();
        assert!(o.paid_at.is_some() && o.time_end.as_deref() == Some("20270115081500"), "{no}: {o:?}");
        let a = paid_audit(&db, &no).await;
        assert_eq!(
            (a.actor.as_str(), a.from_status.as_deref(), a.to_status.as_deref(), a.detail.as_deref(), a.at),
            ("wechat:notify", Some("NOTPAY"), Some("PAID"), Some("body"), 1_800_000_100_000)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn judged_batch_keeps_each_verdict_and_writes_only_the_payments_to_record() {
    let (_dir, db) = db_with_orders(60).await;
    db.orders().close("G00059", 1_800_000_050_000, "test", "expired").await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in (0..60).chain([61]) {
        let db = db.clone();
        tasks.spawn(async move {
            // 10: a different amount; 61: no such order; 59: closed (recorded all the same).
            let fee = if i == 10 { 1 } else { 1800 };
            (i, judged(&db, &format!("G{i:05}"), &tx_id(i), fee, None).await.unwrap())
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (i, outcome) = done.unwrap();
        match (i, outcome) {
            (10, PaymentApplied::Judged(PaymentVerdict::Refuse(m))) => assert_eq!(m.code(), "TOTAL_FEE_MISMATCH"),
            (61, PaymentApplied::Judged(PaymentVerdict::Refuse(m))) => assert_eq!(m.code(), "ORDER_NOT_FOUND"),
            (59, PaymentApplied::Paid(PaidOutcome::Applied { from: OrderStatus::Closed, .. })) => {}
            (i, PaymentApplied::Paid(PaidOutcome::Applied { from: OrderStatus::Notpay, .. })) if ![10, 59, 61].contains(&i) => {}
            (i, other) => panic!("order {i}: unexpected {other:?}"),
        }
    }
    assert_eq!(db.orders().get("G00010").await.unwrap().unwrap().status, OrderStatus::Notpay, "a refused payment changes nothing");
    assert!(db.audit().of("order", "G00010").await.unwrap().iter().all(|a| a.action != "order.paid"));
    let closed = db.orders().get("G00059").await.unwrap().unwrap();
    assert_eq!((closed.status, closed.paid_after_close), (OrderStatus::Paid, true));
}

/// Another writer that closes the order while the batch judges its payment (on PostgreSQL, from
/// another connection: another instance) waits for the batch, which locked the order when it
/// read it, and then finds it PAID: the payment is written from NOTPAY, as judged, and the close
/// moves nothing. On SQLite this process's writers take turns, and the batch holds the turn.
pub(crate) async fn a_close_during_the_batch_waits_and_finds_the_order_paid(db: Db) {
    insert_orders(&db, 1).await;
    let closer = db.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let hook: Box<dyn FnOnce() + Send + Sync> = Box::new(move || {
        let close = tokio::spawn(async move { closer.orders().close("G00000", 1_800_000_050_000, "test", "expired").await });
        tx.send(close).unwrap();
    });
    let outcome = judged(&db, "G00000", &tx_id(0), 1800, Some(hook)).await.unwrap();
    assert_eq!(outcome, PaymentApplied::Paid(PaidOutcome::Applied { from: OrderStatus::Notpay, oversold: false }));
    let closed = rx.recv().unwrap().await.unwrap().unwrap();
    assert!(!closed.applied(), "the close moved a paid order: {closed:?}");
    let o = db.orders().get("G00000").await.unwrap().unwrap();
    assert_eq!((o.status, o.paid_after_close), (OrderStatus::Paid, false));
    paid_audit(&db, "G00000").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_judged_payment_fails_alone_and_the_rest_of_its_batch_commits() {
    only_the_conflict_fails(|db, no, t| async move {
        match judged(&db, &no, &t, 1800, None).await {
            Ok(PaymentApplied::Paid(PaidOutcome::Applied { .. })) => Ok(()),
            Ok(other) => panic!("{no}: unexpected {other:?}"),
            Err(e) => Err(e),
        }
    })
    .await;
}
