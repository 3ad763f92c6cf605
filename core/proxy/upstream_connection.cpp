#include "core/proxy/upstream_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <cerrno>
#include <cstring>

#include "core/proxy/downstream_connection.h"
#include "core/proxy/proxy_worker.h"
#include "core/proxy/tcp_connect.h"

namespace ilab::proxy {

namespace {
constexpr std::size_t HIGH_WATER = 256 * 1024;
thread_local char t_scratch[64 * 1024];
}  // namespace

int statusFor(UpstreamFailure f) {
    switch (f) {
    case UpstreamFailure::ConnectTimeout:
    case UpstreamFailure::ReadTimeout:
    case UpstreamFailure::SendTimeout:
        return 504;
    default:
        return 502;
    }
}

const char* toString(UpstreamFailure f) {
    switch (f) {
    case UpstreamFailure::ConnectRefused: return "connect() failed";
    case UpstreamFailure::ConnectTimeout: return "upstream timed out while connecting";
    case UpstreamFailure::ReadTimeout: return "upstream timed out while reading response header";
    case UpstreamFailure::SendTimeout: return "upstream timed out while sending request";
    case UpstreamFailure::Reset: return "upstream prematurely closed connection";
    case UpstreamFailure::InvalidResponse: return "upstream sent invalid response";
    case UpstreamFailure::TlsHandshake: return "SSL_do_handshake() failed while SSL handshaking to upstream";
    }
    return "upstream error";
}

UpstreamConnection::UpstreamConnection(ProxyWorker& worker, std::string key, routing::Endpoint endpoint, SSL_CTX* tls)
    : m_worker(worker),
      m_key(std::move(key)),
      m_poolKey(poolKeyFor(m_key, tls != nullptr)),
      m_endpoint(std::move(endpoint)),
      m_tlsContext(tls),
      m_parser(HttpParser::Kind::Response, this, {64 * 1024, 200}) {}

UpstreamConnection::~UpstreamConnection() {
    if (m_ssl) SSL_free(m_ssl);
    if (m_fd >= 0) ::close(m_fd);
}

long UpstreamConnection::tlsResult(int rc) {
    const int err = SSL_get_error(m_ssl, rc);
    switch (err) {
    case SSL_ERROR_WANT_READ:
        m_tlsWantsWrite = false;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        m_tlsWantsWrite = true;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL: {
        const int e = errno;
        ERR_clear_error();
        if (rc == 0 || e == 0) return 0;  // closed without close_notify
        errno = e;
        return -1;
    }
    default: {
        const unsigned long e = ERR_get_error();
        char buf[256] = "TLS error";
        if (e) ERR_error_string_n(e, buf, sizeof buf);
        ERR_clear_error();
        m_tlsError = buf;
        errno = EPROTO;
        return -1;
    }
    }
}

long UpstreamConnection::ioSend(const char* data, std::size_t length) {
    if (!m_ssl) return ::send(m_fd, data, length, MSG_NOSIGNAL);
    ERR_clear_error();
    std::size_t n = 0;
    const int rc = SSL_write_ex(m_ssl, data, length, &n);
    if (rc == 1) {
        m_tlsWantsWrite = false;
        return long(n);
    }
    const long r = tlsResult(rc);
    if (r == 0) errno = EPIPE;  // a write cannot "end": the peer is gone
    return r == 0 ? -1 : r;
}

long UpstreamConnection::ioRecv(char* buffer, std::size_t length) {
    if (!m_ssl) return ::recv(m_fd, buffer, length, 0);
    ERR_clear_error();
    std::size_t n = 0;
    const int rc = SSL_read_ex(m_ssl, buffer, length, &n);
    if (rc == 1) {
        m_tlsWantsWrite = false;
        return long(n);
    }
    return tlsResult(rc);
}

bool UpstreamConnection::startConnect(std::string* error) {
    m_connectStartMs = m_lastActivityMs = m_worker.nowMs();
    m_fd = startTcpConnect(m_endpoint, error);
    if (m_fd < 0) return false;
    m_state = State::Connecting;
    m_interest = EventLoop::Writable;
    if (!m_worker.loop().add(m_fd, m_interest, this)) {
        *error = "epoll_ctl failed";
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    return true;
}

void UpstreamConnection::attach(DownstreamConnection* client, bool headRequest,
                                const routing::UpstreamTimeouts& timeouts) {
    m_client = client;
    m_headRequest = headRequest;
    m_timeouts = timeouts;
    m_requestComplete = false;
    m_responseStarted = false;
    m_messageDone = false;
    m_readPaused = false;
    m_noReuse = false;
    m_lastActivityMs = m_worker.nowMs();
    if (m_state == State::Idle) {
        m_state = State::Active;
        m_reused = true;
        updateInterest();
    }
}

void UpstreamConnection::send(const char* data, std::size_t length) {
    if (m_state == State::Closed) return;
    m_out.append(data, length);
    if (m_state == State::Active || m_state == State::Tunnel) flush();
}

void UpstreamConnection::flush() {
    bool wasHigh = pendingOutput() > HIGH_WATER;
    while (m_outPos < m_out.size()) {
        const long n = ioSend(m_out.data() + m_outPos, m_out.size() - m_outPos);
        if (n > 0) {
            m_outPos += std::size_t(n);
            m_lastActivityMs = m_worker.nowMs();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        fail(UpstreamFailure::Reset, m_tlsError.empty() ? std::strerror(errno) : m_tlsError);
        return;
    }
    if (m_outPos == m_out.size()) {
        m_out.clear();
        m_outPos = 0;
        if (m_closeAfterFlush) {
            close();
            return;
        }
    } else if (m_outPos > 256 * 1024) {
        m_out.erase(0, m_outPos);
        m_outPos = 0;
    }
    updateInterest();
    if (wasHigh && pendingOutput() <= HIGH_WATER && m_client) m_client->onUpstreamDrained();
}

void UpstreamConnection::updateInterest() {
    if (m_state == State::Closed) return;
    std::uint32_t want = 0;
    if (m_state == State::Connecting) {
        want = EventLoop::Writable;
    } else if (m_state == State::Handshaking) {
        want = m_tlsWantsWrite ? EventLoop::Writable : EventLoop::Readable;
    } else {
        if (!m_readPaused) want |= EventLoop::Readable;
        if (pendingOutput() > 0 || m_tlsWantsWrite) want |= EventLoop::Writable;
    }
    if (want != m_interest) {
        m_worker.loop().modify(m_fd, want, this);
        m_interest = want;
    }
}

void UpstreamConnection::setReadPaused(bool paused) {
    if (m_readPaused == paused) return;
    m_readPaused = paused;
    updateInterest();
}

void UpstreamConnection::onIoEvent(std::uint32_t events) {
    if (m_state == State::Closed) return;
    if (m_state == State::Connecting) {
        if (events & (EventLoop::Writable | EventLoop::Error)) onConnected();
        return;
    }
    if (m_state == State::Handshaking) {
        continueHandshake();
        return;
    }
    if (events & EventLoop::Writable) {
        flush();
        if (m_state == State::Closed) return;
    }
    if (events & EventLoop::Readable) onReadable();
}

void UpstreamConnection::onConnected() {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        fail(err == ETIMEDOUT ? UpstreamFailure::ConnectTimeout : UpstreamFailure::ConnectRefused,
             std::strerror(err));
        return;
    }
    m_lastActivityMs = m_worker.nowMs();
    if (m_tlsContext) {
        m_ssl = SSL_new(m_tlsContext);
        if (!m_ssl) {
            fail(UpstreamFailure::TlsHandshake, "SSL_new failed");
            return;
        }
        SSL_set_fd(m_ssl, m_fd);
        SSL_set_connect_state(m_ssl);
        m_state = State::Handshaking;
        continueHandshake();
        return;
    }
    m_state = m_client ? State::Active : State::Idle;
    flush();
}

void UpstreamConnection::continueHandshake() {
    ERR_clear_error();
    const int rc = SSL_do_handshake(m_ssl);
    if (rc == 1) {
        m_tlsWantsWrite = false;
        m_state = m_client ? State::Active : State::Idle;
        m_lastActivityMs = m_worker.nowMs();
        flush();
        return;
    }
    const long r = tlsResult(rc);
    if (r < 0 && errno == EAGAIN) {
        updateInterest();
        return;
    }
    std::string why = !m_tlsError.empty() ? m_tlsError
                      : r == 0            ? std::string("the upstream closed the connection (does it speak TLS?)")
                                          : std::string(std::strerror(errno));
    fail(UpstreamFailure::TlsHandshake, why);
}

void UpstreamConnection::onReadable() {
    if (m_state == State::Idle) {
        // An idle pooled connection only becomes readable when the upstream closes it (or misbehaves); over
        // TLS it may also be a TLS 1.3 session ticket, which carries no application data.
        if (m_ssl) {
            char probe[1];
            const long n = ioRecv(probe, sizeof probe);
            if (n < 0 && errno == EAGAIN) return;
        }
        close();
        return;
    }
    while (!m_readPaused && m_state != State::Closed) {
        const long n = ioRecv(t_scratch, sizeof t_scratch);
        if (n > 0) {
            m_lastActivityMs = m_worker.nowMs();
            if (m_state == State::Tunnel) {
                if (m_client) m_client->onUpstreamTunnelData(t_scratch, std::size_t(n));
            } else {
                std::size_t pos = 0;
                while (pos < std::size_t(n) && m_state == State::Active) {
                    std::size_t used = m_parser.execute(t_scratch + pos, std::size_t(n) - pos);
                    pos += used;
                    HttpParser::State st = m_parser.state();
                    if (st == HttpParser::State::Paused) {
                        if (!m_messageDone) {  // an interim 1xx response: parse the real one
                            m_parser.resume();
                            continue;
                        }
                        break;
                    }
                    if (st == HttpParser::State::Upgrade) {
                        m_state = State::Tunnel;
                        m_parser.resume();
                        if (m_client && pos < std::size_t(n))
                            m_client->onUpstreamTunnelData(t_scratch + pos, std::size_t(n) - pos);
                        pos = std::size_t(n);
                        break;
                    }
                    if (st == HttpParser::State::Error) {
                        fail(UpstreamFailure::InvalidResponse, m_parser.errorReason());
                        return;
                    }
                }
                if (m_state == State::Closed) return;
                if (m_messageDone) {
                    if (pos < std::size_t(n)) m_parser.setListenerError(502, "bytes after the response");
                    finishResponse(pos == std::size_t(n));
                    return;
                }
            }
            if (m_client && m_client->pendingOutput() > HIGH_WATER) setReadPaused(true);
            // Plain: a short read drained the socket. TLS returns one record at a time and may hold more
            // decrypted bytes that epoll cannot see: read on until it would block.
            if (!m_ssl && std::size_t(n) < sizeof t_scratch) break;
            continue;
        }
        if (n == 0) {
            if (m_state == State::Tunnel) {
                DownstreamConnection* client = m_client;
                m_client = nullptr;
                close();
                if (client) client->onUpstreamTunnelClosed();
                return;
            }
            if (m_parser.inMessage() && m_parser.finish() && m_messageDone) {
                finishResponse(false);  // response delimited by the connection close
                return;
            }
            fail(UpstreamFailure::Reset, m_responseStarted ? "closed in the middle of the response"
                                                           : "closed before sending a response");
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (m_tlsWantsWrite) updateInterest();
            break;
        }
        fail(UpstreamFailure::Reset, m_tlsError.empty() ? std::strerror(errno) : m_tlsError);
        return;
    }
}

int UpstreamConnection::onHeadersComplete() {
    int status = m_parser.statusCode();
    if (status >= 100 && status < 200 && status != 101) return 0;
    m_responseStarted = true;
    if (!m_client) return -1;
    return m_client->onUpstreamHeaders(this);
}

void UpstreamConnection::onBody(const char* data, std::size_t length) {
    if (m_client) m_client->onUpstreamBody(data, length);
}

void UpstreamConnection::onMessageComplete() {
    int status = m_parser.statusCode();
    if (status >= 100 && status < 200) return;  // interim, or a 101 that turns into a tunnel
    m_messageDone = true;
}

void UpstreamConnection::finishResponse(bool clean) {
    DownstreamConnection* client = m_client;
    m_client = nullptr;
    // Only a connection whose exchange ended cleanly goes back to the pool: the whole response read with nothing
    // after it, the whole request sent, keep-alive on both sides, and no upgrade asked for.
    bool reusable = clean && !m_noReuse && m_parser.keepAlive() && m_requestComplete && pendingOutput() == 0 &&
                    m_state == State::Active;
    m_parser.resume();
    if (reusable) {
        m_state = State::Idle;
        m_lastActivityMs = m_worker.nowMs();
        m_readPaused = false;
        updateInterest();
        m_worker.returnToPool(this);
    } else {
        close();
    }
    if (client) client->onUpstreamComplete(this);
}

void UpstreamConnection::fail(UpstreamFailure failure, const std::string& message) {
    DownstreamConnection* client = m_client;
    m_client = nullptr;
    close();
    if (client) client->onUpstreamFailed(this, failure, message);
}

void UpstreamConnection::startTunnel() { m_state = State::Tunnel; }

void UpstreamConnection::closeAfterFlush() {
    m_client = nullptr;
    if (pendingOutput() == 0) close();
    else m_closeAfterFlush = true;
}

void UpstreamConnection::abandon() {
    m_client = nullptr;
    close();
}

void UpstreamConnection::checkTimeout(std::int64_t nowMs) {
    switch (m_state) {
    case State::Connecting:
    case State::Handshaking:
        if (nowMs - m_connectStartMs >= m_timeouts.connectMs) fail(UpstreamFailure::ConnectTimeout, "connect timeout");
        break;
    case State::Active:
        if (pendingOutput() > 0) {
            if (nowMs - m_lastActivityMs >= m_timeouts.sendMs) fail(UpstreamFailure::SendTimeout, "send timeout");
        } else if (m_requestComplete && !m_readPaused && nowMs - m_lastActivityMs >= m_timeouts.readMs) {
            fail(UpstreamFailure::ReadTimeout, "read timeout");
        }
        break;
    case State::Idle:
        if (nowMs - m_lastActivityMs >= ProxyWorker::UPSTREAM_IDLE_MS) close();
        break;
    case State::Tunnel:
        if (nowMs - m_lastActivityMs >= m_timeouts.readMs) {
            DownstreamConnection* client = m_client;
            m_client = nullptr;
            close();
            if (client) client->onUpstreamTunnelClosed();
        }
        break;
    case State::Closed:
        break;
    }
}

void UpstreamConnection::close() {
    if (m_state == State::Closed) return;
    m_state = State::Closed;
    if (m_ssl) {
        SSL_free(m_ssl);
        m_ssl = nullptr;
    }
    if (m_fd >= 0) {
        m_worker.loop().remove(m_fd);
        ::close(m_fd);
        m_fd = -1;
    }
    m_worker.upstreamClosed(this);
}

}  // namespace ilab::proxy
