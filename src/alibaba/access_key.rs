//! An AccessKey, the one thing both signing and the credentials chain speak of. It lives
//! below both, so `rpc` (which signs with it) and `credentials` (which finds it, and calls
//! STS through `rpc`) need not import each other.

use std::time::SystemTime;

/// An AccessKey, possibly temporary.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// AccessKey id (not secret: it names the key).
    pub access_key_id: String,
    /// AccessKey secret.
    pub access_key_secret: String,
    /// STS security token, for temporary credentials.
    pub security_token: Option<String>,
    /// When temporary credentials expire.
    pub expiration: Option<SystemTime>,
}

impl Credentials {
    /// The secret parts, for removing them from any text quoted back to the user.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out = vec![self.access_key_secret.as_str()];
        out.extend(self.security_token.as_deref());
        out
    }
}

impl std::fmt::Debug for Credentials {
    // Secrets and tokens never reach logs or error messages, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}
