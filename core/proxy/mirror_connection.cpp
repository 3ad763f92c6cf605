#include "core/proxy/mirror_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/proxy/downstream_connection.h"
#include "core/proxy/proxy_worker.h"
#include "core/proxy/tcp_connect.h"

namespace ilab::proxy {

namespace {
thread_local char t_scratch[16 * 1024];
}  // namespace

MirrorConnection::MirrorConnection(ProxyWorker& worker, DownstreamConnection* source, routing::Endpoint endpoint,
                                   MirrorRecord record, std::string requestLine,
                                   const routing::UpstreamTimeouts& timeouts, bool headRequest)
    : m_worker(worker),
      m_source(source),
      m_endpoint(std::move(endpoint)),
      m_record(std::move(record)),
      m_requestLine(std::move(requestLine)),
      m_timeouts(timeouts),
      m_headRequest(headRequest),
      m_parser(HttpParser::Kind::Response, this, {64 * 1024, 200}) {}

MirrorConnection::~MirrorConnection() {
    if (m_fd >= 0) ::close(m_fd);
}

bool MirrorConnection::start(const std::string& head, std::string* error) {
    m_connectStartMs = m_lastActivityMs = m_worker.nowMs();
    m_fd = startTcpConnect(m_endpoint, error);
    if (m_fd < 0) return false;
    m_interest = EventLoop::Writable;
    if (!m_worker.loop().add(m_fd, m_interest, this)) {
        *error = "epoll_ctl failed";
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    m_out = head;
    return true;
}

void MirrorConnection::send(const char* data, std::size_t length) {
    if (m_state == State::Closed) return;
    m_out.append(data, length);
    if (m_out.size() - m_outPos > MAX_PENDING) {
        finish(MirrorRecord::Result::Failed, "the mirror backend does not read the copy (over " +
                                                 std::to_string(MAX_PENDING / 1024) + " KB waiting); copy dropped");
        return;
    }
    if (m_state == State::Active) flush();
}

void MirrorConnection::setRequestComplete() {
    m_requestComplete = true;
    m_lastActivityMs = m_worker.nowMs();  // the read timeout starts when the whole copy is handed over
}

void MirrorConnection::detach(bool requestComplete) {
    m_source = nullptr;
    if (!requestComplete && !m_requestComplete)
        finish(MirrorRecord::Result::Failed, "the client's request ended before its body was complete; copy dropped");
}

void MirrorConnection::onIoEvent(std::uint32_t events) {
    if (m_state == State::Closed) return;
    if (m_state == State::Connecting) {
        if (events & (EventLoop::Writable | EventLoop::Error)) onConnected();
        return;
    }
    if (events & EventLoop::Writable) {
        flush();
        if (m_state == State::Closed) return;
    }
    if (events & (EventLoop::Readable | EventLoop::Error)) onReadable();
}

void MirrorConnection::onConnected() {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        finish(MirrorRecord::Result::Failed, std::string("connect() failed (") + std::strerror(err) + ")");
        return;
    }
    m_state = State::Active;
    m_lastActivityMs = m_worker.nowMs();
    flush();
}

void MirrorConnection::flush() {
    while (m_outPos < m_out.size()) {
        const ssize_t n = ::send(m_fd, m_out.data() + m_outPos, m_out.size() - m_outPos, MSG_NOSIGNAL);
        if (n > 0) {
            m_outPos += std::size_t(n);
            m_lastActivityMs = m_worker.nowMs();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        finish(MirrorRecord::Result::Failed, std::string("sending the copy failed (") + std::strerror(errno) + ")");
        return;
    }
    if (m_outPos == m_out.size()) {
        m_out.clear();
        m_outPos = 0;
    } else if (m_outPos > 256 * 1024) {
        m_out.erase(0, m_outPos);
        m_outPos = 0;
    }
    updateInterest();
}

void MirrorConnection::updateInterest() {
    if (m_state == State::Closed) return;
    std::uint32_t want = EventLoop::Writable;
    if (m_state == State::Active) {
        want = EventLoop::Readable;
        if (m_outPos < m_out.size()) want |= EventLoop::Writable;
    }
    if (want != m_interest) {
        m_worker.loop().modify(m_fd, want, this);
        m_interest = want;
    }
}

void MirrorConnection::onReadable() {
    while (m_state == State::Active) {
        const ssize_t n = ::recv(m_fd, t_scratch, sizeof t_scratch, 0);
        if (n > 0) {
            m_lastActivityMs = m_worker.nowMs();
            std::size_t pos = 0;
            while (pos < std::size_t(n)) {
                pos += m_parser.execute(t_scratch + pos, std::size_t(n) - pos);
                const HttpParser::State st = m_parser.state();
                if (m_messageDone || st == HttpParser::State::Upgrade) {
                    m_record.status = m_parser.statusCode();
                    finish(MirrorRecord::Result::Answered, {});
                    return;
                }
                if (st == HttpParser::State::Paused) {  // an interim 1xx answer: the real one follows
                    m_parser.resume();
                    continue;
                }
                if (st == HttpParser::State::Error) {
                    finish(MirrorRecord::Result::Failed, "invalid answer (" + m_parser.errorReason() + ")");
                    return;
                }
            }
            continue;
        }
        if (n == 0) {
            if (m_parser.inMessage() && m_parser.finish() && m_messageDone) {
                m_record.status = m_parser.statusCode();
                finish(MirrorRecord::Result::Answered, {});  // an answer delimited by the close
                return;
            }
            finish(MirrorRecord::Result::Failed, "the mirror backend closed the connection before answering");
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        finish(MirrorRecord::Result::Failed, std::string("reading the answer failed (") + std::strerror(errno) + ")");
        return;
    }
}

int MirrorConnection::onHeadersComplete() {
    const int status = m_parser.statusCode();
    if (status >= 100 && status < 200) return 0;
    return m_headRequest ? 1 : 0;
}

void MirrorConnection::onMessageComplete() {
    const int status = m_parser.statusCode();
    if (status >= 100 && status < 200 && status != 101) return;  // interim
    m_messageDone = true;
}

void MirrorConnection::checkTimeout(std::int64_t nowMs) {
    if (m_state == State::Connecting) {
        if (nowMs - m_connectStartMs >= m_timeouts.connectMs)
            finish(MirrorRecord::Result::Failed, "connect timeout (" + std::to_string(m_timeouts.connectMs) + " ms)");
        return;
    }
    if (m_state != State::Active) return;
    if (m_outPos < m_out.size()) {
        if (nowMs - m_lastActivityMs >= m_timeouts.sendMs)
            finish(MirrorRecord::Result::Failed, "send timeout (" + std::to_string(m_timeouts.sendMs) + " ms)");
    } else if (m_requestComplete && nowMs - m_lastActivityMs >= m_timeouts.readMs) {
        finish(MirrorRecord::Result::Failed, "no answer within the read timeout (" + std::to_string(m_timeouts.readMs) + " ms)");
    }
}

void MirrorConnection::finish(MirrorRecord::Result result, const std::string& detail) {
    if (m_state == State::Closed) return;
    m_state = State::Closed;
    if (m_fd >= 0) {
        m_worker.loop().remove(m_fd);
        ::close(m_fd);
        m_fd = -1;
    }
    m_out.clear();
    m_outPos = 0;
    m_record.result = result;
    m_record.detail = detail;
    auto& shared = m_worker.shared();
    if (result == MirrorRecord::Result::Failed) {
        shared.mirrorFailures.fetch_add(1, std::memory_order_relaxed);
        m_worker.emitEvent("Warning", "MirrorFailed", m_record.ingress.empty() ? "" : "HTTPRoute " + m_record.ingress,
                           "RequestMirror copy of \"" + m_requestLine + "\" to " + m_record.upstreamName + " at " +
                               m_record.endpoint + " failed: " + detail + "; the client's response is not affected");
    } else {
        shared.mirrorsAnswered.fetch_add(1, std::memory_order_relaxed);
    }
    if (shared.telemetry) shared.telemetry->onMirror(m_record);
    DownstreamConnection* source = m_source;
    m_source = nullptr;
    m_worker.mirrorClosed(this);
    if (source) source->onMirrorClosed(this);
}

}  // namespace ilab::proxy
