//! Alibaba Cloud plumbing shared by every API: signing, credentials and endpoints.
pub mod access_key;
pub mod capped;
pub mod credentials;
pub mod decode;
pub mod endpoint;
pub mod http;
pub mod percent;
pub mod redact;
pub mod rpc;
pub mod secret;
pub mod service_error;
pub mod signature;
