//! AutoMTLS as go-plugin does it: a fresh self-signed server certificate per process, and
//! a client verifier that admits exactly the certificate Terraform put in
//! `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's certificate is self-signed ECDSA P-521 / SHA-512. There is no chain to build:
//! trust is "these exact bytes", and possession is proven by the handshake signature, which
//! aws-lc-rs verifies for P-521 as for every other curve.

use std::sync::Arc;

use base64::Engine as _;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` holds no PEM certificate.
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCert,
    /// `PLUGIN_CLIENT_CERT` is not valid PEM.
    #[error("PLUGIN_CLIENT_CERT is not valid PEM: {0}")]
    ClientCertPem(rustls::pki_types::pem::Error),
    /// The server certificate could not be generated.
    #[error("could not generate the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("TLS configuration failed: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server's certificate and its key: all the handshake line needs of TLS.
pub struct ServerCert {
    /// The certificate, DER.
    pub cert: CertificateDer<'static>,
    /// Its PKCS#8 key.
    pub key: PrivateKeyDer<'static>,
}

impl ServerCert {
    /// The certificate as the handshake line carries it: base64, standard alphabet, no
    /// padding.
    pub fn handshake_cert(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.cert)
    }
}

/// The first certificate in a PEM text.
pub fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    match CertificateDer::pem_slice_iter(pem.as_bytes()).next() {
        Some(Ok(cert)) => Ok(cert),
        Some(Err(e)) => Err(TlsError::ClientCertPem(e)),
        None => Err(TlsError::NoClientCert),
    }
}

/// A fresh self-signed certificate for `localhost` and its PKCS#8 key.
///
/// Ed25519: as cheap to make at start-up as P-256, and cheaper for Terraform to check.
/// Terraform 1.0.3's Go (1.16) builds a P-256 table the first time it verifies a P-256
/// signature, about 7 ms of every plan on the launch's critical path; its Ed25519 tables
/// are compiled in. Go has verified Ed25519 in TLS 1.2 and 1.3 since 1.13, older than
/// any Terraform this provider supports.
pub fn generate_server_cert() -> Result<ServerCert, TlsError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    // go-plugin's own certificates carry these; Go's verifier checks the extended usage.
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.self_signed(&key)?;
    Ok(ServerCert {
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    })
}

/// The rustls configuration presenting `server` to a client whose certificate is
/// `client_cert`: TLS 1.2+, ALPN h2, the client's certificate required and pinned.
pub fn server_config(
    client_cert: CertificateDer<'static>,
    server: ServerCert,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedClientCert {
        expected: client_cert,
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server.cert], server.key)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Admits exactly one client certificate, compared byte for byte, and checks that the
/// client holds its key.
#[derive(Debug)]
pub struct PinnedClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    /// A verifier admitting only `expected`, checking signatures with `provider`'s
    /// algorithms.
    pub fn new(expected: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        PinnedClientCert {
            expected,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Trust is these exact bytes, fresh from the parent process; there is no chain or
        // name to check, and the certificate lives no longer than the parent.
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!("refused a client certificate other than PLUGIN_CLIENT_CERT");
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(expected: CertificateDer<'static>) -> PinnedClientCert {
        PinnedClientCert::new(expected, &rustls::crypto::aws_lc_rs::default_provider())
    }

    #[test]
    fn admits_only_the_pinned_certificate() {
        let pinned = generate_server_cert().unwrap().cert;
        let other = generate_server_cert().unwrap().cert;
        let v = verifier(pinned.clone());
        assert!(v.verify_client_cert(&pinned, &[], UnixTime::now()).is_ok());
        assert!(v.verify_client_cert(&other, &[], UnixTime::now()).is_err());
        assert!(v.client_auth_mandatory());
    }

    #[test]
    fn verifies_p521_sha512_signatures() {
        let v = verifier(CertificateDer::from(vec![]));
        assert!(v
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn the_server_key_is_ed25519_which_old_terraform_checks_without_building_a_table() {
        let ServerCert { cert, key } = generate_server_cert().unwrap();
        let PrivateKeyDer::Pkcs8(pkcs8) = key else {
            panic!("not a PKCS#8 key");
        };
        let key = rcgen::KeyPair::try_from(&pkcs8).unwrap();
        assert_eq!(key.algorithm(), &rcgen::PKCS_ED25519);
        // The certificate carries that key and is signed with it (id-Ed25519, 1.3.101.112):
        // once in the key, and in both of X.509's copies of the signature algorithm.
        let ed25519_oid: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
        let found = cert
            .windows(ed25519_oid.len())
            .filter(|w| *w == ed25519_oid)
            .count();
        assert_eq!(
            found, 3,
            "Ed25519 as the key and as the signature algorithm"
        );
    }

    #[test]
    fn handshake_certificate_is_unpadded_base64_of_the_der() {
        let server = generate_server_cert().unwrap();
        let text = server.handshake_cert();
        assert!(!text.contains('='));
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&text)
            .unwrap();
        assert_eq!(der, server.cert.as_ref());
        let client = generate_server_cert().unwrap().cert;
        let config = server_config(client, server).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn reads_the_first_pem_certificate_and_refuses_text_without_one() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        assert_eq!(parse_client_cert(&cert.pem()).unwrap(), *cert.der());
        assert!(parse_client_cert("not a certificate").is_err());
    }
}
