//! The sources added for alicloud users: OIDC, credentials URI, assume_role from the
//! environment, ChainableRamRoleArn, the two formats of ALIBABA_CLOUD_CREDENTIALS_FILE and
//! the CLI modes refused; without network.

use super::found::{Env, Found};
use super::resolve::resolve;
use super::tests::{config, home_with, write};
use super::{CredentialsConfig, CredentialsError, OidcConfig};
use std::path::Path;

fn resolved(cfg: &CredentialsConfig) -> Result<(Found, String), CredentialsError> {
    resolve(cfg, &Env(&cfg.env))
}

const ROLE: &str = "acs:ram::1:role/r";
const PROVIDER: &str = "acs:ram::1:oidc-provider/p";

#[test]
fn the_three_oidc_variables_make_an_oidc_source_and_the_role_arn_is_not_assumed_twice() {
    let home = tempfile::tempdir().unwrap();
    let cfg = config(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", PROVIDER),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ci"),
        ],
    );
    match resolved(&cfg).unwrap() {
        (Found::Oidc(o), origin) => {
            assert_eq!(o.role_arn, ROLE);
            assert_eq!(o.oidc_provider_arn, PROVIDER);
            assert_eq!(
                o.oidc_token_file.as_deref(),
                Some(Path::new("/var/run/token"))
            );
            assert_eq!(o.role_session_name.as_deref(), Some("ci"));
            assert!(origin.contains("ALIBABA_CLOUD_OIDC_TOKEN_FILE"), "{origin}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn half_an_oidc_setup_is_named_in_the_message() {
    let home = tempfile::tempdir().unwrap();
    let cfg = config(
        home.path(),
        &[("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", PROVIDER)],
    );
    let msg = resolved(&cfg).unwrap_err().to_string();
    assert!(
        msg.contains("only ALIBABA_CLOUD_OIDC_PROVIDER_ARN set"),
        "{msg}"
    );
}

#[test]
fn the_role_arn_alone_assumes_that_role_with_the_key_found() {
    let home = tempfile::tempdir().unwrap();
    for (var, session_var) in [
        (
            "ALICLOUD_ASSUME_ROLE_ARN",
            "ALICLOUD_ASSUME_ROLE_SESSION_NAME",
        ),
        ("ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_ROLE_SESSION_NAME"),
    ] {
        let cfg = config(
            home.path(),
            &[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
                (var, ROLE),
                (session_var, "sess"),
            ],
        );
        match resolved(&cfg).unwrap() {
            (Found::RamRoleArn { base, role }, origin) => {
                assert!(matches!(*base, Found::Key(ref c) if c.access_key_id == "id"));
                assert_eq!(role.role_arn, ROLE);
                assert_eq!(role.session_name.as_deref(), Some("sess"));
                assert!(origin.contains(var), "{origin}");
            }
            other => panic!("{var}: {other:?}"),
        }
    }
}

#[test]
fn the_provider_blocks_oidc_and_uri_come_before_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
    ];
    let mut cfg = config(home.path(), &env);
    cfg.credentials_uri = Some("http://127.0.0.1:9/creds".into());
    assert!(
        matches!(resolved(&cfg).unwrap().0, Found::Uri(ref u, _) if u.expose().ends_with("/creds"))
    );
    cfg.assume_role_with_oidc = Some(OidcConfig {
        role_arn: ROLE.into(),
        oidc_provider_arn: PROVIDER.into(),
        oidc_token: Some("jwt".into()),
        ..Default::default()
    });
    assert!(matches!(resolved(&cfg).unwrap().0, Found::Oidc(_)));
    cfg.assume_role_with_oidc.as_mut().unwrap().oidc_token_file = Some("/t".into());
    let msg = resolved(&cfg).unwrap_err().to_string();
    assert!(msg.contains("not both"), "{msg}");
    cfg.assume_role_with_oidc = Some(OidcConfig {
        role_arn: ROLE.into(),
        ..Default::default()
    });
    let msg = resolved(&cfg).unwrap_err().to_string();
    assert!(msg.contains("oidc_provider_arn is empty"), "{msg}");
}

#[test]
fn alibaba_cloud_credentials_file_is_read_as_json_or_ini_by_its_content() {
    let home = tempfile::tempdir().unwrap();
    // (file, its content, the key it holds, how the origin begins)
    for (file, content, id, origin_starts) in [
        (
            "a/creds",
            "  \n{\"current\": \"p\", \"profiles\": [{\"name\": \"p\", \"mode\": \"AK\", \"access_key_id\": \"json-id\", \"access_key_secret\": \"s\"}]}",
            "json-id",
            "profile \"p\" in",
        ),
        (
            "b/creds",
            "[default]\naccess_key_id = ini-id\naccess_key_secret = s\n",
            "ini-id",
            "section [default]",
        ),
    ] {
        let path = write(home.path(), file, content);
        let (found, origin) = resolved(&config(
            home.path(),
            &[("ALIBABA_CLOUD_CREDENTIALS_FILE", &path)],
        ))
        .unwrap();
        assert!(matches!(found, Found::Key(ref c) if c.access_key_id == id), "{file}");
        assert!(origin.starts_with(origin_starts), "{origin}");
    }
}

#[test]
fn the_python_librarys_ini_name_is_read_after_credentials() {
    let home = home_with(
        ".alibabacloud/credentials.ini",
        "[default]\naccess_key_id = dot-ini\naccess_key_secret = s\n",
    );
    let (found, _) = resolved(&config(home.path(), &[])).unwrap();
    assert!(matches!(found, Found::Key(ref c) if c.access_key_id == "dot-ini"));
}

#[test]
fn chainable_profiles_stack_and_a_loop_is_an_error() {
    let home = home_with(
        ".aliyun/config.json",
        r#"{"current": "top", "profiles": [
  {"name": "base", "mode": "AK", "access_key_id": "base-id", "access_key_secret": "s"},
  {"name": "mid", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": "acs:ram::1:role/mid"},
  {"name": "top", "mode": "ChainableRamRoleArn", "source_profile": "mid", "ram_role_arn": "acs:ram::1:role/top"},
  {"name": "a", "mode": "ChainableRamRoleArn", "source_profile": "b", "ram_role_arn": "acs:ram::1:role/a"},
  {"name": "b", "mode": "ChainableRamRoleArn", "source_profile": "a", "ram_role_arn": "acs:ram::1:role/b"}
]}"#,
    );
    match resolved(&config(home.path(), &[])).unwrap().0 {
        Found::RamRoleArn { base, role } => {
            assert_eq!(role.role_arn, "acs:ram::1:role/top");
            match *base {
                Found::RamRoleArn { base, role } => {
                    assert_eq!(role.role_arn, "acs:ram::1:role/mid");
                    assert!(matches!(*base, Found::Key(ref c) if c.access_key_id == "base-id"));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    let msg = resolved(&config(home.path(), &[("ALIBABA_CLOUD_PROFILE", "a")]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("loop") && msg.contains("a -> b -> a"), "{msg}");
}

#[test]
fn cloud_sso_and_oauth_profiles_are_refused_with_the_way_out() {
    let home = home_with(
        ".aliyun/config.json",
        r#"{"profiles": [{"name": "sso", "mode": "CloudSSO"}, {"name": "oauth", "mode": "OAuth"}, {"name": "ext", "mode": "External"}]}"#,
    );
    for (profile, needle) in [
        (
            "sso",
            "not supported: its token must be exchanged with the sign-in service",
        ),
        (
            "oauth",
            "not supported: its token must be exchanged with the sign-in service",
        ),
        ("ext", "mode External needs process_command"),
    ] {
        let msg = resolved(&config(home.path(), &[("ALIBABA_CLOUD_PROFILE", profile)]))
            .unwrap_err()
            .to_string();
        assert!(msg.contains(needle), "{msg}");
    }
}

#[test]
fn the_cli_file_can_be_switched_off_as_the_library_allows() {
    let home = home_with(
        ".aliyun/config.json",
        r#"{"current": "p", "profiles": [{"name": "p", "mode": "AK", "access_key_id": "cli", "access_key_secret": "s"}]}"#,
    );
    let msg = resolved(&config(
        home.path(),
        &[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")],
    ))
    .unwrap_err()
    .to_string();
    assert!(msg.contains("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "{msg}");
}

#[test]
fn the_oidc_token_never_appears_in_debug_output() {
    let o = OidcConfig {
        oidc_token: Some("eyJsecret".into()),
        ..Default::default()
    };
    let shown = format!("{o:?}");
    assert!(
        !shown.contains("eyJsecret") && shown.contains("<redacted>"),
        "{shown}"
    );
}

#[test]
fn a_half_made_oidc_setup_does_not_become_an_assume_role() {
    let home = tempfile::tempdir().unwrap();
    let cfg = config(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
            ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", PROVIDER),
        ],
    );
    assert!(matches!(resolved(&cfg).unwrap().0, Found::Key(_)));
}

// The profile's processes are shell scripts.
#[cfg(unix)]
#[test]
fn an_external_profile_runs_its_process_and_reads_what_it_prints() {
    use super::CredentialsProvider;
    use crate::alibaba::http::{user_agent, SharedHttp};
    use std::os::unix::fs::PermissionsExt as _;
    let home = tempfile::tempdir().unwrap();
    let script = |name: &str, body: &str| {
        let path = write(home.path(), name, &format!("#!/bin/sh\n{body}\n"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    };
    // An hour ahead: a credential expiring in 2099 is not one Alibaba Cloud issues, and the
    // strict decoder refuses it.
    let expiration = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let ok = script(
        "ok.sh",
        &format!(
            r#"echo "{{\"mode\": \"StsToken\", \"access_key_id\": \"STS.ext-$1\", \"access_key_secret\": \"s\", \"sts_token\": \"t\", \"expiration\": \"{expiration}\"}}""#
        ),
    );
    let fails = script("fails.sh", "echo nope >&2; exit 3");
    let garbage = script("garbage.sh", "echo secret-looking-output");
    write(
        home.path(),
        ".aliyun/config.json",
        &format!(
            r#"{{"profiles": [
  {{"name": "ok", "mode": "External", "process_command": "{ok} arg1"}},
  {{"name": "fails", "mode": "External", "process_command": "{fails}"}},
  {{"name": "garbage", "mode": "External", "process_command": "{garbage}"}}
]}}"#
        ),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fetch = |profile: &str| {
        let cfg = config(home.path(), &[("ALIBABA_CLOUD_PROFILE", profile)]);
        let p = CredentialsProvider::from_config(&cfg, SharedHttp::new(&user_agent())).unwrap();
        rt.block_on(p.credentials())
    };
    let c = fetch("ok").unwrap();
    assert_eq!(
        c.access_key_id, "STS.ext-arg1",
        "the command's words become its arguments"
    );
    assert_eq!(c.token(), Some("t"));
    assert!(c.expiration.is_some());
    let e = fetch("fails").unwrap_err().to_string();
    assert!(e.contains("exit status: 3") && e.contains("nope"), "{e}");
    let e = fetch("garbage").unwrap_err().to_string();
    assert!(
        e.contains("credentials JSON") && !e.contains("secret-looking"),
        "{e}"
    );
}

#[test]
fn an_external_profiles_identity_names_its_program_but_not_its_arguments() {
    use super::CredentialsProvider;
    use crate::alibaba::http::{user_agent, SharedHttp};
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".aliyun/config.json",
        r#"{"profiles": [
  {"name": "a", "mode": "External", "process_command": "signin --token S3cretArgVal1"},
  {"name": "b", "mode": "External", "process_command": "signin --token S3cretArgVal2"}
]}"#,
    );
    let identity = |profile: &str| {
        let cfg = config(home.path(), &[("ALIBABA_CLOUD_PROFILE", profile)]);
        CredentialsProvider::from_config(&cfg, SharedHttp::new(&user_agent()))
            .unwrap()
            .identity()
            .to_owned()
    };
    let (a, b) = (identity("a"), identity("b"));
    for id in [&a, &b] {
        assert!(id.starts_with("external:signin#"), "{id}");
        assert!(
            !id.contains("S3cretArgVal") && !id.contains("--token"),
            "{id}"
        );
    }
    assert_ne!(a, b, "two command lines are two identities");
}

#[cfg(unix)]
#[test]
fn a_credentials_file_without_end_is_an_error_naming_it_and_the_cap() {
    let home = tempfile::tempdir().unwrap();
    let e = resolved(&config(
        home.path(),
        &[("ALIBABA_CLOUD_CREDENTIALS_FILE", "/dev/zero")],
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("/dev/zero") && e.contains("1 MiB cap"), "{e}");
}

#[cfg(unix)]
#[test]
fn an_oidc_token_file_without_end_is_an_error_naming_it_and_the_cap() {
    let oidc = OidcConfig {
        role_arn: ROLE.into(),
        oidc_provider_arn: PROVIDER.into(),
        oidc_token_file: Some("/dev/zero".into()),
        ..Default::default()
    };
    let e = super::oidc::token(&oidc).unwrap_err().to_string();
    assert!(e.contains("/dev/zero") && e.contains("64 KiB cap"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_helper_that_prints_past_the_cap_is_stopped_and_named() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let run = |script: &str| {
        let command = ["sh", "-c", script].map(str::to_owned);
        // Far longer than the capped read takes: a helper that is waited for instead of
        // stopped fails on the time limit's message, not on this one.
        rt.block_on(super::external::run(
            &command,
            std::time::Duration::from_secs(20),
        ))
        .unwrap_err()
        .to_string()
    };
    let e = run("head -c 200000 /dev/zero; sleep 60");
    assert!(
        e.contains("more than 64 KiB (65536 bytes) on stdout") && e.contains("stopped"),
        "{e}"
    );
    let e = run("head -c 2000000 /dev/zero >&2; sleep 60");
    assert!(e.contains("on stderr"), "{e}");
}

#[test]
fn the_metadata_endpoint_passes_the_transport_policy_when_the_chain_uses_it() {
    use super::CredentialsProvider;
    use crate::alibaba::endpoint::TransportPolicy;
    use crate::alibaba::http::{user_agent, SharedHttp};
    let home = tempfile::tempdir().unwrap();
    let build = |endpoint: &str, insecure_http: bool| {
        let cfg = CredentialsConfig {
            ecs_role_name: Some("role".into()),
            ecs_metadata_endpoint: Some(endpoint.into()),
            transport: TransportPolicy { insecure_http },
            ..config(home.path(), &[])
        };
        CredentialsProvider::from_config(&cfg, SharedHttp::new(&user_agent()))
    };
    let e = build("http://10.0.0.5", false).unwrap_err().to_string();
    assert!(
        e.contains("ecs_metadata_endpoint") && e.contains("insecure_http = true"),
        "{e}"
    );
    // A bare host means plain HTTP, what the metadata service speaks: refused elsewhere.
    assert!(build("10.0.0.5", false).is_err());
    for ok in [
        "http://100.100.100.200",
        "100.100.100.200",
        "http://127.0.0.1:9",
    ] {
        assert!(build(ok, false).is_ok(), "{ok}");
    }
    assert!(build("http://10.0.0.5", true).is_ok());
}
