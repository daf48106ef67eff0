//! Each credentials source end to end: real Terraform runs the provider, which gets its
//! credentials from the environment or the files a user of the alicloud provider already
//! has, and calls `actiontrail-sim` over real HTTP. The emulator plays STS (AssumeRole,
//! AssumeRoleWithOIDC) and the credentials endpoint, and counts what was asked of it, so
//! each test proves the source was really used.

use crate::support::{
    terraform_block, Sim, Tf, Workspace, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET,
};
use base64::Engine as _;
use serde_json::Value as J;

const RECENT: &str = "LTAI5tRecentUse000000001";
const ROLE: &str = "acs:ram::1234567890123456:role/auditor";
const OIDC_PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/github-actions";

/// The Terraform releases each source is proved with.
const RELEASES: [Tf; 2] = [Tf::V1_0_3, Tf::V1_15_5];

/// A configuration with an empty provider block: everything comes from the environment.
fn workspace(tf: Tf, sim: &Sim, provider_body: &str) -> Workspace {
    let hcl = format!(
        "{}\nprovider \"actiontrail\" {{\n{provider_body}}}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {{\n  access_key_id = \"{RECENT}\"\n}}\n\noutput \"used\" {{\n  value = data.actiontrail_accesskey_last_used.k.used\n}}\n",
        terraform_block()
    );
    let mut ws = Workspace::new(tf, &hcl);
    // Only the endpoint: no key in the environment, so the source under test is the one
    // that must answer.
    ws.env("ACTIONTRAIL_ENDPOINT", &sim.url);
    ws
}

fn plan_reads_the_key(ws: &Workspace) {
    ws.init();
    let out = ws.outputs();
    assert_eq!(out["used"], true, "{out}");
}

/// Plans `ws` and asserts that this plan, not an earlier one in the same test, asked the
/// emulator for `action`: a source that was ignored would still read the key with the
/// environment's key, so only the count per plan shows it was used.
fn plan_reads_the_key_through(ws: &Workspace, sim: &Sim, action: &str, what: &str) {
    let before = requests(sim, action);
    plan_reads_the_key(ws);
    let made = requests(sim, action) - before;
    assert!(
        made >= 1,
        "{what}: this plan made no {action} call: {}",
        sim.stats()
    );
}

fn requests(sim: &Sim, action: &str) -> u64 {
    sim.stats()["requests"][action].as_u64().unwrap_or(0)
}

fn errors(sim: &Sim) -> J {
    sim.stats()["errors"].clone()
}

/// A JWT as GitHub Actions issues one (its signature is not checked by the emulator).
fn oidc_token(issuer: &str, audience: &str, exp_from_now: i64) -> String {
    let b64 = |v: J| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + exp_from_now;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        b64(
            serde_json::json!({"iss": issuer, "aud": audience, "exp": exp, "sub": "repo:acme/infra:ref:refs/heads/main"})
        )
    )
}

fn write(ws: &Workspace, name: &str, text: &str) -> String {
    let path = ws.dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn an_oidc_token_from_the_environment_alone_reads_keys() {
    let sim = Sim::start(&[]);
    for tf in RELEASES {
        let mut ws = workspace(tf, &sim, "");
        let token = oidc_token(
            "https://token.actions.githubusercontent.com",
            "sts.aliyuncs.com",
            3600,
        );
        let file = write(&ws, "oidc/token", &token);
        ws.env("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER)
            .env("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file)
            .env("ALIBABA_CLOUD_ROLE_SESSION_NAME", "github-actions")
            .env("ALIBABA_CLOUD_STS_ENDPOINT", &sim.url);
        plan_reads_the_key_through(&ws, &sim, "AssumeRoleWithOIDC", &format!("{tf:?}"));
    }
    assert_eq!(requests(&sim, "AssumeRole"), 0);
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn an_expired_or_foreign_oidc_token_fails_the_plan_with_stss_code() {
    let sim = Sim::start(&[]);
    for (token, code) in [
        (
            oidc_token(
                "https://token.actions.githubusercontent.com",
                "sts.aliyuncs.com",
                -60,
            ),
            "AuthenticationFail.OIDCToken.Expired",
        ),
        (
            oidc_token("https://evil.example.com", "sts.aliyuncs.com", 3600),
            "AuthenticationFail.OIDCToken.Invalid",
        ),
    ] {
        let mut ws = workspace(Tf::V1_0_3, &sim, "");
        let file = write(&ws, "oidc/token", &token);
        ws.env("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER)
            .env("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file)
            .env("ALIBABA_CLOUD_STS_ENDPOINT", &sim.url);
        ws.init();
        let out = ws
            .fails(&["plan", "-input=false", "-no-color"])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(out.contains(code), "{code} missing from:\n{out}");
        assert!(out.contains("STS AssumeRoleWithOIDC for"), "{out}");
        assert!(out.contains("RequestId"), "{out}");
        assert!(
            !out.contains(&token),
            "the token never reaches the output:\n{out}"
        );
    }
}

#[test]
fn a_credentials_uri_from_the_environment_alone_reads_keys() {
    let _deadlines = crate::support::deadlines();
    let sim = Sim::start(&[]);
    // The emulator's metadata role endpoint answers in the credentials-URI shape
    // ({Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}).
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/EcsAuditRole",
        sim.url
    );
    for tf in RELEASES {
        let mut ws = workspace(tf, &sim, "");
        ws.env("ALIBABA_CLOUD_CREDENTIALS_URI", &uri);
        plan_reads_the_key(&ws);
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn assume_role_from_the_environment_wraps_an_environment_key() {
    let sim = Sim::start(&[]);
    for tf in RELEASES {
        for var in ["ALICLOUD_ASSUME_ROLE_ARN", "ALIBABA_CLOUD_ROLE_ARN"] {
            let mut ws = workspace(tf, &sim, "");
            ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
                .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_ACCESS_KEY_SECRET)
                .env(var, ROLE)
                .env("ALICLOUD_ASSUME_ROLE_SESSION_NAME", "env-session")
                .env("ALIBABA_CLOUD_STS_ENDPOINT", &sim.url);
            plan_reads_the_key_through(&ws, &sim, "AssumeRole", &format!("{tf:?} with {var}"));
        }
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn alibaba_cloud_credentials_file_may_be_ini_or_the_cli_config_json() {
    let sim = Sim::start(&[]);
    for tf in RELEASES {
        let mut ini = workspace(tf, &sim, "");
        let file = write(
            &ini,
            "creds/any-name",
            &format!("[default]\ntype = access_key\naccess_key_id = {DEMO_ACCESS_KEY_ID}\naccess_key_secret = {DEMO_ACCESS_KEY_SECRET}\n"),
        );
        ini.env("ALIBABA_CLOUD_CREDENTIALS_FILE", &file);
        plan_reads_the_key(&ini);

        let mut json = workspace(tf, &sim, "");
        let file = write(
            &json,
            "creds/also-any-name",
            &serde_json::json!({"current": "main", "profiles": [
                {"name": "main", "mode": "AK", "access_key_id": DEMO_ACCESS_KEY_ID, "access_key_secret": DEMO_ACCESS_KEY_SECRET}
            ]}).to_string(),
        );
        json.env("ALIBABA_CLOUD_CREDENTIALS_FILE", &file);
        plan_reads_the_key(&json);
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn a_chainable_ram_role_arn_profile_assumes_its_role_from_hcl_and_from_env() {
    let sim = Sim::start(&[]);
    let config = serde_json::json!({"current": "base", "profiles": [
        {"name": "base", "mode": "AK", "access_key_id": DEMO_ACCESS_KEY_ID, "access_key_secret": DEMO_ACCESS_KEY_SECRET},
        {"name": "auditor", "mode": "ChainableRamRoleArn", "source_profile": "base",
         "ram_role_arn": ROLE, "ram_session_name": "chained"}
    ]})
    .to_string();
    for tf in RELEASES {
        let mut from_env = workspace(tf, &sim, "");
        let file = write(&from_env, ".aliyun/config.json", &config);
        assert!(file.ends_with(".aliyun/config.json"));
        from_env
            .env("ALIBABA_CLOUD_PROFILE", "auditor")
            .env("ALIBABA_CLOUD_STS_ENDPOINT", &sim.url);
        plan_reads_the_key_through(
            &from_env,
            &sim,
            "AssumeRole",
            &format!("{tf:?}, ALIBABA_CLOUD_PROFILE"),
        );

        let mut from_hcl = workspace(tf, &sim, "");
        let file = write(&from_hcl, "elsewhere/config.json", &config);
        let body = format!(
            "  shared_credentials_file = \"{file}\"\n  profile = \"auditor\"\n  sts_endpoint = \"{}\"\n",
            sim.url
        );
        let mut ws = workspace(tf, &sim, &body);
        std::mem::swap(&mut ws, &mut from_hcl);
        // The file lives in the first workspace's directory, which must outlive the run.
        plan_reads_the_key_through(
            &from_hcl,
            &sim,
            "AssumeRole",
            &format!("{tf:?}, profile in HCL"),
        );
        drop(ws);
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn a_chain_that_finds_nothing_names_every_place_it_looked() {
    let sim = Sim::start(&[]);
    let ws = workspace(Tf::V1_0_3, &sim, "");
    ws.init();
    // Terraform wraps the message; the places are checked in the text unwrapped.
    let out = ws
        .fails(&["plan", "-input=false", "-no-color"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for place in [
        "access_key and secret_key",
        "ecs_role_name",
        "assume_role_with_oidc",
        "credentials_uri",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALICLOUD_ACCESS_KEY",
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
        ".aliyun/config.json",
        ".alibabacloud/credentials",
        "ALIBABA_CLOUD_ECS_METADATA",
        "ALIBABA_CLOUD_CREDENTIALS_URI",
    ] {
        assert!(out.contains(place), "{place} missing from:\n{out}");
    }
    assert_eq!(requests(&sim, "GetAccessKeyLastUsedInfo"), 0);
}

#[test]
fn assume_role_with_oidc_and_the_endpoints_block_work_from_hcl() {
    let sim = Sim::start(&[]);
    for tf in RELEASES {
        for token_arg in ["oidc_token_file", "oidc_token"] {
            let ws = Workspace::new(tf, "");
            let token = oidc_token(
                "https://token.actions.githubusercontent.com",
                "sts.aliyuncs.com",
                3600,
            );
            let value = if token_arg == "oidc_token" {
                token
            } else {
                write(&ws, "oidc/token", &token)
            };
            let body = format!(
                "  endpoints {{\n    actiontrail = \"{url}\"\n    sts         = \"{url}\"\n  }}\n  assume_role_with_oidc {{\n    oidc_provider_arn = \"{OIDC_PROVIDER}\"\n    role_arn          = \"{ROLE}\"\n    {token_arg} = \"{value}\"\n    role_session_name = \"from-hcl\"\n  }}\n",
                url = sim.url
            );
            let mut ws = workspace(tf, &sim, &body);
            // Only the endpoints block names the emulator.
            ws.env("ACTIONTRAIL_ENDPOINT", "");
            // Per run: a total over the runs would pass with one argument ignored, if the
            // other's runs asked more than once each.
            plan_reads_the_key_through(&ws, &sim, "AssumeRoleWithOIDC", token_arg);
        }
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn credentials_uri_works_from_hcl_and_a_bad_one_points_at_the_argument() {
    let sim = Sim::start(&[]);
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/EcsAuditRole",
        sim.url
    );
    for tf in RELEASES {
        let ws = workspace(tf, &sim, &format!("  credentials_uri = \"{uri}\"\n"));
        plan_reads_the_key(&ws);
        let bad = workspace(tf, &sim, "  credentials_uri = \"file:///etc/creds\"\n");
        bad.init();
        let out = bad.fails(&["plan", "-input=false", "-no-color"]);
        assert!(out.contains("credentials_uri"), "{out}");
        assert!(out.contains("main.tf line"), "points at the HCL: {out}");
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}

#[test]
fn an_external_profile_runs_its_process_from_hcl_and_from_env() {
    let sim = Sim::start(&[]);
    for tf in RELEASES {
        let files = Workspace::new(tf, "");
        let script = write(
            &files,
            "bin/print-credentials",
            &format!("#!/bin/sh\necho '{{\"mode\": \"AK\", \"access_key_id\": \"{DEMO_ACCESS_KEY_ID}\", \"access_key_secret\": \"{DEMO_ACCESS_KEY_SECRET}\"}}'\n"),
        );
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let config = serde_json::json!({"profiles": [
            {"name": "vault", "mode": "External", "process_command": script}
        ]})
        .to_string();
        let cli_file = write(&files, "cli/config.json", &config);
        let from_hcl = workspace(
            tf,
            &sim,
            &format!("  shared_credentials_file = \"{cli_file}\"\n  profile = \"vault\"\n"),
        );
        plan_reads_the_key(&from_hcl);
        let mut from_env = workspace(tf, &sim, "");
        write(&from_env, ".aliyun/config.json", &config);
        from_env.env("ALIBABA_CLOUD_PROFILE", "vault");
        plan_reads_the_key(&from_env);
    }
    assert_eq!(errors(&sim), serde_json::json!({}));
}
