//! go-plugin's start-up contract: the magic cookie, protocol negotiation and the handshake
//! line.

use super::server::Protocol;

/// The environment variable Terraform sets to prove the binary was started as a plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value, the same for every Terraform provider.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// What a person who runs the binary by hand reads.
pub const NOT_A_COMMAND: &str = "This binary is a plugin for Terraform, not a command to run \
by hand: Terraform starts it itself when a configuration uses the actiontrail provider. \
Declare the provider in `required_providers` and run `terraform init` and `terraform plan`. \
To debug the provider, run it with `--debug` and set the TF_REATTACH_PROVIDERS value it \
prints in the shell that runs Terraform.";

/// go-plugin's own protocol version, the first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// Why no protocol version could be agreed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "Terraform offers plugin protocol versions {offered:?}; this provider speaks 5 and 6. \
     Use Terraform 0.12 or later."
)]
pub struct NoCommonProtocol {
    /// What `PLUGIN_PROTOCOL_VERSIONS` held.
    pub offered: String,
}

/// Picks the protocol from `PLUGIN_PROTOCOL_VERSIONS`: the highest of 5 and 6 it lists.
/// Absent or empty, go-plugin falls back to the oldest version the plugin speaks, and so
/// does this.
pub fn negotiate(offered: Option<&str>) -> Result<Protocol, NoCommonProtocol> {
    let offered = offered.map(str::trim).unwrap_or_default();
    if offered.is_empty() {
        return Ok(Protocol::V5);
    }
    let versions: Vec<u32> = offered
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if versions.contains(&6) {
        Ok(Protocol::V6)
    } else if versions.contains(&5) {
        Ok(Protocol::V5)
    } else {
        Err(NoCommonProtocol {
            offered: super::clip(offered).to_owned(),
        })
    }
}

/// The handshake line (without newline): `1|6|unix|/path|grpc|CERT`, where the address is
/// a path or, for an abstract socket, `@name`; or `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
pub fn line(protocol: Protocol, network: &str, address: &str, cert: &str) -> String {
    format!(
        "{CORE_PROTOCOL_VERSION}|{}|{network}|{address}|grpc|{cert}",
        protocol.number(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_the_highest_offered_version_it_speaks() {
        assert_eq!(negotiate(Some("5,6")), Ok(Protocol::V6));
        assert_eq!(negotiate(Some("6,5")), Ok(Protocol::V6));
        assert_eq!(negotiate(Some("5")), Ok(Protocol::V5));
        assert_eq!(negotiate(Some("4,5,7")), Ok(Protocol::V5));
        assert_eq!(negotiate(Some(" 6 ")), Ok(Protocol::V6));
    }

    #[test]
    fn falls_back_to_protocol_5_when_nothing_is_offered() {
        assert_eq!(negotiate(None), Ok(Protocol::V5));
        assert_eq!(negotiate(Some("")), Ok(Protocol::V5));
    }

    #[test]
    fn refuses_when_no_offered_version_is_spoken() {
        assert!(negotiate(Some("4")).is_err());
        assert!(negotiate(Some("7,x")).is_err());
    }

    #[test]
    fn handshake_line_has_six_fields() {
        let l = line(Protocol::V6, "unix", "/tmp/p/plugin.sock", "QUJD");
        assert_eq!(l, "1|6|unix|/tmp/p/plugin.sock|grpc|QUJD");
        let l = line(Protocol::V5, "unix", "@plugin0123456789abcdef", "QUJD");
        assert_eq!(l, "1|5|unix|@plugin0123456789abcdef|grpc|QUJD");
        let l = line(Protocol::V6, "tcp", "127.0.0.1:10123", "QUJD");
        assert_eq!(l, "1|6|tcp|127.0.0.1:10123|grpc|QUJD");
    }
}
