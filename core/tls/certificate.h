#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace ilab::tls {

// What a user (and the lint) needs to know about an X.509 certificate, read with OpenSSL 3.
// Strings use the formats `openssl x509` prints: subject/issuer as in `-text` ("O = Acme Co, CN = x"),
// sha256Fingerprint as `-fingerprint -sha256` ("AB:CD:..."), serial as `-serial` (upper-case hex).
struct CertificateInfo {
    std::string subject, commonName, issuer;
    std::vector<std::string> dnsNames, ipAddresses;  // subjectAltName entries, in certificate order
    std::int64_t notBefore = 0, notAfter = 0;        // unix seconds (UTC)
    bool isSelfSigned = false;                       // issuer == subject and the signature verifies with its own key
    std::string keyType;                             // "RSA" | "EC" (other algorithms: their OpenSSL short name)
    int keyBits = 0;
    std::optional<bool> keyMatches;                  // set when a private key was given
    std::string sha256Fingerprint;
    std::string serial;

    bool isExpiredAt(std::int64_t unixSeconds) const { return unixSeconds > notAfter; }
    bool isNotYetValidAt(std::int64_t unixSeconds) const { return unixSeconds < notBefore; }
};

enum class CertError { NoCertificate, BadPem, BadKey, KeyMismatch, GenerationFailed };
const char* toString(CertError e);

// Parses the first certificate of `pemCert` (a chain is allowed; the leaf comes first) and, when `pemKey`
// is given, the private key, and says whether they belong together (keyMatches). Hostile input gives an
// error, never a crash; an encrypted key is BadKey (no passphrase prompt). Messages never contain key bytes.
// Errors: NoCertificate (no PEM certificate block at all), BadPem (a block that does not parse), BadKey.
Result<CertificateInfo, CertError> inspectCertificate(const std::string& pemCert, const std::string& pemKey = {});

// Whether the certificate is valid for `host` (RFC 6125: case-insensitive, one trailing dot ignored, a
// wildcard only as the whole left-most label and matching exactly one label). An IP literal matches only
// IP SANs. Like ingress-nginx (controller.go verifyHostname, the legacy fallback after Go's VerifyHostname),
// the subject CN is used only when the certificate has no SAN at all.
bool certificateCovers(const CertificateInfo& info, const std::string& host);

struct SelfSignedRequest {
    std::string commonName;
    std::vector<std::string> dnsNames;  // empty: the commonName becomes the only DNS SAN (when it is a host name)
    enum class KeyType { Rsa2048, EcP256 } keyType = KeyType::Rsa2048;
    int validityDays = 365;
    std::string organization;
    // Start of validity (unix seconds); unset = now. Lets tests and lessons make expired certificates.
    std::optional<std::int64_t> notBefore;
    // Throwaway lab certificates (lesson Secrets): sign with the lab's cached RSA key (see labRsaKey in
    // certificate.cpp) instead of generating a new one. Never for certificates a user asks for.
    bool labKey = false;
};

struct KeyPairPem {
    std::string certPem, keyPem;  // keyPem is unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), as `-nodes` writes
};

// A self-signed certificate like `openssl req -x509 -nodes -newkey rsa:2048 -subj /CN=... -addext subjectAltName=...`:
// X.509 v3, random 159-bit serial, SHA-256 signature, basicConstraints CA:TRUE, subject/authority key ids.
Result<KeyPairPem, CertError> generateSelfSigned(const SelfSignedRequest& request);

// The ingress-nginx default certificate (internal/net/ssl/ssl.go GetFakeSSLCert): RSA 2048, one year,
// CN "Kubernetes Ingress Controller Fake Certificate", O "Acme Co", SAN ingress.local, not a CA.
Result<KeyPairPem, CertError> generateFakeControllerCertificate();

inline constexpr const char* FAKE_CERTIFICATE_CN = "Kubernetes Ingress Controller Fake Certificate";

}  // namespace ilab::tls
