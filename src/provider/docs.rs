//! The registry documentation (`docs/index.md`, `docs/data-sources/*.md`,
//! `docs/ephemeral-resources/*.md`, `docs/actions/*.md`, `docs/functions/*.md`), generated from the schemas,
//! the function signatures and the example files so that none can drift from the code.
//! `tests/it/docs_up_to_date.rs` checks the committed files against this.

use crate::framework::docs::{arguments, attributes, example_block, front_matter};
use crate::model::Block;
use crate::provider;
use crate::provider::data_source_docs;
use crate::usage::FRESHNESS_NOTE;
use std::io;
use std::path::{Path, PathBuf};

/// Every documentation file, as `(path under the repository root, contents)`. Example
/// files are read from `root/examples`.
pub fn generate(root: &Path) -> io::Result<Vec<(PathBuf, String)>> {
    let example = |rel: &str| -> io::Result<String> {
        let path = root.join("examples").join(rel);
        std::fs::read_to_string(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    };
    let mut files = vec![(
        PathBuf::from("docs/index.md"),
        index(&example("provider/provider.tf")?),
    )];
    for (name, schema, guide) in data_source_docs() {
        let tf = example(&format!("data-sources/{name}/data-source.tf"))?;
        let short = name.strip_prefix("actiontrail_").unwrap_or(name);
        files.push((
            PathBuf::from(format!("docs/data-sources/{short}.md")),
            data_source(name, &schema.block, &tf, guide),
        ));
    }
    for (name, schema) in crate::provider::ephemeral::schemas() {
        let tf = example(&format!("ephemeral-resources/{name}/ephemeral-resource.tf"))?;
        let short = name.strip_prefix("actiontrail_").unwrap_or(&name);
        files.push((
            PathBuf::from(format!("docs/ephemeral-resources/{short}.md")),
            ephemeral_resource(&name, &schema.block, &tf),
        ));
    }
    for action in crate::provider::actions() {
        let name = action.type_name();
        let short = name.strip_prefix("actiontrail_").unwrap_or(name);
        files.push((
            PathBuf::from(format!("docs/actions/{short}.md")),
            crate::actions::docs::page(action.as_ref(), &example("action/main.tf")?),
        ));
    }
    for f in crate::functions::functions() {
        let tf = example(&format!("functions/{}/function.tf", f.name))?;
        files.push((
            PathBuf::from(format!("docs/functions/{}.md", f.name)),
            crate::functions::docs::page(&f, &tf),
        ));
    }
    Ok(files)
}

const AUTHENTICATION: &str = r#"## Authentication

The provider signs its calls with the first credentials it finds, in this order:

1. **Provider arguments**: `access_key` and `secret_key` (and `security_token` for
   temporary STS credentials). Set both or neither. Then, in this order, `ecs_role_name`,
   an `assume_role_with_oidc` block and `credentials_uri`: a source named in the provider
   block wins over anything found in the environment or in files.
2. **Environment variables**: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
   and `ALIBABA_CLOUD_SECURITY_TOKEN`, or the alicloud provider's names
   `ALICLOUD_ACCESS_KEY`, `ALICLOUD_SECRET_KEY` and `ALICLOUD_SECURITY_TOKEN`.
3. **An OIDC token** (GitHub Actions, ACK RRSA): `ALIBABA_CLOUD_ROLE_ARN`,
   `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` all set (session
   name `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else `terraform`). The token file is read again
   at every refresh and exchanged through STS AssumeRoleWithOIDC, which needs no AccessKey.
4. **The aliyun CLI's profile file**: `~/.aliyun/config.json` (or `shared_credentials_file`,
   or `ALIBABA_CLOUD_CREDENTIALS_FILE` when that file is JSON), profile `profile` /
   `ALIBABA_CLOUD_PROFILE` / `ALICLOUD_PROFILE`, else the file's `current` one. Modes `AK`,
   `StsToken`, `RamRoleArn`, `ChainableRamRoleArn` (`source_profile` names the profile
   whose credentials assume the role), `EcsRamRole`, `OIDC` and `External`
   (`process_command`, split at whitespace and run without a shell, prints
   `{"mode", "access_key_id", "access_key_secret", "sts_token", "expiration"}`) are
   understood. `CloudSSO` and `OAuth` are refused: their cached token is only worth
   something once exchanged online with the sign-in service.
   `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` skips this file.
5. **The credentials INI file**: `~/.alibabacloud/credentials`, then
   `~/.alibabacloud/credentials.ini` (or `credentials_file`, or
   `ALIBABA_CLOUD_CREDENTIALS_FILE` when that file is INI), section `[default]` or the
   profile above. Types `access_key`, `sts`, `ram_role_arn`, `ecs_ram_role` and
   `oidc_role_arn`. `ALIBABA_CLOUD_CREDENTIALS_FILE` means the INI file to Alibaba's
   credentials libraries and the CLI's `config.json` to the alicloud provider; either is
   accepted, told apart by its content (JSON starts with `{`).
6. **An ECS instance RAM role** named by `ALIBABA_CLOUD_ECS_METADATA` (unless
   `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`), whose credentials the instance metadata
   service hands out (IMDSv2 token first). The metadata service is never probed unless a
   role is named: off ECS it does not refuse, it hangs.
7. **A credentials URI**: `ALIBABA_CLOUD_CREDENTIALS_URI`, a local endpoint whose `GET`
   answers `{"Code": "Success", "AccessKeyId", "AccessKeySecret", "SecurityToken",
   "Expiration"}`; refreshed five minutes before `Expiration`.

If none has credentials, the plan fails with one message naming every place looked in.

With an `assume_role` block, or else `ALICLOUD_ASSUME_ROLE_ARN` or `ALIBABA_CLOUD_ROLE_ARN`
(when it is not taken by the OIDC token above; session name
`ALICLOUD_ASSUME_ROLE_SESSION_NAME` / `ALIBABA_CLOUD_ROLE_SESSION_NAME`), the credentials
found call STS AssumeRole and the provider then works as that role. STS is
`sts.aliyuncs.com` unless `sts_endpoint` or `ALIBABA_CLOUD_STS_ENDPOINT` names another.
Region comes from `region`, else `ALIBABA_CLOUD_REGION` or `ALICLOUD_REGION`, else
`cn-hangzhou`; `endpoint` (or `ACTIONTRAIL_ENDPOINT`) replaces
`actiontrail.<region>.aliyuncs.com`, for example with a local emulator.

Every endpoint (ActionTrail, STS, the metadata service, a credentials URI) is reached
through `HTTPS_PROXY` / `HTTP_PROXY`, else `ALL_PROXY` (or `https_proxy` / `http_proxy` /
`all_proxy`) unless `NO_PROXY` lists its host; a proxy URL that does not parse, or a SOCKS
proxy, which this provider does not speak, fails the plan rather than being skipped.
Loopback hosts and the metadata address `100.100.100.200` are reached directly unless the
proxy is itself on loopback: a proxy on another machine would read those plain-HTTP calls
in clear.

The caller needs the RAM actions `actiontrail:GetAccessKeyLastUsedInfo`,
`actiontrail:GetAccessKeyLastUsedProducts`, `actiontrail:GetAccessKeyLastUsedIps` and
`actiontrail:GetAccessKeyLastUsedResources` (all in `AliyunActionTrailReadOnlyAccess`).
"#;

const GATES: &str = r#"## Gating a key rotation

Before a rotation deletes or disables a key, a plan should fail if something still uses
it. On every Terraform version, `fail_if_used_within` on `actiontrail_accesskey_last_used`
does that: use more recent than the window is an error pointing at the argument, naming
the service, IP, region and time of the last use.

On Terraform 1.5 and later the attributes also serve `check` blocks (a warning) and
`postcondition`s (an error), using RFC 3339 times with `timecmp` and `plantimestamp`:

```terraform
check "retiring_key_is_idle" {
  data "actiontrail_accesskey_last_used" "retiring" {
    access_key_id = var.retiring_key
  }

  assert {
    condition = (
      !data.actiontrail_accesskey_last_used.retiring.used ||
      timecmp(data.actiontrail_accesskey_last_used.retiring.last_used_at,
              timeadd(plantimestamp(), "-720h")) < 0
    )
    error_message = "The key was used in the last 30 days, from ${coalesce(data.actiontrail_accesskey_last_used.retiring.last_used_ip, "an unknown IP")}."
  }
}

data "actiontrail_accesskey_last_used" "old" {
  access_key_id = var.retiring_key

  lifecycle {
    postcondition {
      condition     = coalesce(self.days_since_last_used, 9999) >= 30
      error_message = "The key was used ${self.days_since_last_used} days ago."
    }
  }
}
```

On Terraform 1.10 and later the `actiontrail_accesskey_last_used` ephemeral resource is
the same gate, with the same arguments and attributes, and writes nothing about the key's
use to the state or the plan file. On Terraform 1.8 and later the provider functions
`provider::actiontrail::used_within(last_used_at, window, plantimestamp())`,
`duration_seconds(window)` and `parse_event(detail)` apply the gate's own rules in
conditions and outputs.

Every gate above answers at plan time. On Terraform 1.14 and later the
`actiontrail_accesskey_gate` action applies the same rule at apply time, right before the
change it guards (a key's `status` going from `Active` to `Inactive`), so a plan saved and
applied days later is checked again; see the guide "The gate at apply time".
"#;

const FLOW_CONTROL: &str = r#"## Flow control

Alibaba Cloud answers calls past an API's per-account rate with `Throttling.User`. The
provider paces itself per API, account and endpoint: an API is not slowed until it is
throttled; then its calls are spread a little under the rate the API let through over the
last second, `x-acs-retry-after` is honoured, and the pace rises again while nothing is
throttled. The pace is shared by every data source of the plan, so a large read
(`actiontrail_accesskeys`, `actiontrail_organization_accesskeys`) runs at the quota instead
of into it. `max_concurrency` bounds the calls in flight; `max_requests_per_second` is a
ceiling from the first call, to leave other tools headroom. A throttled call is retried up
to `max_retries` times.

`ACTIONTRAIL_PACING=off` in the provider's environment turns the learned pace off
(throttled calls are then only retried with backoff); it exists to measure what pacing
buys, as `make bench` does.
"#;

/// `docs/index.md`.
pub fn index(example: &str) -> String {
    let schema = provider::schema::schema();
    format!(
        "{}# ActionTrail Provider\n\n{}\n\n## Example Usage\n\n{}\n{AUTHENTICATION}\n## Data freshness\n\n{FRESHNESS_NOTE} A key that looks unused may have been used in the last hour; check again before deleting it.\n\n{GATES}\n{FLOW_CONTROL}\n{}\n{}",
        front_matter("Provider: ActionTrail", provider::DESCRIPTION),
        provider::DESCRIPTION,
        example_block(example),
        crate::actiontrail::REFUSED_DOC,
        arguments(&schema.block),
    )
}

/// `docs/data-sources/<name>.md`; `guide` is the data source's own section after the
/// example.
pub fn data_source(name: &str, block: &Block, example: &str, guide: &str) -> String {
    let gate = guide;
    format!(
        "{}# {name} (Data Source)\n\n{}\n\n{FRESHNESS_NOTE}\n\n{}\n\n## Example Usage\n\n{}{gate}\n{}\n{}",
        front_matter(&format!("{name} Data Source - actiontrail"), &block.description),
        block.description,
        crate::actiontrail::REFUSED_NOTE,
        example_block(example),
        arguments(block),
        attributes(block),
    )
}

/// `docs/ephemeral-resources/<name>.md`.
pub fn ephemeral_resource(name: &str, block: &Block, example: &str) -> String {
    format!(
        "{}# {name} (Ephemeral Resource)\n\n{}\n\nEphemeral resources need Terraform 1.10 or later. Their values live only while Terraform runs: they can feed `check` blocks, conditions, locals and provider blocks, and are never written to the state or the plan file. On older Terraform, use the `{name}` data source, whose arguments and attributes are the same.\n\n{FRESHNESS_NOTE}\n\n## Example Usage\n\n{}\n## The rotation gate\n\nWith `fail_if_used_within`, opening finds the key used more recently than the window and fails the plan with the same error, pointing at the argument, as the data source gives.\n\n{}\n{}",
        front_matter(&format!("{name} Ephemeral Resource - actiontrail"), &block.description),
        block.description,
        example_block(example),
        arguments(block),
        attributes(block),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_list_every_argument_and_attribute_with_their_types() {
        let (name, schema, guide) = data_source_docs()
            .into_iter()
            .find(|(n, _, _)| n.ends_with("_ips"))
            .unwrap();
        let doc = data_source(name, &schema.block, "data \"x\" \"y\" {}\n", guide);
        assert!(doc.starts_with(
            "---\npage_title: \"actiontrail_accesskey_last_used_ips Data Source - actiontrail\""
        ));
        assert!(doc.contains("- `access_key_id` (String, Required)"));
        assert!(doc.contains("- `page_size` (Number, Optional)"));
        assert!(doc.contains("- `ips` (List of Object)"));
        assert!(doc.contains("```terraform\ndata \"x\" \"y\" {}\n```"));
    }

    #[test]
    fn the_index_documents_credentials_freshness_and_newer_terraform_checks() {
        let doc = index("provider \"actiontrail\" {}\n");
        for needle in [
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALICLOUD_REGION",
            "ACTIONTRAIL_ENDPOINT",
            "400 days",
            "timecmp",
            "plantimestamp",
            "- `access_key` (String, Optional, Sensitive)",
            "### Nested Schema for `assume_role`",
            "- `role_arn` (String, Required)",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            "ALICLOUD_ASSUME_ROLE_ARN",
            "ALIBABA_CLOUD_STS_ENDPOINT",
            "HTTPS_PROXY",
            "NO_PROXY",
        ] {
            assert!(doc.contains(needle), "{needle}");
        }
    }
}
