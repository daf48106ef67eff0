//! The routing table: every RPC operation the emulator serves, one line each, naming the file
//! that serves it. The handler in `server.rs` looks the Action up here and applies what the
//! operation's API asks for (its faults, its Version, a signature) before the file answers.

pub use super::operation::{trimmed, Api, Handler, Operation, Params};
use super::{api, ram, resourcemanager, sts};

/// Every operation served, by Action.
pub const OPERATIONS: &[Operation] = &[
    api::info::OPERATION,
    api::products::OPERATION,
    api::ips::OPERATION,
    api::resources::OPERATION,
    api::events::OPERATION,
    ram::list_users::OPERATION,
    ram::list_access_keys::OPERATION,
    sts::assume_role::OPERATION,
    sts::assume_role_with_oidc::OPERATION,
    sts::get_caller_identity::OPERATION,
    resourcemanager::list_accounts::OPERATION,
];

/// The operation `action` names.
pub fn find(action: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_is_routed_once() {
        let mut actions: Vec<&str> = OPERATIONS.iter().map(|op| op.action).collect();
        actions.sort_unstable();
        actions.dedup();
        assert_eq!(actions.len(), OPERATIONS.len());
        assert!(find("GetAccessKeyLastUsedEvents").is_some());
        assert!(find("DescribeInstances").is_none());
    }
}
