//! The ECS instance metadata service's RAM role endpoints (normally at 100.100.100.200):
//! the IMDSv2 session token, the attached role's name and its temporary credentials.

use super::{dataset, lock, random_string, SimState, TempCredential};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;

const TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";

/// The metadata service's paths.
pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/latest/api/token", put(token))
        .route("/latest/meta-data/ram/security-credentials/", get(roles))
        .route(
            "/latest/meta-data/ram/security-credentials/{role}",
            get(credentials),
        )
}

impl SimState {
    /// The metadata service's credentials for `role`: the same ones until a quarter of an
    /// hour before they expire, then new ones.
    pub fn imds_credential(&self, role: &str) -> TempCredential {
        let mut current = lock(&self.imds_credential);
        let fresh = |c: &TempCredential| c.expires - self.now() > time::Duration::minutes(15);
        if let Some(c) = current.as_ref().filter(|c| fresh(c)) {
            return c.clone();
        }
        let c = self.issue_temporary(
            Duration::from_secs(3600),
            dataset::ACME_ACCOUNT,
            &format!("{role}:i-bp1sim0instance01"),
            vec!["*".into()],
        );
        *current = Some(c.clone());
        c
    }

    /// A metadata session token valid for `ttl`.
    pub fn issue_imds_token(&self, ttl: Duration) -> String {
        let token = random_string(56);
        let now = self.now();
        lock(&self.imds_tokens).insert(&[&token], now + ttl, now);
        token
    }

    /// Whether `token` is a live metadata session token.
    pub fn imds_token_valid(&self, token: &str) -> bool {
        lock(&self.imds_tokens).contains(&[token], self.now())
    }
}

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
