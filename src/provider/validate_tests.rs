//! The provider block's checks: every argument refused at its path, with what to do.

use super::super::tests::{block, role};
use super::*;
use crate::model::PathStep;
use crate::provider::schema::valid_region;

fn paths(diags: &[Diagnostic]) -> Vec<Vec<PathStep>> {
    diags
        .iter()
        .map(|d| d.attribute.clone().unwrap_or_default().0)
        .collect()
}

fn at(names: &[&str]) -> Vec<PathStep> {
    names
        .iter()
        .map(|n| PathStep::Attribute((*n).to_owned()))
        .collect()
}

#[test]
fn an_empty_block_is_valid() {
    assert_eq!(validate(&block(&[])), vec![]);
}

#[test]
fn max_requests_per_second_takes_fractions_and_unknowns() {
    let (parsed, diags) = parse(&block(&[(
        "max_requests_per_second",
        Value::Number(crate::model::Number::Float(0.5)),
    )]));
    assert_eq!((parsed.max_requests_per_second, diags), (Some(0.5), vec![]));
    let (parsed, diags) = parse(&block(&[("max_requests_per_second", Value::Unknown)]));
    assert_eq!((parsed.max_requests_per_second, diags), (None, vec![]));
}

#[test]
fn each_bad_argument_is_reported_at_its_path() {
    let float = |f| Value::Number(crate::model::Number::Float(f));
    // One argument alone, reported at itself.
    let alone = [
        ("region", Value::string("Hangzhou!")),
        ("endpoint", Value::string("ftp://x")),
        ("endpoint", Value::string("http://x/path")),
        ("protocol", Value::string("gopher")),
        ("signature_algorithm", Value::string("md5")),
        ("max_retries", Value::int(21)),
        ("max_retries", Value::int(-1)),
        ("ram_endpoint", Value::string("ftp://ram")),
        ("max_concurrency", Value::int(0)),
        ("resourcemanager_endpoint", Value::string("ftp://rm")),
        ("max_requests_per_second", Value::int(0)),
        ("max_requests_per_second", float(-0.5)),
        ("max_requests_per_second", Value::int(20_000)),
        ("max_requests_per_second", Value::string("fast")),
        ("timeout", Value::string("soon")),
        ("access_key", Value::string("LTAI5tX")),
        ("secret_key", Value::string("s")),
    ];
    // One bad argument in an assume_role block whose role_arn is good.
    let in_role = [
        ("session_expiration", Value::int(60)),
        ("policy", Value::string("not json")),
        ("session_name", Value::string("a b")),
    ];
    let mut cases: Vec<(Value, Vec<PathStep>)> = alone
        .into_iter()
        .map(|(name, value)| (block(&[(name, value)]), at(&[name])))
        .collect();
    cases.extend(in_role.into_iter().map(|(name, value)| {
        let arn = ("role_arn", Value::string("acs:ram::1:role/x"));
        (
            block(&[("assume_role", role(&[arn, (name, value)]))]),
            at(&["assume_role", name]),
        )
    }));
    cases.extend([
        (
            block(&[
                ("access_key", Value::string("a")),
                ("secret_key", Value::string("b")),
                ("security_token", Value::string("")),
            ]),
            at(&["security_token"]),
        ),
        (
            block(&[
                ("endpoint", Value::string("https://a")),
                ("protocol", Value::string("HTTP")),
            ]),
            at(&["protocol"]),
        ),
        (
            block(&[(
                "assume_role",
                role(&[("role_arn", Value::string("arn:aws:iam::1:role/x"))]),
            )]),
            at(&["assume_role", "role_arn"]),
        ),
    ]);
    for (config, want) in cases {
        let diags = validate(&config);
        assert_eq!(paths(&diags), vec![want.clone()], "{want:?}: {diags:?}");
    }
}

#[test]
fn a_token_without_the_key_pair_is_refused() {
    let diags = validate(&block(&[("security_token", Value::string("t"))]));
    assert_eq!(paths(&diags), vec![at(&["security_token"])]);
}

#[test]
fn good_values_pass() {
    let config = block(&[
        ("access_key", Value::string("LTAI5tDemo")),
        ("secret_key", Value::string("secret")),
        ("security_token", Value::string("token")),
        ("region", Value::string("ap-southeast-1")),
        ("endpoint", Value::string("http://127.0.0.1:8080/")),
        ("protocol", Value::string("http")),
        ("signature_algorithm", Value::string("ACS3-HMAC-SHA256")),
        ("max_retries", Value::int(0)),
        ("timeout", Value::string("1m 30s")),
        (
            "assume_role",
            role(&[
                (
                    "role_arn",
                    Value::string("acs:ram::1234567890123456:role/auditor"),
                ),
                ("session_expiration", Value::int(3600)),
                ("policy", Value::string("{\"Version\":\"1\"}")),
            ]),
        ),
    ]);
    assert_eq!(validate(&config), vec![]);
}

#[test]
fn unknown_values_are_accepted_and_do_not_count_as_set() {
    // An unknown access_key with no secret_key: it may turn out null, so no conflict.
    assert_eq!(validate(&block(&[("access_key", Value::Unknown)])), vec![]);
    // A known access_key whose secret is unknown: it may turn out set.
    assert_eq!(
        validate(&block(&[
            ("access_key", Value::string("LTAI5t")),
            ("secret_key", Value::Unknown)
        ])),
        vec![]
    );
    assert_eq!(
        validate(&block(&[("security_token", Value::Unknown)])),
        vec![]
    );
    assert_eq!(
        validate(&block(&[
            ("security_token", Value::string("t")),
            ("access_key", Value::Unknown),
            ("secret_key", Value::Unknown)
        ])),
        vec![]
    );
    for name in [
        "region",
        "endpoint",
        "protocol",
        "signature_algorithm",
        "max_retries",
        "timeout",
    ] {
        assert_eq!(
            validate(&block(&[(name, Value::Unknown)])),
            vec![],
            "{name}"
        );
    }
    assert_eq!(validate(&block(&[("assume_role", Value::Unknown)])), vec![]);
    assert_eq!(
        validate(&block(&[(
            "assume_role",
            role(&[
                ("role_arn", Value::Unknown),
                ("session_expiration", Value::Unknown)
            ])
        )])),
        vec![]
    );
}

#[test]
fn region_ids_follow_the_alibaba_shape() {
    for good in [
        "cn-hangzhou",
        "ap-southeast-1",
        "us-west-1",
        "cn-shanghai-finance-1",
    ] {
        assert!(valid_region(good), "{good}");
    }
    for bad in [
        "Hangzhou!",
        "cn",
        "c-hangzhou",
        "cn-",
        "CN-HANGZHOU",
        "cn hangzhou",
        "",
    ] {
        assert!(!valid_region(bad), "{bad}");
    }
}

#[test]
fn an_empty_key_alone_is_refused_and_still_wants_its_secret() {
    let diags = validate(&block(&[("access_key", Value::string(" "))]));
    let details: Vec<&str> = diags.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(
        paths(&diags),
        vec![at(&["access_key"]), at(&["access_key"])]
    );
    assert!(details[0].contains("access_key is empty"), "{details:?}");
    assert!(details[1].contains("secret_key is not"), "{details:?}");
}
