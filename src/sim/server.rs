//! The emulator's HTTP side: its routes, the handler that answers every RPC call by the
//! operation [`operations::find`] names, and the server loop over a bound listener.

use super::auth::{authenticate, ApiRequest};
use super::error::{ApiError, DEFAULT_PRODUCT};
use super::operation::Handler;
use super::operations;
use super::{control, echo, imds, SimConfig, SimState};
use crate::sim::dataset::DataSet;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::serve::ListenerExt as _;
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::net::TcpListener;

async fn api_handler(
    State(state): State<Arc<SimState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string().to_ascii_uppercase();
    let host_id = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("actiontrail.cn-hangzhou.aliyuncs.com")
        .to_owned();
    let req = ApiRequest::new(method.as_str(), uri.path(), uri.query(), headers, body);
    let action = req.action().unwrap_or("").to_owned();
    state.count_request(&action);
    let product = operations::find(&action).map_or(DEFAULT_PRODUCT, |op| op.api.product);
    let answered = dispatch(&state, &req, &action).await;
    state.count_answer(&action, answered.as_ref().err().map(|e| e.code.as_str()));
    match answered {
        Ok(mut answer) => {
            if let Some(map) = answer.as_object_mut() {
                map.insert("RequestId".into(), json!(request_id));
            }
            axum::Json(answer).into_response()
        }
        Err(e) => {
            tracing::debug!(action, code = %e.code, "answering with an error");
            e.to_response(&request_id, &host_id, product)
        }
    }
}

/// Answers `req` with the operation its Action names: the faults its API draws, then its
/// Version, then (unless the request itself is the proof) its signature, then the answer.
async fn dispatch(state: &SimState, req: &ApiRequest, action: &str) -> Result<Value, ApiError> {
    let Some(op) = operations::find(action) else {
        return Err(unknown_action(action));
    };
    if op.api.faults {
        if !state.config.latency.is_zero() {
            tokio::time::sleep(state.config.latency).await;
        }
        if let Some(fault) = state.draw_fault() {
            return Err(fault);
        }
    }
    check_version(req, op.api.version)?;
    match op.handler {
        Handler::Signed(answer) => {
            let principal = authenticate(state, req)?;
            // Flow control counts calls per caller account, which only a verified
            // signature names.
            state.flow_control.admit(
                &principal.account_id,
                op.action,
                std::time::Instant::now(),
            )?;
            answer(state, &req.params, &principal)
        }
        Handler::Unsigned(answer) => answer(state, &req.params),
    }
}

fn unknown_action(action: &str) -> ApiError {
    if action.is_empty() {
        ApiError::bad_request(
            "MissingParameter",
            "The input parameter \"Action\" that is mandatory for processing this request is not supplied.",
        )
    } else {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            format!(
                "Specified api {} is not found, please check your url and method.",
                echo(action)
            ),
        )
    }
}

fn check_version(req: &ApiRequest, want: &str) -> Result<(), ApiError> {
    match req.version() {
        Some(v) if v == want => Ok(()),
        Some(v) => Err(ApiError::bad_request(
            "InvalidVersion",
            format!("Specified parameter Version {v:?} is not valid; this API is version {want}."),
        )),
        None => Err(ApiError::bad_request(
            "MissingParameter",
            "The input parameter \"Version\" that is mandatory for processing this request is not supplied.",
        )),
    }
}

async fn not_found(uri: Uri) -> Response {
    let id = uuid::Uuid::new_v4().to_string().to_ascii_uppercase();
    ApiError::new(
        StatusCode::NOT_FOUND,
        "InvalidUri.NotFound",
        format!(
            "Specified path {} is not found; the API is served at /.",
            echo(uri.path())
        ),
    )
    .to_response(&id, "actiontrail-sim", DEFAULT_PRODUCT)
}

/// The emulator's routes over `state`.
pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/", any(api_handler))
        .route("/__sim/stats", get(control::stats))
        .route("/__sim/reset", post(control::reset))
        .route("/__sim/use", post(control::record_use))
        .route("/__sim/config", post(control::configure))
        .merge(imds::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Serves the emulator on `listener` until `shutdown` completes.
pub async fn serve<F>(
    listener: TcpListener,
    config: SimConfig,
    data: DataSet,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let state = Arc::new(SimState::new(config, &data));
    serve_state(listener, state, shutdown).await
}

pub(crate) async fn serve_state<F>(
    listener: TcpListener,
    state: Arc<SimState>,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let connections = state.connections.clone();
    let listener = listener.tap_io(move |stream| {
        // Clients measure latency per request; Nagle would add 40 ms to small answers.
        let _ = stream.set_nodelay(true);
        connections.fetch_add(1, Ordering::Relaxed);
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
