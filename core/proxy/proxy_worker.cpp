#include "core/proxy/proxy_worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "core/proxy/downstream_connection.h"
#include "core/proxy/mirror_connection.h"
#include "core/proxy/upstream_connection.h"
#include "core/tls/plain_transport.h"
#include "core/tls/tls_transport.h"

namespace ilab::proxy {

class ProxyWorker::Acceptor final : public IoHandler {
public:
    Acceptor(ProxyWorker& w, ListenerSocket l) : worker(w), listener(l) {}
    void onIoEvent(std::uint32_t) override { worker.accept(listener); }
    ProxyWorker& worker;
    ListenerSocket listener;
    bool suspended = false;  // removed from epoll after EMFILE; re-added on the next tick
};

namespace {
std::uint64_t seed(int index) {
    std::random_device rd;
    return (std::uint64_t(rd()) << 32) ^ rd() ^ std::uint64_t(index) * 0x9E3779B97F4A7C15ull;
}
}  // namespace

ProxyWorker::ProxyWorker(ProxyShared& shared, int index, std::vector<ListenerSocket> listeners,
                         routing::RouteTableConstSharedPtr table)
    : m_shared(shared), m_index(index), m_listeners(std::move(listeners)), m_table(std::move(table)),
      m_random(seed(index)) {}

ProxyWorker::~ProxyWorker() {
    stop();
    // The loop thread is gone: release what it owned.
    for (DownstreamConnection* c : m_clients) {
        m_shared.activeConnections.fetch_sub(1, std::memory_order_relaxed);
        if (m_shared.telemetry) m_shared.telemetry->onConnectionClosed(c->m_tls);
        delete c;
    }
    m_clients.clear();
    for (UpstreamConnection* u : m_upstreams) delete u;
    m_upstreams.clear();
    for (MirrorConnection* m : m_mirrors) delete m;
    m_shared.mirrorsInFlight.fetch_sub(m_mirrors.size(), std::memory_order_relaxed);
    m_mirrors.clear();
}

bool ProxyWorker::start(std::string* error) {
    if (!m_loop.isValid()) {
        *error = "epoll/eventfd unavailable";
        return false;
    }
    for (const auto& l : m_listeners) {
        m_acceptors.push_back(std::make_unique<Acceptor>(*this, l));
        if (!m_loop.add(l.fd, EventLoop::Readable, m_acceptors.back().get(), true)) {
            *error = "epoll_ctl(listener) failed";
            return false;
        }
    }
    m_thread = std::thread([this] { run(); });
    return true;
}

void ProxyWorker::stop() {
    if (!m_thread.joinable()) return;
    m_loop.stop();
    m_thread.join();
}

void ProxyWorker::setRouteTable(routing::RouteTableConstSharedPtr table) {
    m_loop.post([this, t = std::move(table)]() mutable { m_table = std::move(t); });
}

void ProxyWorker::run() {
    // OpenSSL writes with write(), not send(MSG_NOSIGNAL): a vanished TLS peer would raise SIGPIPE. Blocked
    // on this thread, the write just fails with EPIPE (no process-wide signal disposition is changed).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    m_loop.run([this](std::int64_t now) { onTick(now); }, [this] { onBatchEnd(); });
    for (const auto& l : m_listeners) m_loop.remove(l.fd);
}

const std::string& ProxyWorker::dateHeader() {
    std::int64_t sec = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    if (sec != m_dateSecond) {
        m_dateSecond = sec;
        m_date = "Date: " + httpDate(sec) + "\r\n";
    }
    return m_date;
}

void ProxyWorker::accept(const ListenerSocket& l) {
    // Bounded per wake-up so one busy listener cannot starve established connections.
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                for (auto& a : m_acceptors) {
                    if (a->listener.fd == l.fd && !a->suspended) {
                        m_loop.remove(l.fd);
                        a->suspended = true;
                    }
                }
                emitEvent("Warning", "AcceptFailed", "", std::string("accept() failed: ") + std::strerror(errno));
            }
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char ip[INET6_ADDRSTRLEN] = "";
        int port = 0;
        if (peer.ss_family == AF_INET) {
            auto* a = reinterpret_cast<sockaddr_in*>(&peer);
            inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
            port = ntohs(a->sin_port);
        } else if (peer.ss_family == AF_INET6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&peer);
            inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
            port = ntohs(a->sin6_port);
        }
        std::unique_ptr<tls::Transport> transport;
        if (l.tls) transport = std::make_unique<tls::TlsTransport>(fd, m_shared.tls, m_table,
                                                                         m_shared.routerForTest.certificateFor);
        else transport = std::make_unique<tls::PlainTransport>(fd);
        auto* conn = new DownstreamConnection(*this, std::move(transport), ip, port, l.port);
        m_clients.insert(conn);
        m_shared.activeConnections.fetch_add(1, std::memory_order_relaxed);
        m_shared.totalConnections.fetch_add(1, std::memory_order_relaxed);
        if (m_shared.telemetry) m_shared.telemetry->onConnectionOpened(l.tls);
        conn->start();
    }
}

UpstreamConnection* ProxyWorker::acquireUpstream(const routing::Endpoint& endpoint, std::string* error, bool tls) {
    std::string key = LoadBalancer::endpointKey(endpoint);
    if (tls && !m_shared.upstreamTls) {
        *error = "no TLS client context";
        return nullptr;
    }
    auto it = m_idle.find(UpstreamConnection::poolKeyFor(key, tls));
    if (it != m_idle.end()) {
        while (!it->second.empty()) {
            UpstreamConnection* up = it->second.back();
            it->second.pop_back();
            if (!up->isClosed() && up->isIdle()) return up;
        }
    }
    auto* up = new UpstreamConnection(*this, key, endpoint, tls ? m_shared.upstreamTls.get() : nullptr);
    if (!up->startConnect(error)) {
        delete up;
        return nullptr;
    }
    m_upstreams.insert(up);
    return up;
}

void ProxyWorker::returnToPool(UpstreamConnection* up) {
    auto& idle = m_idle[up->poolKey()];
    if (idle.size() >= MAX_IDLE_PER_ENDPOINT) {
        up->close();
        return;
    }
    idle.push_back(up);
}

void ProxyWorker::upstreamClosed(UpstreamConnection* up) {
    if (m_upstreams.erase(up) == 0) return;
    auto it = m_idle.find(up->poolKey());
    if (it != m_idle.end()) {
        auto& v = it->second;
        v.erase(std::remove(v.begin(), v.end(), up), v.end());
        if (v.empty()) m_idle.erase(it);
    }
    m_loop.deleteLater(up);
}

MirrorConnection* ProxyWorker::startMirror(DownstreamConnection* source, const routing::MirrorTarget& target,
                                           const std::string& ingress, const std::string& head,
                                           const std::string& requestLine, const routing::UpstreamTimeouts& timeouts,
                                           bool headRequest) {
    MirrorRecord rec;
    rec.ingress = ingress;
    rec.upstreamName = target.backend.upstreamName;
    auto report = [&](MirrorRecord::Result result, const std::string& detail) {
        rec.result = result;
        rec.detail = detail;
        if (result == MirrorRecord::Result::Failed) m_shared.mirrorFailures.fetch_add(1, std::memory_order_relaxed);
        if (m_shared.telemetry) m_shared.telemetry->onMirror(rec);
    };
    const std::uint64_t denominator = std::max<std::uint32_t>(1, target.denominator);
    if (m_random.next() % denominator >= target.numerator) {
        report(MirrorRecord::Result::NotSampled, {});
        return nullptr;
    }
    const std::string object = ingress.empty() ? "" : "HTTPRoute " + ingress;
    if (!target.endpoints || target.endpoints->empty()) {
        report(MirrorRecord::Result::Failed, "no ready endpoints");
        emitEvent("Warning", "MirrorFailed", object, "RequestMirror copy of \"" + requestLine + "\" to " + rec.upstreamName +
                                                         " not sent: the Service has no ready endpoints; the client's response is not affected");
        return nullptr;
    }
    if (m_mirrors.size() >= MAX_MIRRORS_IN_FLIGHT) {
        report(MirrorRecord::Result::Failed, "too many copies in flight");
        ++m_mirrorDropsUnreported;
        const std::int64_t now = nowMs();
        if (m_mirrorDropEventMs < 0 || now - m_mirrorDropEventMs >= 1000) {
            emitEvent("Warning", "MirrorFailed", object,
                      std::to_string(m_mirrorDropsUnreported) + " RequestMirror cop" + (m_mirrorDropsUnreported == 1 ? "y" : "ies") +
                          " to " + rec.upstreamName + " dropped: " + std::to_string(MAX_MIRRORS_IN_FLIGHT) +
                          " copies are still waiting for mirror backends on this worker; the clients' responses are not affected");
            m_mirrorDropsUnreported = 0;
            m_mirrorDropEventMs = now;
        }
        return nullptr;
    }
    const routing::Endpoint& ep = (*target.endpoints)[m_random.next() % target.endpoints->size()];
    rec.endpoint = LoadBalancer::endpointKey(ep);
    auto* m = new MirrorConnection(*this, source, ep, rec, requestLine, timeouts, headRequest);
    std::string error;
    if (!m->start(head, &error)) {
        delete m;
        report(MirrorRecord::Result::Failed, "connect() failed (" + error + ")");
        emitEvent("Warning", "MirrorFailed", object, "RequestMirror copy of \"" + requestLine + "\" to " + rec.upstreamName +
                                                         " at " + rec.endpoint + " failed: connect() failed (" + error +
                                                         "); the client's response is not affected");
        return nullptr;
    }
    m_mirrors.insert(m);
    m_shared.mirrorsInFlight.fetch_add(1, std::memory_order_relaxed);
    return m;
}

void ProxyWorker::mirrorClosed(MirrorConnection* m) {
    if (m_mirrors.erase(m) == 0) return;
    m_shared.mirrorsInFlight.fetch_sub(1, std::memory_order_relaxed);
    m_loop.deleteLater(m);
}

void ProxyWorker::markDirty(DownstreamConnection* c) { m_dirty.push_back(c); }

void ProxyWorker::downstreamClosed(DownstreamConnection* c) {
    if (m_clients.erase(c) == 0) return;
    m_shared.activeConnections.fetch_sub(1, std::memory_order_relaxed);
    if (m_shared.telemetry) m_shared.telemetry->onConnectionClosed(c->m_tls);
    m_loop.deleteLater(c);
}

void ProxyWorker::onBatchEnd() {
    // Flushing may queue more (e.g. a pipelined request answered locally): loop until quiet.
    while (!m_dirty.empty()) {
        m_flushing.swap(m_dirty);  // both keep their capacity: no allocation per batch
        for (DownstreamConnection* c : m_flushing)
            if (!c->isClosed()) c->flush();
        m_flushing.clear();
    }
}

void ProxyWorker::onTick(std::int64_t nowMs) {
    for (auto& a : m_acceptors) {
        if (a->suspended && m_loop.add(a->listener.fd, EventLoop::Readable, a.get(), true)) a->suspended = false;
    }
    std::vector<DownstreamConnection*> clients(m_clients.begin(), m_clients.end());
    for (DownstreamConnection* c : clients)
        if (!c->isClosed()) c->checkTimeout(nowMs);
    std::vector<UpstreamConnection*> ups(m_upstreams.begin(), m_upstreams.end());
    for (UpstreamConnection* u : ups)
        if (!u->isClosed()) u->checkTimeout(nowMs);
    if (!m_mirrors.empty()) {
        std::vector<MirrorConnection*> mirrors(m_mirrors.begin(), m_mirrors.end());
        for (MirrorConnection* m : mirrors)
            if (!m->isClosed()) m->checkTimeout(nowMs);
    }
}

void ProxyWorker::emitEvent(const std::string& type, const std::string& reason, const std::string& object,
                            const std::string& message) {
    if (m_shared.telemetry) m_shared.telemetry->onEvent(type, reason, object, message);
}

}  // namespace ilab::proxy
