#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/routing/route_table.h"

namespace ilab::proxy {

// One finished request, as the access log and metrics see it (ingress-nginx "upstreaminfo" fields).
struct AccessRecord {
    std::int64_t timeMs = 0;           // wall clock, ms since epoch, when the request finished
    std::string clientIp;
    std::string method;
    std::string target;                // as requested (path?query)
    std::string host;
    std::string protocol = "HTTP/1.1";
    std::string scheme;                // http | https
    int status = 0;
    std::uint64_t bytesSent = 0;       // body bytes to the client
    std::uint64_t requestLength = 0;   // bytes of the request (headers + body)
    double requestTimeSec = 0;         // whole request
    std::string userAgent, referer;
    std::string ingress;               // "ns/name" or ""
    std::string upstreamName;          // ns-service-port or "" (e.g. upstream-default-backend)
    std::string upstreamAddr;          // "127.0.0.1:34567" or "-"
    std::string podName;               // the simulated pod that answered, if known
    int upstreamStatus = 0;            // 0 = no upstream
    double upstreamResponseTimeSec = 0;
    std::string canary;                // "", "main", "canary"
    std::string requestId;             // X-Request-ID (32 hex chars)
};

// Where the proxy reports what happens. Called on proxy worker threads: implementations must be thread-safe
// and cheap (append to a ring buffer / bump counters), never block.
class TelemetrySink {
public:
    virtual ~TelemetrySink() = default;
    virtual void onRequest(const AccessRecord& record) = 0;
    // Controller-style events and log lines ("TLS handshake failed", "upstream ... refused", ...).
    // type: "Normal" | "Warning"; object: "Ingress default/web" or "" ; reason: "TLSHandshakeFailed", ...
    virtual void onEvent(const std::string& type, const std::string& reason, const std::string& object,
                         const std::string& message) = 0;
    virtual void onConnectionOpened(bool tls) {}
    virtual void onConnectionClosed(bool tls) {}
    virtual void onTlsHandshakeFailed(const std::string& reason) {}
};

struct ProxyConfig {
    std::string httpAddress = "127.0.0.1";
    int httpPort = 8080;               // 0 = pick a free port
    std::string httpsAddress = "127.0.0.1";
    int httpsPort = 8443;              // 0 = pick a free port; -1 = no HTTPS listener
    int workerThreads = 2;
    // Default ("fake") certificate: PEM; empty = generate "Kubernetes Ingress Controller Fake Certificate".
    std::string defaultCertPem, defaultKeyPem;
    int headerTimeoutMs = 60000;       // client_header_timeout
    int bodyTimeoutMs = 60000;         // client_body_timeout: between two reads of a request body -> 408
    int keepaliveTimeoutMs = 75000;    // keepalive_timeout
    int maxHeaderBytes = 32 * 1024;    // large_client_header_buffers 4 8k: 400 above, one line over 1/4 -> 400/414
    // Adds `X-Ingress-Lab-Upstream: <upstream name>` to proxied responses (for the traffic generator).
    bool exposeUpstreamHeader = false;
};

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
