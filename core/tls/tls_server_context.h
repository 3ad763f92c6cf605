#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/result.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace ilab::tls {

enum class TlsError { BadDefaultCertificate, ContextFailed };

// The server side of TLS for the proxy: the default ("fake") certificate's SSL_CTX plus one SSL_CTX per
// certificate chosen by SNI, cached by the PEM content (so a route-table swap that keeps a Secret keeps its
// context). Every context: TLS 1.2 and 1.3, ALPN "http/1.1", server session cache.
// Thread: any; the cache is guarded by a mutex (taken once per handshake, never per request).
// Owner: ProxyServer (shared with its workers).
class TlsServerContext {
public:
    // Empty PEMs: generate the "Kubernetes Ingress Controller Fake Certificate" (RSA 2048) like ingress-nginx.
    static Result<std::shared_ptr<TlsServerContext>, TlsError> create(const std::string& defaultCertPem,
                                                                      const std::string& defaultKeyPem);
    ~TlsServerContext();
    TlsServerContext(const TlsServerContext&) = delete;
    TlsServerContext& operator=(const TlsServerContext&) = delete;

    SSL_CTX* defaultContext() const { return m_default; }
    // The context for a certificate/key pair; nullptr (and `error`) when the PEM does not load.
    SSL_CTX* contextFor(const std::string& certPem, const std::string& keyPem, std::string* error);
    std::size_t cachedContextsForTest() const;

private:
    TlsServerContext() = default;
    static SSL_CTX* makeContext(const std::string& certPem, const std::string& keyPem, std::string* error);

    SSL_CTX* m_default = nullptr;
    mutable std::mutex m_mutex;               // guards m_cache
    std::map<std::uint64_t, SSL_CTX*> m_cache;  // hash(cert PEM + key PEM) -> context (owned)
};

}  // namespace ilab::tls
