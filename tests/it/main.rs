//! The integration tests, built as one binary: each module below was a test binary of its
//! own, and `support` is what they share. One binary links the crate and its dependencies
//! once instead of once per file, and anything in `support` no test uses is dead code the
//! compiler names.
//!
//! Run one file's tests with `cargo test --test it MODULE::`, one test with
//! `cargo test --test it MODULE::NAME`.

mod support;

mod client_against_sim;
mod client_http;
mod client_pacing;
mod credentials_oracle;
mod docs_up_to_date;
mod fleet_memory;
mod model_cty_json;
mod model_msgpack;
mod model_msgpack_props;
mod model_number;
mod plugin_no_tls_note;
mod plugin_protocol;
mod plugin_tcp;
mod plugin_terraform;
mod release;
mod release_workflow;
mod sim_api;
mod sim_binary;
mod sim_directory;
mod sim_memory;
mod sim_sdk_conformance;
mod sim_sts_tokens;
mod terraform_actions;
mod terraform_credentials;
mod terraform_data_sources;
mod terraform_examples;
mod terraform_faults;
mod terraform_fleet;
mod terraform_hostile;
mod terraform_modern;
mod terraform_organization;
mod terraform_pacing;
mod terraform_policy;
mod terraform_proxy;
mod terraform_schema;
mod terraform_secrets;
mod terraform_transport;
