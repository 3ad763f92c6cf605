#include "core/proxy/proxy_server.h"

#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/proxy/proxy_worker.h"

namespace ilab::proxy {

struct ProxyServer::Impl {
    ProxyShared shared;
    std::vector<ListenerSocket> listeners;
    std::vector<std::unique_ptr<ProxyWorker>> workers;
    bool running = false;
    int httpPort = 0, httpsPort = -1;
    std::mutex tableMutex;                    // guards table (the latest one, for workers started later), workers
    routing::RouteTableConstSharedPtr table;

    void closeListeners() {
        for (auto& l : listeners)
            if (l.fd >= 0) ::close(l.fd);
        listeners.clear();
    }
};

namespace {

// Binds a non-blocking listening socket; returns the fd or -1 with a message naming the address.
int openListener(const std::string& address, int port, int* actualPort, std::string* error) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    std::string addr = address.empty() ? "0.0.0.0" : address;
    if (addr == "localhost") addr = "127.0.0.1";
    std::string shown = (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
    if (port < 0 || port > 65535) {
        *error = "listen " + shown + ": invalid port";
        return -1;
    }
    if (inet_pton(AF_INET, addr.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(std::uint16_t(port));
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, addr.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(std::uint16_t(port));
        len = sizeof *v6;
    } else {
        *error = "listen " + shown + ": not an IP address";
        return -1;
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = "listen " + shown + ": " + std::strerror(errno);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 4096) != 0) {
        *error = "listen " + shown + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
    *actualPort = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                                   : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    return fd;
}

}  // namespace

ProxyServer::ProxyServer(ProxyConfig config, std::shared_ptr<TelemetrySink> telemetry) : m_impl(new Impl) {
    m_impl->shared.config = std::move(config);
    m_impl->shared.telemetry = std::move(telemetry);
}

ProxyServer::~ProxyServer() { stop(); }

Result<bool, ProxyError> ProxyServer::start() {
    Impl& d = *m_impl;
    if (d.running) return true;
    const ProxyConfig& cfg = d.shared.config;
    std::string error;
    int port = 0;
    int fd = openListener(cfg.httpAddress, cfg.httpPort, &port, &error);
    if (fd < 0) return Error<ProxyError>{ProxyError::ListenFailed, error};
    d.listeners.push_back({fd, false, port});
    d.httpPort = port;
    if (!d.shared.upstreamTls) {
        // backend-protocol HTTPS: proxy_pass https:// with ingress-nginx's defaults (proxy-ssl-verify off).
        SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
        if (ctx) {
            SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
            SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            d.shared.upstreamTls.reset(ctx, &SSL_CTX_free);
        }
    }
    d.httpsPort = -1;
    if (cfg.httpsPort >= 0) {
        auto tls = tls::TlsServerContext::create(cfg.defaultCertPem, cfg.defaultKeyPem);
        if (!tls) {
            d.closeListeners();
            return Error<ProxyError>{ProxyError::TlsSetupFailed, tls.message()};
        }
        d.shared.tls = tls.value();
        int sfd = openListener(cfg.httpsAddress, cfg.httpsPort, &port, &error);
        if (sfd < 0) {
            d.closeListeners();
            return Error<ProxyError>{ProxyError::ListenFailed, error};
        }
        d.listeners.push_back({sfd, true, port});
        d.httpsPort = port;
    }
    routing::RouteTableConstSharedPtr table;
    {
        std::lock_guard lock(d.tableMutex);
        table = d.table;
    }
    int n = std::max(1, cfg.workerThreads);
    for (int i = 0; i < n; ++i) {
        auto w = std::make_unique<ProxyWorker>(d.shared, i, d.listeners, table);
        if (!w->start(&error)) {
            w.reset();
            stop();
            return Error<ProxyError>{ProxyError::ListenFailed, "worker " + std::to_string(i) + ": " + error};
        }
        std::lock_guard lock(d.tableMutex);
        // A table set while this worker was being created: make sure it has the latest one.
        if (d.table != table) w->setRouteTable(d.table);
        d.workers.push_back(std::move(w));
    }
    d.running = true;
    return true;
}

void ProxyServer::stop() {
    Impl& d = *m_impl;
    std::vector<std::unique_ptr<ProxyWorker>> workers;
    {
        std::lock_guard lock(d.tableMutex);
        workers.swap(d.workers);
    }
    for (auto& w : workers) w->stop();
    workers.clear();  // closes every connection
    d.closeListeners();
    d.running = false;
}

void ProxyServer::setRouteTable(routing::RouteTableConstSharedPtr table) {
    Impl& d = *m_impl;
    std::lock_guard lock(d.tableMutex);
    d.table = table;
    for (auto& w : d.workers) w->setRouteTable(table);
}

void ProxyServer::setRouterForTest(RouterOverride router) { m_impl->shared.routerForTest = std::move(router); }

int ProxyServer::httpPort() const { return m_impl->httpPort; }
int ProxyServer::httpsPort() const { return m_impl->httpsPort; }

std::uint64_t ProxyServer::activeConnections() const {
    return m_impl->shared.activeConnections.load(std::memory_order_relaxed);
}

ProxyStats ProxyServer::stats() const {
    const ProxyShared& s = m_impl->shared;
    ProxyStats st;
    st.activeConnections = s.activeConnections.load(std::memory_order_relaxed);
    st.totalConnections = s.totalConnections.load(std::memory_order_relaxed);
    st.requests = s.requests.load(std::memory_order_relaxed);
    st.tlsHandshakeFailures = s.tlsHandshakeFailures.load(std::memory_order_relaxed);
    st.upstreamFailures = s.upstreamFailures.load(std::memory_order_relaxed);
    st.mirrorsInFlight = s.mirrorsInFlight.load(std::memory_order_relaxed);
    st.mirrorsAnswered = s.mirrorsAnswered.load(std::memory_order_relaxed);
    st.mirrorFailures = s.mirrorFailures.load(std::memory_order_relaxed);
    return st;
}

}  // namespace ilab::proxy
