//! An AccessKey, the one thing both signing and the credentials chain speak of. It lives
//! below both, so `rpc` (which signs with it) and `credentials` (which finds it, and calls
//! STS through `rpc`) need not import each other.

use super::secret::Secret;
use std::time::SystemTime;

/// An AccessKey, possibly temporary. Its secret parts are [`Secret`]s, so `{:?}` shows
/// them redacted and the process knows them to scrub them from any message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// AccessKey id (not secret: it names the key).
    pub access_key_id: String,
    /// AccessKey secret.
    pub access_key_secret: Secret,
    /// STS security token, for temporary credentials.
    pub security_token: Option<Secret>,
    /// When temporary credentials expire.
    pub expiration: Option<SystemTime>,
}

impl Credentials {
    /// The secret parts, for removing them from any text quoted back to the user.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out = vec![self.access_key_secret.expose()];
        out.extend(self.security_token.as_ref().map(Secret::expose));
        out
    }

    /// The security token, when these are temporary credentials, for signing.
    pub fn token(&self) -> Option<&str> {
        self.security_token.as_ref().map(Secret::expose)
    }
}
