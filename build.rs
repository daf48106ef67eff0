//! Generates the gRPC code for the Terraform plugin protocols and go-plugin's services from
//! `proto/`, with protox (pure Rust) so that building needs no system `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin5.proto",
        "proto/tfplugin6.proto",
        "proto/plugin.proto",
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let fds = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        // The clients serve the protocol tests, which drive the real binary as Terraform does.
        .build_client(true)
        // ...given a channel: `connect` would need tonic's transport in the provider.
        .build_transport(false)
        .compile_fds(fds)?;
    link_provider_without_pie();
    Ok(())
}

/// The provider binary is linked as a fixed-address executable on Linux, as Go links
/// Terraform and every Go provider there. A position-independent one makes the dynamic
/// loader apply some 22,000 relocations (a 512 KB table, and copy-on-write faults on the
/// pages they patch) at every launch, and Terraform launches the plugin three times per
/// plan and hashes the whole file each time. Without them: 527 KB smaller, a third fewer
/// page faults at start-up, and the handshake line about 25 % sooner (docs/performance-history.md).
/// Libraries, heap and stack are still placed at random; the code stays position
/// independent, so only the link changes.
///
/// Not for the static release build (`+crt-static`, scripts/release.sh): rustc links that
/// as a static-pie, which starts by relocating itself; `-no-pie` would turn it into a
/// binary that still names /lib64/ld-linux-x86-64.so.2 as its interpreter and so does not
/// start where there is no libc.
fn link_provider_without_pie() {
    println!("cargo:rerun-if-env-changed=CARGO_CFG_TARGET_FEATURE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let static_crt = features.split(',').any(|f| f == "crt-static");
    if os == "linux" && env == "gnu" && !static_crt {
        println!("cargo:rustc-link-arg-bin=terraform-provider-actiontrail=-no-pie");
    }
}
