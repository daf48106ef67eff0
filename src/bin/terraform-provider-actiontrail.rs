//! The plugin Terraform starts: serves the ActionTrail provider over the plugin protocol.
#![forbid(unsafe_code)]

use std::process::ExitCode;

/// A read allocates and frees many small buffers (gRPC frames, msgpack values, the
/// signed request and its answer): glibc's malloc took a fifth of the provider's
/// instructions at 500 reads, mimalloc about half as many (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    actiontrail_provider::plugin::serve(
        "registry.terraform.io/actiontrail/actiontrail",
        actiontrail_provider::data_sources::provider,
    )
}
