//! `GetAccessKeyLastUsedEvents`: the API actions the key called on one service, most recent
//! first, a page at a time. A key whose data set lists no events is answered from its
//! products: one event per product entry, named by its `event_name`.

use super::event::{detail, EventSpec};
use super::{by_service, in_coverage, service_page, ByService, Use, API};
use crate::sim::auth::Principal;
use crate::sim::dataset::KeyUsage;
use crate::sim::error::ApiError;
use crate::sim::operations::{Handler, Operation, Params};
use crate::sim::SimState;
use serde_json::{json, Map, Value};

/// The operation's route.
pub const OPERATION: Operation = Operation {
    action: "GetAccessKeyLastUsedEvents",
    api: &API,
    handler: Handler::Signed(answer),
};

fn answer(state: &SimState, params: &Params, principal: &Principal) -> Result<Value, ApiError> {
    service_page(
        state,
        OPERATION.action,
        "Events",
        |k| &k.events,
        params,
        principal,
    )
}

/// One event as the answer lists it.
fn item(k: &KeyUsage, spec: &EventSpec, source: &str, explicit: &Option<Value>) -> Use {
    let mut f = Map::new();
    f.insert(
        "EventName".into(),
        json!(spec.event_name.unwrap_or("Describe")),
    );
    f.insert("UsedTimestamp".into(), json!(spec.used_ms));
    f.insert("Source".into(), json!(source));
    f.insert("Detail".into(), detail(k, explicit, spec));
    Use {
        fields: f,
        used_ms: spec.used_ms,
    }
}

/// The key's events as the answer lists them, from its `events` or, without them, its
/// products, grouped by service in the order the services first appear.
pub(super) fn resolve(k: &KeyUsage, now_ms: i64) -> ByService {
    if !k.events.is_empty() {
        return by_service(&k.events, now_ms, |service, e| {
            let spec = EventSpec {
                service,
                event_name: Some(&e.event_name),
                ip: e.source_ip.as_deref(),
                region: e.region.as_deref(),
                resource: None,
                used_ms: e.used_at.resolve(now_ms),
            };
            item(k, &spec, &e.source, &e.detail)
        });
    }
    let mut grouped: Vec<(String, Vec<Use>)> = Vec::new();
    for p in &k.products {
        let spec = EventSpec {
            service: &p.service_name,
            event_name: p.event_name.as_deref(),
            ip: p.source_ip.as_deref(),
            region: p.region.as_deref(),
            resource: None,
            used_ms: p.used_at.resolve(now_ms),
        };
        let u = item(k, &spec, &p.source, &p.detail);
        match grouped.iter_mut().find(|(s, _)| *s == p.service_name) {
            Some((_, list)) => list.push(u),
            None => grouped.push((p.service_name.clone(), vec![u])),
        }
    }
    grouped
        .into_iter()
        .map(|(s, uses)| (s, in_coverage(uses, now_ms)))
        .collect()
}
