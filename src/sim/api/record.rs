//! A use of a key recorded while the emulator runs (`POST /__sim/use`), so that a test or
//! the demo can make an idle key used between a plan and its apply, as a forgotten caller
//! would in production.

use super::{resolve_key, Resolved, Use};
use crate::sim::dataset::{IpUse, KeyUsage, Product, When};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A use to record now: which key, and what the event says about it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUse {
    /// The key; it must be in the data set.
    pub access_key_id: String,
    /// The service called, `Ecs` unless given.
    #[serde(default = "default_service")]
    pub service_name: String,
    /// The API action, `DescribeInstances` unless given.
    #[serde(default = "default_event")]
    pub event_name: String,
    /// The caller's IP, `203.0.113.99` unless given.
    #[serde(default = "default_ip")]
    pub source_ip: String,
    /// The region called, `cn-hangzhou` unless given.
    #[serde(default = "default_region")]
    pub region: String,
}

fn default_service() -> String {
    "Ecs".into()
}
fn default_event() -> String {
    "DescribeInstances".into()
}
fn default_ip() -> String {
    "203.0.113.99".into()
}
fn default_region() -> String {
    "cn-hangzhou".into()
}

/// `fresh` before the uses already listed under the same service in `lists`: the newest
/// use comes first, as ActionTrail lists them.
fn prepend(lists: &mut Vec<(String, Vec<Use>)>, fresh: Vec<(String, Vec<Use>)>) {
    for (service, uses) in fresh {
        match lists
            .iter_mut()
            .find(|(s, _)| s.eq_ignore_ascii_case(&service))
        {
            Some((_, list)) => {
                list.splice(0..0, uses);
            }
            None => lists.insert(0, (service, uses)),
        }
    }
}

/// The longest value `/__sim/use` takes for a field: every recorded use is kept for the
/// emulator's life, so what it stores is bounded like everything else it keeps.
pub const MAX_USE_FIELD_CHARS: usize = 128;
/// The most services one key's lists hold once uses are recorded; the oldest go first.
pub const MAX_RECORDED_SERVICES: usize = 256;
/// The most uses one service's list holds once uses are recorded; the oldest go first.
pub const MAX_RECORDED_USES: usize = 1000;

impl NewUse {
    /// The first field longer than [`MAX_USE_FIELD_CHARS`], by name.
    pub fn too_long(&self) -> Option<&'static str> {
        [
            ("access_key_id", &self.access_key_id),
            ("service_name", &self.service_name),
            ("event_name", &self.event_name),
            ("source_ip", &self.source_ip),
            ("region", &self.region),
        ]
        .into_iter()
        .find(|(_, v)| v.chars().count() > MAX_USE_FIELD_CHARS)
        .map(|(name, _)| name)
    }
}

/// Drops the oldest services past [`MAX_RECORDED_SERVICES`] and the oldest uses past
/// [`MAX_RECORDED_USES`] in each.
fn bound(lists: &mut Vec<(String, Vec<Use>)>) {
    lists.truncate(MAX_RECORDED_SERVICES);
    for (_, uses) in lists.iter_mut() {
        uses.truncate(MAX_RECORDED_USES);
    }
}

impl Resolved {
    /// Records `u` as happening at `now_ms`: GetAccessKeyLastUsedInfo and Products then
    /// answer it as the last use, and Ips and Events list it first. `None` when the key is
    /// not in the data set.
    pub fn record_use(&mut self, u: &NewUse, now_ms: i64) -> Option<i64> {
        let key = self.keys.get_mut(&u.access_key_id)?;
        let text = |name: &str| {
            key.identity
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        // The key as the data set would have written it with this one use, resolved by the
        // same code as the data set, so the answers and the event's Detail are alike.
        let usage = KeyUsage {
            access_key_id: u.access_key_id.clone(),
            account_id: key.account_id.clone(),
            account_type: text("AccountType").unwrap_or_default(),
            owner_id: text("OwnerId"),
            user_name: text("UserName"),
            principal_id: None,
            products: vec![Product {
                service_name: u.service_name.clone(),
                service_name_cn: None,
                service_name_en: None,
                source: "ManagementEvent".into(),
                used_at: When::At(now_ms),
                event_name: Some(u.event_name.clone()),
                source_ip: Some(u.source_ip.clone()),
                region: Some(u.region.clone()),
                detail: None,
            }],
            ips: BTreeMap::from([(
                u.service_name.clone(),
                vec![IpUse {
                    ip: u.source_ip.clone(),
                    used_at: When::At(now_ms),
                    source: "ManagementEvent".into(),
                    event_name: Some(u.event_name.clone()),
                    region: Some(u.region.clone()),
                    detail: None,
                }],
            )]),
            resources: BTreeMap::new(),
            events: BTreeMap::new(),
            status: None,
            create_date: None,
        };
        let fresh = resolve_key(&usage, now_ms);
        // Products hold one entry per service, its latest use.
        key.products.retain(|p| {
            p.fields
                .get("ServiceName")
                .and_then(Value::as_str)
                .is_none_or(|s| !s.eq_ignore_ascii_case(&u.service_name))
        });
        key.products.splice(0..0, fresh.products);
        key.products.truncate(MAX_RECORDED_SERVICES);
        prepend(&mut key.ips, fresh.ips);
        prepend(&mut key.events, fresh.events);
        bound(&mut key.ips);
        bound(&mut key.events);
        Some(now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dataset::DataSet;

    fn new_use(key: &str, service: &str) -> NewUse {
        NewUse {
            access_key_id: key.to_owned(),
            service_name: service.to_owned(),
            event_name: default_event(),
            source_ip: default_ip(),
            region: default_region(),
        }
    }

    #[test]
    fn recorded_uses_stay_within_their_bounds() {
        let data = DataSet::demo();
        let id = data.keys[0].access_key_id.clone();
        let now = 1_800_000_000_000;
        let mut resolved = Resolved::new(&data, now);
        for i in 0..(MAX_RECORDED_SERVICES + 50) {
            resolved.record_use(&new_use(&id, &format!("Svc{i}")), now);
        }
        for _ in 0..(MAX_RECORDED_USES + 50) {
            resolved.record_use(&new_use(&id, "Ecs"), now);
        }
        let key = &resolved.keys[&id];
        assert_eq!(key.products.len(), MAX_RECORDED_SERVICES);
        assert_eq!(key.ips.len(), MAX_RECORDED_SERVICES);
        assert!(key.ips.iter().all(|(_, u)| u.len() <= MAX_RECORDED_USES));
        let ecs = key
            .ips
            .iter()
            .find(|(s, _)| s == "Ecs")
            .map(|(_, u)| u.len());
        assert_eq!(ecs, Some(MAX_RECORDED_USES));
    }

    #[test]
    fn an_over_long_field_is_named() {
        let ok = new_use("LTAI5tIdleKey0000000001", &"S".repeat(MAX_USE_FIELD_CHARS));
        assert_eq!(ok.too_long(), None);
        let long = new_use(
            "LTAI5tIdleKey0000000001",
            &"S".repeat(MAX_USE_FIELD_CHARS + 1),
        );
        assert_eq!(long.too_long(), Some("service_name"));
    }
}
