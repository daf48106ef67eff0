//! GetAccessKeyLastUsedResources (2020-07-06): the resources a key acted on through one
//! service, paged by `NextToken` (`RequestId`, `NextToken`, `Resources[ResourceName, ...]`).

use super::service::{Operation, Service};
use super::record::{usage_listing, usage_record};

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedResources";

/// The operation, as a policy grants it: `actiontrail:GetAccessKeyLastUsedResources`.
pub(crate) const OPERATION: Operation = Operation::new(Service::ActionTrail, ACTION);

usage_record! {
    /// One resource a key acted on (GetAccessKeyLastUsedResources).
    pub struct ResourceUsage {
        /// The resource's name or ARN.
        pub resource_name: String,
        /// The resource's type, e.g. `ACS::ECS::Instance`.
        pub resource_type: Option<String>,
    }
    name: resource_name, whose: "a resource's ", unnamed: "an entry has an empty ResourceName"
}

usage_listing! {
    /// GetAccessKeyLastUsedResources across pages: the resources `access_key_id` acted on through
    /// `service_name`.
    fn list_access_key_last_used_resources -> ResourcesPage { resources: Vec<ResourceUsage> }
}
