//! When the server stops: Ctrl-C, or SIGTERM from a service manager. The requests in flight are
//! finished first (axum's graceful shutdown).

use std::future::Future;

/// Installs the SIGTERM and SIGINT handlers now and returns a future that ends at the first of
/// the two. Call it before anything prints or binds: a supervisor (or a test) may send SIGTERM as
/// soon as it sees the first line of output, and a signal that arrives before the handler kills
/// the process without the clean stop.
///
/// # Errors
/// The handlers cannot be installed.
pub fn stop_signals() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}
