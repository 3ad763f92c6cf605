#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/routing/route_table.h"
#include "core/tls/tls_server_context.h"
#include "core/tls/transport.h"

namespace ilab::tls {

// Server-side TLS with OpenSSL directly on the non-blocking socket (SSL_set_fd: no memory-BIO copies).
// The certificate is chosen in the servername callback by RouteTable::certificateFor(SNI) on the table pinned
// when the connection was accepted (exact, wildcard, else the default certificate; the gateway profile refuses a
// name no HTTPS listener serves with a fatal unrecognized_name alert instead).
// Thread and owner: as Transport.
class TlsTransport final : public Transport {
public:
    using CertificateLookup = std::function<routing::TlsChoice(const std::string& sni)>;
    // `lookup` (optional) replaces the table's certificateFor (tests).
    TlsTransport(int fd, std::shared_ptr<TlsServerContext> context, routing::RouteTableConstSharedPtr table,
                 CertificateLookup lookup = {});
    ~TlsTransport() override;
    int fd() const override { return m_fd; }
    bool isTls() const override { return true; }
    IoStatus handshake() override;
    IoResult read(char* buffer, std::size_t length) override;
    IoResult write(const char* data, std::size_t length) override;
    bool wantsWrite() const override { return m_wantWrite; }
    bool hasBufferedInput() const override;
    void shutdown() override;
    std::string lastError() const override { return m_error; }
    std::string serverName() const override { return m_serverName; }
    bool isHandshakeDone() const { return m_handshakeDone; }
    // Certificate served: "namespace/secret" or "default".
    const std::string& certificateName() const { return m_certificateName; }
    std::string protocolVersion() const;  // "TLSv1.3"

    // OpenSSL servername callback (internal). Sets *alert and returns SSL_TLSEXT_ERR_ALERT_FATAL when the table
    // refuses the name (TlsChoice::refuse).
    int onServerName(int* alert);

private:
    IoStatus mapError(int rc, bool reading);

    int m_fd;
    SSL* m_ssl = nullptr;
    std::shared_ptr<TlsServerContext> m_context;
    routing::RouteTableConstSharedPtr m_table;
    CertificateLookup m_lookup;
    bool m_wantWrite = false;
    bool m_handshakeDone = false;
    bool m_refused = false;  // the servername callback refused the SNI; m_refusal says why
    std::string m_refusal;
    std::string m_error, m_serverName, m_certificateName = "default";
};

}  // namespace ilab::tls
