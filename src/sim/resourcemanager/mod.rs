//! ResourceManager 2020-03-31 over the data set's Resource Directory, so an organisation-wide
//! read can find its member accounts: `ListAccounts`.

super::operation::served! {
    list_accounts,
}

use super::operation::Api;

/// ResourceManager's operations: faults apply, and every request is signed.
pub const API: Api = Api {
    version: "2020-03-31",
    product: "ResourceManager",
    faults: true,
};
