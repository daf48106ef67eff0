//! The emulator's data set: who may call it, and how every AccessKey was used.
//!
//! The built-in set ([`DataSet::demo`], the file `demo.json` beside this one, embedded at
//! build time) is written relative to the moment the emulator starts, so "used two days
//! ago" stays two days ago whenever the demo runs. `actiontrail-sim --dump-data` prints it;
//! `actiontrail-sim --data FILE` loads a file of the same shape.
//!
//! # JSON format
//!
//! ```json
//! {
//!   "callers": [
//!     { "access_key_id": "LTAI5tDemoCaller0000001",
//!       "access_key_secret": "demo-secret-do-not-use-in-production",
//!       "account_id": "1234567890123456",
//!       "user_name": "auditor",
//!       "readable_accounts": ["*"] }
//!   ],
//!   "keys": [
//!     { "access_key_id": "LTAI5tRecentUse000000001",
//!       "account_id": "1234567890123456",
//!       "account_type": "ram-user",
//!       "owner_id": "1234567890123456",
//!       "user_name": "ci-deployer",
//!       "principal_id": "203456789012345678",
//!       "status": "Active",
//!       "create_date": "now-400days",
//!       "products": [
//!         { "service_name": "Ecs", "service_name_cn": "云服务器 ECS",
//!           "service_name_en": "Elastic Compute Service", "source": "ManagementEvent",
//!           "used_at": "now-2days 5h", "event_name": "DescribeInstances",
//!           "source_ip": "203.0.113.10", "region": "cn-hangzhou" }
//!       ],
//!       "ips": { "Ecs": [ { "ip": "203.0.113.10", "used_at": "now-2days 5h" } ] },
//!       "resources": { "Ecs": [ { "resource_name": "i-bp1...", "resource_type": "ACS::ECS::Instance",
//!                                 "used_at": 1767225600000 } ] },
//!       "events": { "Ecs": [ { "event_name": "DescribeInstances", "used_at": "now-2days 5h",
//!                              "source": "ManagementEvent" } ] } }
//!   ]
//! }
//! ```
//!
//! - `callers` are the credentials that may sign requests. `readable_accounts` lists the
//!   accounts whose keys the caller may query (`"*"` = every account; empty = none, every
//!   query is `Forbidden.RAM`).
//! - `keys` are the AccessKeys one can ask about. `account_type` is `root-account` or
//!   `ram-user`; `owner_id` defaults to `account_id`; `principal_id` defaults to a value
//!   derived from the key. A key with no `products` was never used.
//! - `used_at` is either epoch milliseconds (a number), an RFC 3339 string, or
//!   `"now-<duration>"` (a humantime duration such as `"now-2days 5h"`) resolved when the
//!   emulator starts.
//! - `ips` and `resources` are keyed by ServiceName (matched case-insensitively).
//! - Every entry may carry `detail` (a JSON object, returned as the `Detail` string as is);
//!   without it the emulator writes an ActionTrail event from the entry's fields
//!   (`event_name`, `source_ip`, `region`, the key's identity, `used_at`).
//! - `source` defaults to `ManagementEvent`.
//! - `events` (GetAccessKeyLastUsedEvents) is keyed by ServiceName like `ips`; each entry
//!   has `event_name` and `used_at`, and may carry `source`, `source_ip`, `region` and
//!   `detail`. A key without `events` is answered from its `products`: one event per
//!   product entry of the service asked about, named by its `event_name`.
//! - The RAM view (ListUsers, ListAccessKeys): every `ram-user` key of the caller's own
//!   account, other than an `STS.` key, is an AccessKey of the RAM user `user_name`, and
//!   those names are the account's RAM users. `status` is `Active` (the default) or
//!   `Inactive`; `create_date` takes the forms of `used_at` and defaults to 30 days before
//!   the key's earliest recorded use (or before start-up, for a key never used).
//! - `oidc_providers` are the OIDC identity providers registered in RAM whose tokens STS
//!   AssumeRoleWithOIDC exchanges for a role's credentials:
//!   `{ "arn": "acs:ram::<account>:oidc-provider/<name>", "issuer": "https://...",
//!   "client_ids": ["sts.aliyuncs.com"], "readable_accounts": ["*"] }`. A token is accepted
//!   when it is a JWT whose `iss` is the issuer, whose `aud` names a client id and whose
//!   `exp` is ahead; the emulator holds no keys, so it does not check the JWT's signature.
//!   The role assumed may be any well-formed role ARN of the provider's account; its
//!   credentials read what `readable_accounts` lists.
//! - `resource_directory` (optional) is the organisation ResourceManager `ListAccounts`
//!   pages through: `{ "id": "rd-...", "management_account_id": "<16 digits>",
//!   "accounts": [ { "account_id": "<16 digits>", "display_name": "prod",
//!   "type": "ResourceAccount", "status": "CreateSuccess", "join_time": "now-300days",
//!   "roles": ["ResourceDirectoryAccountAccessRole"] } ] }`. The management account is
//!   listed among `accounts` too (`type` `CloudAccount`). `status` defaults to
//!   `CreateSuccess`; `join_time` takes the forms of `used_at`. Only callers of the
//!   management account may list it; they may AssumeRole into `acs:ram::<member>:role/<name>`
//!   for a `name` in that member's `roles`, and those credentials read the member alone
//!   (its RAM users and keys, ActionTrail for its keys). A member's keys are ordinary `keys`
//!   entries with its `account_id`. Ids must be 16 digits, each account listed once.
//!   [`DataSet::organization`] writes a large one (`actiontrail-sim --organization`).
//!
//! Lists are answered ordered by UsedTimestamp, most recent first; GetAccessKeyLastUsedInfo
//! answers with the most recent product. As in ActionTrail, use older than 400 days is not
//! reported (a key whose only use is older looks never used).

pub use super::directory::{Member, MemberType, ResourceDirectory};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Callers and AccessKey usage; see the module documentation for the JSON format.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSet {
    /// Credentials that may sign requests.
    #[serde(default)]
    pub callers: Vec<Caller>,
    /// AccessKeys and their recorded use.
    #[serde(default)]
    pub keys: Vec<KeyUsage>,
    /// OIDC identity providers whose tokens STS AssumeRoleWithOIDC accepts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oidc_providers: Vec<OidcProvider>,
    /// The organisation ResourceManager lists, and whose members' roles STS assumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_directory: Option<ResourceDirectory>,
}

/// An OIDC identity provider registered in RAM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// `acs:ram::<account>:oidc-provider/<name>`.
    pub arn: String,
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// The audiences (`aud`) accepted.
    pub client_ids: Vec<String>,
    /// Accounts whose keys the roles assumed through it may read (`"*"` for all).
    #[serde(default)]
    pub readable_accounts: Vec<String>,
}

/// The demo OIDC provider (GitHub Actions' issuer).
pub const DEMO_OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/github-actions";
/// The issuer of the demo OIDC provider.
pub const DEMO_OIDC_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The audience the demo OIDC provider accepts.
pub const DEMO_OIDC_AUDIENCE: &str = "sts.aliyuncs.com";

/// A credential that may sign requests to the emulator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caller {
    /// The AccessKeyId.
    pub access_key_id: String,
    /// The AccessKeySecret.
    pub access_key_secret: String,
    /// The caller's own account.
    pub account_id: String,
    /// The RAM user, when the caller is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Accounts whose keys it may read (`"*"` for all).
    #[serde(default)]
    pub readable_accounts: Vec<String>,
}

/// One AccessKey and how it was used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyUsage {
    /// The AccessKeyId asked about.
    pub access_key_id: String,
    /// Its account.
    pub account_id: String,
    /// `root-account` or `ram-user`.
    pub account_type: String,
    /// Owner id; defaults to the account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// The RAM user owning the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The principal id written into events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// Services used; empty when never used.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Source IPs by ServiceName.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ips: BTreeMap<String, Vec<IpUse>>,
    /// Resources by ServiceName.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, Vec<ResourceUse>>,
    /// API actions by ServiceName (GetAccessKeyLastUsedEvents); made from `products`
    /// when absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, Vec<EventUse>>,
    /// `Active` or `Inactive`, as RAM lists the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<KeyStatus>,
    /// When the key was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<When>,
}

/// Whether a key may sign requests (RAM's `Status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// Enabled, the default.
    #[default]
    Active,
    /// Disabled.
    Inactive,
}

/// Declares one kind of recorded use: its own fields, then what every use carries (when,
/// how ActionTrail learned of it, the region called, an explicit event) with the optional
/// context this kind names between them. Written once, so the four kinds spell the shared
/// fields, their defaults and their docs alike.
macro_rules! key_use {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$field_doc:meta])* $field:ident: $ty:ty, )*
        }
        optional {
            $( $(#[$optional_doc:meta])* $optional:ident, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$field_doc])* pub $field: $ty, )*
            /// When.
            pub used_at: When,
            /// How ActionTrail learned of it: `Internal`, `ManagementEvent` (the default)
            /// or `DataEvent`.
            #[serde(default = "default_source")]
            pub source: String,
            $(
                $(#[$optional_doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $optional: Option<String>,
            )*
            /// The region called.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub region: Option<String>,
            /// An explicit event, answered instead of a generated one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub detail: Option<serde_json::Value>,
        }
    };
}

key_use! {
    /// An API action a key called on a service.
    EventUse {
        /// The action, e.g. `DescribeInstances`.
        event_name: String,
    }
    optional {
        /// The caller's IP.
        source_ip,
    }
}

key_use! {
    /// A service a key used.
    Product {
        /// Code name, e.g. `Ecs`.
        service_name: String,
    }
    optional {
        /// Chinese display name.
        service_name_cn,
        /// English display name.
        service_name_en,
        /// The API action of the last call.
        event_name,
        /// The caller's IP.
        source_ip,
    }
}

key_use! {
    /// A source IP a key was used from.
    IpUse {
        /// The address.
        ip: String,
    }
    optional {
        /// The API action.
        event_name,
    }
}

key_use! {
    /// A resource a key acted on.
    ResourceUse {
        /// Name or ARN.
        resource_name: String,
        /// Type, e.g. `ACS::ECS::Instance`.
        resource_type: String,
    }
    optional {
        /// The API action.
        event_name,
        /// The caller's IP.
        source_ip,
    }
}

fn default_source() -> String {
    "ManagementEvent".into()
}

/// A moment: absolute epoch milliseconds, or a span before the emulator's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Epoch milliseconds.
    At(i64),
    /// This long before start-up.
    Ago(Duration),
}

impl When {
    /// `d` days, `h` hours and `m` minutes before start-up.
    pub fn ago(d: u64, h: u64, m: u64) -> When {
        When::Ago(Duration::from_secs(((d * 24 + h) * 60 + m) * 60))
    }

    /// Epoch milliseconds, given start-up time `now_ms`.
    pub fn resolve(self, now_ms: i64) -> i64 {
        match self {
            When::At(ms) => ms,
            When::Ago(d) => now_ms.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        }
    }
}

impl Serialize for When {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            When::At(ms) => s.serialize_i64(*ms),
            When::Ago(d) => s.serialize_str(&format!("now-{}", humantime::format_duration(*d))),
        }
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<When, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Ms(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Ms(ms) => Ok(When::At(ms)),
            Raw::Text(t) => parse_when(&t).map_err(serde::de::Error::custom),
        }
    }
}

fn parse_when(t: &str) -> Result<When, String> {
    if let Some(rest) = t.trim().strip_prefix("now-") {
        return humantime::parse_duration(rest.trim())
            .map(When::Ago)
            .map_err(|e| format!("used_at {t:?}: {e}"));
    }
    if t.trim() == "now" {
        return Ok(When::Ago(Duration::ZERO));
    }
    let at = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("used_at {t:?}: not epoch ms, RFC 3339 or \"now-<duration>\": {e}"))?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
        .map(When::At)
        .map_err(|_| format!("used_at {t:?} is out of range"))
}

impl DataSet {
    /// Parses a data set from JSON text.
    pub fn from_json(text: &str) -> Result<DataSet, serde_json::Error> {
        let data: DataSet = serde_json::from_str(text)?;
        if let Some(rd) = &data.resource_directory {
            rd.check()
                .map_err(<serde_json::Error as serde::de::Error>::custom)?;
        }
        Ok(data)
    }

    /// The data set as pretty JSON (the `--data` format).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// The built-in demo data set (`demo.json`): two accounts' keys used recently, long
    /// ago, never and from a thousand IPs, a disabled key, an STS key, a root-account key,
    /// and the demo callers.
    pub fn demo() -> DataSet {
        // Embedded at build time and parsed by a unit test, so this cannot fail at run time.
        DataSet::from_json(DEMO_JSON).expect("the embedded demo.json is a valid data set")
    }
}

/// The demo data set's JSON text.
pub const DEMO_JSON: &str = include_str!("demo.json");

/// The demo caller, allowed to read every account's keys.
pub const DEMO_CALLER_ID: &str = "LTAI5tDemoCaller0000001";
/// The demo caller's secret.
pub const DEMO_CALLER_SECRET: &str = "demo-secret-do-not-use-in-production";

/// The demo organisation's main account (the metadata service's role lives there).
pub const ACME_ACCOUNT: &str = "1234567890123456";

/// The display names ActionTrail gives the services the demo uses.
pub fn service_names(service: &str) -> (Option<String>, Option<String>) {
    let (cn, en) = match service {
        "Ecs" => ("云服务器 ECS", "Elastic Compute Service"),
        "Oss" => ("对象存储 OSS", "Object Storage Service"),
        "Ram" => ("访问控制", "Resource Access Management"),
        "Sts" => ("令牌服务", "Security Token Service"),
        "Vpc" => ("专有网络 VPC", "Virtual Private Cloud"),
        "Slb" => ("负载均衡", "Server Load Balancer"),
        "Rds" => ("云数据库 RDS 版", "ApsaraDB RDS"),
        "Actiontrail" => ("操作审计", "ActionTrail"),
        "BssOpenApi" => ("费用与成本", "Billing Management"),
        _ => return (None, None),
    };
    (Some(cn.into()), Some(en.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_demo_parses_and_round_trips() {
        let demo = DataSet::demo();
        assert!(demo.keys.len() >= 7 && demo.callers.len() == 3);
        assert!(demo
            .callers
            .iter()
            .any(|c| c.access_key_id == DEMO_CALLER_ID));
        let again = DataSet::from_json(&demo.to_json()).unwrap();
        assert_eq!(again, demo);
        let inactive = demo
            .keys
            .iter()
            .filter(|k| k.status == Some(KeyStatus::Inactive));
        assert_eq!(inactive.count(), 1);
    }

    #[test]
    fn unknown_fields_and_statuses_are_refused() {
        let key = |extra: &str| {
            format!(
                r#"{{"keys":[{{"access_key_id":"A","account_id":"1","account_type":"ram-user"{extra}}}]}}"#
            )
        };
        assert!(DataSet::from_json(&key("")).is_ok());
        assert!(
            DataSet::from_json(&key(r#","status":"Inactive","create_date":"now-3days""#)).is_ok()
        );
        assert!(DataSet::from_json(&key(r#","status":"Deleted""#)).is_err());
        assert!(DataSet::from_json(&key(r#","create_date":"last year""#)).is_err());
        assert!(DataSet::from_json(&key(r#","events":{"Ecs":[{"used_at":1}]}"#)).is_err());
        assert!(DataSet::from_json(&key(r#","colour":"red""#)).is_err());
    }
}
