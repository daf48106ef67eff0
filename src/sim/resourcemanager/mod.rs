//! ResourceManager 2020-03-31 over the data set's Resource Directory, so an organisation-wide
//! read can find its member accounts: `ListAccounts`.

super::operation::served! {
    list_accounts,
}

use super::operation::Api;

/// The ResourceManager API version the emulator serves.
pub const VERSION: &str = "2020-03-31";

/// ResourceManager's operations: faults apply, and every request is signed.
pub const API: Api = Api {
    version: VERSION,
    product: "ResourceManager",
    faults: true,
};
