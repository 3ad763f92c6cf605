#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/proxy/access_record.h"
#include "core/proxy/proxy_config.h"
#include "core/proxy/telemetry_sink.h"
#include "core/routing/route_table.h"

namespace ilab::proxy {

enum class ProxyError { ListenFailed, TlsSetupFailed };

// Test seam: decides requests and TLS certificates without a compiled RouteTable, so the data plane can be
// tested with exact Decision fields (timeouts, tries, limits). Unset members fall back to the route table.
struct RouterOverride {
    std::function<routing::Decision(const routing::RequestView&)> route;
    std::function<routing::TlsChoice(const std::string& sni)> certificateFor;
};

// Counters since start (relaxed atomics: a consistent snapshot is not needed).
struct ProxyStats {
    std::uint64_t activeConnections = 0;
    std::uint64_t totalConnections = 0;
    std::uint64_t requests = 0;             // finished requests, local answers included
    std::uint64_t tlsHandshakeFailures = 0;
    std::uint64_t upstreamFailures = 0;     // refused / reset / timed out attempts (retries included)
    std::uint64_t mirrorsInFlight = 0;      // RequestMirror copies with an open connection (a gauge)
    std::uint64_t mirrorsAnswered = 0;      // copies the mirror backend answered
    std::uint64_t mirrorFailures = 0;       // copies that failed or were dropped
};

// The data plane: HTTP and HTTPS listeners and worker threads (never the GUI thread). Owned by the local
// controller; setRouteTable() may be called from any thread and swaps the table without dropping connections
// (each request keeps the table it started with).
class ProxyServer {
public:
    ProxyServer(ProxyConfig config, std::shared_ptr<TelemetrySink> telemetry);
    ~ProxyServer();
    ProxyServer(const ProxyServer&) = delete;
    ProxyServer& operator=(const ProxyServer&) = delete;

    // Binds and starts the workers. Error message says which address failed and why ("address in use").
    Result<bool, ProxyError> start();
    void stop();  // closes listeners and connections, joins workers

    void setRouteTable(routing::RouteTableConstSharedPtr table);
    void setRouterForTest(RouterOverride router);  // before start()
    int httpPort() const;   // actual ports once started
    int httpsPort() const;

    // Counters for tests and the status bar.
    std::uint64_t activeConnections() const;
    ProxyStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ilab::proxy
