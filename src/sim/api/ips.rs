//! `GetAccessKeyLastUsedIps`: the source IPs the key was used from on one service, most
//! recent first, a page at a time.

use super::event::{detail, EventSpec};
use super::{by_service, service_page, ByService, Use, API};
use crate::sim::auth::Principal;
use crate::sim::dataset::KeyUsage;
use crate::sim::error::ApiError;
use crate::sim::operations::{Handler, Operation, Params};
use crate::sim::SimState;
use serde_json::{json, Map, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation {
    action: "GetAccessKeyLastUsedIps",
    api: &API,
    handler: Handler::Signed(answer),
};

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    service_page(
        state,
        OPERATION.action,
        "Ips",
        |k| &k.ips,
        params,
        principal,
    )
}

/// The key's IPs as the answer lists them.
pub(super) fn resolve(k: &KeyUsage, now_ms: i64) -> ByService {
    by_service(&k.ips, now_ms, |service, i| {
        let used_ms = i.used_at.resolve(now_ms);
        let spec = EventSpec {
            service,
            event_name: i.event_name.as_deref(),
            ip: Some(&i.ip),
            region: i.region.as_deref(),
            resource: None,
            used_ms,
        };
        let mut f = Map::new();
        f.insert("Ip".into(), json!(i.ip));
        f.insert("UsedTimestamp".into(), json!(used_ms));
        f.insert("Source".into(), json!(i.source));
        f.insert("Detail".into(), detail(k, &i.detail, &spec));
        Use { fields: f, used_ms }
    })
}
