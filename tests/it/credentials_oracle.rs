//! The credentials chain beside Alibaba's official `alibabacloud-credentials` (Python,
//! pinned in tests/sdk/requirements.txt): for each configuration a user may have (each
//! environment variable, each aliyun CLI `config.json` mode, each INI type, OIDC, a
//! credentials URI), both resolve credentials against `actiontrail-sim` and the test
//! asserts they chose the same source and the same AccessKeyId. Where the two differ on
//! purpose, the case says why, and the test asserts that exact difference.

use crate::support::{Sim, DEMO_ACCESS_KEY_ID as AK, DEMO_ACCESS_KEY_SECRET as SK};
use actiontrail_provider::alibaba::credentials::{CredentialsConfig, CredentialsProvider};
use actiontrail_provider::alibaba::http::{user_agent, SharedHttp};
use serde_json::{json, Value as J};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

const ROLE: &str = "acs:ram::1234567890123456:role/auditor";
const OIDC_PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/github-actions";

/// What both sides are expected to yield.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The same source and this AccessKeyId.
    Same(&'static str, &'static str),
    /// The same source; temporary credentials the emulator issued to each (their ids are
    /// fresh per call, so each is checked to be an STS key).
    SameTemporary(&'static str),
    /// Both find nothing.
    BothFail,
    /// On purpose: ours is the first, the library's the second; the third says why.
    Differ(Outcome, Outcome, &'static str),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Key(&'static str, &'static str),
    Temporary(&'static str),
    Fails,
}

struct Case {
    name: &'static str,
    env: Vec<(&'static str, String)>,
    files: Vec<(&'static str, String)>,
    expect: Expect,
}

fn case(name: &'static str, expect: Expect) -> Case {
    Case {
        name,
        env: Vec::new(),
        files: Vec::new(),
        expect,
    }
}

impl Case {
    fn env(mut self, k: &'static str, v: &str) -> Case {
        self.env.push((k, v.to_owned()));
        self
    }
    fn file(mut self, rel: &'static str, text: String) -> Case {
        self.files.push((rel, text));
        self
    }
}

fn cli(profiles: J, current: &str) -> String {
    json!({"current": current, "profiles": profiles}).to_string()
}

fn jwt() -> String {
    use base64::Engine as _;
    let b64 = |v: J| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    format!(
        "{}.{}.c2ln",
        b64(json!({"alg": "RS256"})),
        b64(
            json!({"iss": "https://token.actions.githubusercontent.com", "aud": "sts.aliyuncs.com", "exp": exp})
        )
    )
}

fn cases(sim: &Sim) -> Vec<Case> {
    use Expect::*;
    let ak_profile =
        json!({"name": "main", "mode": "AK", "access_key_id": AK, "access_key_secret": SK});
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/EcsAuditRole",
        sim.url
    );
    vec![
        case("env ALIBABA_CLOUD_ACCESS_KEY_ID", Same("env", AK))
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK),
        case("env with ALIBABA_CLOUD_SECURITY_TOKEN", Same("env", "STS.fromenv"))
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.fromenv")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", "token"),
        case(
            "env ALICLOUD_ACCESS_KEY",
            Differ(
                Outcome::Key("env", AK),
                Outcome::Fails,
                "ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY are the alicloud provider's names; the library reads only ALIBABA_CLOUD_*",
            ),
        )
        .env("ALICLOUD_ACCESS_KEY", AK)
        .env("ALICLOUD_SECRET_KEY", SK),
        case("env key wins over the CLI file", Same("env", AK))
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
            .file(".aliyun/config.json", cli(json!([{"name": "main", "mode": "AK", "access_key_id": "LTAIother", "access_key_secret": "x"}]), "main")),
        case(
            "env ALIBABA_CLOUD_ROLE_ARN beside an env key",
            Differ(
                Outcome::Temporary("ram_role_arn"),
                Outcome::Key("env", AK),
                "the alicloud provider reads ALIBABA_CLOUD_ROLE_ARN as assume_role's role_arn; the library uses it only with an OIDC token",
            ),
        )
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
        .env("ALIBABA_CLOUD_ROLE_ARN", ROLE),
        case("env OIDC token file", SameTemporary("oidc_role_arn"))
            .env("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER)
            .env("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "{home}/token")
            .env("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ci")
            .file("token", jwt()),
        case("env OIDC wins over the CLI file", SameTemporary("oidc_role_arn"))
            .env("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER)
            .env("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "{home}/token")
            .file("token", jwt())
            .file(".aliyun/config.json", cli(json!([ak_profile]), "main")),
        case("config.json AK", Same("cli_profile", AK))
            .file(".aliyun/config.json", cli(json!([ak_profile]), "main")),
        case("config.json StsToken", Same("cli_profile", "STS.cli"))
            .file(".aliyun/config.json", cli(json!([{"name": "s", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": SK, "sts_token": "t"}]), "s")),
        case("config.json RamRoleArn", SameTemporary("cli_profile"))
            .file(".aliyun/config.json", cli(json!([{"name": "r", "mode": "RamRoleArn", "access_key_id": AK, "access_key_secret": SK, "ram_role_arn": ROLE, "ram_session_name": "oracle"}]), "r")),
        case("config.json ChainableRamRoleArn", SameTemporary("cli_profile"))
            .file(".aliyun/config.json", cli(json!([ak_profile, {"name": "c", "mode": "ChainableRamRoleArn", "source_profile": "main", "ram_role_arn": ROLE, "ram_session_name": "oracle"}]), "c")),
        case("config.json EcsRamRole", SameTemporary("cli_profile"))
            .env("ECS", "on")
            .file(".aliyun/config.json", cli(json!([{"name": "e", "mode": "EcsRamRole", "ram_role_name": "EcsAuditRole"}]), "e")),
        case("config.json OIDC", SameTemporary("cli_profile"))
            .file("token", jwt())
            .file(".aliyun/config.json", cli(json!([{"name": "o", "mode": "OIDC", "ram_role_arn": ROLE, "oidc_provider_arn": OIDC_PROVIDER, "oidc_token_file": "{home}/token", "role_session_name": "oracle"}]), "o")),
        case("config.json External", Same("cli_profile", AK))
            .file("ext.sh", format!("#!/bin/sh\necho '{{\"mode\": \"AK\", \"access_key_id\": \"{AK}\", \"access_key_secret\": \"{SK}\"}}'\n"))
            .file(".aliyun/config.json", cli(json!([{"name": "x", "mode": "External", "process_command": "{home}/ext.sh"}]), "x")),
        case("config.json profile chosen by ALIBABA_CLOUD_PROFILE", Same("cli_profile", AK))
            .env("ALIBABA_CLOUD_PROFILE", "main")
            .file(".aliyun/config.json", cli(json!([ak_profile, {"name": "other", "mode": "AK", "access_key_id": "LTAIother", "access_key_secret": "x"}]), "other")),
        case("INI access_key via ALIBABA_CLOUD_CREDENTIALS_FILE", Same("profile", AK))
            .env("ALIBABA_CLOUD_CREDENTIALS_FILE", "{home}/creds.ini")
            .file("creds.ini", format!("[default]\ntype = access_key\naccess_key_id = {AK}\naccess_key_secret = {SK}\n")),
        case("INI at ~/.alibabacloud/credentials.ini", Same("profile", AK))
            .file(".alibabacloud/credentials.ini", format!("[default]\ntype = access_key\naccess_key_id = {AK}\naccess_key_secret = {SK}\n")),
        case("INI ram_role_arn", SameTemporary("profile"))
            .env("ALIBABA_CLOUD_CREDENTIALS_FILE", "{home}/creds.ini")
            .file("creds.ini", format!("[default]\ntype = ram_role_arn\naccess_key_id = {AK}\naccess_key_secret = {SK}\nrole_arn = {ROLE}\nrole_session_name = oracle\n")),
        case("INI oidc_role_arn", SameTemporary("profile"))
            .env("ALIBABA_CLOUD_CREDENTIALS_FILE", "{home}/creds.ini")
            .file("token", jwt())
            .file("creds.ini", format!("[default]\ntype = oidc_role_arn\nrole_arn = {ROLE}\noidc_provider_arn = {OIDC_PROVIDER}\noidc_token_file_path = {{home}}/token\nrole_session_name = oracle\n")),
        case("INI ecs_ram_role", SameTemporary("profile"))
            .env("ECS", "on")
            .env("ALIBABA_CLOUD_CREDENTIALS_FILE", "{home}/creds.ini")
            .file("creds.ini", "[default]\ntype = ecs_ram_role\nrole_name = EcsAuditRole\n".into()),
        case(
            "INI sts",
            Differ(
                Outcome::Key("profile", "STS.ini"),
                Outcome::Fails,
                "type sts (a key with its security_token) was read before this change and is kept; the library refuses the type",
            ),
        )
        .env("ALIBABA_CLOUD_CREDENTIALS_FILE", "{home}/creds.ini")
        .file("creds.ini", format!("[default]\ntype = sts\naccess_key_id = STS.ini\naccess_key_secret = {SK}\nsecurity_token = t\n")),
        case(
            "ALIBABA_CLOUD_CREDENTIALS_FILE naming a config.json",
            Differ(
                Outcome::Key("cli_profile", AK),
                Outcome::Fails,
                "the alicloud provider reads this variable as the CLI's config.json; the file is told apart by its content, while the library only parses INI",
            ),
        )
        .env("ALIBABA_CLOUD_CREDENTIALS_FILE", "{home}/config.json")
        .file("config.json", cli(json!([ak_profile]), "main")),
        case("ECS RAM role named by ALIBABA_CLOUD_ECS_METADATA", SameTemporary("ecs_ram_role"))
            .env("ECS", "on")
            .env("ALIBABA_CLOUD_ECS_METADATA", "EcsAuditRole"),
        case(
            "ECS metadata service with no role named",
            Differ(
                Outcome::Fails,
                Outcome::Temporary("ecs_ram_role"),
                "off ECS, 100.100.100.200 does not refuse but hangs, so the chain never probes it unasked; the library does",
            ),
        )
        .env("ECS", "on"),
        case("credentials URI", SameTemporary("credential_uri"))
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", &uri),
        case("nothing anywhere", BothFail),
    ]
}

/// The library's provider name without `default/`, to its first part (`cli_profile`).
fn library_source(name: &str) -> String {
    let name = name.strip_prefix("default/").unwrap_or(name);
    name.split('/').next().unwrap_or(name).to_owned()
}

/// The same names for the chain's origins.
fn our_source(origin: &str) -> &'static str {
    if origin.starts_with("environment variable ")
        || origin.starts_with("assume_role ") && !origin.starts_with("assume_role_with_oidc")
    {
        "ram_role_arn"
    } else if origin.starts_with("environment variables ") {
        "env"
    } else if origin.starts_with("assume_role_with_oidc") {
        "oidc_role_arn"
    } else if origin.starts_with("profile ") {
        "cli_profile"
    } else if origin.starts_with("section [") {
        "profile"
    } else if origin.contains("ECS RAM role") {
        "ecs_ram_role"
    } else if origin.contains("credentials URI") {
        "credential_uri"
    } else {
        panic!("unknown origin {origin:?}")
    }
}

fn outcome_of(source: &str, id: &str) -> (String, String) {
    (source.to_owned(), id.to_owned())
}

fn ours(
    sim: &Sim,
    home: &Path,
    env: &BTreeMap<String, String>,
) -> Result<(String, String), String> {
    let config = CredentialsConfig {
        env: Some(env.clone()),
        home: Some(home.to_owned()),
        sts_endpoint: Some(sim.url.clone()),
        ecs_metadata_endpoint: Some(sim.url.clone()),
        ..Default::default()
    };
    let provider = CredentialsProvider::from_config(&config, SharedHttp::new(&user_agent()))
        .map_err(|e| e.to_string())?;
    let source = our_source(provider.origin());
    let c = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(provider.credentials())
        .map_err(|e| e.to_string())?;
    Ok(outcome_of(source, &c.access_key_id))
}

fn library(sim: &Sim, env: &BTreeMap<String, String>) -> Result<(String, String), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("tools/venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run `make tools`",
        python.display()
    );
    let mut child = Command::new(&python)
        .arg(root.join("tests/sdk/credentials_oracle.py"))
        .arg(&sim.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python runs");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json!({"env": env}).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The oracle exits 0 only when the library itself answered (credentials or its own
    // error); its own crash, including one in the patch that reroutes requests to the
    // emulator, is a failure of the test, not the library's "Fails".
    assert!(
        out.status.success(),
        "the oracle itself failed ({}): {text}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: J = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "the oracle printed no JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    match answer["error"].as_str() {
        Some(e) => Err(e.to_owned()),
        None => Ok(outcome_of(
            &library_source(answer["provider"].as_str().unwrap()),
            answer["access_key_id"].as_str().unwrap(),
        )),
    }
}

fn check(name: &str, side: &str, got: &Result<(String, String), String>, want: Outcome) {
    match (want, got) {
        (Outcome::Key(source, id), Ok((s, i))) => {
            assert_eq!((s.as_str(), i.as_str()), (source, id), "{name}: {side}")
        }
        (Outcome::Temporary(source), Ok((s, i))) => {
            assert_eq!(s, source, "{name}: {side}");
            assert!(
                i.starts_with("STS."),
                "{name}: {side} got {i}, not an STS key the emulator issued"
            );
        }
        // Each side's own "nothing found" answer, not any error: a crash, a refused
        // connection or a malformed file would be an error too and must not pass as the
        // expected failure.
        (Outcome::Fails, Err(e)) => {
            let found_nothing = match side {
                "ours" => "no Alibaba Cloud credentials found",
                _ => "unable to load credentials from any of the providers in the chain",
            };
            assert!(
                e.starts_with(found_nothing),
                "{name}: {side} failed, but not by finding nothing: {e}"
            );
        }
        (want, got) => panic!("{name}: {side} wanted {want:?}, got {got:?}"),
    }
}

#[test]
fn the_chain_picks_the_same_source_and_key_as_alibabas_credentials_library() {
    let _deadlines = crate::support::deadlines();
    let sim = Sim::start(&[]);
    let cases = cases(&sim);
    std::thread::scope(|scope| {
        for c in &cases {
            let sim = &sim;
            scope.spawn(move || {
                let home = tempfile::tempdir().unwrap();
                let h = home.path().display().to_string();
                for (rel, text) in &c.files {
                    let path = home.path().join(rel);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, text.replace("{home}", &h)).unwrap();
                    if rel.ends_with(".sh") {
                        use std::os::unix::fs::PermissionsExt as _;
                        let mode = std::fs::Permissions::from_mode(0o755);
                        std::fs::set_permissions(&path, mode).unwrap();
                    }
                }
                let mut env: BTreeMap<String, String> =
                    [("HOME".to_owned(), h.clone())].into_iter().collect();
                let mut ecs = false;
                for (k, v) in &c.env {
                    if *k == "ECS" {
                        ecs = true;
                    } else {
                        env.insert((*k).to_owned(), v.replace("{home}", &h));
                    }
                }
                if !ecs {
                    // Keeps the library from probing the metadata service where the case
                    // is not about it (the chain never probes unasked).
                    env.insert("ALIBABA_CLOUD_ECS_METADATA_DISABLED".into(), "true".into());
                }
                let mine = ours(sim, home.path(), &env);
                let theirs = library(sim, &env);
                match c.expect {
                    Expect::Same(source, id) => {
                        check(c.name, "ours", &mine, Outcome::Key(source, id));
                        check(c.name, "library", &theirs, Outcome::Key(source, id));
                    }
                    Expect::SameTemporary(source) => {
                        check(c.name, "ours", &mine, Outcome::Temporary(source));
                        check(c.name, "library", &theirs, Outcome::Temporary(source));
                    }
                    Expect::BothFail => {
                        check(c.name, "ours", &mine, Outcome::Fails);
                        check(c.name, "library", &theirs, Outcome::Fails);
                    }
                    Expect::Differ(o, l, why) => {
                        assert!(!why.is_empty());
                        check(c.name, "ours", &mine, o);
                        check(c.name, "library", &theirs, l);
                    }
                }
            });
        }
    });
}
