//! The provider block's schema: where to call ActionTrail, with which credentials, and
//! how patiently.

use crate::model::{Attribute, Block, NestedBlock, Schema, Type};

/// The provider block's description, also the lead paragraph of its docs.
pub const DESCRIPTION: &str = "Reads Alibaba Cloud ActionTrail's record of when, where and for what each AccessKey was last used, so that a plan can audit keys and refuse to retire one that is still in use.";

fn opt(name: &str, ty: Type, description: &str) -> Attribute {
    Attribute::optional(name, ty, description)
}

/// The provider block's schema.
pub fn schema() -> Schema {
    let assume_role = Block::of(
        vec![
            Attribute::required("role_arn", Type::String, "ARN of the RAM role to assume, `acs:ram::<account id>:role/<role name>`."),
            opt("session_name", Type::String, "Session name recorded in ActionTrail for the assumed role (2-64 characters of letters, digits, `.`, `@`, `-`, `_`); default `terraform`."),
            opt("policy", Type::String, "A RAM policy document (JSON) that further restricts the assumed role's permissions."),
            opt("session_expiration", Type::Number, "Lifetime of the temporary credentials in seconds, 900 to 43200; default 3600."),
            opt("external_id", Type::String, "External ID the role's trust policy requires, if any."),
        ],
        "Assume a RAM role through STS AssumeRole, signing with the credentials found otherwise, and call ActionTrail as that role.",
    );
    Schema::new(
        0,
        Block {
            attributes: vec![
                opt("access_key", Type::String, "AccessKey ID to sign with. Also `ALIBABA_CLOUD_ACCESS_KEY_ID` or `ALICLOUD_ACCESS_KEY`.").sensitive(),
                opt("secret_key", Type::String, "AccessKey secret to sign with. Also `ALIBABA_CLOUD_ACCESS_KEY_SECRET` or `ALICLOUD_SECRET_KEY`.").sensitive(),
                opt("security_token", Type::String, "STS security token, for temporary credentials. Also `ALIBABA_CLOUD_SECURITY_TOKEN` or `ALICLOUD_SECURITY_TOKEN`.").sensitive(),
                opt("region", Type::String, "Region whose ActionTrail endpoint to call, e.g. `cn-hangzhou`. Also `ALIBABA_CLOUD_REGION` or `ALICLOUD_REGION`; default `cn-hangzhou`."),
                opt("endpoint", Type::String, "ActionTrail endpoint to call instead of `actiontrail.<region>.aliyuncs.com`: a host, `host:port` or URL (`http://` implies protocol HTTP). Also `ACTIONTRAIL_ENDPOINT`."),
                opt("protocol", Type::String, "`HTTPS` (default) or `HTTP`."),
                opt("signature_algorithm", Type::String, "`HMAC-SHA1` (default, RPC signature version 1.0) or `ACS3-HMAC-SHA256`."),
                opt("max_retries", Type::Number, "Retries, with backoff, of throttled, failed (5xx) or timed-out calls, 0 to 20; default 5."),
                opt("timeout", Type::String, "Timeout of each API call, a duration such as `30s` or `2m`; default `30s`."),
                opt("profile", Type::String, "Profile of the aliyun CLI's config file to take credentials from. Also `ALIBABA_CLOUD_PROFILE` or `ALICLOUD_PROFILE`."),
                opt("shared_credentials_file", Type::String, "Path of the aliyun CLI's config file; default `~/.aliyun/config.json`."),
                opt("credentials_file", Type::String, "Path of the INI credentials file; default `~/.alibabacloud/credentials`, then `~/.alibabacloud/credentials.ini`. Also `ALIBABA_CLOUD_CREDENTIALS_FILE` (INI, or the aliyun CLI's JSON, told apart by content)."),
                opt("ecs_role_name", Type::String, "RAM role attached to this ECS instance, whose credentials the instance metadata service hands out. Also `ALIBABA_CLOUD_ECS_METADATA`."),
                opt("ecs_metadata_endpoint", Type::String, "Instance metadata service to ask for the ECS role's credentials instead of `http://100.100.100.200`."),
                opt("sts_endpoint", Type::String, "STS endpoint assume_role and assume_role_with_oidc call instead of `sts.aliyuncs.com`. Also `ALIBABA_CLOUD_STS_ENDPOINT`."),
                opt("credentials_uri", Type::String, "A local endpoint whose `GET` answers temporary credentials as `{Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}`. Also `ALIBABA_CLOUD_CREDENTIALS_URI`. Sensitive: its query may hold the broker's secret, so messages and logs show only scheme, host and path.").sensitive(),
                opt("ram_endpoint", Type::String, "RAM endpoint `actiontrail_accesskeys` lists users and keys at (ListUsers, ListAccessKeys) instead of `ram.aliyuncs.com`. Also `ACTIONTRAIL_RAM_ENDPOINT`."),
                opt("insecure_http", Type::Bool, "For emulators and test rigs only: allow plain HTTP to hosts other than loopback for `endpoint`, `protocol`, `ram_endpoint`, `resourcemanager_endpoint`, `sts_endpoint` (and `ALIBABA_CLOUD_STS_ENDPOINT`) and `credentials_uri`. Without it, plain HTTP is refused unless the host is 127.0.0.0/8, `::1` or `localhost`, because anyone on the path could read the security token or answer \"never used\". Every plan that uses it warns, naming the endpoints. Default `false`. See [the threat model](guides/threat-model.md)."),
                opt("max_concurrency", Type::Number, "The most API calls in flight at once, over every data source, 1 to 100; default 10 (Terraform's own parallelism)."),
                opt("resourcemanager_endpoint", Type::String, "ResourceManager endpoint a Resource Directory's accounts are listed at (ListAccounts) instead of `resourcemanager.aliyuncs.com`, which is called over HTTPS whatever `protocol` says. Also `ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT`."),
                opt("max_requests_per_second", Type::Number, "The most calls a second to each API (Action) for each account, from the first call, more than 0 and at most 10000 (`0.5` is a call every two seconds): headroom in the account's flow-control quota for other tools. Without it calls are not slowed until the API answers `Throttling`; then the provider paces that API for that account a little under the rate the API let through, honours `x-acs-retry-after`, and speeds up again while no call is throttled. `max_concurrency` bounds both."),
            ],
            block_types: vec![
                NestedBlock::at_most_one("assume_role", assume_role),
                NestedBlock::at_most_one("assume_role_with_oidc", crate::provider::oidc::block()),
                NestedBlock::at_most_one("endpoints", crate::provider::endpoints::block()),
            ],
            description: DESCRIPTION.to_owned(),
            deprecated: false,
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_sensitive_and_everything_is_described() {
        let s = schema();
        for name in [
            "access_key",
            "secret_key",
            "security_token",
            "credentials_uri",
        ] {
            assert!(s.block.attribute(name).unwrap().sensitive, "{name}");
        }
        for a in &s.block.attributes {
            assert!(!a.description.is_empty() && a.optional, "{}", a.name);
        }
    }
}
