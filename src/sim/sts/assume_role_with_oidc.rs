//! `AssumeRoleWithOIDC`: a role's temporary credentials in exchange for an OIDC token from
//! a provider of the data set, reading what that provider's entry lists.

use super::{
    assumed_role_user, credentials_json, duration, mandatory, role_arn, session_name, API,
};
use crate::sim::dataset::OidcProvider;
use crate::sim::error::ApiError;
use crate::sim::operation::{Operation, Params};
use crate::sim::SimState;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The operation's route.
pub const OPERATION: Operation = Operation::unsigned("AssumeRoleWithOIDC", &API, answer);

/// Answers AssumeRoleWithOIDC, which is not signed: the token is the proof. It must come
/// from a provider of the data set, be a JWT with that provider's issuer and one of its
/// audiences, and not have expired.
fn answer(state: &SimState, params: &Params) -> Result<Value, ApiError> {
    let provider_arn = mandatory(params, "OIDCProviderArn")?;
    let arn = mandatory(params, "RoleArn")?;
    let token = mandatory(params, "OIDCToken")?;
    let (account, role) = role_arn(arn)?;
    let provider = state.oidc_provider(provider_arn).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.OIDCProvider",
            format!("The OIDC provider {provider_arn} does not exist."),
        )
    })?;
    if !provider_arn.starts_with(&format!("acs:ram::{account}:")) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            "The role and the OIDC provider are in different accounts; the role's trust policy cannot name the provider.",
        ));
    }
    check_token(token, &provider, state.now().unix_timestamp())?;
    let session = session_name(params)?;
    let duration = duration(params)?;
    let cred = state.issue_temporary(
        Duration::from_secs(duration),
        account,
        &format!("{role}:{session}"),
        provider.readable_accounts.clone(),
    );
    Ok(json!({
        "AssumedRoleUser": assumed_role_user(account, role, session, arn),
        "OIDCTokenInfo": { "Issuer": provider.issuer, "ClientIds": provider.client_ids.join(",") },
        "Credentials": credentials_json(&cred),
    }))
}

/// The JWT's claims, unverified: the emulator holds no signing keys.
fn check_token(token: &str, provider: &OidcProvider, now: i64) -> Result<(), ApiError> {
    use base64::Engine as _;
    let invalid = |why: &str| {
        ApiError::bad_request(
            "AuthenticationFail.OIDCToken.Invalid",
            format!("The OIDC token is invalid: {why}."),
        )
    };
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err(invalid("it is not a JSON Web Token"));
    };
    let claims: Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("its payload is not base64url JSON"))?;
    if claims["iss"].as_str() != Some(provider.issuer.as_str()) {
        return Err(invalid("its issuer is not the OIDC provider's"));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences
        .iter()
        .any(|a| provider.client_ids.iter().any(|c| c == a))
    {
        return Err(invalid(
            "its audience is not a client id of the OIDC provider",
        ));
    }
    match claims["exp"].as_i64() {
        Some(exp) if exp > now => Ok(()),
        Some(_) => Err(ApiError::bad_request(
            "AuthenticationFail.OIDCToken.Expired",
            "This JsonWebToken is expired.",
        )),
        None => Err(invalid("it has no exp")),
    }
}
