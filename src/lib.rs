//! terraform-provider-actiontrail: Alibaba Cloud ActionTrail's "AccessKey last used" API
//! as Terraform data sources.
//!
//! Layers, each depending only on those below it:
//! `plugin` (go-plugin handshake, mTLS, gRPC) -> `tfproto` (wire <-> model) -> `model`
//! (schemas, cty values, msgpack); `data_sources` (schemas and reads) -> `actiontrail`
//! (the API client) -> `alibaba` (signing, credentials, endpoints). `sim` is the emulator
//! (cargo feature `sim`, on by default; the provider binary does not use it).
#![forbid(unsafe_code)]

pub mod actiontrail;
pub mod alibaba;
pub mod data_sources;
pub mod model;
pub mod plugin;
#[cfg(feature = "sim")]
pub mod sim;
pub mod tfproto;
