#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

// A small HTTP/1.1 server for the load generator tests: thread per connection, blocking sockets, keep-alive,
// optional TLS (OpenSSL, records the SNI name). Listens on 127.0.0.1 port 0. It counts connections and requests
// and remembers the Host header and SNI of each, so tests can check what really went over the wire.
// Owned by one test function; destroyed (joined) at its end.
namespace ilab::testing {

struct TestRequest {
    std::string method;
    std::string target;
    std::string host;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string sni;  // TLS only
};

struct TestResponse {
    int status = 200;
    std::string body;
    std::vector<std::string> headers;  // "Name: value"
    std::chrono::milliseconds delay{0};  // wait this long before answering (a slow backend)
};

class TestHttpServer {
public:
    using Handler = std::function<TestResponse(const TestRequest&)>;

    explicit TestHttpServer(Handler handler, SSL_CTX* tls = nullptr) : m_handler(std::move(handler)), m_tls(tls) {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_listen, 512) != 0) {
            ::close(m_listen);
            m_listen = -1;
            return;
        }
        socklen_t len = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_acceptThread = std::thread([this] { acceptLoop(); });
    }

    ~TestHttpServer() {
        m_stopping = true;
        if (m_listen >= 0) ::shutdown(m_listen, SHUT_RDWR);
        if (m_acceptThread.joinable()) m_acceptThread.join();
        {
            std::lock_guard lock(m_mutex);
            for (int fd : m_clientFds) ::shutdown(fd, SHUT_RDWR);
        }
        for (auto& t : m_threads) t.join();
        if (m_listen >= 0) ::close(m_listen);
    }

    bool isListening() const { return m_port != 0; }
    int port() const { return m_port; }
    int connections() const { return m_connections.load(); }
    int requests() const { return m_requests.load(); }
    std::vector<TestRequest> seen() const {
        std::lock_guard lock(m_mutex);
        return m_seen;
    }

private:
    void acceptLoop() {
        while (!m_stopping) {
            const int fd = ::accept(m_listen, nullptr, nullptr);
            if (fd < 0) {
                if (m_stopping) break;
                continue;
            }
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ++m_connections;
            std::lock_guard lock(m_mutex);
            m_clientFds.push_back(fd);
            m_threads.emplace_back([this, fd] { serve(fd); });
        }
    }

    // Reads into `buf`; false on EOF/error.
    bool readMore(int fd, SSL* ssl, std::string& buf) {
        char tmp[16384];
        const int n = ssl ? SSL_read(ssl, tmp, sizeof tmp) : static_cast<int>(::recv(fd, tmp, sizeof tmp, 0));
        if (n <= 0) return false;
        buf.append(tmp, static_cast<size_t>(n));
        return true;
    }
    bool writeAll(int fd, SSL* ssl, const std::string& data) {
        size_t off = 0;
        while (off < data.size()) {
            const int n = ssl ? SSL_write(ssl, data.data() + off, static_cast<int>(data.size() - off))
                              : static_cast<int>(::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL));
            if (n <= 0) return false;
            off += static_cast<size_t>(n);
        }
        return true;
    }

    void serve(int fd) {
        // OpenSSL writes with write(): a client that hung up must not kill the test with SIGPIPE.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        SSL* ssl = nullptr;
        std::string sni;
        if (m_tls) {
            ssl = SSL_new(m_tls);
            SSL_set_fd(ssl, fd);
            if (SSL_accept(ssl) != 1) {
                SSL_free(ssl);
                ::close(fd);
                return;
            }
            if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) sni = name;
        }
        std::string buf;
        bool open = true;
        while (open && !m_stopping) {
            size_t headerEnd;
            while ((headerEnd = buf.find("\r\n\r\n")) == std::string::npos)
                if (!readMore(fd, ssl, buf)) {
                    open = false;
                    break;
                }
            if (!open) break;
            TestRequest req;
            req.sni = sni;
            const std::string head = buf.substr(0, headerEnd);
            size_t lineEnd = head.find("\r\n");
            const std::string requestLine = head.substr(0, lineEnd);
            const size_t sp1 = requestLine.find(' ');
            const size_t sp2 = requestLine.find(' ', sp1 + 1);
            req.method = requestLine.substr(0, sp1);
            req.target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
            size_t pos = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
            while (pos < head.size()) {
                size_t e = head.find("\r\n", pos);
                if (e == std::string::npos) e = head.size();
                const std::string line = head.substr(pos, e - pos);
                const size_t colon = line.find(':');
                if (colon != std::string::npos) {
                    std::string name = line.substr(0, colon);
                    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                    std::string value = line.substr(colon + 1);
                    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                    req.headers[name] = value;
                }
                pos = e + 2;
            }
            req.host = req.headers["host"];
            const size_t contentLength =
                req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
            while (buf.size() < headerEnd + 4 + contentLength)
                if (!readMore(fd, ssl, buf)) {
                    open = false;
                    break;
                }
            if (!open) break;
            req.body = buf.substr(headerEnd + 4, contentLength);
            buf.erase(0, headerEnd + 4 + contentLength);
            const bool closeAfter = req.headers["connection"] == "close";
            TestResponse resp = m_handler(req);
            {
                std::lock_guard lock(m_mutex);
                m_seen.push_back(req);
            }
            ++m_requests;
            if (resp.delay.count() > 0) {
                const auto until = std::chrono::steady_clock::now() + resp.delay;
                while (!m_stopping && std::chrono::steady_clock::now() < until)
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                if (m_stopping) break;
            }
            std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\nContent-Length: " +
                              std::to_string(resp.body.size()) + "\r\nContent-Type: application/json\r\n";
            for (const auto& h : resp.headers) out += h + "\r\n";
            if (closeAfter) out += "Connection: close\r\n";
            out += "\r\n" + resp.body;
            if (!writeAll(fd, ssl, out) || closeAfter) open = false;
        }
        if (ssl) {
            SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        {
            std::lock_guard lock(m_mutex);
            for (auto it = m_clientFds.begin(); it != m_clientFds.end(); ++it)
                if (*it == fd) {
                    m_clientFds.erase(it);
                    break;
                }
        }
        ::close(fd);
    }

    Handler m_handler;
    SSL_CTX* m_tls;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_connections{0};
    std::atomic<int> m_requests{0};
    std::thread m_acceptThread;
    mutable std::mutex m_mutex;  // guards m_threads, m_clientFds, m_seen
    std::vector<std::thread> m_threads;
    std::vector<int> m_clientFds;
    std::vector<TestRequest> m_seen;
};

// The JSON a simulated pod answers with (what the echo server sends).
inline std::string podJson(const std::string& service, const std::string& pod, const std::string& version) {
    return "{\"service\":\"" + service + "\",\"pod\":\"" + pod + "\",\"namespace\":\"default\",\"version\":\"" +
           version + "\",\"request\":{\"method\":\"GET\",\"path\":\"/\",\"headers\":{\"x\":[1,2,{\"service\":\"no\"}]}}}";
}

// A port on 127.0.0.1 where nothing listens (bound, then closed).
inline int deadPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace ilab::testing
