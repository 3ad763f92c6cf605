#pragma once

// Test helper: a self-signed certificate (EC P-256) with the given DNS SANs, PEM encoded. Header-only so a
// *_test.cpp can include it (only *_test.cpp files are built).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace ilab::testing {

struct TestCertificate {
    std::string certPem;
    std::string keyPem;
};

inline std::string bioToString(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

// Empty string on failure (the caller's assertion then fails with a clear message).
inline TestCertificate makeSelfSignedCertificate(const std::vector<std::string>& dnsNames, const std::string& commonName = {}) {
    TestCertificate out;
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (!key) return out;
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    const std::string cn = !commonName.empty() ? commonName : (dnsNames.empty() ? std::string("test") : dnsNames.front());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (!dnsNames.empty()) {
        std::string san;
        for (const auto& n : dnsNames) san += (san.empty() ? "DNS:" : ",DNS:") + n;
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
        if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str())) {
            X509_add_ext(x, ext, -1);
            X509_EXTENSION_free(ext);
        }
    }
    X509_sign(x, key, EVP_sha256());
    BIO* cb = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cb, x);
    out.certPem = bioToString(cb);
    BIO_free(cb);
    BIO* kb = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(kb, key, nullptr, nullptr, 0, nullptr, nullptr);
    out.keyPem = bioToString(kb);
    BIO_free(kb);
    X509_free(x);
    EVP_PKEY_free(key);
    return out;
}

}  // namespace ilab::testing
