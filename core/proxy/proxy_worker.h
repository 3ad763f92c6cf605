#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <openssl/ssl.h>

#include "core/proxy/event_loop.h"
#include "core/proxy/http_util.h"
#include "core/proxy/load_balancer.h"
#include "core/proxy/proxy_server.h"
#include "core/proxy/rate_limiter.h"
#include "core/routing/route_table.h"
#include "core/tls/tls_server_context.h"

namespace ilab::proxy {

class DownstreamConnection;
class MirrorConnection;
class UpstreamConnection;

// State every worker shares (read-only after start, except the thread-safe parts).
struct ProxyShared {
    ProxyConfig config;
    std::shared_ptr<TelemetrySink> telemetry;           // may be null
    std::shared_ptr<tls::TlsServerContext> tls;         // null without an HTTPS listener
    std::shared_ptr<SSL_CTX> upstreamTls;               // client side for backend-protocol HTTPS (no verification)
    RouterOverride routerForTest;                       // empty in production
    RateLimiter rateLimiter{&EventLoop::monotonicMs};
    std::atomic<std::uint64_t> activeConnections{0};
    std::atomic<std::uint64_t> totalConnections{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> tlsHandshakeFailures{0};
    std::atomic<std::uint64_t> upstreamFailures{0};
    // RequestMirror copies: answered by the mirror backend / failed or dropped (not-sampled ones are not counted).
    std::atomic<std::uint64_t> mirrorsAnswered{0};
    std::atomic<std::uint64_t> mirrorFailures{0};
    std::atomic<std::uint64_t> mirrorsInFlight{0};  // open MirrorConnections of every worker
};

// A listening socket shared by all workers (each adds it to its epoll with EPOLLEXCLUSIVE).
struct ListenerSocket {
    int fd = -1;
    bool tls = false;
    int port = 0;
};

// One data-plane thread with its own epoll loop (EventLoop): accepts from the shared listeners, owns its
// client connections, its upstream keep-alive pools (per endpoint, growing with concurrency, idle ones
// closed after UPSTREAM_IDLE_MS) and its load-balancer state, and keeps its own copy of the route table
// (replaced by a task posted from setRouteTable(): the request path takes no lock, style.md B.7).
// Thread: created by ProxyServer on the control thread; everything else runs on its own thread.
// Owner: ProxyServer.
class ProxyWorker {
public:
    static constexpr std::int64_t UPSTREAM_IDLE_MS = 60000;
    static constexpr std::size_t MAX_IDLE_PER_ENDPOINT = 1024;
    // RequestMirror copies in flight per worker: a mirror backend that accepts but never answers holds one
    // connection per copy until its read timeout; beyond this, copies are dropped (and reported) instead.
    static constexpr std::size_t MAX_MIRRORS_IN_FLIGHT = 512;

    ProxyWorker(ProxyShared& shared, int index, std::vector<ListenerSocket> listeners,
                routing::RouteTableConstSharedPtr table);
    ~ProxyWorker();
    bool start(std::string* error);
    void stop();  // any thread; joins
    void setRouteTable(routing::RouteTableConstSharedPtr table);  // any thread

    // Loop-thread API for the connections.
    EventLoop& loop() { return m_loop; }
    ProxyShared& shared() { return m_shared; }
    const routing::RouteTableConstSharedPtr& table() const { return m_table; }
    FastRandom& random() { return m_random; }
    LoadBalancer& balancer() { return m_balancer; }
    const std::string& dateHeader();  // "Date: ...\r\n", cached per second
    std::int64_t nowMs() const { return m_loop.nowMs(); }

    // A pooled idle connection to `endpoint` or a new one (connecting). nullptr + error if the socket fails.
    // A pooled idle connection to `endpoint` or a new one; `tls` for backend-protocol HTTPS.
    UpstreamConnection* acquireUpstream(const routing::Endpoint& endpoint, std::string* error, bool tls = false);
    void returnToPool(UpstreamConnection* up);     // keep-alive
    void upstreamClosed(UpstreamConnection* up);   // closed: forget it (deleted by the loop)
    void markDirty(DownstreamConnection* c);       // flush at the end of the batch
    void downstreamClosed(DownstreamConnection* c);
    // A RequestMirror copy of the request `source` proxies, to one endpoint of `target` picked at random: connects
    // and queues `head`. nullptr when no copy is made: not sampled (percent/fraction), no endpoint, too many in
    // flight, no socket; each is reported (TelemetrySink::onMirror, and a MirrorFailed event for failures).
    MirrorConnection* startMirror(DownstreamConnection* source, const routing::MirrorTarget& target,
                                  const std::string& ingress, const std::string& head, const std::string& requestLine,
                                  const routing::UpstreamTimeouts& timeouts, bool headRequest);
    void mirrorClosed(MirrorConnection* m);  // finished: forget it (deleted by the loop)

    void emitEvent(const std::string& type, const std::string& reason, const std::string& object,
                   const std::string& message);

private:
    class Acceptor;
    void run();
    void onTick(std::int64_t nowMs);
    void onBatchEnd();
    void accept(const ListenerSocket& l);

    ProxyShared& m_shared;
    int m_index;
    std::vector<ListenerSocket> m_listeners;
    std::vector<std::unique_ptr<Acceptor>> m_acceptors;
    EventLoop m_loop;
    std::thread m_thread;
    routing::RouteTableConstSharedPtr m_table;  // loop thread only
    FastRandom m_random;
    LoadBalancer m_balancer;
    std::unordered_set<DownstreamConnection*> m_clients;
    std::unordered_set<UpstreamConnection*> m_upstreams;  // active and idle
    std::unordered_set<MirrorConnection*> m_mirrors;      // RequestMirror copies in flight
    std::uint64_t m_mirrorDropsUnreported = 0;            // dropped over MAX_MIRRORS_IN_FLIGHT since the last event
    std::int64_t m_mirrorDropEventMs = -1;                // when that event was emitted (at most one a second)
    std::unordered_map<std::string, std::vector<UpstreamConnection*>> m_idle;  // endpoint key -> idle (LIFO)
    std::vector<DownstreamConnection*> m_dirty;
    std::vector<DownstreamConnection*> m_flushing;  // onBatchEnd's working copy of m_dirty
    std::int64_t m_dateSecond = -1;
    std::string m_date;
};

}  // namespace ilab::proxy
