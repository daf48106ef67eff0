//! The provider and its four data sources, one file each.
