//! `GetAccessKeyLastUsedResources`: the resources the key acted on in one service, most
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
    action: "GetAccessKeyLastUsedResources",
    api: &API,
    handler: Handler::Signed(answer),
};

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    service_page(
        state,
        OPERATION.action,
        "Resources",
        |k| &k.resources,
        params,
        principal,
    )
}

/// The key's resources as the answer lists them.
pub(super) fn resolve(k: &KeyUsage, now_ms: i64) -> ByService {
    by_service(&k.resources, now_ms, |service, r| {
        let used_ms = r.used_at.resolve(now_ms);
        let spec = EventSpec {
            service,
            event_name: r.event_name.as_deref(),
            ip: r.source_ip.as_deref(),
            region: r.region.as_deref(),
            resource: Some((&r.resource_name, &r.resource_type)),
            used_ms,
        };
        let mut f = Map::new();
        f.insert("ResourceName".into(), json!(r.resource_name));
        f.insert("ResourceType".into(), json!(r.resource_type));
        f.insert("UsedTimestamp".into(), json!(used_ms));
        f.insert("Source".into(), json!(r.source));
        f.insert("Detail".into(), detail(k, &r.detail, &spec));
        Use { fields: f, used_ms }
    })
}
