//! The chain's sources and their order, without network.

use super::found::{Env, Found};
use super::resolve::resolve;
use super::{Credentials, CredentialsConfig, CredentialsError};
use std::collections::BTreeMap;
use std::path::Path;

fn env(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// The environment `pairs` under `home`, nothing else configured.
pub(super) fn config(home: &Path, pairs: &[(&str, &str)]) -> CredentialsConfig {
    CredentialsConfig {
        env: env(pairs),
        home: Some(home.to_owned()),
        ..Default::default()
    }
}

fn found(cfg: &CredentialsConfig) -> (Found, String) {
    resolve(cfg, &Env(&cfg.env)).unwrap_or_else(|e| panic!("{e}"))
}

/// An empty environment under `home`, choosing the profile (or section) `name`.
fn profile(home: &Path, name: &str) -> CredentialsConfig {
    let mut cfg = config(home, &[]);
    cfg.profile = Some(name.into());
    cfg
}

fn key(cfg: &CredentialsConfig) -> Credentials {
    match found(cfg).0 {
        Found::Key(c) => c,
        other => panic!("not a key: {other:?}"),
    }
}

fn err(cfg: &CredentialsConfig) -> CredentialsError {
    match resolve(cfg, &Env(&cfg.env)) {
        Ok((f, origin)) => panic!("found {f:?} in {origin}"),
        Err(e) => e,
    }
}

/// Writes `text` at `rel` under `home`, making its folders; the path written.
pub(super) fn write(home: &Path, rel: &str, text: &str) -> String {
    let path = home.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A home folder holding `text` at `rel`.
pub(super) fn home_with(rel: &str, text: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), rel, text);
    home
}

const CLI: &str = ".aliyun/config.json";
const INI: &str = ".alibabacloud/credentials";

#[test]
fn static_arguments_win_over_everything() {
    let home = home_with(
        INI,
        "[default]\ntype = access_key\naccess_key_id = ini\naccess_key_secret = s\n",
    );
    let mut cfg = config(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "env"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ],
    );
    cfg.access_key = Some("arg".into());
    cfg.secret_key = Some("argsecret".into());
    cfg.security_token = Some("argtoken".into());
    let c = key(&cfg);
    assert_eq!(c.access_key_id, "arg");
    assert_eq!(c.access_key_secret.expose(), "argsecret");
    assert_eq!(c.token(), Some("argtoken"));
}

#[test]
fn reads_each_environment_variable_name() {
    let home = tempfile::tempdir().unwrap();
    // Alibaba's names and the alicloud provider's, each set alone.
    for env in [
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "k1"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "k2"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "k3"),
        ],
        [
            ("ALICLOUD_ACCESS_KEY", "k1"),
            ("ALICLOUD_SECRET_KEY", "k2"),
            ("ALICLOUD_SECURITY_TOKEN", "k3"),
        ],
    ] {
        let c = key(&config(home.path(), &env));
        assert_eq!(
            (
                c.access_key_id.as_str(),
                c.access_key_secret.expose(),
                c.token()
            ),
            ("k1", "k2", Some("k3")),
            "{env:?}"
        );
    }
    let c = key(&config(
        home.path(),
        &[
            ("ALICLOUD_ACCESS_KEY", "b1"),
            ("ALICLOUD_SECRET_KEY", "b2"),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "a1"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "a2"),
        ],
    ));
    assert_eq!(c.access_key_id, "a1", "the ALIBABA_CLOUD_ names come first");
    assert_eq!(c.security_token, None);
}

#[test]
fn the_environment_wins_over_the_files() {
    let home = home_with(
        CLI,
        r#"{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"cli","access_key_secret":"s"}]}"#,
    );
    let c = key(&config(
        home.path(),
        &[("ALICLOUD_ACCESS_KEY", "env"), ("ALICLOUD_SECRET_KEY", "s")],
    ));
    assert_eq!(c.access_key_id, "env");
}

const PROFILES: &str = r#"{
  "current": "ak",
  "profiles": [
    {"name": "ak", "mode": "AK", "access_key_id": "ak-id", "access_key_secret": "ak-secret", "region_id": "cn-hangzhou"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "STS.id", "access_key_secret": "sts-secret", "sts_token": "sts-token"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "base-id", "access_key_secret": "base-secret",
     "ram_role_arn": "acs:ram::1:role/r", "ram_session_name": "sess", "expired_seconds": 900},
    {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRole"},
    {"name": "rsa", "mode": "RsaKeyPair"},
    {"name": "broken", "mode": "AK", "access_key_id": "only-id"}
  ]
}"#;

#[test]
fn reads_every_aliyun_cli_profile_mode() {
    let home = home_with(CLI, PROFILES);
    let with_profile = |p: &str| profile(home.path(), p);
    let c = key(&config(home.path(), &[]));
    assert_eq!(c.access_key_id, "ak-id", "the file's current profile");
    let c = key(&with_profile("sts"));
    assert_eq!(c.token(), Some("sts-token"));
    match found(&with_profile("role")).0 {
        Found::RamRoleArn { base, role } => {
            assert!(matches!(*base, Found::Key(ref c) if c.access_key_id == "base-id"));
            assert_eq!(role.role_arn, "acs:ram::1:role/r");
            assert_eq!(role.session_name.as_deref(), Some("sess"));
            assert_eq!(role.session_expiration, Some(900));
        }
        other => panic!("{other:?}"),
    }
    match found(&with_profile("ecs")).0 {
        Found::EcsRamRole { role } => assert_eq!(role.as_deref(), Some("EcsRole")),
        other => panic!("{other:?}"),
    }
    let e = err(&with_profile("rsa")).to_string();
    assert!(
        e.contains("RsaKeyPair") && e.contains("not supported"),
        "{e}"
    );
    let e = err(&with_profile("broken")).to_string();
    assert!(
        e.contains("access_key_secret") && e.contains("\"broken\""),
        "{e}"
    );
}

#[test]
fn the_profile_comes_from_the_argument_then_each_environment_variable() {
    let home = home_with(CLI, PROFILES);
    let c = key(&config(home.path(), &[("ALIBABA_CLOUD_PROFILE", "sts")]));
    assert_eq!(c.access_key_id, "STS.id");
    let c = key(&config(home.path(), &[("ALICLOUD_PROFILE", "sts")]));
    assert_eq!(c.access_key_id, "STS.id");
    let mut cfg = config(home.path(), &[("ALIBABA_CLOUD_PROFILE", "sts")]);
    cfg.profile = Some("ak".into());
    assert_eq!(key(&cfg).access_key_id, "ak-id");
}

#[test]
fn shared_credentials_file_overrides_the_cli_file_path() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "elsewhere.json", PROFILES);
    let mut cfg = config(&dir.path().join("no-home"), &[]);
    cfg.shared_credentials_file = Some(dir.path().join("elsewhere.json"));
    assert_eq!(key(&cfg).access_key_id, "ak-id");
}

#[test]
fn a_malformed_cli_file_is_an_error_naming_it() {
    let home = home_with(CLI, "{not json");
    let e = err(&config(home.path(), &[])).to_string();
    assert!(
        e.contains("config.json") && e.contains("not a valid"),
        "{e}"
    );
}

const INI_TEXT: &str = "
[default]
type = access_key
access_key_id = ini-id
access_key_secret = ini-secret

[sts]
type = sts
access_key_id = STS.ini
access_key_secret = s
security_token = ini-token

[role]
type = ram_role_arn
access_key_id = base
access_key_secret = s
role_arn = acs:ram::2:role/x
role_session_name = ini-session

[ecs]
type = ecs_ram_role
role_name = IniEcsRole

[off]
enable = false
type = access_key
access_key_id = off
access_key_secret = s

[weird]
type = rsa_key_pair
";

#[test]
fn reads_every_ini_credential_type() {
    let home = home_with(INI, INI_TEXT);
    let with_profile = |p: &str| profile(home.path(), p);
    let c = key(&config(home.path(), &[]));
    assert_eq!(
        (c.access_key_id.as_str(), c.access_key_secret.expose()),
        ("ini-id", "ini-secret")
    );
    assert_eq!(key(&with_profile("sts")).token(), Some("ini-token"));
    match found(&with_profile("role")).0 {
        Found::RamRoleArn { base, role } => {
            assert!(matches!(*base, Found::Key(ref c) if c.access_key_id == "base"));
            assert_eq!(role.role_arn, "acs:ram::2:role/x");
            assert_eq!(role.session_name.as_deref(), Some("ini-session"));
        }
        other => panic!("{other:?}"),
    }
    match found(&with_profile("ecs")).0 {
        Found::EcsRamRole { role } => assert_eq!(role.as_deref(), Some("IniEcsRole")),
        other => panic!("{other:?}"),
    }
    let e = err(&with_profile("off"));
    assert!(e.to_string().contains("enable = false"), "{e}");
    assert!(err(&with_profile("weird"))
        .to_string()
        .contains("rsa_key_pair"));
}

#[test]
fn the_ini_file_path_comes_from_the_argument_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "creds.ini", INI_TEXT);
    let path = dir.path().join("creds.ini");
    let cfg = config(
        &dir.path().join("no-home"),
        &[("ALIBABA_CLOUD_CREDENTIALS_FILE", path.to_str().unwrap())],
    );
    assert_eq!(key(&cfg).access_key_id, "ini-id");
    let mut cfg = config(&dir.path().join("no-home"), &[]);
    cfg.credentials_file = Some(path);
    assert_eq!(key(&cfg).access_key_id, "ini-id");
}

#[test]
fn the_cli_file_wins_over_the_ini_file_and_a_missing_profile_falls_through() {
    let home = home_with(CLI, PROFILES);
    write(home.path(), INI, INI_TEXT);
    assert_eq!(key(&config(home.path(), &[])).access_key_id, "ak-id");
    let mut cfg = config(home.path(), &[]);
    cfg.profile = Some("default".into());
    assert_eq!(
        key(&cfg).access_key_id,
        "ini-id",
        "no CLI profile named default"
    );
}

#[test]
fn home_comes_from_the_given_environment() {
    let home = home_with(INI, INI_TEXT);
    let cfg = CredentialsConfig {
        // Where the aliyun CLI looks for the home directory on this OS.
        env: env(&[(
            if cfg!(windows) { "USERPROFILE" } else { "HOME" },
            home.path().to_str().unwrap(),
        )]),
        ..Default::default()
    };
    assert_eq!(key(&cfg).access_key_id, "ini-id");
}

#[test]
fn the_metadata_service_is_used_only_when_a_role_is_named() {
    let home = tempfile::tempdir().unwrap();
    let mut cfg = config(home.path(), &[]);
    assert!(matches!(err(&cfg), CredentialsError::NotFound { .. }));
    cfg.ecs_role_name = Some("ArgRole".into());
    match found(&cfg).0 {
        Found::EcsRamRole { role } => assert_eq!(role.as_deref(), Some("ArgRole")),
        other => panic!("{other:?}"),
    }
    let cfg = config(home.path(), &[("ALIBABA_CLOUD_ECS_METADATA", "EnvRole")]);
    match found(&cfg).0 {
        Found::EcsRamRole { role } => assert_eq!(role.as_deref(), Some("EnvRole")),
        other => panic!("{other:?}"),
    }
    let cfg = config(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ECS_METADATA", "EnvRole"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ],
    );
    assert!(matches!(err(&cfg), CredentialsError::NotFound { .. }));
}

#[test]
fn finding_nothing_names_every_place_looked_in_one_message() {
    let home = tempfile::tempdir().unwrap();
    let mut cfg = config(home.path(), &[("ALICLOUD_ACCESS_KEY", "half")]);
    cfg.access_key = Some("half".into());
    let msg = err(&cfg).to_string();
    for place in [
        "access_key",
        "secret_key",
        "ecs_role_name",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALICLOUD_ACCESS_KEY",
        "ALICLOUD_SECRET_KEY",
        ".aliyun/config.json",
        ".alibabacloud/credentials",
        "ALIBABA_CLOUD_ECS_METADATA",
    ] {
        assert!(msg.contains(place), "{place} missing from: {msg}");
    }
    assert!(msg.contains("set, but secret_key is not"), "{msg}");
    assert!(msg.contains("set, but ALICLOUD_SECRET_KEY is not"), "{msg}");
    assert!(!msg.contains('\n'), "one message: {msg}");
}

#[test]
fn without_a_home_the_message_says_so() {
    let cfg = CredentialsConfig {
        env: env(&[]),
        ..Default::default()
    };
    let msg = err(&cfg).to_string();
    assert!(msg.contains("HOME is not set"), "{msg}");
    assert!(msg.contains("ALIBABA_CLOUD_CREDENTIALS_FILE"), "{msg}");
}

#[test]
fn config_debug_redacts_the_secret_token_and_environment_values() {
    let cfg = CredentialsConfig {
        access_key: Some("LTAIvisible".into()),
        secret_key: Some("hidden-secret".into()),
        security_token: Some("hidden-token".into()),
        env: env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "hidden-env")]),
        ..Default::default()
    };
    let d = format!("{cfg:?}");
    assert!(d.contains("LTAIvisible"));
    for hidden in ["hidden-secret", "hidden-token", "hidden-env"] {
        assert!(!d.contains(hidden), "{d}");
    }
}

#[test]
fn debug_redacts_secret_and_token() {
    let c = Credentials {
        access_key_id: "LTAIid".into(),
        access_key_secret: "s3cr3t".into(),
        security_token: Some("t0k3n".into()),
        expiration: None,
    };
    let d = format!("{c:?}");
    assert!(d.contains("LTAIid"));
    assert!(!d.contains("s3cr3t") && !d.contains("t0k3n"), "{d}");
    assert!(d.contains("<redacted>"));
}
