//! The APIs the client calls: ActionTrail and, for the fleet audit, RAM. Both are RPC
//! style and signed alike; they differ in endpoint and version.

use super::{ClientConfig, Error, API_VERSION};
use crate::alibaba::endpoint::{Endpoint, Protocol};

/// The RAM API version.
pub(crate) const RAM_API_VERSION: &str = "2015-05-01";

/// RAM is a global service: one endpoint for every region.
const RAM_DEFAULT_HOST: &str = "ram.aliyuncs.com";

/// The Resource Directory's API version (ResourceManager).
pub(crate) const RESOURCEMANAGER_API_VERSION: &str = "2020-03-31";

/// ResourceManager is a global service too.
const RESOURCEMANAGER_DEFAULT_HOST: &str = "resourcemanager.aliyuncs.com";

/// The STS API version.
pub(crate) const STS_API_VERSION: &str = "2015-04-01";

/// Which API a call goes to: each has its endpoint and version, signed the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    /// ActionTrail 2020-07-06.
    ActionTrail,
    /// RAM 2015-05-01, global (`ram.aliyuncs.com`).
    Ram,
    /// ResourceManager 2020-03-31, global (`resourcemanager.aliyuncs.com`): the Resource
    /// Directory's members.
    ResourceManager,
    /// STS 2015-04-01, at the endpoint the credentials chain uses (`sts_endpoint`).
    Sts,
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
        // The default is HTTPS whatever `protocol` says: that is ActionTrail's, and must
        // not send the fleet's listing in clear.
        let (spec, protocol) = match config
            .ram_endpoint
            .as_deref()
            .filter(|e| !e.trim().is_empty())
        {
            Some(e) => (e, config.protocol),
            None => (RAM_DEFAULT_HOST, Protocol::Https),
        };
        Endpoint::parse(spec, protocol).map_err(|e| Error::Config(format!("ram_endpoint: {e}")))
    }

    /// ResourceManager's endpoint: `resourcemanager_endpoint` when set, else
    /// `resourcemanager.aliyuncs.com` over HTTPS (the directory's member list is not sent in
    /// clear because ActionTrail's `protocol` says HTTP).
    pub(crate) fn resourcemanager_endpoint(config: &ClientConfig) -> Result<Endpoint, Error> {
        let (spec, protocol) = match config
            .resourcemanager_endpoint
            .as_deref()
            .filter(|e| !e.trim().is_empty())
        {
            Some(e) => (e, config.protocol),
            None => (RESOURCEMANAGER_DEFAULT_HOST, Protocol::Https),
        };
        Endpoint::parse(spec, protocol)
            .map_err(|e| Error::Config(format!("resourcemanager_endpoint: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ram_defaults_to_its_global_endpoint_and_takes_an_override() {
        let mut config = ClientConfig::default();
        let e = Service::ram_endpoint(&config).unwrap();
        assert_eq!(e.base_url, "https://ram.aliyuncs.com");
        config.ram_endpoint = Some("http://127.0.0.1:9510".into());
        assert_eq!(
            Service::ram_endpoint(&config).unwrap().base_url,
            "http://127.0.0.1:9510"
        );
        config.ram_endpoint = Some("ftp://ram".into());
        assert!(matches!(
            Service::ram_endpoint(&config),
            Err(Error::Config(m)) if m.starts_with("ram_endpoint")
        ));
        assert_ne!(Service::Ram.version(), Service::ActionTrail.version());
    }
}
