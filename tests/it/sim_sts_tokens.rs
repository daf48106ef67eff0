//! The emulator's STS side: AssumeRoleWithOIDC for the data set's OIDC providers with the
//! real error codes, and the SecurityToken check every signed request goes through.

use actiontrail_provider::alibaba::credentials::Credentials;
use actiontrail_provider::alibaba::endpoint::{Endpoint, Protocol};
use actiontrail_provider::alibaba::rpc::send;
use actiontrail_provider::alibaba::signature::{sign, RpcRequest, SignatureAlgorithm};
use actiontrail_provider::sim::dataset::{
    DataSet, DEMO_CALLER_ID, DEMO_CALLER_SECRET, DEMO_OIDC_AUDIENCE, DEMO_OIDC_ISSUER,
    DEMO_OIDC_PROVIDER_ARN,
};
use actiontrail_provider::sim::{spawn, RunningSim, SimConfig};
use base64::Engine as _;
use serde_json::{json, Value as J};
use std::collections::BTreeMap;
use std::time::Duration;

const RECENT: &str = "LTAI5tRecentUse000000001";
const ROLE: &str = "acs:ram::1234567890123456:role/auditor";

async fn sim() -> RunningSim {
    spawn(SimConfig::default(), DataSet::demo()).await.unwrap()
}

/// GetAccessKeyLastUsedInfo signed with `c`: (status, Code).
async fn info(sim: &RunningSim, c: &Credentials, algorithm: SignatureAlgorithm) -> (u16, String) {
    let params: BTreeMap<String, String> = [("AccessKey".to_owned(), RECENT.to_owned())].into();
    let req = RpcRequest {
        action: "GetAccessKeyLastUsedInfo",
        version: "2020-07-06",
        params: &params,
    };
    let endpoint = Endpoint::parse(&sim.url, Protocol::Http).unwrap();
    let signed = sign(
        &req,
        &endpoint,
        c,
        algorithm,
        time::OffsetDateTime::now_utc(),
        &uuid::Uuid::new_v4().to_string(),
    );
    let raw = send(&reqwest::Client::new(), &signed, Duration::from_secs(5))
        .await
        .unwrap();
    let body: J = serde_json::from_str(&raw.body).unwrap_or(J::Null);
    (raw.status, body["Code"].as_str().unwrap_or("").to_owned())
}

fn key(id: &str, secret: &str, token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: id.into(),
        access_key_secret: secret.into(),
        security_token: token.map(Into::into),
        expiration: None,
    }
}

#[tokio::test]
async fn every_signed_request_checks_its_security_token() {
    let sim = sim().await;
    let live = sim.state.issue_temporary(
        Duration::from_secs(3600),
        "1234567890123456",
        "r:s",
        vec!["*".into()],
    );
    let expired =
        sim.state
            .issue_temporary(Duration::ZERO, "1234567890123456", "r:s", vec!["*".into()]);
    for algorithm in [
        SignatureAlgorithm::HmacSha1,
        SignatureAlgorithm::Acs3HmacSha256,
    ] {
        let own = key(&live.access_key_id, &live.secret, Some(&live.token));
        assert_eq!(info(&sim, &own, algorithm).await, (200, String::new()));
        for (c, code) in [
            (
                key(DEMO_CALLER_ID, DEMO_CALLER_SECRET, Some("CAISforged")),
                "InvalidSecurityToken.Malformed",
            ),
            (
                key(&live.access_key_id, &live.secret, Some("CAISforged")),
                "InvalidSecurityToken.Malformed",
            ),
            (
                key(
                    &expired.access_key_id,
                    &expired.secret,
                    Some(&expired.token),
                ),
                "InvalidSecurityToken.Expired",
            ),
            (
                key(DEMO_CALLER_ID, DEMO_CALLER_SECRET, Some(&live.token)),
                "InvalidSecurityToken.MismatchWithAccessKey",
            ),
            (
                key(&live.access_key_id, &live.secret, None),
                "InvalidSecurityToken.MismatchWithAccessKey",
            ),
        ] {
            assert_eq!(
                info(&sim, &c, algorithm).await,
                (400, code.to_owned()),
                "{algorithm:?} {c:?}"
            );
        }
        let plain = key(DEMO_CALLER_ID, DEMO_CALLER_SECRET, None);
        assert_eq!(info(&sim, &plain, algorithm).await.0, 200);
    }
}

fn jwt(claims: J) -> String {
    let b64 = |v: J| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.c2ln", b64(json!({"alg": "RS256"})), b64(claims))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// AssumeRoleWithOIDC, unsigned, as a form body: (status, answer).
async fn oidc(sim: &RunningSim, extra: &[(&str, &str)]) -> (u16, J) {
    let mut form = vec![
        ("Action", "AssumeRoleWithOIDC"),
        ("Version", "2015-04-01"),
        ("Format", "JSON"),
        ("RoleSessionName", "ci"),
    ];
    form.extend_from_slice(extra);
    let resp = reqwest::Client::new()
        .post(format!("{}/", sim.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap_or(J::Null))
}

#[tokio::test]
async fn assume_role_with_oidc_accepts_the_data_sets_providers_tokens_only() {
    let sim = sim().await;
    let good = jwt(json!({"iss": DEMO_OIDC_ISSUER, "aud": DEMO_OIDC_AUDIENCE, "exp": now() + 600}));
    let (status, answer) = oidc(
        &sim,
        &[
            ("RoleArn", ROLE),
            ("OIDCProviderArn", DEMO_OIDC_PROVIDER_ARN),
            ("OIDCToken", &good),
        ],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let c = &answer["Credentials"];
    let temp = key(
        c["AccessKeyId"].as_str().unwrap(),
        c["AccessKeySecret"].as_str().unwrap(),
        c["SecurityToken"].as_str(),
    );
    assert!(temp.access_key_id.starts_with("STS."));
    assert_eq!(answer["OIDCTokenInfo"]["Issuer"], DEMO_OIDC_ISSUER);
    assert_eq!(
        info(&sim, &temp, SignatureAlgorithm::HmacSha1).await,
        (200, String::new()),
        "the role's credentials sign ActionTrail calls"
    );

    let unknown = "acs:ram::1234567890123456:oidc-provider/nobody";
    let other_account = "acs:ram::2345678901234567:role/auditor";
    for (params, status, code) in [
        (
            vec![("RoleArn", ROLE), ("OIDCToken", good.as_str())],
            400,
            "MissingOIDCProviderArn",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("OIDCProviderArn", DEMO_OIDC_PROVIDER_ARN),
            ],
            400,
            "MissingOIDCToken",
        ),
        (
            vec![
                ("OIDCProviderArn", DEMO_OIDC_PROVIDER_ARN),
                ("OIDCToken", good.as_str()),
            ],
            400,
            "MissingRoleArn",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("OIDCProviderArn", unknown),
                ("OIDCToken", good.as_str()),
            ],
            404,
            "EntityNotExist.OIDCProvider",
        ),
        (
            vec![
                ("RoleArn", other_account),
                ("OIDCProviderArn", DEMO_OIDC_PROVIDER_ARN),
                ("OIDCToken", good.as_str()),
            ],
            403,
            "NoPermission",
        ),
        (
            vec![
                ("RoleArn", ROLE),
                ("OIDCProviderArn", DEMO_OIDC_PROVIDER_ARN),
                ("OIDCToken", "not-a-jwt"),
            ],
            400,
            "AuthenticationFail.OIDCToken.Invalid",
        ),
    ] {
        let (got, answer) = oidc(&sim, &params).await;
        assert_eq!(
            (got, answer["Code"].as_str().unwrap_or("")),
            (status, code),
            "{params:?}: {answer}"
        );
    }
    for (claims, code) in [
        (
            json!({"iss": "https://evil.example.com", "aud": DEMO_OIDC_AUDIENCE, "exp": now() + 600}),
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            json!({"iss": DEMO_OIDC_ISSUER, "aud": "someone-else", "exp": now() + 600}),
            "AuthenticationFail.OIDCToken.Invalid",
        ),
        (
            json!({"iss": DEMO_OIDC_ISSUER, "aud": [DEMO_OIDC_AUDIENCE], "exp": now() - 1}),
            "AuthenticationFail.OIDCToken.Expired",
        ),
        (
            json!({"iss": DEMO_OIDC_ISSUER, "aud": DEMO_OIDC_AUDIENCE}),
            "AuthenticationFail.OIDCToken.Invalid",
        ),
    ] {
        let token = jwt(claims.clone());
        let (got, answer) = oidc(
            &sim,
            &[
                ("RoleArn", ROLE),
                ("OIDCProviderArn", DEMO_OIDC_PROVIDER_ARN),
                ("OIDCToken", &token),
            ],
        )
        .await;
        assert_eq!(
            (got, answer["Code"].as_str().unwrap_or("")),
            (400, code),
            "{claims}: {answer}"
        );
    }
    assert_eq!(sim.state.stats()["requests"]["AssumeRoleWithOIDC"], 11);
}
