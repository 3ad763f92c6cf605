#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/metrics/latency_histogram.h"
#include "core/proxy/proxy_server.h"

namespace ilab::metrics {

// Traffic of one upstream during one snapshot interval.
struct BackendSample {
    std::string upstream;                   // "default-web-80"
    std::uint64_t requests = 0;
    std::array<std::uint64_t, 6> statusClass{};  // index 1..5 = 1xx..5xx, 0 = no status
    double p50Ms = 0, p90Ms = 0, p99Ms = 0;
    // Of `requests`, those the controller answered with its own error (AccessRecord::errorReason: Service not
    // found, no endpoints, upstream timeout, ...): they reached no backend.
    std::uint64_t errorAnswers = 0;
};

// One fixed interval (normally 1 s) of traffic: what the charts plot (style.md F.20).
struct Snapshot {
    std::int64_t timeMs = 0;       // end of the interval, ms since epoch
    double intervalSec = 1;
    std::uint64_t requests = 0;
    double requestsPerSec = 0;
    double p50Ms = 0, p90Ms = 0, p99Ms = 0;
    std::array<std::uint64_t, 6> statusClass{};  // index 1..5 = 1xx..5xx
    std::uint64_t canaryRequests = 0;  // requests of this interval whose canary branch was "canary"
    std::uint64_t mainRequests = 0;    // ... "main" (only requests to a backend with a canary configured)
    double canaryShare = 0;            // canary / (canary + main); 0 without canary traffic
    std::uint64_t bytesSent = 0;
    std::uint64_t activeConnections = 0;
    std::uint64_t tlsHandshakeFailures = 0;  // during the interval
    std::vector<BackendSample> backends;     // sorted by upstream name
};

// Cumulative counters since start (status bar, tests).
struct Totals {
    std::uint64_t requests = 0;
    std::array<std::uint64_t, 6> statusClass{};
    std::uint64_t connectionsAccepted = 0;
    std::uint64_t activeConnections = 0;
    std::uint64_t tlsHandshakeFailures = 0;
    std::uint64_t reloads = 0;
};

// Request metrics of the data plane (issue 4 item 6d). Implements proxy::TelemetrySink: onRequest() runs on
// proxy worker threads and only touches that thread's own shard (an uncontended mutex), so workers never
// contend with each other; connection and TLS counters are atomics. tick() (control thread, once a second)
// folds the shards' interval data into a Snapshot kept in a ring of `snapshotCapacity`; prometheusText()
// renders cumulative series with ingress-nginx metric names. Owned by the LocalController (shared_ptr).
class MetricsRegistry : public proxy::TelemetrySink {
public:
    static constexpr std::size_t DEFAULT_SNAPSHOTS = 3600;  // one hour of 1-second points
    explicit MetricsRegistry(std::size_t snapshotCapacity = DEFAULT_SNAPSHOTS);
    ~MetricsRegistry() override;

    // proxy::TelemetrySink
    void onRequest(const proxy::AccessRecord& record) override;
    void onEvent(const std::string&, const std::string&, const std::string&, const std::string&) override {}
    void onConnectionOpened(bool tls) override;
    void onConnectionClosed(bool tls) override;
    void onTlsHandshakeFailed(const std::string& reason) override;
    void onMirror(const proxy::MirrorRecord& record) override;  // ilab_mirror_requests_total

    // Closes the current interval at `nowMs` and stores its Snapshot (returned too).
    Snapshot tick(std::int64_t nowMs);
    // Snapshots with timeMs > afterMs, oldest first.
    std::vector<Snapshot> snapshotsSince(std::int64_t afterMs) const;
    Totals totals() const;

    // Controller reloads (a new route table swapped in): the config metrics ingress-nginx exports.
    void recordReload(bool success, std::uint64_t configHash, std::int64_t timeMs);
    // Extra gauge lines appended to the Prometheus text (e.g. simulated pods), already formatted.
    void setExtraText(std::string text);

    // Prometheus text exposition format 0.0.4.
    std::string prometheusText() const;

private:
    struct Shard;
    Shard& localShard();

    const std::uint64_t m_registryId;
    const std::size_t m_snapshotCapacity;
    mutable std::mutex m_shardsMutex;
    std::vector<std::unique_ptr<Shard>> m_shards;  // guarded by m_shardsMutex (shards never removed)

    std::atomic<std::uint64_t> m_activeConnections{0};
    std::atomic<std::uint64_t> m_acceptedConnections{0};
    std::atomic<std::uint64_t> m_tlsFailures{0};
    std::uint64_t m_tlsFailuresAtLastTick = 0;      // control thread only (tick)

    mutable std::mutex m_mutex;
    std::deque<Snapshot> m_snapshots;               // guarded by m_mutex
    std::int64_t m_lastTickMs = 0;                  // guarded by m_mutex
    std::uint64_t m_reloads = 0, m_reloadErrors = 0;  // guarded by m_mutex
    bool m_lastReloadOk = true;                     // guarded by m_mutex
    std::uint64_t m_configHash = 0;                 // guarded by m_mutex
    std::int64_t m_lastReloadMs = 0;                // guarded by m_mutex
    std::string m_extraText;                        // guarded by m_mutex
    // RequestMirror copies: (HTTPRoute "ns/name", mirror upstream, result) -> count. Mirrors are rare next to
    // requests, so one mutex of its own rather than the per-worker shards.
    mutable std::mutex m_mirrorMutex;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> m_mirrors;  // guarded by m_mirrorMutex
};

// Splits an ingress-nginx upstream name "ns-service-port" into the service name, given the namespace
// ("default", "default-web-80" -> "web"). Returns the name unchanged when it does not have that shape.
std::string serviceFromUpstream(const std::string& ns, const std::string& upstreamName);

}  // namespace ilab::metrics
