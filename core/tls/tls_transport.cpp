#include "core/tls/tls_transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace ilab::tls {

TlsTransport::TlsTransport(int fd, std::shared_ptr<TlsServerContext> context, routing::RouteTableConstSharedPtr table,
                           CertificateLookup lookup)
    : m_fd(fd), m_context(std::move(context)), m_table(std::move(table)), m_lookup(std::move(lookup)) {
    m_ssl = SSL_new(m_context->defaultContext());
    if (m_ssl) {
        SSL_set_fd(m_ssl, m_fd);
        SSL_set_app_data(m_ssl, this);
        SSL_set_accept_state(m_ssl);
    }
}

TlsTransport::~TlsTransport() {
    if (m_ssl) SSL_free(m_ssl);
    if (m_fd >= 0) ::close(m_fd);
}

int TlsTransport::onServerName(int* alert) {
    const char* name = SSL_get_servername(m_ssl, TLSEXT_NAMETYPE_host_name);
    std::string sni = name ? name : "";
    std::transform(sni.begin(), sni.end(), sni.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!sni.empty() && sni.back() == '.') sni.pop_back();
    m_serverName = sni;
    if (!m_table && !m_lookup) return SSL_TLSEXT_ERR_OK;
    routing::TlsChoice choice = m_lookup ? m_lookup(sni) : m_table->certificateFor(sni);
    if (choice.refuse) {
        m_refused = true;
        m_refusal = "no HTTPS listener serves SNI '" + (sni.empty() ? std::string("(none)") : sni) +
                  "': handshake refused (unrecognized_name)";
        if (alert) *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (choice.pemCert.empty() || choice.pemKey.empty()) return SSL_TLSEXT_ERR_OK;  // default certificate
    std::string error;
    SSL_CTX* ctx = m_context->contextFor(choice.pemCert, choice.pemKey, &error);
    if (!ctx) {
        // A Secret that does not load: serve the default certificate, as ingress-nginx does.
        m_error = "certificate " + choice.certificate + " unusable (" + error + "), default certificate served";
        return SSL_TLSEXT_ERR_OK;
    }
    SSL_set_SSL_CTX(m_ssl, ctx);
    m_certificateName = choice.certificate;
    return SSL_TLSEXT_ERR_OK;
}

IoStatus TlsTransport::mapError(int rc, bool reading) {
    int err = SSL_get_error(m_ssl, rc);
    switch (err) {
    case SSL_ERROR_WANT_READ:
        m_wantWrite = false;
        return IoStatus::WouldBlock;
    case SSL_ERROR_WANT_WRITE:
        m_wantWrite = true;
        return IoStatus::WouldBlock;
    case SSL_ERROR_ZERO_RETURN:
        return IoStatus::Closed;
    case SSL_ERROR_SYSCALL: {
        int e = errno;
        ERR_clear_error();
        if (rc == 0 || e == 0) {
            m_error = "peer closed the connection without close_notify";
            return reading && m_handshakeDone ? IoStatus::Closed : IoStatus::Error;
        }
        m_error = std::strerror(e);
        return IoStatus::Error;
    }
    default: {
        unsigned long e = ERR_get_error();
        char buf[256] = "TLS error";
        if (e) ERR_error_string_n(e, buf, sizeof buf);
        ERR_clear_error();
        m_error = buf;
        return IoStatus::Error;
    }
    }
}

IoStatus TlsTransport::handshake() {
    if (m_handshakeDone) return IoStatus::Ok;
    if (!m_ssl) {
        m_error = "SSL_new failed";
        return IoStatus::Error;
    }
    ERR_clear_error();
    int rc = SSL_do_handshake(m_ssl);
    if (rc == 1) {
        m_handshakeDone = true;
        m_wantWrite = false;
        return IoStatus::Ok;
    }
    IoStatus s = mapError(rc, false);
    if (m_refused && s == IoStatus::Error) {
        ERR_clear_error();
        m_error = m_refusal;
        return IoStatus::Error;
    }
    if (s == IoStatus::Closed) {
        m_error = "client closed the connection during the handshake";
        return IoStatus::Error;
    }
    return s;
}

IoResult TlsTransport::read(char* buffer, std::size_t length) {
    ERR_clear_error();
    std::size_t n = 0;
    int rc = SSL_read_ex(m_ssl, buffer, length, &n);
    if (rc == 1) {
        m_wantWrite = false;
        return {IoStatus::Ok, n};
    }
    return {mapError(rc, true), 0};
}

IoResult TlsTransport::write(const char* data, std::size_t length) {
    ERR_clear_error();
    std::size_t n = 0;
    int rc = SSL_write_ex(m_ssl, data, length, &n);
    if (rc == 1) {
        m_wantWrite = false;
        return {IoStatus::Ok, n};
    }
    return {mapError(rc, false), 0};
}

void TlsTransport::shutdown() {
    if (m_ssl && m_handshakeDone) {
        ERR_clear_error();
        SSL_shutdown(m_ssl);  // one non-blocking attempt to send close_notify
        ERR_clear_error();
    }
    ::shutdown(m_fd, SHUT_WR);
}

bool TlsTransport::hasBufferedInput() const { return m_ssl && SSL_has_pending(m_ssl) == 1; }

std::string TlsTransport::protocolVersion() const { return m_ssl ? SSL_get_version(m_ssl) : ""; }

}  // namespace ilab::tls
