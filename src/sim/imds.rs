//! The ECS instance metadata service's RAM role endpoints (normally at 100.100.100.200):
//! the IMDSv2 session token, the attached role's name and its temporary credentials.

use super::SimState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

const TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";

/// PUT /latest/api/token: a session token valid for the requested 1-21600 seconds.
pub async fn token(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    let ttl = headers
        .get(TTL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| (1..=21600).contains(n));
    match ttl {
        Some(ttl) => state
            .issue_imds_token(Duration::from_secs(ttl))
            .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            format!("{TTL_HEADER} must be an integer from 1 to 21600"),
        )
            .into_response(),
    }
}

fn check_token(state: &SimState, headers: &HeaderMap) -> Result<(), (StatusCode, &'static str)> {
    match headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        Some(t) if state.imds_token_valid(t) => Ok(()),
        Some(_) => Err((
            StatusCode::UNAUTHORIZED,
            "invalid or expired metadata token",
        )),
        None if state.config.imds_require_token => Err((
            StatusCode::FORBIDDEN,
            "this instance requires IMDSv2: PUT /latest/api/token first",
        )),
        None => Ok(()),
    }
}

/// GET /latest/meta-data/ram/security-credentials/: the attached role's name.
pub async fn roles(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    if let Err(r) = check_token(&state, &headers) {
        return r.into_response();
    }
    state.config.imds_role.clone().into_response()
}

/// GET /latest/meta-data/ram/security-credentials/ROLE: the role's temporary credentials.
pub async fn credentials(
    State(state): State<Arc<SimState>>,
    Path(role): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check_token(&state, &headers) {
        return r.into_response();
    }
    if role != state.config.imds_role {
        return (StatusCode::NOT_FOUND, "404 - Not Found").into_response();
    }
    let cred = state.imds_credential(&role);
    let mut body = super::sts::credentials_json(&cred);
    if let Some(map) = body.as_object_mut() {
        map.insert(
            "LastUpdated".into(),
            serde_json::json!(super::iso_seconds(state.now())),
        );
        map.insert("Code".into(), serde_json::json!("Success"));
    }
    axum::Json(body).into_response()
}
