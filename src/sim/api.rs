//! The five ActionTrail operations over the resolved data set: parameter checks,
//! permissions, ordering and opaque NextToken pagination.

mod record;
pub use record::{NewUse, MAX_USE_FIELD_CHARS};

use super::auth::Principal;
use super::dataset::{service_names, DataSet, KeyUsage};
use super::error::ApiError;
use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The ActionTrail API version the emulator serves.
pub const VERSION: &str = "2020-07-06";

/// The five operations.
pub const OPERATIONS: [&str; 5] = [
    "GetAccessKeyLastUsedInfo",
    "GetAccessKeyLastUsedProducts",
    "GetAccessKeyLastUsedIps",
    "GetAccessKeyLastUsedResources",
    "GetAccessKeyLastUsedEvents",
];

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;

/// One usage record with its timestamp resolved and its Detail written.
#[derive(Clone, Debug)]
struct Use {
    fields: Map<String, Value>,
    used_ms: i64,
}

#[derive(Clone, Debug)]
struct Key {
    identity: Map<String, Value>,
    account_id: String,
    products: Vec<Use>,
    ips: Vec<(String, Vec<Use>)>,
    resources: Vec<(String, Vec<Use>)>,
    events: Vec<(String, Vec<Use>)>,
}

/// The data set with timestamps resolved against start-up and lists in answer order.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    keys: HashMap<String, Key>,
}

fn event_time(ms: i64) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

/// A stable uuid-shaped id from `parts`, so answers repeat byte for byte.
fn stable_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let x = hex::encode(&h.finalize()[..16]);
    format!(
        "{}-{}-4{}-a{}-{}",
        &x[0..8],
        &x[8..12],
        &x[13..16],
        &x[17..20],
        &x[20..32]
    )
}

fn api_version(service: &str) -> &'static str {
    match service {
        "Ecs" => "2014-05-26",
        "Ram" => "2015-05-01",
        "Sts" => "2015-04-01",
        "Vpc" => "2016-04-28",
        "Slb" => "2014-05-15",
        "Rds" => "2014-08-15",
        "Actiontrail" => "2020-07-06",
        "BssOpenApi" => "2017-12-14",
        _ => "2019-05-17",
    }
}

struct EventSpec<'a> {
    service: &'a str,
    event_name: Option<&'a str>,
    ip: Option<&'a str>,
    region: Option<&'a str>,
    resource: Option<(&'a str, &'a str)>,
    used_ms: i64,
}

fn event(key: &KeyUsage, spec: &EventSpec) -> Value {
    let region = spec.region.unwrap_or("cn-hangzhou");
    let is_global = matches!(spec.service, "Ram" | "Sts" | "BssOpenApi");
    let lower = spec.service.to_ascii_lowercase();
    let event_source = if is_global {
        format!("{lower}.aliyuncs.com")
    } else {
        format!("{lower}.{region}.aliyuncs.com")
    };
    let name = spec.event_name.unwrap_or("Describe");
    let ip = spec.ip.unwrap_or("203.0.113.1");
    let when = event_time(spec.used_ms);
    let ms = spec.used_ms.to_string();
    let seed = [key.access_key_id.as_str(), spec.service, name, ip, &ms];
    let kind = if key.account_type == "root-account" {
        "root-account"
    } else if key.access_key_id.starts_with("STS.") {
        "assumed-role"
    } else {
        "ram-user"
    };
    let principal = key
        .principal_id
        .clone()
        .unwrap_or_else(|| stable_id(&[&key.access_key_id]).replace('-', "")[..18].to_owned());
    let mut identity = json!({
        "type": kind,
        "accountId": key.account_id,
        "principalId": principal,
        "accessKeyId": key.access_key_id,
    });
    if let (Some(user), Some(map)) = (&key.user_name, identity.as_object_mut()) {
        map.insert("userName".into(), json!(user));
    }
    let mut ev = json!({
        "eventId": stable_id(&seed),
        "eventVersion": "1",
        "eventName": name,
        "eventSource": event_source,
        "eventTime": when,
        "eventType": "ApiCall",
        "eventCategory": "Management",
        "sourceIpAddress": ip,
        "userAgent": "Terraform/1.0.3 AlibabaCloud (linux; amd64)",
        "acsRegion": region,
        "serviceName": spec.service,
        "apiVersion": api_version(spec.service),
        "requestId": stable_id(&[&seed[..], &["request"]].concat()).to_ascii_uppercase(),
        "isGlobal": is_global,
        "userIdentity": identity,
    });
    if let (Some((rn, rt)), Some(map)) = (spec.resource, ev.as_object_mut()) {
        map.insert("resourceName".into(), json!(rn));
        map.insert("resourceType".into(), json!(rt));
    }
    ev
}

fn detail_string(explicit: &Option<Value>, generated: impl FnOnce() -> Value) -> String {
    match explicit {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => generated().to_string(),
    }
}

/// ActionTrail keeps AccessKey usage for 400 days; older use is not reported.
pub const COVERAGE_DAYS: i64 = 400;

fn in_coverage(uses: Vec<Use>, now_ms: i64) -> Vec<Use> {
    let oldest = now_ms.saturating_sub(COVERAGE_DAYS * 86_400_000);
    let mut uses: Vec<Use> = uses.into_iter().filter(|u| u.used_ms >= oldest).collect();
    // Most recent first; ties keep the data set's order.
    uses.sort_by_key(|u| std::cmp::Reverse(u.used_ms));
    uses
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

    /// Answers one of the four operations for `principal`.
    pub fn answer(
        &self,
        action: &str,
        params: &BTreeMap<String, String>,
        principal: &Principal,
    ) -> Result<Value, ApiError> {
        if principal.readable_accounts.is_empty() {
            return Err(forbidden(action, principal, None));
        }
        let access_key = params
            .get("AccessKey")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid_query("The parameter AccessKey is required."))?;
        let key = self.keys.get(access_key).ok_or_else(|| {
            ApiError::invalid_query(format!(
                "The specified AccessKey {} does not exist or has no usage records.",
                super::echo(access_key)
            ))
        })?;
        if !principal.may_read(&key.account_id) {
            return Err(forbidden(action, principal, Some(&key.account_id)));
        }
        match action {
            "GetAccessKeyLastUsedInfo" => {
                let mut out = key.identity.clone();
                if let Some(last) = key.products.first() {
                    out.extend(last.fields.clone());
                }
                Ok(Value::Object(out))
            }
            "GetAccessKeyLastUsedProducts" => {
                let products: Vec<Value> = key
                    .products
                    .iter()
                    .map(|p| Value::Object(p.fields.clone()))
                    .collect();
                Ok(json!({ "Products": products }))
            }
            "GetAccessKeyLastUsedIps"
            | "GetAccessKeyLastUsedResources"
            | "GetAccessKeyLastUsedEvents" => {
                let (lists, field) = match action {
                    "GetAccessKeyLastUsedIps" => (&key.ips, "Ips"),
                    "GetAccessKeyLastUsedResources" => (&key.resources, "Resources"),
                    _ => (&key.events, "Events"),
                };
                let service = params
                    .get("ServiceName")
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        ApiError::invalid_query("The parameter ServiceName is required.")
                    })?;
                let page_size = page_size(params.get("PageSize").map(String::as_str))?;
                let items: &[Use] = lists
                    .iter()
                    .find(|(s, _)| s.eq_ignore_ascii_case(service))
                    .map(|(_, v)| v.as_slice())
                    .unwrap_or(&[]);
                let scope = format!("{action}|{access_key}|{}", service.to_ascii_lowercase());
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
                out.insert(field.into(), Value::Array(page));
                Ok(Value::Object(out))
            }
            _ => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "InvalidAction.NotFound",
                format!("Specified api {action} is not found, please check your url and method."),
            )),
        }
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

fn token_mac(offset: usize, scope: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"actiontrail-sim NextToken\0");
    h.update(scope.as_bytes());
    h.update(b"\0");
    h.update(offset.to_string().as_bytes());
    hex::encode(&h.finalize()[..12])
}

/// An opaque NextToken: the offset and a hash binding it to the query it came from.
pub(super) fn encode_token(offset: usize, scope: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{offset}:{}", token_mac(offset, scope)))
}

/// The offset in a token [`encode_token`] issued for `scope`; an error for any other.
pub(super) fn decode_token(token: &str, scope: &str, len: usize) -> Result<usize, ApiError> {
    let invalid = || {
        ApiError::invalid_query(
            "The parameter NextToken is invalid: it was not issued for this query.",
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let (offset, mac) = text.split_once(':').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    if mac != token_mac(offset, scope) || offset > len {
        return Err(invalid());
    }
    Ok(offset)
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
    let products = k
        .products
        .iter()
        .map(|p| {
            let used_ms = p.used_at.resolve(now_ms);
            let (cn, en) = service_names(&p.service_name);
            let mut f = Map::new();
            f.insert("ServiceName".into(), json!(p.service_name));
            f.insert(
                "ServiceNameCn".into(),
                json!(p.service_name_cn.clone().or(cn)),
            );
            f.insert(
                "ServiceNameEn".into(),
                json!(p.service_name_en.clone().or(en)),
            );
            f.insert("Source".into(), json!(p.source));
            f.insert(
                "Detail".into(),
                json!(detail_string(&p.detail, || event(
                    k,
                    &EventSpec {
                        service: &p.service_name,
                        event_name: p.event_name.as_deref(),
                        ip: p.source_ip.as_deref(),
                        region: p.region.as_deref(),
                        resource: None,
                        used_ms,
                    }
                ))),
            );
            f.insert("UsedTimestamp".into(), json!(used_ms));
            f.retain(|_, v| !v.is_null());
            Use { fields: f, used_ms }
        })
        .collect();
    let ips = k
        .ips
        .iter()
        .map(|(service, list)| {
            let uses = list
                .iter()
                .map(|i| {
                    let used_ms = i.used_at.resolve(now_ms);
                    let mut f = Map::new();
                    f.insert("Ip".into(), json!(i.ip));
                    f.insert("UsedTimestamp".into(), json!(used_ms));
                    f.insert("Source".into(), json!(i.source));
                    f.insert(
                        "Detail".into(),
                        json!(detail_string(&i.detail, || event(
                            k,
                            &EventSpec {
                                service,
                                event_name: i.event_name.as_deref(),
                                ip: Some(&i.ip),
                                region: i.region.as_deref(),
                                resource: None,
                                used_ms,
                            }
                        ))),
                    );
                    Use { fields: f, used_ms }
                })
                .collect();
            (service.clone(), in_coverage(uses, now_ms))
        })
        .collect();
    let resources = k
        .resources
        .iter()
        .map(|(service, list)| {
            let uses = list
                .iter()
                .map(|r| {
                    let used_ms = r.used_at.resolve(now_ms);
                    let mut f = Map::new();
                    f.insert("ResourceName".into(), json!(r.resource_name));
                    f.insert("ResourceType".into(), json!(r.resource_type));
                    f.insert("UsedTimestamp".into(), json!(used_ms));
                    f.insert("Source".into(), json!(r.source));
                    f.insert(
                        "Detail".into(),
                        json!(detail_string(&r.detail, || event(
                            k,
                            &EventSpec {
                                service,
                                event_name: r.event_name.as_deref(),
                                ip: r.source_ip.as_deref(),
                                region: r.region.as_deref(),
                                resource: Some((&r.resource_name, &r.resource_type)),
                                used_ms,
                            }
                        ))),
                    );
                    Use { fields: f, used_ms }
                })
                .collect();
            (service.clone(), in_coverage(uses, now_ms))
        })
        .collect();
    Key {
        identity,
        account_id: k.account_id.clone(),
        products: in_coverage(products, now_ms),
        ips,
        resources,
        events: resolve_events(k, now_ms),
    }
}

/// The key's `events`, or, without them, one event per product entry of each service.
fn resolve_events(k: &KeyUsage, now_ms: i64) -> Vec<(String, Vec<Use>)> {
    let explicit = !k.events.is_empty();
    let mut by_service: Vec<(String, Vec<Use>)> = Vec::new();
    let mut add = |service: &str, spec: EventSpec, source: &str, detail: &Option<Value>| {
        let name = spec.event_name.unwrap_or("Describe").to_owned();
        let used_ms = spec.used_ms;
        let mut f = Map::new();
        f.insert("EventName".into(), json!(name));
        f.insert("UsedTimestamp".into(), json!(used_ms));
        f.insert("Source".into(), json!(source));
        f.insert(
            "Detail".into(),
            json!(detail_string(detail, || event(k, &spec))),
        );
        let u = Use { fields: f, used_ms };
        match by_service.iter_mut().find(|(s, _)| s == service) {
            Some((_, list)) => list.push(u),
            None => by_service.push((service.to_owned(), vec![u])),
        }
    };
    if explicit {
        for (service, list) in &k.events {
            for e in list {
                let spec = EventSpec {
                    service,
                    event_name: Some(&e.event_name),
                    ip: e.source_ip.as_deref(),
                    region: e.region.as_deref(),
                    resource: None,
                    used_ms: e.used_at.resolve(now_ms),
                };
                add(service, spec, &e.source, &e.detail);
            }
        }
    } else {
        for p in &k.products {
            let spec = EventSpec {
                service: &p.service_name,
                event_name: p.event_name.as_deref(),
                ip: p.source_ip.as_deref(),
                region: p.region.as_deref(),
                resource: None,
                used_ms: p.used_at.resolve(now_ms),
            };
            add(&p.service_name, spec, &p.source, &p.detail);
        }
    }
    by_service
        .into_iter()
        .map(|(s, uses)| (s, in_coverage(uses, now_ms)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_token_round_trips_only_for_its_own_query() {
        let t = encode_token(40, "a|k|ecs");
        assert_eq!(decode_token(&t, "a|k|ecs", 100).unwrap(), 40);
        assert!(decode_token(&t, "a|k|oss", 100).is_err());
        assert!(decode_token(&t, "a|k|ecs", 10).is_err());
        assert!(decode_token("bm9wZQ", "a|k|ecs", 100).is_err());
        assert!(decode_token("%%%", "a|k|ecs", 100).is_err());
    }

    #[test]
    fn page_size_accepts_zero_to_a_hundred() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some("0")).unwrap(), 20);
        assert_eq!(page_size(Some("100")).unwrap(), 100);
        assert!(page_size(Some("101")).is_err());
        assert!(page_size(Some("-1")).is_err());
        assert!(page_size(Some("ten")).is_err());
    }

    #[test]
    fn event_time_is_rfc3339_with_milliseconds() {
        assert_eq!(event_time(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
