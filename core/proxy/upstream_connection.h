#pragma once

#include <cstdint>
#include <string>

#include <openssl/ssl.h>

#include "core/proxy/event_loop.h"
#include "core/proxy/http_parser.h"
#include "core/routing/decision.h"

namespace ilab::proxy {

class ProxyWorker;
class DownstreamConnection;

enum class UpstreamFailure {
    ConnectRefused,  // 502: refused / unreachable
    ConnectTimeout,  // 504
    ReadTimeout,     // 504
    SendTimeout,     // 504
    Reset,           // 502: reset or closed before a complete response
    InvalidResponse, // 502: not HTTP/1.x
    TlsHandshake     // 502: backend-protocol HTTPS and the upstream does not complete a TLS handshake
};
int statusFor(UpstreamFailure f);
const char* toString(UpstreamFailure f);

// One HTTP/1.1 connection to an endpoint (style.md E.15), plain or, for backend-protocol HTTPS, over TLS as
// ingress-nginx's proxy_pass https:// does by default (no certificate verification, no SNI: proxy-ssl-verify
// and proxy-ssl-server-name are off). Active while it carries one exchange for a
// DownstreamConnection; idle in its worker's keep-alive pool otherwise; a raw tunnel after a 101.
// Response bytes are parsed with llhttp and streamed to the client as they arrive; reading pauses while the
// client's output buffer is full. Thread: its worker's loop. Owner: ProxyWorker (deleted via the loop).
class UpstreamConnection final : public IoHandler, private HttpParserListener {
public:
    // `tls`: client context for backend-protocol HTTPS, null for plain HTTP.
    UpstreamConnection(ProxyWorker& worker, std::string key, routing::Endpoint endpoint, SSL_CTX* tls = nullptr);
    ~UpstreamConnection() override;

    bool startConnect(std::string* error);
    // Takes the connection for one exchange. `headRequest`: the response has no body.
    void attach(DownstreamConnection* client, bool headRequest, const routing::UpstreamTimeouts& timeouts);
    void send(const char* data, std::size_t length);
    void send(const std::string& s) { send(s.data(), s.size()); }
    // This exchange leaves the connection unfit for another one (e.g. the request asked for an upgrade): it is
    // closed after the response instead of going back to the keep-alive pool. Reset by attach().
    void forbidReuse() { m_noReuse = true; }
    // The whole request (head and body) has been handed to send().
    void setRequestComplete() { m_requestComplete = true; }
    // The client is gone or gave up: close without telling it.
    void abandon();
    void startTunnel();
    void setReadPaused(bool paused);
    void closeAfterFlush();  // tunnel: the client closed

    bool isReused() const { return m_reused; }
    bool hasResponseStarted() const { return m_responseStarted; }
    std::size_t pendingOutput() const { return m_out.size() - m_outPos; }
    const std::string& key() const { return m_key; }             // endpoint "addr:port" (health, logs)
    const std::string& poolKey() const { return m_poolKey; }     // keep-alive pool: key, plus TLS or not
    static std::string poolKeyFor(const std::string& key, bool tls) { return tls ? "https://" + key : key; }
    const routing::Endpoint& endpoint() const { return m_endpoint; }
    bool isIdle() const { return m_state == State::Idle; }
    bool isClosed() const { return m_state == State::Closed; }
    std::int64_t connectedAtMs() const { return m_connectStartMs; }
    const HttpParser& parser() const { return m_parser; }

    void onIoEvent(std::uint32_t events) override;
    void checkTimeout(std::int64_t nowMs);
    void close();

private:
    enum class State { Connecting, Handshaking, Active, Idle, Tunnel, Closed };
    int onHeadersComplete() override;
    void onBody(const char* data, std::size_t length) override;
    void onMessageComplete() override;

    void onConnected();
    void continueHandshake();
    // Plain send/recv or SSL_write/SSL_read: > 0 bytes, 0 closed by the peer, -1 with errno (EAGAIN: wait).
    long ioSend(const char* data, std::size_t length);
    long ioRecv(char* buffer, std::size_t length);
    long tlsResult(int rc);
    void onReadable();
    void flush();
    void fail(UpstreamFailure failure, const std::string& message);
    void updateInterest();
    void finishResponse(bool clean);

    ProxyWorker& m_worker;
    std::string m_key;
    std::string m_poolKey;
    routing::Endpoint m_endpoint;
    int m_fd = -1;
    SSL_CTX* m_tlsContext = nullptr;  // not owned
    SSL* m_ssl = nullptr;
    bool m_tlsWantsWrite = false;
    std::string m_tlsError;
    State m_state = State::Connecting;
    DownstreamConnection* m_client = nullptr;
    HttpParser m_parser;
    std::string m_out;
    std::size_t m_outPos = 0;
    std::uint32_t m_interest = 0;
    bool m_readPaused = false;
    bool m_reused = false;
    bool m_headRequest = false;
    bool m_requestComplete = false;
    bool m_responseStarted = false;
    bool m_messageDone = false;
    bool m_closeAfterFlush = false;
    bool m_noReuse = false;
    routing::UpstreamTimeouts m_timeouts;
    std::int64_t m_connectStartMs = 0;
    std::int64_t m_lastActivityMs = 0;
};

}  // namespace ilab::proxy
