//! The provider block's side of the transport policy ([`TransportPolicy`]): each endpoint
//! the block or the environment names is checked at Configure, and a refusal points at
//! the argument's line of HCL (or names the environment variable) and says what to do.
//! `insecure_http = true` lifts the refusal and warns on every plan, naming each endpoint
//! it lets through.
//!
//! The credentials chain and the client check again where they build their endpoints, so
//! a source this file does not see (an STS endpoint or credentials URI from the
//! environment) is refused all the same.

use crate::actiontrail::ClientConfig;
use crate::alibaba::endpoint::{shown_url, stays_local, Endpoint, Protocol, TransportPolicy};
use crate::model::{AttributePath, Diagnostic, Value};
use crate::provider::settings::{
    self, ENDPOINT_ENV, RAM_ENDPOINT_ENV, RESOURCEMANAGER_ENDPOINT_ENV,
};

/// The environment variables naming an STS endpoint and a credentials URI.
const STS_ENDPOINT_ENV: &str = crate::alibaba::credentials::STS_ENDPOINT_ENV;
const CREDENTIALS_URI_ENV: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";

/// The settings of a wholly known provider block ([`settings::from_config`]), refused when
/// any endpoint they name breaks the transport policy ([`refusals`]).
pub fn checked(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientConfig, Vec<Diagnostic>> {
    let settings = settings::from_config(config, env)?;
    let refused = refusals(config, &settings, env);
    if !refused.is_empty() {
        return Err(refused);
    }
    Ok(settings)
}

/// What named an endpoint: an argument (with its path) or an environment variable.
struct Named {
    what: String,
    path: Option<AttributePath>,
    /// The ECS metadata service, which may also be plain HTTP to its own address.
    metadata: bool,
}

/// Where the endpoint of `service` came from: the single argument, the `endpoints` block,
/// or `env_var`.
fn named(
    config: &Value,
    single: &str,
    service: &str,
    env_var: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Named> {
    let set = |v: Option<&Value>| v.is_some_and(|v| v.as_str().is_some());
    if set(config.get(single)) {
        return Some(Named {
            what: single.to_owned(),
            path: Some(AttributePath::root(single)),
            metadata: false,
        });
    }
    if set(config.get("endpoints").and_then(|b| b.get(service))) {
        return Some(Named {
            what: format!("endpoints.{service}"),
            path: Some(AttributePath::root("endpoints").attr(service)),
            metadata: false,
        });
    }
    env(env_var)
        .filter(|v| !v.trim().is_empty())
        .map(|_| Named {
            what: format!("the environment variable {env_var}"),
            path: None,
            metadata: false,
        })
}

/// The block's `protocol`, which picks the scheme of a default endpoint or a bare host.
fn by_protocol() -> Named {
    Named {
        what: "protocol".to_owned(),
        path: Some(AttributePath::root("protocol")),
        metadata: false,
    }
}

/// Each endpoint `settings` would call with what named it: ActionTrail, RAM, and, when
/// set, STS and the credentials URI (as URLs).
fn endpoints(
    config: &Value,
    settings: &ClientConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<(Named, reqwest::Url)> {
    let mut out = Vec::new();
    let mut push = |named: Option<Named>, endpoint: Result<Endpoint, String>| {
        if let (Some(named), Ok(e)) = (named, endpoint) {
            if let Ok(url) = reqwest::Url::parse(&e.base_url) {
                out.push((named, url));
            }
        }
    };
    match &settings.endpoint {
        Some(e) => push(
            named(config, "endpoint", "actiontrail", ENDPOINT_ENV, env).or(Some(by_protocol())),
            Endpoint::parse(e, settings.protocol),
        ),
        None => push(
            Some(by_protocol()),
            Endpoint::regional("actiontrail", &settings.region, settings.protocol),
        ),
    }
    if let Some(ram) = settings.ram_endpoint.as_deref() {
        push(
            named(config, "ram_endpoint", "ram", RAM_ENDPOINT_ENV, env).or(Some(by_protocol())),
            Endpoint::parse(ram, settings.protocol),
        );
    }
    if let Some(rm) = settings.resourcemanager_endpoint.as_deref() {
        push(
            named(
                config,
                "resourcemanager_endpoint",
                "resourcemanager",
                RESOURCEMANAGER_ENDPOINT_ENV,
                env,
            )
            .or(Some(by_protocol())),
            Endpoint::parse(rm, settings.protocol),
        );
    }
    let sts_env = env(STS_ENDPOINT_ENV).filter(|v| !v.trim().is_empty());
    if let Some(sts) = settings
        .credentials
        .sts_endpoint
        .as_deref()
        .or(sts_env.as_deref())
    {
        push(
            named(config, "sts_endpoint", "sts", STS_ENDPOINT_ENV, env),
            Endpoint::parse(sts, Protocol::Https),
        );
    }
    if let Some(metadata) = settings.credentials.ecs_metadata_endpoint.as_deref() {
        push(
            Some(Named {
                what: "ecs_metadata_endpoint".to_owned(),
                path: Some(AttributePath::root("ecs_metadata_endpoint")),
                metadata: true,
            }),
            // As the credentials chain reads it: a bare host over plain HTTP.
            Endpoint::parse(metadata, Protocol::Http),
        );
    }
    let uri_env = env(CREDENTIALS_URI_ENV).filter(|v| !v.trim().is_empty());
    let uri = match &settings.credentials.credentials_uri {
        Some(u) => Some((
            Named {
                what: "credentials_uri".to_owned(),
                path: Some(AttributePath::root("credentials_uri")),
                metadata: false,
            },
            u.expose().to_owned(),
        )),
        None => uri_env.map(|u| {
            (
                Named {
                    what: format!("the environment variable {CREDENTIALS_URI_ENV}"),
                    path: None,
                    metadata: false,
                },
                u,
            )
        }),
    };
    if let Some((named, text)) = uri {
        if let Ok(url) = reqwest::Url::parse(text.trim()) {
            out.push((named, url));
        }
    }
    out
}

/// The refusals of plain HTTP to hosts other than loopback, one per endpoint, each at
/// its argument. Empty when `insecure_http` is on. The environment's STS endpoint and
/// credentials URI are left to the chain, which refuses them when it uses them.
pub fn refusals(
    config: &Value,
    settings: &ClientConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let policy = TransportPolicy {
        insecure_http: settings.credentials.transport.insecure_http,
    };
    endpoints(config, settings, env)
        .into_iter()
        // The environment's STS endpoint and credentials URI matter only when the chain
        // uses them; it decides that, and refuses them then.
        .filter(|(named, _)| {
            named.path.is_some()
                || ![STS_ENDPOINT_ENV, CREDENTIALS_URI_ENV]
                    .iter()
                    .any(|v| named.what.contains(v))
        })
        .filter_map(|(named, url)| {
            let why = if named.metadata {
                policy.admit_metadata_url(&url, &named.what).err()?
            } else {
                policy.admit_url(&url, &named.what).err()?
            };
            let d = Diagnostic::error("Plain HTTP refused", why);
            Some(match named.path {
                Some(p) => d.at(p),
                None => d,
            })
        })
        .collect()
}

/// With `insecure_http` on, the warning every plan shows: which endpoints go over plain
/// HTTP to a host that is not loopback, in clear text.
pub fn insecure_warning(
    config: &Value,
    settings: &ClientConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Diagnostic> {
    if !settings.credentials.transport.insecure_http {
        return None;
    }
    let clear: Vec<String> = endpoints(config, settings, env)
        .into_iter()
        .filter(|(named, url)| url.scheme() == "http" && !stays_local(url, named.metadata))
        .map(|(named, url)| format!("{} ({})", shown_url(&url), named.what))
        .collect();
    let detail = if clear.is_empty() {
        "insecure_http = true, but no endpoint uses plain HTTP to a host other than loopback now. Remove it so that one cannot start to.".to_owned()
    } else {
        format!(
            "insecure_http = true lets these endpoints carry credentials and the answers the rotation gate relies on in clear text: {}. Anyone on the path can read the security token and answer \"never used\". Use it only with an emulator or a test rig, never with real keys.",
            clear.join(", ")
        )
    };
    Some(
        Diagnostic::warning("Plain HTTP allowed by insecure_http", detail)
            .at(AttributePath::root("insecure_http")),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::block;
    use super::*;

    fn settings_of(
        set: &[(&str, Value)],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ClientConfig, Vec<Diagnostic>> {
        checked(&block(set), env)
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn refused_at(set: &[(&str, Value)], env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
        let errs = settings_of(set, env).expect_err("refused");
        errs.iter()
            .map(|d| {
                assert!(d.detail.contains("insecure_http = true"), "{d:?}");
                match &d.attribute {
                    Some(p) => format!("{p:?}"),
                    None => d.detail.split(" is ").next().unwrap_or("").to_owned(),
                }
            })
            .collect()
    }

    #[test]
    fn each_plain_http_endpoint_to_a_real_host_is_refused_at_its_argument() {
        for (name, value) in [
            ("endpoint", "http://actiontrail.cn-hangzhou.aliyuncs.com"),
            ("protocol", "HTTP"),
            ("ram_endpoint", "http://ram.aliyuncs.com"),
            (
                "resourcemanager_endpoint",
                "http://resourcemanager.aliyuncs.com",
            ),
            ("sts_endpoint", "http://sts.aliyuncs.com"),
            ("credentials_uri", "http://broker.example.com/creds?k=v"),
        ] {
            let refused = refused_at(&[(name, Value::string(value))], &no_env);
            assert!(refused[0].contains(name), "{name}: {refused:?}");
        }
        for (variable, url, named) in [
            (
                RESOURCEMANAGER_ENDPOINT_ENV,
                "http://resourcemanager.example.com",
                "the environment variable ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT",
            ),
            (
                ENDPOINT_ENV,
                "http://actiontrail.example.com",
                "the environment variable ACTIONTRAIL_ENDPOINT",
            ),
        ] {
            let env = |n: &str| (n == variable).then(|| url.to_owned());
            assert_eq!(refused_at(&[], &env), [named]);
        }
    }

    #[test]
    fn loopback_http_passes_and_insecure_http_passes_everything_with_a_warning() {
        let loopback = [
            ("endpoint", Value::string("http://127.0.0.1:9000")),
            ("ram_endpoint", Value::string("http://localhost:9000")),
            ("sts_endpoint", Value::string("http://[::1]:9000")),
        ];
        let s = settings_of(&loopback, &no_env).unwrap();
        assert!(insecure_warning(&block(&loopback), &s, &no_env).is_none());
        let open = [
            (
                "endpoint",
                Value::string("http://actiontrail.cn-hangzhou.aliyuncs.com"),
            ),
            ("insecure_http", Value::Bool(true)),
        ];
        let s = settings_of(&open, &no_env).unwrap();
        let w = insecure_warning(&block(&open), &s, &no_env).unwrap();
        assert!(
            w.detail
                .contains("http://actiontrail.cn-hangzhou.aliyuncs.com/ (endpoint)"),
            "{w:?}"
        );
        assert_eq!(w.attribute, Some(AttributePath::root("insecure_http")));
    }

    #[test]
    fn the_metadata_endpoint_is_plain_http_only_to_its_own_address_or_loopback() {
        for ok in [
            "http://100.100.100.200",
            "100.100.100.200",
            "http://127.0.0.1:9000",
            "https://metadata.internal",
        ] {
            let set = [("ecs_metadata_endpoint", Value::string(ok))];
            assert!(settings_of(&set, &no_env).is_ok(), "{ok}");
        }
        // A bare host means plain HTTP, what the metadata service speaks: elsewhere, it is
        // refused like a written-out http://.
        for refused in ["http://10.0.0.5", "metadata.internal"] {
            let refused = refused_at(
                &[("ecs_metadata_endpoint", Value::string(refused))],
                &no_env,
            );
            assert!(refused[0].contains("ecs_metadata_endpoint"), "{refused:?}");
        }
        // The address the metadata service has is no loophole for the other endpoints.
        let refused = refused_at(
            &[("sts_endpoint", Value::string("http://100.100.100.200"))],
            &no_env,
        );
        assert!(refused[0].contains("sts_endpoint"), "{refused:?}");
        let open = [
            ("ecs_metadata_endpoint", Value::string("http://10.0.0.5")),
            ("insecure_http", Value::Bool(true)),
        ];
        let s = settings_of(&open, &no_env).unwrap();
        let w = insecure_warning(&block(&open), &s, &no_env).unwrap();
        assert!(
            w.detail
                .contains("http://10.0.0.5/ (ecs_metadata_endpoint)"),
            "{w:?}"
        );
    }
}
