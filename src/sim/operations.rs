//! The routing table: every RPC operation the emulator serves, named once, in its API's
//! `served!` line, by the file that serves it. The handler in `server.rs` looks the Action up here and applies what the
//! operation's API asks for (its faults, its Version, a signature) before the file answers.

pub use super::operation::{trimmed, Api, Handler, Operation, Params};
use super::{api, ram, resourcemanager, sts};

/// Every API's operations.
const APIS: [&[Operation]; 4] = [
    api::SERVED,
    ram::SERVED,
    sts::SERVED,
    resourcemanager::SERVED,
];

/// Every operation served.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    APIS.into_iter().flatten()
}

/// The operation `action` names.
pub fn find(action: &str) -> Option<&'static Operation> {
    all().find(|op| op.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_is_routed_once() {
        let mut actions: Vec<&str> = all().map(|op| op.action).collect();
        actions.sort_unstable();
        actions.dedup();
        assert_eq!(actions.len(), all().count());
        assert!(find("GetAccessKeyLastUsedEvents").is_some());
        assert!(find("DescribeInstances").is_none());
    }
}
