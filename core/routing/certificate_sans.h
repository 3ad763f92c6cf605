#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ilab::routing {

// The host names a PEM certificate covers: DNS SANs (X509_get_ext_d2i NID_subject_alt_name) and the subject CN
// (ingress-nginx still falls back to the CN). Small local helper; core/tls owns real certificate handling.
struct CertificateNames {
    std::vector<std::string> dnsNames;  // lowercased
    std::string commonName;
};
// nullopt (+ error) when the text holds no parsable certificate.
std::optional<CertificateNames> certificateNames(const std::string& pem, std::string* error);

// Go's x509 VerifyHostname for DNS names: case-insensitive, "*." matches exactly one leftmost label.
bool certificateCovers(const CertificateNames& names, const std::string& host);

}  // namespace ilab::routing
