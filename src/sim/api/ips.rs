//! `GetAccessKeyLastUsedIps`: the source IPs the key was used from on one service, most
//! recent first, a page at a time.

use super::event::{detail, EventSpec};
use super::{by_service, ByService, Use};
use crate::sim::dataset::KeyUsage;
use serde_json::json;

listing_operation!("GetAccessKeyLastUsedIps", "Ips", |k| &k.ips);

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
        Use::new(
            used_ms,
            [
                ("Ip", json!(i.ip)),
                ("UsedTimestamp", json!(used_ms)),
                ("Source", json!(i.source)),
                ("Detail", detail(k, &i.detail, &spec)),
            ],
        )
    })
}
