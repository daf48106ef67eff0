//! `GetAccessKeyLastUsedProducts`: each service the key used, with its most recent use, most
//! recent first. Its items are also what `GetAccessKeyLastUsedInfo` answers with.

use super::event::{detail, EventSpec};
use super::{queried_key, Use, API};
use crate::sim::auth::Principal;
use crate::sim::dataset::{service_names, KeyUsage};
use crate::sim::error::ApiError;
use crate::sim::operations::{Handler, Operation, Params};
use crate::sim::{lock_read, SimState};
use serde_json::{json, Map, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation {
    action: "GetAccessKeyLastUsedProducts",
    api: &API,
    handler: Handler::Signed(answer),
};

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    let store = lock_read(&state.resolved);
    let (_, key) = queried_key(&store, OPERATION.action, params, principal)?;
    let products: Vec<Value> = key
        .products
        .iter()
        .map(|p| Value::Object(p.fields.clone()))
        .collect();
    Ok(json!({ "Products": products }))
}

/// The key's products as the answer lists them, in the data set's order.
pub(super) fn resolve(k: &KeyUsage, now_ms: i64) -> Vec<Use> {
    k.products
        .iter()
        .map(|p| {
            let used_ms = p.used_at.resolve(now_ms);
            let (cn, en) = service_names(&p.service_name);
            let spec = EventSpec {
                service: &p.service_name,
                event_name: p.event_name.as_deref(),
                ip: p.source_ip.as_deref(),
                region: p.region.as_deref(),
                resource: None,
                used_ms,
            };
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
            f.insert("Detail".into(), detail(k, &p.detail, &spec));
            f.insert("UsedTimestamp".into(), json!(used_ms));
            f.retain(|_, v| !v.is_null());
            Use { fields: f, used_ms }
        })
        .collect()
}
