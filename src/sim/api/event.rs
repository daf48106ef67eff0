//! The ActionTrail event an answer's `Detail` carries when the data set gives none: written
//! from the use's fields and the key's identity, with ids derived from them, so answers
//! repeat byte for byte.

use crate::sim::dataset::KeyUsage;
use crate::sim::iso_millis;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

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

/// What a generated event says about one use.
pub(super) struct EventSpec<'a> {
    /// The service called, e.g. `Ecs`.
    pub service: &'a str,
    /// The API action; `Describe` when the data set names none.
    pub event_name: Option<&'a str>,
    /// The caller's IP.
    pub ip: Option<&'a str>,
    /// The region called.
    pub region: Option<&'a str>,
    /// The resource acted on, name and type.
    pub resource: Option<(&'a str, &'a str)>,
    /// When, epoch milliseconds.
    pub used_ms: i64,
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
    let when = iso_millis(spec.used_ms);
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

/// The `Detail` of one use: the data set's own event as is, else one written from `spec`.
pub(super) fn detail(key: &KeyUsage, explicit: &Option<Value>, spec: &EventSpec) -> Value {
    json!(match explicit {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => event(key, spec).to_string(),
    })
}
