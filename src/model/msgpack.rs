//! cty values in msgpack, the encoding of Terraform's DynamicValue.
