//! The ActionTrail API client: operations, pagination, errors and retries.

pub mod types;
