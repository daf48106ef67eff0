//! The emulator's own controls, not Alibaba's, which take no signature: `GET /__sim/stats`
//! and `POST /__sim/reset` read and zero its counters, `POST /__sim/use` records a use
//! of a key while it runs, and `POST /__sim/config` changes its flow control.

use super::api::NewUse;
use super::{lock_write, SimState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

impl SimState {
    /// Records `u` as happening now; `None` when the key is not in the data set.
    pub fn record_use(&self, u: &NewUse) -> Option<i64> {
        let now_ms = i64::try_from(self.now().unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        lock_write(&self.resolved).record_use(u, now_ms)
    }
}

/// `GET /__sim/stats`: the counters.
pub async fn stats(State(state): State<Arc<SimState>>) -> Response {
    axum::Json(state.stats()).into_response()
}

/// `POST /__sim/reset`: zeroes the counters and answers them.
pub async fn reset(State(state): State<Arc<SimState>>) -> Response {
    state.reset();
    axum::Json(state.stats()).into_response()
}

/// What `POST /__sim/config` may change.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Calls a second per caller account and Action; 0 turns flow control off.
    rate_limit: u32,
}

/// `POST /__sim/config` with `{"rate_limit": N}`: sets the flow control's rate (every
/// bucket starts afresh) and answers the counters, which name the rate in force; 422
/// (axum's answer) for a body that is not that.
pub async fn configure(
    State(state): State<Arc<SimState>>,
    axum::Json(settings): axum::Json<Settings>,
) -> Response {
    state.flow_control.set_rate(settings.rate_limit);
    tracing::info!(rate_limit = settings.rate_limit, "flow control set");
    axum::Json(state.stats()).into_response()
}

/// `POST /__sim/use` with `{"access_key_id": "...", "service_name", "event_name",
/// "source_ip", "region"}` (all but the key optional): 200 with the recorded time, 404 for
/// a key the data set does not hold, 400 for a field past its bound, 422 (axum's answer)
/// for a body that is not that.
pub async fn record_use(
    State(state): State<Arc<SimState>>,
    axum::Json(u): axum::Json<NewUse>,
) -> Response {
    if let Some(field) = u.too_long() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "error": format!(
                    "{field} is longer than {} characters",
                    super::api::MAX_USE_FIELD_CHARS
                ),
            })),
        )
            .into_response();
    }
    match state.record_use(&u) {
        Some(ms) => {
            tracing::info!(access_key_id = %u.access_key_id, service = %u.service_name, "recorded a use");
            axum::Json(json!({
                "access_key_id": u.access_key_id,
                "service_name": u.service_name,
                "used_timestamp": ms,
            }))
            .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({
                "error": format!("the data set holds no key {}", super::echo(&u.access_key_id)),
            })),
        )
            .into_response(),
    }
}
