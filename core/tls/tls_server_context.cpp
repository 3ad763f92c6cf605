#include "core/tls/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <functional>

#include "core/tls/certificate.h"
#include "core/tls/tls_transport.h"

namespace ilab::tls {

namespace {

int selectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
               void*) {
    static const unsigned char HTTP11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, HTTP11, sizeof HTTP11, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;  // a client that only offers h2: continue without ALPN (nginx does the same)
}

int onServerNameCallback(SSL* ssl, int* alert, void*) {
    auto* transport = static_cast<TlsTransport*>(SSL_get_app_data(ssl));
    return transport ? transport->onServerName(alert) : SSL_TLSEXT_ERR_OK;
}

std::string opensslError() {
    unsigned long e = ERR_get_error();
    if (!e) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

}  // namespace

SSL_CTX* TlsServerContext::makeContext(const std::string& certPem, const std::string& keyPem, std::string* error) {
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        if (error) *error = opensslError();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Release idle record buffers: ~34 KB less per idle TLS connection (2,000 idle connections budget).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    static const unsigned char SID[] = "ingress-lab";
    SSL_CTX_set_session_id_context(ctx, SID, sizeof SID - 1);
    SSL_CTX_set_alpn_select_cb(ctx, selectAlpn, nullptr);
    SSL_CTX_set_tlsext_servername_callback(ctx, onServerNameCallback);

    bool ok = false;
    BIO* certBio = BIO_new_mem_buf(certPem.data(), int(certPem.size()));
    BIO* keyBio = BIO_new_mem_buf(keyPem.data(), int(keyPem.size()));
    X509* leaf = certBio ? PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr) : nullptr;
    // No passphrase callback: an encrypted key fails instead of prompting on the terminal.
    static pem_password_cb* const NO_PASSWORD = [](char*, int, int, void*) { return 0; };
    EVP_PKEY* key = keyBio ? PEM_read_bio_PrivateKey(keyBio, nullptr, NO_PASSWORD, nullptr) : nullptr;
    if (!leaf) {
        if (error) *error = "certificate PEM does not parse: " + opensslError();
    } else if (!key) {
        if (error) *error = "private key PEM does not parse: " + opensslError();
    } else if (SSL_CTX_use_certificate(ctx, leaf) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
               SSL_CTX_check_private_key(ctx) != 1) {
        if (error) *error = "certificate and key do not match: " + opensslError();
    } else {
        ok = true;
        // The rest of the PEM is the chain.
        while (X509* extra = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr)) {
            if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) X509_free(extra);
        }
        ERR_clear_error();  // PEM_read at end of input leaves a "no start line" error
    }
    X509_free(leaf);
    EVP_PKEY_free(key);
    BIO_free(certBio);
    BIO_free(keyBio);
    if (!ok) {
        SSL_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

Result<std::shared_ptr<TlsServerContext>, TlsError> TlsServerContext::create(const std::string& defaultCertPem,
                                                                             const std::string& defaultKeyPem) {
    std::string cert = defaultCertPem, key = defaultKeyPem;
    if (cert.empty() || key.empty()) {
        auto fake = generateFakeControllerCertificate();
        if (!fake) return Error<TlsError>{TlsError::BadDefaultCertificate, "fake certificate: " + fake.message()};
        cert = fake->certPem;
        key = fake->keyPem;
    }
    std::string error;
    SSL_CTX* ctx = makeContext(cert, key, &error);
    if (!ctx) return Error<TlsError>{TlsError::BadDefaultCertificate, "default certificate: " + error};
    std::shared_ptr<TlsServerContext> self(new TlsServerContext());
    self->m_default = ctx;
    return self;
}

TlsServerContext::~TlsServerContext() {
    for (auto& [hash, ctx] : m_cache) SSL_CTX_free(ctx);
    SSL_CTX_free(m_default);
}

SSL_CTX* TlsServerContext::contextFor(const std::string& certPem, const std::string& keyPem, std::string* error) {
    std::uint64_t h = std::hash<std::string>{}(certPem) * 31 + std::hash<std::string>{}(keyPem);
    std::lock_guard lock(m_mutex);
    if (auto it = m_cache.find(h); it != m_cache.end()) return it->second;
    SSL_CTX* ctx = makeContext(certPem, keyPem, error);
    if (!ctx) return nullptr;
    // Bounded: contexts are reference counted by the SSL objects using them, so dropping the cache is safe.
    if (m_cache.size() >= 4096) {
        for (auto& [k, c] : m_cache) SSL_CTX_free(c);
        m_cache.clear();
    }
    m_cache.emplace(h, ctx);
    return ctx;
}

std::size_t TlsServerContext::cachedContextsForTest() const {
    std::lock_guard lock(m_mutex);
    return m_cache.size();
}

}  // namespace ilab::tls
