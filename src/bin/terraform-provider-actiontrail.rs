//! The plugin Terraform starts: serves the ActionTrail provider over the plugin protocol.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    actiontrail_provider::plugin::serve(
        "registry.terraform.io/actiontrail/actiontrail",
        actiontrail_provider::provider::provider,
    )
}
