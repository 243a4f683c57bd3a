//! A TCP link on loopback between one server instance and the simulator's Pay API, that can be
//! cut: while `down`, new connections are accepted and reset at once (the request never reaches
//! WeChat: a network error for the caller). TLS passes through untouched.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt;

#[derive(Clone)]
pub struct Link(Arc<Inner>);

struct Inner {
    port: u16,
    target: Mutex<Option<SocketAddr>>,
    down: AtomicBool,
    refused: AtomicU32,
}

impl Link {
    pub async fn start() -> Link {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let inner = Arc::new(Inner {
            port: listener.local_addr().unwrap().port(),
            target: Mutex::new(None),
            down: AtomicBool::new(false),
            refused: AtomicU32::new(0),
        });
        let me = inner.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = *me.target.lock().unwrap();
                if me.down.load(Ordering::SeqCst) || target.is_none() {
                    me.refused.fetch_add(1, Ordering::SeqCst);
                    let _ = client.shutdown().await;
                    continue;
                }
                tokio::spawn(async move {
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(target.unwrap()).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
            }
        });
        Link(inner)
    }

    /// `https://127.0.0.1:PORT`: the simulator's certificate names 127.0.0.1, so TLS verifies.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.0.port)
    }

    pub fn set_target(&self, addr: SocketAddr) {
        *self.0.target.lock().unwrap() = Some(addr);
    }

    pub fn set_down(&self, down: bool) {
        self.0.down.store(down, Ordering::SeqCst);
    }

    /// Connections reset so far.
    pub fn refused(&self) -> u32 {
        self.0.refused.load(Ordering::SeqCst)
    }
}
