//! The go-plugin side: handshake, AutoMTLS, the gRPC server and its housekeeping services.
