//! terraform-provider-actiontrail: Alibaba Cloud ActionTrail's "AccessKey last used" API
//! as Terraform data sources, an ephemeral resource, functions and an action.
//!
//! Layers, each depending only on those below it (no module imports one above it, and no
//! two import each other):
//!
//! - `plugin`: go-plugin handshake, AutoMTLS, the gRPC server;
//! - `provider`: the provider, its configuration resolved once, and the one list of data
//!   sources, ephemeral resources, functions and actions;
//! - `actions`, `data_sources`, `functions`: one file per action and data source, and the
//!   provider functions;
//! - `framework` (attributes declared once, arguments at their paths, the one way a data
//!   source is validated and read, generic over the client) and `usage` (durations, times,
//!   events, the last use: the rules every data source, function and action applies);
//! - `tfproto` (tfplugin5/6 <-> model, one function per RPC), `actiontrail` (the API client,
//!   one file per operation);
//! - `alibaba` (signing, credentials, endpoints, the strict decoder, secrets) and `model`
//!   (schemas, cty values, msgpack, diagnostics).
//!
//! `sim` is the emulator (cargo feature `sim`, on by default; the provider binary does not
//! use it); it sits beside the provider and takes only signing and redaction from `alibaba`.
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
