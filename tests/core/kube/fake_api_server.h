#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A scripted HTTP/1.1 server for the REST client tests: real sockets on 127.0.0.1 (port 0), thread per connection,
// keep-alive, optional TLS (OpenSSL; records SNI and the client certificate's subject). A handler gets each request
// and a connection it writes raw bytes to, so a test can produce what a real API server does not do on cue: a watch
// cut mid-line, an ERROR event inside a 200 stream, 429 with Retry-After, 401 until the token changes.
// Owned by one test function; the destructor closes every connection and joins the threads.
namespace ilab::testing {

struct FakeRequest {
    std::string method, target, path, query;  // target = path[?query]
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string sni;             // TLS only
    std::string clientSubject;   // TLS with a client certificate only
    int index = 0;               // 0-based, in arrival order

    std::string header(const std::string& n) const {
        auto it = headers.find(n);
        return it == headers.end() ? std::string() : it->second;
    }
    // The decoded value of query parameter `k` ("" when absent).
    std::string param(const std::string& k) const {
        std::size_t pos = 0;
        while (pos <= query.size()) {
            const auto amp = query.find('&', pos);
            const std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
            const auto eq = kv.find('=');
            if (kv.substr(0, eq) == k) return eq == std::string::npos ? std::string() : decode(kv.substr(eq + 1));
            if (amp == std::string::npos) break;
            pos = amp + 1;
        }
        return {};
    }
    bool hasParam(const std::string& k) const {
        return ("&" + query + "&").find("&" + k + "=") != std::string::npos ||
               ("&" + query + "&").find("&" + k + "&") != std::string::npos;
    }
    static std::string decode(const std::string& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '%' && i + 2 < s.size()) {
                out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
                i += 2;
            } else {
                out += s[i] == '+' ? ' ' : s[i];
            }
        }
        return out;
    }
};

class FakeConnection {
public:
    FakeConnection(int fd, SSL* ssl) : m_fd(fd), m_ssl(ssl) {}
    bool write(const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            const int n = m_ssl ? SSL_write(m_ssl, data.data() + off, int(data.size() - off))
                                : int(::send(m_fd, data.data() + off, data.size() - off, MSG_NOSIGNAL));
            if (n <= 0) return false;
            off += std::size_t(n);
        }
        return true;
    }
    // A whole response with Content-Length.
    void respond(int status, const std::string& body, const std::vector<std::string>& headers = {},
                 const std::string& contentType = "application/json") {
        std::string h = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + contentType +
                        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
        for (const auto& x : headers) h += x + "\r\n";
        write(h + "\r\n" + body);
    }
    // A chunked response (as the API server streams watches); chunk() each piece, endChunks() or close().
    void startChunked(int status = 200, const std::vector<std::string>& headers = {}) {
        std::string h = "HTTP/1.1 " + std::to_string(status) +
                        " X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
        for (const auto& x : headers) h += x + "\r\n";
        write(h + "\r\n");
    }
    void chunk(const std::string& data) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", data.size());
        write(size + data + "\r\n");
    }
    void endChunks() { write("0\r\n\r\n"); }
    // Closes the connection now (mid-response when a chunked body was started).
    void close() { m_closed = true; }
    bool closed() const { return m_closed; }

private:
    int m_fd;
    SSL* m_ssl;
    bool m_closed = false;
};

class FakeApiServer {
public:
    using Handler = std::function<void(const FakeRequest&, FakeConnection&)>;

    explicit FakeApiServer(Handler handler, SSL_CTX* tls = nullptr) : m_handler(std::move(handler)), m_tls(tls) {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_listen, 64) != 0) {
            ::close(m_listen);
            m_listen = -1;
            return;
        }
        socklen_t len = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_accept = std::thread([this] { acceptLoop(); });
    }
    ~FakeApiServer() {
        m_stopping = true;
        if (m_listen >= 0) ::shutdown(m_listen, SHUT_RDWR);
        if (m_accept.joinable()) m_accept.join();
        {
            std::lock_guard lock(m_mutex);
            for (int fd : m_fds) ::shutdown(fd, SHUT_RDWR);
        }
        m_cv.notify_all();
        for (auto& t : m_threads) t.join();
        if (m_listen >= 0) ::close(m_listen);
    }

    int port() const { return m_port; }
    bool stopping() const { return m_stopping; }
    std::string url(const std::string& host = "127.0.0.1") const {
        return std::string(m_tls ? "https" : "http") + "://" + host + ":" + std::to_string(m_port);
    }
    std::vector<FakeRequest> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    int connections() const { return m_connections; }
    // For handlers that hold a stream open: waits until the server shuts down or `ms` passed.
    void sleepUnlessStopping(int ms) {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_stopping.load(); });
    }

private:
    void acceptLoop() {
        while (!m_stopping) {
            const int fd = ::accept(m_listen, nullptr, nullptr);
            if (fd < 0) {
                if (m_stopping) return;
                continue;
            }
            ++m_connections;
            std::lock_guard lock(m_mutex);
            m_fds.push_back(fd);
            m_threads.emplace_back([this, fd] { serve(fd); });
        }
    }

    void serve(int fd) {
        sigset_t pipe;  // SSL_write to a client that went away must not kill the test
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        SSL* ssl = nullptr;
        std::string sni, subject;
        if (m_tls) {
            ssl = SSL_new(m_tls);
            SSL_set_fd(ssl, fd);
            if (SSL_accept(ssl) <= 0) {
                SSL_free(ssl);
                std::lock_guard lock(m_mutex);
                std::erase(m_fds, fd);
                ::close(fd);
                return;
            }
            if (const char* n = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) sni = n;
            if (X509* peer = SSL_get1_peer_certificate(ssl)) {
                char buf[256];
                X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof buf);
                subject = buf;
                X509_free(peer);
            }
        }
        std::string buf;
        auto readMore = [&]() {
            char tmp[16384];
            const int n = ssl ? SSL_read(ssl, tmp, sizeof tmp) : int(::recv(fd, tmp, sizeof tmp, 0));
            if (n <= 0) return false;
            buf.append(tmp, std::size_t(n));
            return true;
        };
        while (!m_stopping) {
            std::size_t end;
            while ((end = buf.find("\r\n\r\n")) == std::string::npos)
                if (!readMore()) goto done;
            {
                FakeRequest req;
                const std::string head = buf.substr(0, end);
                buf.erase(0, end + 4);
                std::size_t lineEnd = head.find("\r\n");
                const std::string requestLine = head.substr(0, lineEnd);
                const auto sp1 = requestLine.find(' '), sp2 = requestLine.rfind(' ');
                req.method = requestLine.substr(0, sp1);
                req.target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
                const auto q = req.target.find('?');
                req.path = req.target.substr(0, q);
                if (q != std::string::npos) req.query = req.target.substr(q + 1);
                std::size_t pos = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
                while (pos < head.size()) {
                    auto e = head.find("\r\n", pos);
                    if (e == std::string::npos) e = head.size();
                    const std::string line = head.substr(pos, e - pos);
                    const auto colon = line.find(':');
                    if (colon != std::string::npos) {
                        std::string name = line.substr(0, colon);
                        for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
                        std::string value = line.substr(colon + 1);
                        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                        req.headers[name] = value;
                    }
                    pos = e + 2;
                }
                const std::size_t length = req.headers.count("content-length")
                                               ? std::stoul(req.headers["content-length"]) : 0;
                while (buf.size() < length)
                    if (!readMore()) goto done;
                req.body = buf.substr(0, length);
                buf.erase(0, length);
                req.sni = sni;
                req.clientSubject = subject;
                {
                    std::lock_guard lock(m_mutex);
                    req.index = int(m_requests.size());
                    m_requests.push_back(req);
                }
                FakeConnection conn(fd, ssl);
                m_handler(req, conn);
                if (conn.closed()) break;
            }
        }
    done:
        if (ssl) {
            SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        std::lock_guard lock(m_mutex);
        std::erase(m_fds, fd);
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
    }

    Handler m_handler;
    SSL_CTX* m_tls;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_connections{0};
    std::thread m_accept;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<int> m_fds;
    std::vector<std::thread> m_threads;
    std::vector<FakeRequest> m_requests;
};

}  // namespace ilab::testing
