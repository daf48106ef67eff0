//! ActionTrail 2020-07-06: what its five operations share. The data set's usage records are
//! resolved once, at start-up, into the items the operations answer with (each operation's
//! file writes its own item's fields), each list most recent first. A query names a key with
//! `AccessKey`, which the caller must be allowed to read; Ips, Resources and Events page
//! through one service's list with an opaque NextToken.

/// Declares a listing operation's route, `OPERATION`: its Action, the answer's field that
/// holds a page, and the key's uses by service that it pages through.
macro_rules! listing_operation {
    ($action:literal, $field:literal, $uses_of:expr) => {
        /// The operation's route.
        pub const OPERATION: $crate::sim::operation::Operation = {
            const LISTING: super::Listing = super::Listing {
                action: $action,
                field: $field,
                uses_of: $uses_of,
            };
            $crate::sim::operation::Operation::signed(
                LISTING.action,
                &super::API,
                |state, params, who| LISTING.page(state, params, who),
            )
        };
    };
}

mod event;
mod record;

super::operation::served! {
    info,
    products,
    ips,
    resources,
    events,
}

pub use record::{NewUse, MAX_USE_FIELD_CHARS};

use super::auth::Principal;
use super::dataset::{DataSet, KeyUsage};
use super::error::ApiError;
use super::operation::{trimmed, Api, Params};
use super::paging::{decode_token, encode_token};
use super::{lock_read, SimState};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// ActionTrail's operations: faults apply, and every request is signed.
pub const API: Api = Api {
    version: "2020-07-06",
    product: "Actiontrail",
    faults: true,
};

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;

/// ActionTrail keeps AccessKey usage for 400 days; older use is not reported.
pub const COVERAGE_DAYS: i64 = 400;

/// One usage record with its timestamp resolved and its Detail written.
#[derive(Clone, Debug)]
struct Use {
    fields: Map<String, Value>,
    used_ms: i64,
}

impl Use {
    /// A use at `used_ms` answered with `fields`.
    fn new<const N: usize>(used_ms: i64, fields: [(&str, Value); N]) -> Use {
        Use {
            fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            used_ms,
        }
    }
}

/// A key's uses, by the service they were of.
type ByService = Vec<(String, Vec<Use>)>;

#[derive(Clone, Debug)]
struct Key {
    identity: Map<String, Value>,
    account_id: String,
    products: Vec<Use>,
    ips: ByService,
    resources: ByService,
    events: ByService,
}

/// The data set with timestamps resolved against start-up and lists in answer order.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    keys: HashMap<String, Key>,
}

/// The uses within ActionTrail's coverage, most recent first; ties keep the data set's order.
fn in_coverage(uses: Vec<Use>, now_ms: i64) -> Vec<Use> {
    let oldest = now_ms.saturating_sub(COVERAGE_DAYS * 86_400_000);
    let mut uses: Vec<Use> = uses.into_iter().filter(|u| u.used_ms >= oldest).collect();
    uses.sort_by_key(|u| std::cmp::Reverse(u.used_ms));
    uses
}

/// The entries of `lists` as `item` writes them, each service's list in coverage order.
fn by_service<E>(
    lists: &BTreeMap<String, Vec<E>>,
    now_ms: i64,
    item: impl Fn(&str, &E) -> Use,
) -> ByService {
    lists
        .iter()
        .map(|(service, list)| {
            let uses = list.iter().map(|e| item(service, e)).collect();
            (service.clone(), in_coverage(uses, now_ms))
        })
        .collect()
}

impl Resolved {
    /// Resolves `data` against `now_ms` (start-up time, epoch milliseconds).
    pub fn new(data: &DataSet, now_ms: i64) -> Resolved {
        let mut keys = HashMap::new();
        for k in &data.keys {
            keys.insert(k.access_key_id.clone(), resolve_key(k, now_ms));
        }
        Resolved { keys }
    }
}

fn resolve_key(k: &KeyUsage, now_ms: i64) -> Key {
    let mut identity = Map::new();
    identity.insert("AccessKeyId".into(), json!(k.access_key_id));
    identity.insert("AccountId".into(), json!(k.account_id));
    identity.insert("AccountType".into(), json!(k.account_type));
    identity.insert(
        "OwnerId".into(),
        json!(k.owner_id.clone().unwrap_or_else(|| k.account_id.clone())),
    );
    if let Some(u) = &k.user_name {
        identity.insert("UserName".into(), json!(u));
    }
    Key {
        identity,
        account_id: k.account_id.clone(),
        products: in_coverage(products::resolve(k, now_ms), now_ms),
        ips: ips::resolve(k, now_ms),
        resources: resources::resolve(k, now_ms),
        events: events::resolve(k, now_ms),
    }
}

/// `answer` over the key a query's `AccessKey` names, once `principal` may read it: first
/// whether the caller may read any account, then the parameter, then the key's own account.
fn on_queried_key(
    state: &SimState,
    action: &str,
    params: &Params,
    principal: &Principal,
    answer: impl FnOnce(&str, &Key) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    if principal.readable_accounts.is_empty() {
        return Err(forbidden(action, principal, None));
    }
    let access_key = trimmed(params, "AccessKey")
        .ok_or_else(|| ApiError::invalid_query("The parameter AccessKey is required."))?;
    let store = lock_read(&state.resolved);
    let key = store.keys.get(access_key).ok_or_else(|| {
        ApiError::invalid_query(format!(
            "The specified AccessKey {} does not exist or has no usage records.",
            super::echo(access_key)
        ))
    })?;
    if !principal.may_read(&key.account_id) {
        return Err(forbidden(action, principal, Some(&key.account_id)));
    }
    answer(access_key, key)
}

/// An operation listing the uses of one service a page at a time (Ips, Resources, Events):
/// `ServiceName` required, `PageSize` up to 100 with 0 meaning the default, and `NextToken`
/// bound to the action, key and service it was issued for.
struct Listing {
    action: &'static str,
    /// The answer's field holding the page.
    field: &'static str,
    uses_of: fn(&Key) -> &ByService,
}

impl Listing {
    fn page(
        &self,
        state: &SimState,
        params: &Params,
        principal: &Principal,
    ) -> Result<Value, ApiError> {
        on_queried_key(state, self.action, params, principal, |access_key, key| {
            self.page_of(key, access_key, params)
        })
    }

    fn page_of(&self, key: &Key, access_key: &str, params: &Params) -> Result<Value, ApiError> {
        let service = trimmed(params, "ServiceName")
            .ok_or_else(|| ApiError::invalid_query("The parameter ServiceName is required."))?;
        let page_size = page_size(params.get("PageSize").map(String::as_str))?;
        let items: &[Use] = (self.uses_of)(key)
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(service))
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]);
        let scope = format!(
            "{}|{access_key}|{}",
            self.action,
            service.to_ascii_lowercase()
        );
        let offset = match params.get("NextToken").map(String::as_str) {
            None | Some("") => 0,
            Some(t) => decode_token(t, &scope, items.len())?,
        };
        let end = offset.saturating_add(page_size).min(items.len());
        let page: Vec<Value> = items
            .get(offset..end)
            .unwrap_or(&[])
            .iter()
            .map(|u| Value::Object(u.fields.clone()))
            .collect();
        let next = if end < items.len() {
            encode_token(end, &scope)
        } else {
            String::new()
        };
        let mut out = Map::new();
        out.insert("NextToken".into(), json!(next));
        out.insert(self.field.into(), Value::Array(page));
        Ok(Value::Object(out))
    }
}

fn forbidden(action: &str, principal: &Principal, account: Option<&str>) -> ApiError {
    let on = account
        .map(|a| format!(" on the AccessKeys of account {a}"))
        .unwrap_or_default();
    principal.denied(
        "Forbidden.RAM",
        format!(
            "User not authorized to operate on the specified resource, or this API doesn't support RAM. {} lacks the permission actiontrail:{action}{on}.",
            principal.name
        ),
        &format!("actiontrail:{action}"),
    )
}

fn page_size(value: Option<&str>) -> Result<usize, ApiError> {
    let raw = match value.map(str::trim) {
        None | Some("") => return Ok(DEFAULT_PAGE_SIZE),
        Some(v) => v,
    };
    match raw.parse::<usize>() {
        Ok(0) => Ok(DEFAULT_PAGE_SIZE),
        Ok(n) if n <= MAX_PAGE_SIZE => Ok(n),
        _ => Err(ApiError::invalid_query(format!(
            "The parameter PageSize {raw:?} is invalid; it must be an integer from 0 to {MAX_PAGE_SIZE}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_accepts_zero_to_a_hundred() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some("0")).unwrap(), 20);
        assert_eq!(page_size(Some("100")).unwrap(), 100);
        assert!(page_size(Some("101")).is_err());
        assert!(page_size(Some("-1")).is_err());
        assert!(page_size(Some("ten")).is_err());
    }
}
