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
    Ok(())
}
