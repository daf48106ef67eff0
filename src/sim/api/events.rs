//! `GetAccessKeyLastUsedEvents`: the API actions the key called on one service, most recent
//! first, a page at a time. A key whose data set lists no events is answered from its
//! products: one event per product entry, named by its `event_name`.

use super::event::{detail, EventSpec};
use super::products::event_spec;
use super::{by_service, in_coverage, ByService, Use};
use crate::sim::dataset::KeyUsage;
use serde_json::{json, Value};

listing_operation!("GetAccessKeyLastUsedEvents", "Events", |k| &k.events);

/// One event as the answer lists it.
fn item(k: &KeyUsage, spec: &EventSpec, source: &str, explicit: &Option<Value>) -> Use {
    Use::new(
        spec.used_ms,
        [
            ("EventName", json!(spec.event_name.unwrap_or("Describe"))),
            ("UsedTimestamp", json!(spec.used_ms)),
            ("Source", json!(source)),
            ("Detail", detail(k, explicit, spec)),
        ],
    )
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
    let mut grouped: ByService = Vec::new();
    for p in &k.products {
        let u = item(k, &event_spec(p, now_ms), &p.source, &p.detail);
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
