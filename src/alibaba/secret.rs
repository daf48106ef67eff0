//! Secrets the process holds or receives, as a type that cannot be printed by accident,
//! and the one process-wide set of every secret seen so far.
//!
//! A [`Secret`] has no `Display`, its `Debug` prints `<redacted>`, and the value is read
//! only through [`Secret::expose`], which signing and the wire use. Making one registers
//! the value in [`known`], the set the scrubber ([`crate::alibaba::redact::scrub`]) removes
//! from every diagnostic and log line, wherever in them it appears, even in text quoted
//! from outside (a helper process's stderr, a service's message).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The placeholder for a removed value.
pub const REDACTED: &str = "<redacted>";

/// The most secrets remembered. A plan holds a few lasting ones (a key, a token, a
/// credentials URI's query) and temporary ones (the STS credentials of each refresh and
/// of each member account an organisation read assumes a role in). When the set is full
/// the oldest temporary one goes, never a lasting one while a temporary one is left: a
/// lasting secret is the one most worth scrubbing, and a few hundred member accounts must
/// not push it out.
pub const KNOWN_SECRETS: usize = 256;

/// Values shorter than this are not registered: replacing a two-letter "secret" in every
/// message would garble them and protect nothing (the shape rules still apply).
pub const MIN_SECRET_CHARS: usize = 6;

/// The longest value registered: a credentials answer is capped at 64 KiB, and a longer
/// value would make scrubbing every log line costly.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

/// A secret value: an AccessKey secret, a security token, an OIDC token, a credentials
/// URI (whose query may hold a broker's secret).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps `value` and registers it as a lasting known secret: one configured or read
    /// from a file, as an AccessKey secret is.
    pub fn new(value: impl Into<String>) -> Secret {
        let value: Arc<str> = Arc::from(value.into());
        register(&value);
        Secret(value)
    }

    /// Wraps `value` and registers it as a temporary known secret: STS credentials, a
    /// rotating token, which later ones replace.
    pub fn temporary(value: impl Into<String>) -> Secret {
        let value: Arc<str> = Arc::from(value.into());
        remember(&mut lock(), &value, Lasting::No);
        Secret(value)
    }

    /// The value, for signing and for sending to the endpoint it belongs to. Never for
    /// messages.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret::new(value)
    }
}

/// Whether a known secret is kept before temporary ones when the set is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lasting {
    Yes,
    No,
}

type Known = VecDeque<(Arc<str>, Lasting)>;

fn set() -> &'static Mutex<Known> {
    static KNOWN: std::sync::OnceLock<Mutex<Known>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| Mutex::new(VecDeque::with_capacity(16)))
}

fn lock() -> std::sync::MutexGuard<'static, Known> {
    set().lock().unwrap_or_else(|p| p.into_inner())
}

/// Adds `value` (trimmed) to the known set as a lasting secret, once. Also used for
/// secrets that never become a [`Secret`], such as a value in a credentials URI's query.
pub fn register(value: &str) {
    remember(&mut lock(), value, Lasting::Yes);
}

fn remember(known: &mut Known, value: &str, lasting: Lasting) {
    let value = value.trim();
    if value.chars().count() < MIN_SECRET_CHARS || value.len() > MAX_SECRET_BYTES {
        return;
    }
    if let Some(entry) = known.iter_mut().find(|(k, _)| &**k == value) {
        // Seen again as lasting, it stays lasting.
        if lasting == Lasting::Yes {
            entry.1 = Lasting::Yes;
        }
        return;
    }
    if known.len() >= KNOWN_SECRETS {
        match known.iter().position(|(_, l)| *l == Lasting::No) {
            Some(oldest_temporary) => {
                known.remove(oldest_temporary);
            }
            // All lasting: the set stays bounded all the same.
            None => {
                known.pop_front();
            }
        }
    }
    known.push_back((Arc::from(value), lasting));
}

/// Every known secret, longest first (so a secret containing another is removed whole).
pub fn known() -> Vec<Arc<str>> {
    let mut out: Vec<Arc<str>> = lock().iter().map(|(k, _)| k.clone()).collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_prints_as_redacted_and_is_known() {
        let s = Secret::new("k3pt-s3cret-value-A");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(s.expose(), "k3pt-s3cret-value-A");
        assert!(known().iter().any(|k| &**k == "k3pt-s3cret-value-A"));
    }

    #[test]
    fn short_values_are_not_registered_and_the_set_is_bounded() {
        // A local set: the process-wide one is shared with every other test.
        let mut set = VecDeque::new();
        remember(&mut set, "abc", Lasting::Yes);
        assert!(set.is_empty());
        for lasting in [Lasting::No, Lasting::Yes] {
            let mut set = VecDeque::new();
            for i in 0..KNOWN_SECRETS + 10 {
                remember(&mut set, &format!("bounded-secret-{i:04}"), lasting);
                remember(&mut set, &format!("bounded-secret-{i:04}"), lasting);
            }
            assert_eq!(set.len(), KNOWN_SECRETS);
            // The newest are kept, the oldest dropped.
            assert_eq!(
                set.back().map(|s| s.0.to_string()),
                Some(format!("bounded-secret-{:04}", KNOWN_SECRETS + 9))
            );
            assert_eq!(
                set.front().map(|s| s.0.to_string()),
                Some("bounded-secret-0010".into())
            );
        }
    }

    #[test]
    fn temporary_secrets_never_push_out_a_lasting_one() {
        let mut set = VecDeque::new();
        remember(&mut set, "static-secret-key-0001", Lasting::Yes);
        // An organisation read of many accounts: two temporary values each.
        for account in 0..2 * KNOWN_SECRETS {
            remember(&mut set, &format!("STS-secret-{account:05}"), Lasting::No);
            remember(&mut set, &format!("STS-token-{account:05}"), Lasting::No);
        }
        assert_eq!(set.len(), KNOWN_SECRETS);
        assert!(
            set.iter().any(|(k, _)| &**k == "static-secret-key-0001"),
            "the lasting secret is still scrubbed"
        );
        assert_eq!(
            set.back().map(|s| s.0.to_string()),
            Some(format!("STS-token-{:05}", 2 * KNOWN_SECRETS - 1))
        );
    }
}
