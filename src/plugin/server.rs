//! The gRPC server: the provider's protocol service beside go-plugin's health, controller,
//! stdio and broker services, on a listener it is given, over TLS when configured.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tonic::{Request, Response, Status, Streaming};

use crate::model::Provider;
use crate::tfproto::proto::plugin as pb;
use crate::tfproto::{Tfplugin5, Tfplugin6};

/// The Terraform plugin protocol major version to serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// tfplugin5.
    V5,
    /// tfplugin6.
    V6,
}

impl Protocol {
    /// The version number, as the handshake line writes it.
    pub fn number(self) -> u32 {
        match self {
            Protocol::V5 => 5,
            Protocol::V6 => 6,
        }
    }
}

/// A one-way "stop now" flag that any number of tasks can wait on.
#[derive(Clone)]
pub struct Stop {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Stop {
    fn default() -> Self {
        Stop {
            tx: Arc::new(watch::channel(false).0),
        }
    }
}

impl Stop {
    /// Raises the flag.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Resolves once the flag is raised.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            // An error means the sender is gone, which also means "stop".
            let _ = rx.wait_for(|stopped| *stopped).await;
        }
    }
}

/// What the server accepts connections on: a unix socket or a TCP port.
pub enum Listener {
    /// A unix socket (go-plugin's transport on Linux and macOS).
    #[cfg(unix)]
    Unix(tokio::net::UnixListener),
    /// A TCP port (go-plugin's transport on Windows).
    Tcp(TcpListener),
}

#[cfg(unix)]
impl From<tokio::net::UnixListener> for Listener {
    fn from(listener: tokio::net::UnixListener) -> Listener {
        Listener::Unix(listener)
    }
}

impl From<TcpListener> for Listener {
    fn from(listener: TcpListener) -> Listener {
        Listener::Tcp(listener)
    }
}

impl Listener {
    /// The next connection, and who it is from (for the log).
    async fn accept(&self) -> std::io::Result<(Box<dyn Io>, String)> {
        match self {
            #[cfg(unix)]
            Listener::Unix(l) => Ok((Box::new(l.accept().await?.0), "unix socket".into())),
            Listener::Tcp(l) => {
                let (stream, peer) = l.accept().await?;
                // gRPC's small frames go out as written, as Go's net package does.
                stream.set_nodelay(true)?;
                Ok((Box::new(stream), format!("tcp {peer}")))
            }
        }
    }
}

/// A connection's byte stream, whatever carries it: unix, TCP, or TLS over either.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Serves `provider` over `protocol` on `listener` until `shutdown` resolves or the client
/// calls `plugin.GRPCController/Shutdown`. With `tls`, every connection must complete that
/// TLS handshake (client certificate included) before it reaches gRPC.
pub async fn run(
    provider: Arc<dyn Provider>,
    protocol: Protocol,
    listener: impl Into<Listener>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), std::io::Error> {
    let stop = Stop::default();
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            stop.trigger();
        });
    }

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let mut routes = vec![
        route(health_service),
        route(pb::grpc_controller_server::GrpcControllerServer::new(
            Controller { stop: stop.clone() },
        )),
        route(pb::grpc_stdio_server::GrpcStdioServer::new(Stdio {
            stop: stop.clone(),
        })),
        route(pb::grpc_broker_server::GrpcBrokerServer::new(Broker {
            stop: stop.clone(),
        })),
    ];
    routes.push(match protocol {
        Protocol::V5 => route(Tfplugin5::new(provider).into_server()),
        Protocol::V6 => route(Tfplugin6::new(provider).into_server()),
    });
    let routes: Arc<[Route]> = routes.into();

    let mut incoming = accept(listener.into(), tls, stop.clone());
    let mut connections = tokio::task::JoinSet::new();
    let stopped = stop.wait();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => break,
            conn = incoming.recv() => match conn {
                Some(conn) => {
                    connections.spawn(serve_connection(conn, routes.clone(), stop.clone()));
                }
                None => break,
            },
        }
    }
    // Each connection finishes its calls in flight (the Shutdown reply among them) and
    // closes; Terraform closes its own at once, but a client that lingers must not keep
    // the process alive.
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(2), drained)
        .await
        .is_err()
    {
        tracing::warn!("connections still open two seconds after shutdown; closing them");
        connections.abort_all();
    }
    Ok(())
}

/// One gRPC connection, HTTP/2 only as gRPC is, until it ends or the server stops.
async fn serve_connection(conn: Box<dyn Io>, routes: Arc<[Route]>, stop: Stop) {
    let service = hyper::service::service_fn(move |req| dispatch(routes.clone(), req));
    let connection = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
        .serve_connection(hyper_util::rt::TokioIo::new(conn), service);
    tokio::pin!(connection);
    let stopped = stop.wait();
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended");
            }
            return;
        }
        () = stopped => {}
    }
    connection.as_mut().graceful_shutdown();
    if let Err(e) = connection.await {
        tracing::debug!(error = %e, "connection ended");
    }
}

type GrpcRequest = tonic::codegen::http::Request<hyper::body::Incoming>;
type GrpcResponse = tonic::codegen::http::Response<tonic::body::Body>;
type Handler =
    Box<dyn Fn(GrpcRequest) -> Pin<Box<dyn Future<Output = GrpcResponse> + Send>> + Send + Sync>;

/// A gRPC service by its full name (`plugin.GRPCController`), as request paths start.
struct Route {
    name: &'static str,
    handler: Handler,
}

/// Routes `/NAME/Method` to the generated server for `NAME`. (tonic's own router would
/// bring axum into the provider binary for five fixed prefixes.)
fn route<S>(service: S) -> Route
where
    S: tonic::server::NamedService
        + tonic::codegen::Service<GrpcRequest, Response = GrpcResponse, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    Route {
        name: S::NAME,
        handler: Box::new(move |req| {
            let mut service = service.clone();
            Box::pin(async move {
                let ready = std::future::poll_fn(|cx| service.poll_ready(cx)).await;
                let answer = match ready {
                    Ok(()) => service.call(req).await,
                    Err(never) => Err(never),
                };
                match answer {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            })
        }),
    }
}

async fn dispatch(routes: Arc<[Route]>, req: GrpcRequest) -> Result<GrpcResponse, Infallible> {
    let name = req
        .uri()
        .path()
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .map(|(service, _)| service);
    match routes.iter().find(|r| Some(r.name) == name) {
        Some(route) => Ok((route.handler)(req).await),
        None => {
            let status = Status::unimplemented(format!(
                "unknown service {}",
                crate::model::cty::clip(name.unwrap_or(""))
            ));
            Ok(status.into_http())
        }
    }
}

/// Accepts connections and completes their TLS handshakes off the accept loop, so that a
/// slow or refused client does not hold up the next.
fn accept(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
    stop: Stop,
) -> mpsc::Receiver<Box<dyn Io>> {
    let (tx, rx) = mpsc::channel::<Box<dyn Io>>(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        let stopped = stop.wait();
        tokio::pin!(stopped);
        loop {
            let (stream, peer) = tokio::select! {
                () = &mut stopped => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                },
            };
            let tx = tx.clone();
            match &acceptor {
                None => {
                    let _ = tx.send(stream).await;
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let handshake = acceptor.accept(stream);
                        match tokio::time::timeout(Duration::from_secs(10), handshake).await {
                            Ok(Ok(tls)) => {
                                tracing::debug!(peer, "admitted a client over mTLS");
                                let _ = tx.send(Box::new(tls)).await;
                            }
                            Ok(Err(e)) => tracing::warn!(peer, error = %e, "refused a connection"),
                            Err(_) => tracing::warn!("TLS handshake timed out"),
                        }
                    });
                }
            }
        }
    });
    rx
}

/// `plugin.GRPCController`: Terraform's "you may exit now".
struct Controller {
    stop: Stop,
}

#[tonic::async_trait]
impl pb::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        tracing::debug!("shutdown requested");
        // The reply goes out before the server stops: graceful shutdown lets in-flight
        // calls finish.
        self.stop.trigger();
        Ok(Response::new(pb::Empty {}))
    }
}

type Pending<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that sends nothing and ends when the server stops.
fn until_stopped<T: Send + 'static>(stop: &Stop) -> Pending<T> {
    Box::pin(futures::stream::once(stop.wait()).filter_map(|()| async { None }))
}

/// `plugin.GRPCStdio`: the provider writes nothing to stdout or stderr but logs, which go
/// straight to stderr, so the stream stays empty.
struct Stdio {
    stop: Stop,
}

#[tonic::async_trait]
impl pb::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = Pending<pb::StdioData>;

    async fn stream_stdio(
        &self,
        _: Request<pb::Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(until_stopped(&self.stop)))
    }
}

/// `plugin.GRPCBroker`: this provider opens no further connections; the stream is
/// accepted so that clients which start it see no error.
struct Broker {
    stop: Stop,
}

#[tonic::async_trait]
impl pb::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = Pending<pb::ConnInfo>;

    async fn start_stream(
        &self,
        _: Request<Streaming<pb::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(until_stopped(&self.stop)))
    }
}
