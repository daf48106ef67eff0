//! terraform-provider-actiontrail: Alibaba Cloud ActionTrail's "AccessKey last used" API
//! as Terraform data sources.
//!
//! Layers, each depending only on those below it:
//! `plugin` (go-plugin handshake, mTLS, gRPC) -> `tfproto` (wire <-> model) -> `model`
//! (schemas, cty values, msgpack); `data_sources` (schemas and reads) -> `actiontrail`
//! (the API client) -> `alibaba` (signing, credentials, endpoints). `functions` (the
//! provider functions) applies the data sources' rules without I/O; `actions` (Terraform
//! 1.14's apply-time actions) applies them, through the same client, during apply. `sim` is the emulator
//! (cargo feature `sim`, on by default; the provider binary does not use it).
//! `data_sources` sees `alibaba` only through what `actiontrail` re-exports, so the client
//! is the one door to signing and credentials.
//!
//! A data source declares each attribute once, in a `data_sources::Fields` table that
//! yields both its schema and its state, and is listed once, in the registry of
//! `data_sources`; the provider, the docs and the tests take the list from there.
#![forbid(unsafe_code)]

pub mod actions;
pub mod actiontrail;
pub mod alibaba;
pub mod data_sources;
pub mod framework;
pub mod functions;
pub mod model;
pub mod plugin;
pub mod provider;
#[cfg(feature = "sim")]
pub mod sim;
pub mod tfproto;
pub mod usage;
