//! `GetAccessKeyLastUsedProducts`: each service the key used, with its most recent use, most
//! recent first. Its items are also what `GetAccessKeyLastUsedInfo` answers with.

use super::event::{detail, EventSpec};
use super::{on_queried_key, Use, API};
use crate::sim::dataset::{service_names, KeyUsage, Product};
use crate::sim::operation::Operation;
use serde_json::{json, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation::signed(
    "GetAccessKeyLastUsedProducts",
    &API,
    |state, params, principal| {
        on_queried_key(state, OPERATION.action, params, principal, |_, key| {
            let products: Vec<Value> = key
                .products
                .iter()
                .map(|p| Value::Object(p.fields.clone()))
                .collect();
            Ok(json!({ "Products": products }))
        })
    },
);

/// What the event of a product's use says (also the event a key without `events` lists).
pub(super) fn event_spec(p: &Product, now_ms: i64) -> EventSpec<'_> {
    EventSpec {
        service: &p.service_name,
        event_name: p.event_name.as_deref(),
        ip: p.source_ip.as_deref(),
        region: p.region.as_deref(),
        resource: None,
        used_ms: p.used_at.resolve(now_ms),
    }
}

/// The key's products as the answer lists them, in the data set's order.
pub(super) fn resolve(k: &KeyUsage, now_ms: i64) -> Vec<Use> {
    k.products
        .iter()
        .map(|p| {
            let spec = event_spec(p, now_ms);
            let (cn, en) = service_names(&p.service_name);
            let mut u = Use::new(
                spec.used_ms,
                [
                    ("ServiceName", json!(p.service_name)),
                    ("ServiceNameCn", json!(p.service_name_cn.clone().or(cn))),
                    ("ServiceNameEn", json!(p.service_name_en.clone().or(en))),
                    ("Source", json!(p.source)),
                    ("Detail", detail(k, &p.detail, &spec)),
                    ("UsedTimestamp", json!(spec.used_ms)),
                ],
            );
            u.fields.retain(|_, v| !v.is_null());
            u
        })
        .collect()
}
