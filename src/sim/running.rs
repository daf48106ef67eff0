//! The emulator on a background task, for tests and the demo: [`spawn`] binds
//! `127.0.0.1:0`, [`spawn_on`] takes a bound listener, and dropping the handle stops it.

use super::dataset::DataSet;
use super::{serve_state, SimConfig, SimState};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// An emulator running on a background task; stopped when dropped.
#[derive(Debug)]
pub struct RunningSim {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its state, for counters and issued credentials.
    pub state: Arc<SimState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningSim {
    /// Stops serving and waits for the server to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the emulator on an already bound `listener`, on a background task.
pub fn spawn_on(
    listener: TcpListener,
    config: SimConfig,
    data: DataSet,
) -> std::io::Result<RunningSim> {
    let addr = listener.local_addr()?;
    let state = Arc::new(SimState::new(config, &data));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve_state(listener, state.clone(), async move {
        let _ = rx.await;
    }));
    Ok(RunningSim {
        addr,
        url: format!("http://{addr}"),
        state,
        stop: Some(tx),
        task: Some(task),
    })
}

/// Starts the emulator on `127.0.0.1` and a free port, on a background task.
pub async fn spawn(config: SimConfig, data: DataSet) -> std::io::Result<RunningSim> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    spawn_on(listener, config, data)
}
