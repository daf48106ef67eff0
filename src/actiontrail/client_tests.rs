//! The client's own tests: configuration checks, and what a client derived
//! for other credentials shares.

use super::*;
use crate::actiontrail::PageOptions;
use std::collections::BTreeMap;

/// A configuration with a static key and no environment.
fn with_key() -> ClientConfig {
    ClientConfig {
        credentials: crate::alibaba::credentials::CredentialsConfig {
            access_key: Some("id".into()),
            secret_key: Some("secret".into()),
            env: Some(BTreeMap::new()),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn a_client_for_other_credentials_shares_the_pacer_the_bound_and_the_pool() {
    let c = Client::new(ClientConfig {
        max_requests_per_second: Some(5.0),
        ..with_key()
    })
    .unwrap();
    let mut other = with_key().credentials;
    other.access_key = Some("member".into());
    let member = CredentialsProvider::from_config(&other, c.inner.http.clone()).unwrap();
    let d = c.clone().with_credentials(member);
    assert!(Arc::ptr_eq(&c.inner.pacer, &d.inner.pacer));
    assert!(Arc::ptr_eq(&c.inner.permits, &d.inner.permits));
    assert!(Arc::ptr_eq(&c.inner.api_calls, &d.inner.api_calls));
    assert_ne!(c.credentials().identity(), d.credentials().identity());
    assert_eq!(d.resourcemanager_endpoint(), c.resourcemanager_endpoint());
}

#[test]
fn a_plain_http_sts_endpoint_is_refused_when_called_not_when_configured() {
    let mut cfg = with_key();
    cfg.credentials.env = Some(BTreeMap::from([(
        "ALIBABA_CLOUD_STS_ENDPOINT".to_owned(),
        "http://sts.example.com".to_owned(),
    )]));
    let c = Client::new(cfg.clone()).expect("nothing calls STS yet");
    let err = c.sts_endpoint().unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("ALIBABA_CLOUD_STS_ENDPOINT")),
        "{err:?}"
    );
    cfg.credentials.env = Some(BTreeMap::from([(
        "ALIBABA_CLOUD_STS_ENDPOINT".to_owned(),
        "http://127.0.0.1:9510".to_owned(),
    )]));
    let c = Client::new(cfg).unwrap();
    assert_eq!(c.sts_endpoint().unwrap(), "http://127.0.0.1:9510");
}

#[test]
fn max_requests_per_second_must_be_a_positive_rate() {
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let cfg = ClientConfig {
            max_requests_per_second: Some(bad),
            ..with_key()
        };
        assert!(matches!(Client::new(cfg), Err(Error::Config(_))), "{bad}");
    }
}

#[test]
fn new_makes_no_http_client_and_rejects_bad_endpoints() {
    let cfg = with_key();
    let c = Client::new(cfg.clone()).unwrap();
    assert!(
        !c.inner.http.is_built(),
        "TLS set-up waits for the first request"
    );
    assert_eq!(c.endpoint(), "https://actiontrail.cn-hangzhou.aliyuncs.com");
    let mut bad = cfg;
    bad.endpoint = Some("ftp://x".into());
    assert!(matches!(Client::new(bad), Err(Error::Config(_))));
}

#[test]
fn the_client_and_its_futures_can_cross_threads() {
    fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    fn send<T: Send>(_: &T) {}
    send_sync_clone::<Client>();
    let cfg = with_key();
    let c = Client::new(cfg).unwrap();
    send(&c.get_access_key_last_used_info("k"));
    send(&c.get_access_key_last_used_products("k"));
    send(&c.list_access_key_last_used_ips("k", "Ecs", PageOptions::default()));
    send(&c.list_access_key_last_used_resources("k", "Ecs", PageOptions::default()));
    assert_eq!(c.api_calls(), 0, "a future not awaited sends nothing");
}

#[test]
fn new_fails_with_every_place_looked_when_no_credentials_exist() {
    let cfg = ClientConfig {
        credentials: crate::alibaba::credentials::CredentialsConfig {
            env: Some(BTreeMap::new()),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = Client::new(cfg).unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("ALIBABA_CLOUD_ACCESS_KEY_ID") && msg.contains("access_key"));
    assert!(!err.is_retryable() && !err.may_have_been_sent());
}
