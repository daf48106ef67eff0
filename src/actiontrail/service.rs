//! The APIs the client calls: ActionTrail, RAM (the fleet audit), ResourceManager (the
//! accounts of a Resource Directory) and STS (who is calling). All are RPC style and
//! signed alike; they differ in endpoint and version.

use super::{ClientConfig, Error, API_VERSION};
use crate::alibaba::credentials::CredentialsProvider;
use crate::alibaba::endpoint::{Endpoint, Protocol};

/// The RAM API version.
pub(crate) const RAM_API_VERSION: &str = "2015-05-01";
/// The ResourceManager API version (ListAccounts).
pub(crate) const RESOURCEMANAGER_API_VERSION: &str = "2020-03-31";
/// The STS API version (GetCallerIdentity, AssumeRole).
pub(crate) const STS_API_VERSION: &str = "2015-04-01";

/// RAM is a global service: one endpoint for every region.
const RAM_DEFAULT_HOST: &str = "ram.aliyuncs.com";
/// So is ResourceManager.
const RESOURCEMANAGER_DEFAULT_HOST: &str = "resourcemanager.aliyuncs.com";

/// Which API a call goes to: each has its endpoint and version, signed the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    /// ActionTrail 2020-07-06.
    ActionTrail,
    /// RAM 2015-05-01, global (`ram.aliyuncs.com`).
    Ram,
    /// ResourceManager 2020-03-31, global (`resourcemanager.aliyuncs.com`): the Resource
    /// Directory's members (ListAccounts).
    ResourceManager,
    /// STS 2015-04-01, at the endpoint the credentials chain calls (`sts.aliyuncs.com`).
    Sts,
}

/// One API operation: the API it belongs to and its Action. Each operation's file declares
/// its own; a policy grants it as `<service>:<Action>` ([`Operation::permission`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The API.
    pub(crate) service: Service,
    /// Its Action.
    pub(crate) action: &'static str,
    /// Whether a RAM policy must grant it.
    pub(crate) granted: bool,
}

impl Operation {
    /// An operation a RAM policy must grant.
    pub(crate) const fn new(service: Service, action: &'static str) -> Operation {
        Operation {
            service,
            action,
            granted: true,
        }
    }

    /// The same operation, which every identity may call without a grant.
    pub(crate) const fn open_to_all(self) -> Operation {
        Operation {
            granted: false,
            ..self
        }
    }

    /// The RAM action a policy grants it by, e.g. `ram:ListUsers`.
    pub(crate) fn permission(self) -> String {
        format!("{}:{}", self.service.name(), self.action)
    }
}

impl Service {
    /// The API version sent.
    pub(crate) fn version(self) -> &'static str {
        match self {
            Service::ActionTrail => API_VERSION,
            Service::Ram => RAM_API_VERSION,
            Service::ResourceManager => RESOURCEMANAGER_API_VERSION,
            Service::Sts => STS_API_VERSION,
        }
    }

    /// A short name, for cache keys and logs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::ActionTrail => "actiontrail",
            Service::Ram => "ram",
            Service::ResourceManager => "resourcemanager",
            Service::Sts => "sts",
        }
    }

    /// RAM's endpoint: `ram_endpoint` when set, else `ram.aliyuncs.com`.
    pub(crate) fn ram_endpoint(config: &ClientConfig) -> Result<Endpoint, Error> {
        global(
            config,
            config.ram_endpoint.as_deref(),
            RAM_DEFAULT_HOST,
            "ram_endpoint",
        )
    }

    /// ResourceManager's endpoint: `resourcemanager_endpoint` when set, else
    /// `resourcemanager.aliyuncs.com`.
    pub(crate) fn resourcemanager_endpoint(config: &ClientConfig) -> Result<Endpoint, Error> {
        global(
            config,
            config.resourcemanager_endpoint.as_deref(),
            RESOURCEMANAGER_DEFAULT_HOST,
            "resourcemanager_endpoint",
        )
    }

    /// STS's endpoint, as the credentials chain resolves it (`sts_endpoint`, then
    /// `ALIBABA_CLOUD_STS_ENDPOINT`, then `sts.aliyuncs.com`), with what named it.
    pub(crate) fn sts_endpoint(config: &ClientConfig) -> Result<(Endpoint, &'static str), Error> {
        CredentialsProvider::sts_endpoint(&config.credentials).map_err(Error::Credentials)
    }
}

/// A global service's endpoint: the override when set, else its default host over HTTPS
/// whatever `protocol` says: that is ActionTrail's, and must not send an organisation's
/// listing in clear.
fn global(
    config: &ClientConfig,
    configured: Option<&str>,
    default: &str,
    argument: &str,
) -> Result<Endpoint, Error> {
    let (spec, protocol) = match configured.filter(|e| !e.trim().is_empty()) {
        Some(e) => (e, config.protocol),
        None => (default, Protocol::Https),
    };
    Endpoint::parse(spec, protocol).map_err(|e| Error::Config(format!("{argument}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A global service's endpoint from `config`: `default` when unset, the override
    /// `given` as `gives` when set, and an error naming `argument` for a bad one.
    fn global_endpoint(
        mut config: ClientConfig,
        endpoint_of: fn(&ClientConfig) -> Result<Endpoint, Error>,
        set: fn(&mut ClientConfig, &str),
        (default, given, gives, argument): (&str, &str, &str, &str),
    ) {
        assert_eq!(endpoint_of(&config).unwrap().base_url, default);
        set(&mut config, given);
        assert_eq!(endpoint_of(&config).unwrap().base_url, gives);
        set(&mut config, "ftp://elsewhere");
        assert!(matches!(
            endpoint_of(&config),
            Err(Error::Config(m)) if m.starts_with(argument)
        ));
    }

    #[test]
    fn ram_defaults_to_its_global_endpoint_and_takes_an_override() {
        global_endpoint(
            ClientConfig::default(),
            Service::ram_endpoint,
            |c, e| c.ram_endpoint = Some(e.into()),
            (
                "https://ram.aliyuncs.com",
                "http://127.0.0.1:9510",
                "http://127.0.0.1:9510",
                "ram_endpoint",
            ),
        );
        assert_ne!(Service::Ram.version(), Service::ActionTrail.version());
    }

    #[test]
    fn resourcemanager_defaults_to_https_whatever_protocol_says() {
        let config = ClientConfig {
            protocol: Protocol::Http,
            ..ClientConfig::default()
        };
        global_endpoint(
            config,
            Service::resourcemanager_endpoint,
            |c, e| c.resourcemanager_endpoint = Some(e.into()),
            (
                "https://resourcemanager.aliyuncs.com",
                "127.0.0.1:9510",
                "http://127.0.0.1:9510",
                "resourcemanager_endpoint",
            ),
        );
        assert_eq!(Service::ResourceManager.version(), "2020-03-31");
        assert_eq!(Service::Sts.version(), "2015-04-01");
    }

    #[test]
    fn sts_is_where_the_credentials_chain_calls_it() {
        let with_env = |env: &[(&str, &str)]| ClientConfig {
            credentials: crate::alibaba::credentials::CredentialsConfig {
                env: Some(
                    env.iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect::<BTreeMap<_, _>>(),
                ),
                ..Default::default()
            },
            ..ClientConfig::default()
        };
        let (e, named) = Service::sts_endpoint(&with_env(&[])).unwrap();
        assert_eq!(
            (e.base_url.as_str(), named),
            ("https://sts.aliyuncs.com", "sts_endpoint")
        );
        let mut config = with_env(&[("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:7")]);
        let (e, named) = Service::sts_endpoint(&config).unwrap();
        assert_eq!(
            (e.base_url.as_str(), named),
            ("http://127.0.0.1:7", "ALIBABA_CLOUD_STS_ENDPOINT")
        );
        config.credentials.sts_endpoint = Some("sts.cn-shanghai.aliyuncs.com".into());
        let (e, named) = Service::sts_endpoint(&config).unwrap();
        assert_eq!(
            (e.base_url.as_str(), named),
            ("https://sts.cn-shanghai.aliyuncs.com", "sts_endpoint")
        );
    }
}
