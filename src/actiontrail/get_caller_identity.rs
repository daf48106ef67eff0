//! STS GetCallerIdentity (2015-04-01): whose credentials the provider signs with. The
//! organisation read asks it once, to know which listed member is the caller's own account
//! (the management account), which is read with the caller's credentials rather than a role.
//! Read strictly: an answer without an AccountId is an error, never a guess.

use super::client::{Client, Service};
use super::service::Operation;
use super::error::Error;
use super::list_users::{require_request_id, untrusted};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The operation.
pub const ACTION: &str = "GetCallerIdentity";

/// The operation, as a policy grants it: `sts:GetCallerIdentity`, which every identity may
/// call without a grant.
pub(crate) const OPERATION: Operation = Operation::new(Service::Sts, ACTION).open_to_all();

/// Whether `s` is an Alibaba Cloud account id as STS and Resource Directory write one: 1
/// to 32 ASCII digits. Whatever names an account (the caller's, a member's, an argument's)
/// is held to this one rule, as it is compared with the others and written into role ARNs.
pub fn is_account_id(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Who signed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    /// The request id.
    pub request_id: String,
    /// The caller's account.
    pub account_id: String,
    /// The caller's ARN, e.g. `acs:ram::<account>:user/<name>`.
    pub arn: Option<String>,
    /// `Account`, `RAMUser` or `AssumedRoleUser`.
    pub identity_type: Option<String>,
}

impl Client {
    /// STS GetCallerIdentity for the credentials this client signs with.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, Error> {
        let who: CallerIdentity = self
            .call_strict(OPERATION, BTreeMap::new())
            .await?;
        require_request_id(ACTION, &who.request_id)?;
        if !is_account_id(&who.account_id) {
            return Err(untrusted(
                ACTION,
                &who.request_id,
                "AccountId is not an account id (digits)",
            ));
        }
        Ok(who)
    }
}
