//! tfplugin5 and tfplugin6 services: wire types to and from the model.
//!
//! Both protocol versions serve any [`crate::model::Provider`]. Each call lives once, in
//! model terms, in `calls`; `service` writes the gRPC service once, for whichever package it
//! is given, over conversions `wire` writes once (the two packages declare the same
//! messages); `v5` and `v6` each say only how their package differs.

mod calls;
mod service;
pub mod v5;
pub mod v6;
mod wire;

pub use v5::Tfplugin5;
pub use v6::Tfplugin6;

/// Generated protocol types and service stubs.
pub mod proto {
    /// Terraform plugin protocol 5.10 (Terraform 0.12 and later), as Terraform 1.15.5 publishes it.
    #[allow(missing_docs, clippy::all, clippy::pedantic)]
    pub mod tfplugin5 {
        tonic::include_proto!("tfplugin5");
    }
    /// Terraform plugin protocol 6.10 (Terraform 1.0 and later), as Terraform 1.15.5 publishes it.
    #[allow(missing_docs, clippy::all, clippy::pedantic)]
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    /// go-plugin's controller, stdio and broker services.
    #[allow(missing_docs, clippy::all, clippy::pedantic)]
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

/// Largest message either side may send. Terraform itself allows 256 MiB; a plan with
/// hundreds of keys stays far below, but tonic's 4 MiB default is too tight for a large
/// read's state.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;
