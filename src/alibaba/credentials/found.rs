//! What each source of the chain yields before any network call, and the environment the
//! chain reads. Both the resolver and the file readers build on this; it uses neither.

use super::{AssumeRoleConfig, Credentials, OidcConfig, Secret};
use std::collections::BTreeMap;
use std::path::Path;

/// The environment the chain reads: the process's, or a fixed map.
pub(super) struct Env<'a>(pub(super) &'a Option<BTreeMap<String, String>>);

impl Env<'_> {
    /// The non-empty value of `name`.
    pub(super) fn get(&self, name: &str) -> Option<String> {
        match self.0 {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
        .filter(|v| !v.trim().is_empty())
    }
}

/// What a source yields before any network call.
#[derive(Clone, Debug)]
pub(super) enum Found {
    /// A complete AccessKey (maybe with an STS token).
    Key(Credentials),
    /// Credentials from `base` call STS AssumeRole (a RamRoleArn profile, or a
    /// ChainableRamRoleArn profile whose base is another profile).
    RamRoleArn {
        base: Box<Found>,
        role: AssumeRoleConfig,
    },
    /// An ECS RAM role (`None`: ask the metadata service for the attached role's name).
    EcsRamRole { role: Option<String> },
    /// An OIDC token exchanged for a role's credentials (STS AssumeRoleWithOIDC).
    Oidc(OidcConfig),
    /// A local endpoint that hands out temporary credentials, and the argument or
    /// variable that named it.
    Uri(Secret, String),
    /// A process that prints credentials (the aliyun CLI's External mode).
    External(String),
}

/// `path` for messages.
pub(super) fn shown(path: &Path) -> String {
    path.display().to_string()
}
