//! `GetAccessKeyLastUsedResources`: the resources the key acted on in one service, most
//! recent first, a page at a time.

use super::event::{detail, EventSpec};
use super::{by_service, ByService, Use};
use crate::sim::dataset::KeyUsage;
use serde_json::json;

listing_operation!("GetAccessKeyLastUsedResources", "Resources", |k| &k
    .resources);

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
        Use::new(
            used_ms,
            [
                ("ResourceName", json!(r.resource_name)),
                ("ResourceType", json!(r.resource_type)),
                ("UsedTimestamp", json!(used_ms)),
                ("Source", json!(r.source)),
                ("Detail", detail(k, &r.detail, &spec)),
            ],
        )
    })
}
