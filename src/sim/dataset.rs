//! The emulator's data set: who may call it, and how every AccessKey was used.
//!
//! The built-in set ([`DataSet::demo`]) is written relative to the moment the emulator
//! starts, so "used two days ago" stays two days ago whenever the demo runs.
//! `actiontrail-sim --dump-data` prints it; `actiontrail-sim --data FILE` loads a file of the
//! same shape.
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
//!       "products": [
//!         { "service_name": "Ecs", "service_name_cn": "云服务器 ECS",
//!           "service_name_en": "Elastic Compute Service", "source": "ManagementEvent",
//!           "used_at": "now-2days 5h", "event_name": "DescribeInstances",
//!           "source_ip": "203.0.113.10", "region": "cn-hangzhou" }
//!       ],
//!       "ips": { "Ecs": [ { "ip": "203.0.113.10", "used_at": "now-2days 5h" } ] },
//!       "resources": { "Ecs": [ { "resource_name": "i-bp1...", "resource_type": "ACS::ECS::Instance",
//!                                 "used_at": 1767225600000 } ] } }
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
//! - `oidc_providers` are the OIDC identity providers registered in RAM whose tokens STS
//!   AssumeRoleWithOIDC exchanges for a role's credentials:
//!   `{ "arn": "acs:ram::<account>:oidc-provider/<name>", "issuer": "https://...",
//!   "client_ids": ["sts.aliyuncs.com"], "readable_accounts": ["*"] }`. A token is accepted
//!   when it is a JWT whose `iss` is the issuer, whose `aud` names a client id and whose
//!   `exp` is ahead; the emulator holds no keys, so it does not check the JWT's signature.
//!   The role assumed may be any well-formed role ARN of the provider's account; its
//!   credentials read what `readable_accounts` lists.
//!
//! Lists are answered ordered by UsedTimestamp, most recent first; GetAccessKeyLastUsedInfo
//! answers with the most recent product. As in ActionTrail, use older than 400 days is not
//! reported (a key whose only use is older looks never used).

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
}

/// A service a key used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Code name, e.g. `Ecs`.
    pub service_name: String,
    /// Chinese display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name_cn: Option<String>,
    /// English display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name_en: Option<String>,
    /// `Internal`, `ManagementEvent` or `DataEvent`.
    #[serde(default = "default_source")]
    pub source: String,
    /// When.
    pub used_at: When,
    /// The API action of the last call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// The caller's IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The region called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// An explicit event, returned instead of a generated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// A source IP a key was used from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpUse {
    /// The address.
    pub ip: String,
    /// When.
    pub used_at: When,
    /// How ActionTrail learned of it.
    #[serde(default = "default_source")]
    pub source: String,
    /// The API action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// The region called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// An explicit event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// A resource a key acted on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceUse {
    /// Name or ARN.
    pub resource_name: String,
    /// Type, e.g. `ACS::ECS::Instance`.
    pub resource_type: String,
    /// When.
    pub used_at: When,
    /// How ActionTrail learned of it.
    #[serde(default = "default_source")]
    pub source: String,
    /// The API action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// The caller's IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The region called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// An explicit event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
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
        serde_json::from_str(text)
    }

    /// The data set as pretty JSON (the `--data` format).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// The built-in demo data set: two accounts' keys used recently, long ago, never and
    /// from a thousand IPs, an STS key, a root-account key, and the demo callers.
    pub fn demo() -> DataSet {
        DataSet {
            callers: vec![
                Caller {
                    access_key_id: DEMO_CALLER_ID.into(),
                    access_key_secret: DEMO_CALLER_SECRET.into(),
                    account_id: ACME.into(),
                    user_name: Some("security-auditor".into()),
                    readable_accounts: vec!["*".into()],
                },
                Caller {
                    access_key_id: "LTAI5tDeniedCaller00001".into(),
                    access_key_secret: "denied-secret".into(),
                    account_id: ACME.into(),
                    user_name: Some("intern-no-policies".into()),
                    readable_accounts: vec![],
                },
                Caller {
                    access_key_id: "LTAI5tScopedCaller00001".into(),
                    access_key_secret: "scoped-secret".into(),
                    account_id: FLEET.into(),
                    user_name: Some("fleet-auditor".into()),
                    readable_accounts: vec![FLEET.into()],
                },
            ],
            keys: vec![
                recent_use(),
                idle_key(),
                never_used(),
                many_ips(),
                root_key(),
                sts_key(),
            ],
            oidc_providers: vec![OidcProvider {
                arn: DEMO_OIDC_PROVIDER_ARN.into(),
                issuer: DEMO_OIDC_ISSUER.into(),
                client_ids: vec![DEMO_OIDC_AUDIENCE.into()],
                readable_accounts: vec!["*".into()],
            }],
        }
    }
}

/// The demo caller, allowed to read every account's keys.
pub const DEMO_CALLER_ID: &str = "LTAI5tDemoCaller0000001";
/// The demo caller's secret.
pub const DEMO_CALLER_SECRET: &str = "demo-secret-do-not-use-in-production";

/// The demo organisation's main account (the metadata service's role lives there).
pub const ACME_ACCOUNT: &str = "1234567890123456";
const ACME: &str = ACME_ACCOUNT;
const FLEET: &str = "2345678901234567";
const FINANCE: &str = "3456789012345678";

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

fn product(service: &str, at: When, event: &str, ip: &str, region: &str) -> Product {
    let (cn, en) = service_names(service);
    Product {
        service_name: service.into(),
        service_name_cn: cn,
        service_name_en: en,
        source: default_source(),
        used_at: at,
        event_name: Some(event.into()),
        source_ip: Some(ip.into()),
        region: Some(region.into()),
        detail: None,
    }
}

fn ip(addr: &str, at: When, event: &str, region: &str) -> IpUse {
    IpUse {
        ip: addr.into(),
        used_at: at,
        source: default_source(),
        event_name: Some(event.into()),
        region: Some(region.into()),
        detail: None,
    }
}

fn resource(
    name: &str,
    kind: &str,
    at: When,
    event: &str,
    addr: &str,
    region: &str,
) -> ResourceUse {
    ResourceUse {
        resource_name: name.into(),
        resource_type: kind.into(),
        used_at: at,
        source: default_source(),
        event_name: Some(event.into()),
        source_ip: Some(addr.into()),
        region: Some(region.into()),
        detail: None,
    }
}

fn recent_use() -> KeyUsage {
    let hz = "cn-hangzhou";
    let last = When::ago(2, 5, 0);
    KeyUsage {
        access_key_id: "LTAI5tRecentUse000000001".into(),
        account_id: ACME.into(),
        account_type: "ram-user".into(),
        owner_id: Some(ACME.into()),
        user_name: Some("ci-deployer".into()),
        principal_id: Some("203456789012345678".into()),
        products: vec![
            product("Ecs", last, "DescribeInstances", "203.0.113.10", hz),
            product("Oss", When::ago(3, 2, 40), "PutObject", "203.0.113.24", hz),
            product("Ram", When::ago(9, 11, 5), "ListUsers", "198.51.100.7", hz),
            product(
                "Sts",
                When::ago(20, 0, 30),
                "AssumeRole",
                "198.51.100.7",
                hz,
            ),
            product(
                "Vpc",
                When::ago(45, 6, 0),
                "DescribeVpcs",
                "203.0.113.10",
                "cn-shanghai",
            ),
        ],
        ips: BTreeMap::from([
            (
                "Ecs".into(),
                vec![
                    ip("203.0.113.10", last, "DescribeInstances", hz),
                    ip("203.0.113.11", When::ago(2, 9, 12), "StartInstance", hz),
                    ip(
                        "198.51.100.7",
                        When::ago(6, 1, 0),
                        "DescribeSecurityGroups",
                        hz,
                    ),
                    ip("10.0.3.17", When::ago(14, 3, 0), "CreateDisk", hz),
                ],
            ),
            (
                "Oss".into(),
                vec![
                    ip("203.0.113.24", When::ago(3, 2, 40), "PutObject", hz),
                    ip("203.0.113.25", When::ago(4, 0, 0), "GetObject", hz),
                    ip("100.64.12.9", When::ago(11, 8, 0), "ListObjects", hz),
                ],
            ),
        ]),
        resources: BTreeMap::from([
            (
                "Ecs".into(),
                vec![
                    resource(
                        "acs:ecs:cn-hangzhou:1234567890123456:instance/i-bp1demo0ci0runner01",
                        "ACS::ECS::Instance",
                        last,
                        "DescribeInstances",
                        "203.0.113.10",
                        hz,
                    ),
                    resource(
                        "acs:ecs:cn-hangzhou:1234567890123456:instance/i-bp1demo0ci0runner02",
                        "ACS::ECS::Instance",
                        When::ago(2, 9, 12),
                        "StartInstance",
                        "203.0.113.11",
                        hz,
                    ),
                    resource(
                        "acs:ecs:cn-hangzhou:1234567890123456:securitygroup/sg-bp1demo0ci0web",
                        "ACS::ECS::SecurityGroup",
                        When::ago(6, 1, 0),
                        "DescribeSecurityGroups",
                        "198.51.100.7",
                        hz,
                    ),
                    resource(
                        "acs:ecs:cn-hangzhou:1234567890123456:disk/d-bp1demo0ci0cache",
                        "ACS::ECS::Disk",
                        When::ago(14, 3, 0),
                        "CreateDisk",
                        "10.0.3.17",
                        hz,
                    ),
                ],
            ),
            (
                "Oss".into(),
                vec![
                    resource(
                        "acs:oss:*:1234567890123456:ci-artifacts",
                        "ACS::OSS::Bucket",
                        When::ago(3, 2, 40),
                        "PutObject",
                        "203.0.113.24",
                        hz,
                    ),
                    resource(
                        "acs:oss:*:1234567890123456:release-images",
                        "ACS::OSS::Bucket",
                        When::ago(4, 0, 0),
                        "GetObject",
                        "203.0.113.25",
                        hz,
                    ),
                    resource(
                        "acs:oss:*:1234567890123456:build-logs",
                        "ACS::OSS::Bucket",
                        When::ago(11, 8, 0),
                        "ListObjects",
                        "100.64.12.9",
                        hz,
                    ),
                ],
            ),
        ]),
    }
}

fn idle_key() -> KeyUsage {
    let at = When::ago(200, 4, 0);
    KeyUsage {
        access_key_id: "LTAI5tIdleKey0000000001".into(),
        account_id: ACME.into(),
        account_type: "ram-user".into(),
        owner_id: Some(ACME.into()),
        user_name: Some("legacy-backup".into()),
        principal_id: Some("204567890123456789".into()),
        products: vec![
            product("Oss", at, "PutObject", "192.0.2.44", "cn-beijing"),
            product(
                "Ecs",
                When::ago(262, 0, 0),
                "CreateSnapshot",
                "192.0.2.44",
                "cn-beijing",
            ),
        ],
        ips: BTreeMap::from([(
            "Oss".into(),
            vec![ip("192.0.2.44", at, "PutObject", "cn-beijing")],
        )]),
        resources: BTreeMap::from([(
            "Oss".into(),
            vec![resource(
                "acs:oss:*:1234567890123456:nightly-backups",
                "ACS::OSS::Bucket",
                at,
                "PutObject",
                "192.0.2.44",
                "cn-beijing",
            )],
        )]),
    }
}

fn never_used() -> KeyUsage {
    KeyUsage {
        access_key_id: "LTAI5tNeverUsed00000001".into(),
        account_id: ACME.into(),
        account_type: "ram-user".into(),
        owner_id: Some(ACME.into()),
        user_name: Some("new-hire".into()),
        principal_id: Some("205678901234567890".into()),
        products: vec![],
        ips: BTreeMap::new(),
        resources: BTreeMap::new(),
    }
}

/// A fleet agent key: 1,000 distinct IPs and 260 instances on Ecs, one every few minutes.
fn many_ips() -> KeyUsage {
    let region = "cn-shenzhen";
    let ips = (0..1000u64)
        .map(|i| {
            let addr = format!(
                "10.{}.{}.{}",
                20 + i / 250,
                (i % 250) / 10 * 7 + 1,
                i % 10 * 20 + 5
            );
            ip(
                &addr,
                When::Ago(Duration::from_secs(3600 + i * 420)),
                "DescribeInstanceStatus",
                region,
            )
        })
        .collect();
    let resources = (0..260u64)
        .map(|i| {
            resource(
                &format!("acs:ecs:{region}:{FLEET}:instance/i-wz9fleet{i:08x}"),
                "ACS::ECS::Instance",
                When::Ago(Duration::from_secs(7200 + i * 780)),
                "DescribeInstanceStatus",
                &format!(
                    "10.{}.{}.{}",
                    20 + i / 250,
                    (i % 250) / 10 * 7 + 1,
                    i % 10 * 20 + 5
                ),
                region,
            )
        })
        .collect();
    KeyUsage {
        access_key_id: "LTAI5tManyIps0000000001".into(),
        account_id: FLEET.into(),
        account_type: "ram-user".into(),
        owner_id: Some(FLEET.into()),
        user_name: Some("fleet-agent".into()),
        principal_id: Some("206789012345678901".into()),
        products: vec![
            product(
                "Ecs",
                When::ago(0, 1, 0),
                "DescribeInstanceStatus",
                "10.20.1.5",
                region,
            ),
            product(
                "Slb",
                When::ago(1, 2, 0),
                "DescribeLoadBalancers",
                "10.20.1.25",
                region,
            ),
        ],
        ips: BTreeMap::from([("Ecs".into(), ips)]),
        resources: BTreeMap::from([("Ecs".into(), resources)]),
    }
}

fn root_key() -> KeyUsage {
    KeyUsage {
        access_key_id: "LTAI5tRootFinance000001".into(),
        account_id: FINANCE.into(),
        account_type: "root-account".into(),
        owner_id: Some(FINANCE.into()),
        user_name: None,
        principal_id: Some(FINANCE.into()),
        products: vec![
            product(
                "BssOpenApi",
                When::ago(10, 3, 0),
                "QueryBill",
                "198.51.100.200",
                "cn-hangzhou",
            ),
            product(
                "Rds",
                When::ago(33, 0, 0),
                "DescribeDBInstances",
                "198.51.100.200",
                "cn-hangzhou",
            ),
            product(
                "Actiontrail",
                When::ago(90, 0, 0),
                "CreateTrail",
                "198.51.100.200",
                "cn-hangzhou",
            ),
        ],
        ips: BTreeMap::from([(
            "BssOpenApi".into(),
            vec![ip(
                "198.51.100.200",
                When::ago(10, 3, 0),
                "QueryBill",
                "cn-hangzhou",
            )],
        )]),
        resources: BTreeMap::new(),
    }
}

fn sts_key() -> KeyUsage {
    let at = When::ago(0, 3, 20);
    KeyUsage {
        access_key_id: "STS.NTnUa5vXbTqk4hxgRLtFmZ7QW".into(),
        account_id: ACME.into(),
        account_type: "ram-user".into(),
        owner_id: Some(ACME.into()),
        user_name: Some("EcsAuditRole:i-bp1audit0000001".into()),
        principal_id: Some("307890123456789012:i-bp1audit0000001".into()),
        products: vec![product(
            "Actiontrail",
            at,
            "LookupEvents",
            "172.16.0.8",
            "cn-hangzhou",
        )],
        ips: BTreeMap::from([(
            "Actiontrail".into(),
            vec![ip("172.16.0.8", at, "LookupEvents", "cn-hangzhou")],
        )]),
        resources: BTreeMap::new(),
    }
}
