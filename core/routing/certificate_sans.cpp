#include "core/routing/certificate_sans.h"

#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/routing/uri.h"

namespace ilab::routing {

std::optional<CertificateNames> certificateNames(const std::string& pem, std::string* error) {
    if (pem.empty()) {
        if (error) *error = "tls.crt is empty";
        return std::nullopt;
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio) return std::nullopt;
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
    ERR_clear_error();
    if (!cert) {
        if (error) *error = "tls.crt holds no PEM certificate";
        return std::nullopt;
    }
    CertificateNames out;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
    if (names) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
            if (gn->type != GEN_DNS) continue;
            const ASN1_IA5STRING* s = gn->d.dNSName;
            out.dnsNames.push_back(toLower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                       static_cast<std::size_t>(ASN1_STRING_length(s)))));
        }
        GENERAL_NAMES_free(names);
    }
    if (X509_NAME* subj = X509_get_subject_name(cert.get())) {
        char buf[256] = {0};
        if (X509_NAME_get_text_by_NID(subj, NID_commonName, buf, sizeof buf) > 0) out.commonName = toLower(buf);
    }
    return out;
}

namespace {
bool nameMatches(const std::string& pattern, const std::string& host) {
    if (pattern == host) return true;
    if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
        auto dot = host.find('.');
        return dot != std::string::npos && dot > 0 && host.substr(dot + 1) == pattern.substr(2);
    }
    return false;
}
}  // namespace

bool certificateCovers(const CertificateNames& names, const std::string& host) {
    const std::string h = toLower(host);
    for (const auto& n : names.dnsNames)
        if (nameMatches(n, h)) return true;
    return names.dnsNames.empty() && !names.commonName.empty() && nameMatches(names.commonName, h);
}

}  // namespace ilab::routing
