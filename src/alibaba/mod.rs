//! Alibaba Cloud plumbing shared by every API: signing, credentials and endpoints.
pub mod signature;
