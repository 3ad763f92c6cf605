#pragma once
// Helpers for the proxy tests (header-only: included by tests/core/proxy/*_test.cpp and tests/core/tls/*_test.cpp).
// - TestUpstream: a tiny HTTP/1.1 server on 127.0.0.1:0, one blocking thread per connection, with behaviours
//   chosen by path (/never, /slow, /ws, /reset, /big, echo otherwise). Like an llhttp-based server, a connection
//   whose request asked for an upgrade that was answered normally stays in upgrade state: every later request
//   on it gets 400 (this is what the simulated pods do).
// - RawClient: a blocking client socket that reads HTTP responses with the proxy's own parser.
// - RecordingSink: a TelemetrySink that keeps what it is told.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/proxy/http_parser.h"
#include "core/proxy/proxy_server.h"

namespace ilab::testing {

inline int connectTo(int port, int timeoutMs = 10000) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(std::uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool sendAll(int fd, const std::string& s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
        ssize_t n = ::send(fd, s.data() + pos, s.size() - pos, MSG_NOSIGNAL);
        if (n <= 0) return false;
        pos += std::size_t(n);
    }
    return true;
}

// A port nobody listens on (bound, then closed).
inline int closedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// A port on 127.0.0.1 that refuses connections and stays reserved while this lives (bound, never listening): unlike
// closedPort(), nothing else can take the number meanwhile (a listener on port 0, a proxy's outgoing connection).
class RefusingPort {
public:
    RefusingPort() {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
    }
    ~RefusingPort() { ::close(m_fd); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

struct HttpResponse {
    int status = 0;
    proxy::HttpHeaders headers;
    std::string body;
    bool complete = false;
    std::string header(const std::string& name) const {
        for (const auto& [k, v] : headers)
            if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
        return {};
    }
};

// Blocking client connection; readResponse() parses with HttpParser and keeps pipelined leftovers.
class RawClient : private proxy::HttpParserListener {
public:
    explicit RawClient(int port, int timeoutMs = 10000) : m_fd(connectTo(port, timeoutMs)) {}
    ~RawClient() override {
        if (m_fd >= 0) ::close(m_fd);
    }
    bool ok() const { return m_fd >= 0; }
    int fd() const { return m_fd; }
    bool send(const std::string& s) { return sendAll(m_fd, s); }
    void setHead(bool head) { m_head = head; }
    // Reads one response; `onFirstBody` is called when the first body bytes arrive.
    HttpResponse readResponse(std::function<void(const std::string&)> onBodyPiece = {}) {
        m_resp = HttpResponse{};
        m_onBody = std::move(onBodyPiece);
        m_done = false;
        proxy::HttpParser parser(proxy::HttpParser::Kind::Response, this, {1 << 20, 1000});
        m_parser = &parser;
        for (;;) {
            if (!m_buf.empty()) {
                std::size_t used = parser.execute(m_buf.data(), m_buf.size());
                m_buf.erase(0, used);
                if (m_done || parser.state() == proxy::HttpParser::State::Upgrade) {
                    m_resp.complete = true;
                    return m_resp;
                }
                if (parser.state() == proxy::HttpParser::State::Error) return m_resp;
            }
            char tmp[16384];
            ssize_t n = ::recv(m_fd, tmp, sizeof tmp, 0);
            if (n <= 0) {
                if (n == 0 && parser.finish() && m_done) m_resp.complete = true;
                return m_resp;
            }
            m_buf.append(tmp, std::size_t(n));
        }
    }
    // Raw bytes (tunnel), waits up to the socket timeout for `n` bytes.
    std::string readRaw(std::size_t n) {
        std::string out = m_buf.substr(0, std::min(n, m_buf.size()));
        m_buf.erase(0, out.size());
        while (out.size() < n) {
            char tmp[4096];
            ssize_t r = ::recv(m_fd, tmp, std::min(sizeof tmp, n - out.size()), 0);
            if (r <= 0) break;
            out.append(tmp, std::size_t(r));
        }
        return out;
    }
    // True when the peer closed (EOF) within the socket timeout.
    bool waitClosed() {
        char tmp[4096];
        for (;;) {
            ssize_t r = ::recv(m_fd, tmp, sizeof tmp, 0);
            if (r == 0) return true;
            if (r < 0) return errno == ECONNRESET;
        }
    }

private:
    int onHeadersComplete() override {
        m_resp.status = m_parser->statusCode();
        m_resp.headers = m_parser->headers();
        return m_head ? 1 : 0;
    }
    void onBody(const char* d, std::size_t n) override {
        m_resp.body.append(d, n);
        if (m_onBody) m_onBody(std::string(d, n));
    }
    void onMessageComplete() override { m_done = true; }
    int m_fd;
    bool m_head = false;
    bool m_done = false;
    std::string m_buf;
    HttpResponse m_resp;
    std::function<void(const std::string&)> m_onBody;
    proxy::HttpParser* m_parser = nullptr;
};

class RecordingSink : public proxy::TelemetrySink {
public:
    void onRequest(const proxy::AccessRecord& r) override {
        std::lock_guard l(m);
        records.push_back(r);
    }
    void onEvent(const std::string& type, const std::string& reason, const std::string&,
                 const std::string& message) override {
        std::lock_guard l(m);
        events.push_back(type + " " + reason + " " + message);
    }
    void onTlsHandshakeFailed(const std::string& reason) override {
        std::lock_guard l(m);
        handshakeFailures.push_back(reason);
    }
    void onMirror(const proxy::MirrorRecord& r) override {
        std::lock_guard l(m);
        mirrors.push_back(r);
    }
    std::vector<proxy::MirrorRecord> mirrorsCopy() {
        std::lock_guard l(m);
        return mirrors;
    }
    std::size_t eventCount(const std::string& part) {
        std::lock_guard l(m);
        return std::size_t(std::count_if(events.begin(), events.end(), [&](const std::string& e) { return e.find(part) != std::string::npos; }));
    }
    std::vector<proxy::AccessRecord> recordsCopy() {
        std::lock_guard l(m);
        return records;
    }
    bool hasEvent(const std::string& prefix) {  // "Type Reason message..." starting with `prefix` after the type
        std::lock_guard l(m);
        for (const auto& e : events)
            if (e.find(prefix) != std::string::npos) return true;
        return false;
    }
    std::size_t handshakeFailureCount() {
        std::lock_guard l(m);
        return handshakeFailures.size();
    }
    std::mutex m;
    std::vector<proxy::AccessRecord> records;
    std::vector<std::string> events;
    std::vector<std::string> handshakeFailures;
    std::vector<proxy::MirrorRecord> mirrors;
};

// Tiny HTTP upstream. Echo: 200 with "METHOD TARGET\n", the headers received ("name: value\n") and
// "body-bytes: N\n"; response header X-Pod names the server.
class TestUpstream {
public:
    explicit TestUpstream(std::string name = "pod-a") : m_name(std::move(name)) {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(m_listen, 4096);
        socklen_t len = sizeof a;
        getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_acceptor = std::thread([this] { acceptLoop(); });
    }
    ~TestUpstream() {
        m_stop = true;
        ::shutdown(m_listen, SHUT_RDWR);
        m_acceptor.join();
        ::close(m_listen);
        {
            std::lock_guard l(m_mutex);
            for (int fd : m_fds) ::shutdown(fd, SHUT_RDWR);
            m_release = true;
        }
        m_cv.notify_all();
        for (;;) {
            std::unique_lock l(m_mutex);
            if (m_live == 0) break;
            l.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    int port() const { return m_port; }
    const std::string& name() const { return m_name; }
    void releaseSlow() {
        {
            std::lock_guard l(m_mutex);
            m_release = true;
        }
        m_cv.notify_all();
    }
    std::atomic<int> connections{0};
    std::atomic<int> requests{0};
    std::atomic<bool> lastChunkSent{false};
    // Every request as received (method, target, headers in order, body), for checking mirrored copies.
    struct Received {
        std::string method, target;
        proxy::HttpHeaders headers;
        std::string body;
        std::string header(const std::string& name) const {
            for (const auto& [k, v] : headers)
                if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
            return {};
        }
    };
    std::vector<Received> received() {
        std::lock_guard l(m_mutex);
        return m_received;
    }
    // Reads every request but never answers any (until destroyed), whatever its path.
    std::atomic<bool> neverAnswer{false};

private:
    struct Req : proxy::HttpParserListener {
        std::string body;
        bool done = false;
        int onHeadersComplete() override { return 0; }
        void onBody(const char* d, std::size_t n) override { body.append(d, n); }
        void onMessageComplete() override { done = true; }
    };

    void acceptLoop() {
        while (!m_stop) {
            int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (m_stop) return;
                continue;
            }
            ++connections;
            {
                std::lock_guard l(m_mutex);
                m_fds.push_back(fd);
                ++m_live;
            }
            pthread_attr_t attr;
            pthread_attr_init(&attr);
            pthread_attr_setstacksize(&attr, 256 * 1024);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            auto* arg = new std::pair<TestUpstream*, int>(this, fd);
            pthread_t t;
            if (pthread_create(&t, &attr, &TestUpstream::threadMain, arg) != 0) {
                delete arg;
                ::close(fd);
                std::lock_guard l(m_mutex);
                --m_live;
            }
            pthread_attr_destroy(&attr);
        }
    }
    static void* threadMain(void* p) {
        auto* arg = static_cast<std::pair<TestUpstream*, int>*>(p);
        arg->first->serve(arg->second);
        TestUpstream* self = arg->first;
        delete arg;
        std::lock_guard l(self->m_mutex);
        --self->m_live;
        return nullptr;
    }

    void serve(int fd) {
        std::string buf;
        char tmp[16384];
        bool upgradeState = false;  // an upgrade request was answered with a plain response
        for (;;) {
            Req req;
            proxy::HttpParser parser(proxy::HttpParser::Kind::Request, &req, {1 << 20, 1000});
            while (!req.done) {
                if (!buf.empty()) {
                    std::size_t used = parser.execute(buf.data(), buf.size());
                    buf.erase(0, used);
                    if (req.done || parser.state() == proxy::HttpParser::State::Upgrade) break;
                    if (parser.state() == proxy::HttpParser::State::Error) {
                        closeFd(fd);
                        return;
                    }
                }
                ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
                if (n <= 0) {
                    closeFd(fd);
                    return;
                }
                buf.append(tmp, std::size_t(n));
            }
            std::string target = parser.url();
            {
                std::lock_guard l(m_mutex);
                m_received.push_back({parser.method(), target, parser.headers(), req.body});
            }
            ++requests;
            if (neverAnswer) target = "/never";
            if (upgradeState) {
                sendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                closeFd(fd);
                return;
            }
            if (target.rfind("/never", 0) == 0) {
                std::unique_lock l(m_mutex);
                m_cv.wait(l, [&] { return m_release || m_stop; });
                l.unlock();
                closeFd(fd);
                return;
            }
            if (target.rfind("/reset", 0) == 0) {
                linger lg{1, 0};
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
                closeFd(fd);
                return;
            }
            if (target.rfind("/slow", 0) == 0) {
                sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "b\r\ndata: first\r\n");
                {
                    std::unique_lock l(m_mutex);
                    m_cv.wait_for(l, std::chrono::seconds(20), [&] { return m_release; });
                }
                lastChunkSent = true;
                sendAll(fd, "a\r\ndata: last\r\n0\r\n\r\n");
                continue;
            }
            if (target.rfind("/ws", 0) == 0 && parser.upgrade()) {
                sendAll(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
                std::string pending = buf;
                if (!pending.empty()) sendAll(fd, pending);
                for (;;) {
                    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
                    if (n <= 0) break;
                    sendAll(fd, std::string(tmp, std::size_t(n)));  // echo
                }
                closeFd(fd);
                return;
            }
            if (parser.upgrade()) upgradeState = true;
            std::string body;
            if (target.rfind("/big", 0) == 0) {
                body.assign(std::size_t(std::atol(target.c_str() + target.find('=') + 1)), 'x');
            } else {
                body = parser.method() + " " + target + "\n";
                for (const auto& [k, v] : parser.headers()) body += k + ": " + v + "\n";
                body += "body-bytes: " + std::to_string(req.body.size()) + "\n";
            }
            std::string resp = "HTTP/1.1 200 OK\r\nServer: test-upstream\r\nX-Pod: " + m_name +
                               "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\n\r\n" + body;
            if (!sendAll(fd, resp)) {
                closeFd(fd);
                return;
            }
            if (!parser.keepAlive()) {
                closeFd(fd);
                return;
            }
        }
    }
    void closeFd(int fd) {
        std::lock_guard l(m_mutex);
        m_fds.erase(std::remove(m_fds.begin(), m_fds.end(), fd), m_fds.end());
        ::close(fd);
    }

    std::string m_name;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_acceptor;
    std::mutex m_mutex;  // guards m_fds, m_live, m_release, m_received
    std::vector<Received> m_received;
    std::condition_variable m_cv;
    std::vector<int> m_fds;
    int m_live = 0;
    bool m_release = false;
};

}  // namespace ilab::testing
