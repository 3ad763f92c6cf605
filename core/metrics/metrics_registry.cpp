#include "core/metrics/metrics_registry.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <utility>

namespace ilab::metrics {

namespace {

// ingress-nginx: request/response duration use prometheus.DefBuckets; sizes use ExponentialBuckets(10, 10, 7).
constexpr std::array<double, 11> DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr std::array<double, 7> SIZE_BUCKETS = {10, 100, 1000, 10000, 100000, 1000000, 10000000};

template <std::size_t N>
struct Histo {
    std::array<std::uint64_t, N> buckets{};  // non-cumulative; rendered cumulatively
    std::uint64_t count = 0;
    double sum = 0;
    void add(double v, const std::array<double, N>& bounds) {
        for (std::size_t i = 0; i < N; ++i)
            if (v <= bounds[i]) {
                ++buckets[i];
                break;
            }
        ++count;
        sum += v;
    }
    void merge(const Histo& o) {
        for (std::size_t i = 0; i < N; ++i) buckets[i] += o.buckets[i];
        count += o.count;
        sum += o.sum;
    }
};

struct SeriesLabels {
    std::string ingress, ns, service, status, method, canary;
};

struct Series {
    SeriesLabels labels;
    std::uint64_t requests = 0;
    Histo<11> duration;
    Histo<11> upstreamDuration;
    Histo<7> responseSize;
    Histo<7> requestSize;
    void merge(const Series& o) {
        requests += o.requests;
        duration.merge(o.duration);
        upstreamDuration.merge(o.upstreamDuration);
        responseSize.merge(o.responseSize);
        requestSize.merge(o.requestSize);
    }
};

struct IntervalBackend {
    std::uint64_t requests = 0;
    std::uint64_t errorAnswers = 0;
    std::array<std::uint64_t, 6> statusClass{};
    LatencyHistogram latency;
};

struct Interval {
    std::uint64_t requests = 0;
    std::array<std::uint64_t, 6> statusClass{};
    std::uint64_t canary = 0, main = 0, bytes = 0;
    LatencyHistogram latency;
    std::unordered_map<std::string, IntervalBackend> backends;
};

int classOf(int status) { return status >= 100 && status < 600 ? status / 100 : 0; }

std::string escapeLabel(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out.push_back(c);
    }
    return out;
}

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

std::atomic<std::uint64_t> g_nextRegistryId{1};

}  // namespace

struct MetricsRegistry::Shard {
    std::mutex mutex;  // guards everything below; contended only by tick()/prometheusText()
    std::unordered_map<std::string, Series> series;
    Interval interval;
    std::uint64_t requests = 0;
    std::array<std::uint64_t, 6> statusClass{};
};

namespace {
// Per-thread cache: registry id -> that thread's shard. Ids are never reused, so an entry of a destroyed
// registry can never match a new one.
thread_local std::vector<std::pair<std::uint64_t, void*>> t_shards;
}  // namespace

MetricsRegistry::MetricsRegistry(std::size_t snapshotCapacity)
    : m_registryId(g_nextRegistryId.fetch_add(1)), m_snapshotCapacity(std::max<std::size_t>(snapshotCapacity, 1)) {}

MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Shard& MetricsRegistry::localShard() {
    for (const auto& [id, p] : t_shards)
        if (id == m_registryId) return *static_cast<Shard*>(p);
    auto shard = std::make_unique<Shard>();
    Shard* raw = shard.get();
    {
        std::lock_guard lock(m_shardsMutex);
        m_shards.push_back(std::move(shard));
    }
    t_shards.emplace_back(m_registryId, raw);
    return *raw;
}

std::string serviceFromUpstream(const std::string& ns, const std::string& upstreamName) {
    const std::string prefix = ns + "-";
    if (ns.empty() || upstreamName.compare(0, prefix.size(), prefix) != 0) return upstreamName;
    const std::size_t dash = upstreamName.rfind('-');
    if (dash == std::string::npos || dash < prefix.size() + 1) return upstreamName;
    return upstreamName.substr(prefix.size(), dash - prefix.size());
}

void MetricsRegistry::onRequest(const proxy::AccessRecord& r) {
    SeriesLabels labels;
    const std::size_t slash = r.ingress.find('/');
    if (slash != std::string::npos) {
        labels.ns = r.ingress.substr(0, slash);
        labels.ingress = r.ingress.substr(slash + 1);
    }
    labels.service = labels.ns.empty() ? std::string() : serviceFromUpstream(labels.ns, r.upstreamName);
    labels.status = std::to_string(r.status);
    labels.method = r.method;
    labels.canary = r.canary == "canary" ? r.upstreamName : std::string();
    std::string key;
    key.reserve(96);
    key.append(labels.ingress).push_back('\x1f');
    key.append(labels.ns).push_back('\x1f');
    key.append(labels.service).push_back('\x1f');
    key.append(labels.status).push_back('\x1f');
    key.append(labels.method).push_back('\x1f');
    key.append(labels.canary);

    const int cls = classOf(r.status);
    const double ms = r.requestTimeSec * 1000.0;
    const std::string& upstream = r.upstreamName.empty() ? std::string("-") : r.upstreamName;

    Shard& s = localShard();
    std::lock_guard lock(s.mutex);
    auto it = s.series.find(key);
    if (it == s.series.end()) it = s.series.emplace(std::move(key), Series{std::move(labels)}).first;
    Series& se = it->second;
    ++se.requests;
    se.duration.add(r.requestTimeSec, DURATION_BUCKETS);
    if (r.upstreamStatus != 0) se.upstreamDuration.add(r.upstreamResponseTimeSec, DURATION_BUCKETS);
    se.responseSize.add(static_cast<double>(r.bytesSent), SIZE_BUCKETS);
    se.requestSize.add(static_cast<double>(r.requestLength), SIZE_BUCKETS);
    ++s.requests;
    ++s.statusClass[static_cast<std::size_t>(cls)];

    Interval& in = s.interval;
    ++in.requests;
    ++in.statusClass[static_cast<std::size_t>(cls)];
    in.bytes += r.bytesSent;
    in.latency.add(ms);
    if (r.canary == "canary") ++in.canary;
    else if (r.canary == "main") ++in.main;
    IntervalBackend& b = in.backends[upstream];
    ++b.requests;
    if (!r.errorReason.empty()) ++b.errorAnswers;
    ++b.statusClass[static_cast<std::size_t>(cls)];
    b.latency.add(ms);
}

void MetricsRegistry::onConnectionOpened(bool) {
    m_activeConnections.fetch_add(1, std::memory_order_relaxed);
    m_acceptedConnections.fetch_add(1, std::memory_order_relaxed);
}

void MetricsRegistry::onConnectionClosed(bool) {
    // Never wrap below zero if a sink sees a close without its open (e.g. registry swapped mid-connection).
    std::uint64_t cur = m_activeConnections.load(std::memory_order_relaxed);
    while (cur > 0 && !m_activeConnections.compare_exchange_weak(cur, cur - 1, std::memory_order_relaxed)) {
    }
}

void MetricsRegistry::onTlsHandshakeFailed(const std::string&) { m_tlsFailures.fetch_add(1, std::memory_order_relaxed); }

void MetricsRegistry::onMirror(const proxy::MirrorRecord& r) {
    std::lock_guard lock(m_mirrorMutex);
    ++m_mirrors[{r.ingress, r.upstreamName, proxy::toString(r.result)}];
}

Snapshot MetricsRegistry::tick(std::int64_t nowMs) {
    Interval total;
    {
        std::lock_guard shardsLock(m_shardsMutex);
        for (auto& sp : m_shards) {
            Interval taken;
            {
                std::lock_guard lock(sp->mutex);
                std::swap(taken, sp->interval);
            }
            total.requests += taken.requests;
            for (std::size_t i = 0; i < 6; ++i) total.statusClass[i] += taken.statusClass[i];
            total.canary += taken.canary;
            total.main += taken.main;
            total.bytes += taken.bytes;
            total.latency.merge(taken.latency);
            for (auto& [name, b] : taken.backends) {
                IntervalBackend& t = total.backends[name];
                t.requests += b.requests;
                t.errorAnswers += b.errorAnswers;
                for (std::size_t i = 0; i < 6; ++i) t.statusClass[i] += b.statusClass[i];
                t.latency.merge(b.latency);
            }
        }
    }
    Snapshot snap;
    snap.timeMs = nowMs;
    snap.requests = total.requests;
    snap.statusClass = total.statusClass;
    snap.p50Ms = total.latency.quantileMs(0.50);
    snap.p90Ms = total.latency.quantileMs(0.90);
    snap.p99Ms = total.latency.quantileMs(0.99);
    snap.canaryRequests = total.canary;
    snap.mainRequests = total.main;
    snap.canaryShare = total.canary + total.main ? double(total.canary) / double(total.canary + total.main) : 0.0;
    snap.bytesSent = total.bytes;
    snap.activeConnections = m_activeConnections.load(std::memory_order_relaxed);
    const std::uint64_t tls = m_tlsFailures.load(std::memory_order_relaxed);
    snap.tlsHandshakeFailures = tls - m_tlsFailuresAtLastTick;
    m_tlsFailuresAtLastTick = tls;
    for (auto& [name, b] : total.backends) {
        BackendSample bs;
        bs.upstream = name;
        bs.requests = b.requests;
        bs.errorAnswers = b.errorAnswers;
        bs.statusClass = b.statusClass;
        bs.p50Ms = b.latency.quantileMs(0.50);
        bs.p90Ms = b.latency.quantileMs(0.90);
        bs.p99Ms = b.latency.quantileMs(0.99);
        snap.backends.push_back(std::move(bs));
    }
    std::sort(snap.backends.begin(), snap.backends.end(),
              [](const BackendSample& a, const BackendSample& b) { return a.upstream < b.upstream; });

    std::lock_guard lock(m_mutex);
    const std::int64_t interval = m_lastTickMs ? nowMs - m_lastTickMs : 1000;
    snap.intervalSec = interval > 0 ? double(interval) / 1000.0 : 1.0;
    snap.requestsPerSec = double(snap.requests) / snap.intervalSec;
    m_lastTickMs = nowMs;
    m_snapshots.push_back(snap);
    while (m_snapshots.size() > m_snapshotCapacity) m_snapshots.pop_front();
    return snap;
}

std::vector<Snapshot> MetricsRegistry::snapshotsSince(std::int64_t afterMs) const {
    std::lock_guard lock(m_mutex);
    std::vector<Snapshot> out;
    for (const auto& s : m_snapshots)
        if (s.timeMs > afterMs) out.push_back(s);
    return out;
}

Totals MetricsRegistry::totals() const {
    Totals t;
    {
        std::lock_guard shardsLock(m_shardsMutex);
        for (const auto& sp : m_shards) {
            std::lock_guard lock(sp->mutex);
            t.requests += sp->requests;
            for (std::size_t i = 0; i < 6; ++i) t.statusClass[i] += sp->statusClass[i];
        }
    }
    t.activeConnections = m_activeConnections.load(std::memory_order_relaxed);
    t.connectionsAccepted = m_acceptedConnections.load(std::memory_order_relaxed);
    t.tlsHandshakeFailures = m_tlsFailures.load(std::memory_order_relaxed);
    std::lock_guard lock(m_mutex);
    t.reloads = m_reloads;
    return t;
}

void MetricsRegistry::recordReload(bool success, std::uint64_t configHash, std::int64_t timeMs) {
    std::lock_guard lock(m_mutex);
    if (success) ++m_reloads;
    else ++m_reloadErrors;
    m_lastReloadOk = success;
    if (success) {
        m_configHash = configHash;
        m_lastReloadMs = timeMs;
    }
}

void MetricsRegistry::setExtraText(std::string text) {
    std::lock_guard lock(m_mutex);
    m_extraText = std::move(text);
}

std::string MetricsRegistry::prometheusText() const {
    std::map<std::string, Series> merged;  // sorted: stable output
    {
        std::lock_guard shardsLock(m_shardsMutex);
        for (const auto& sp : m_shards) {
            std::lock_guard lock(sp->mutex);
            for (const auto& [k, s] : sp->series) {
                auto it = merged.find(k);
                if (it == merged.end()) merged.emplace(k, s);
                else it->second.merge(s);
            }
        }
    }
    const std::string constLabels =
        "controller_class=\"k8s.io/ingress-nginx\",controller_namespace=\"ingress-nginx\",controller_pod=\"ingress-lab\"";
    auto labelsOf = [&](const SeriesLabels& l, bool withStatusMethod, bool withCanary) {
        std::string s = "{" + constLabels + ",ingress=\"" + escapeLabel(l.ingress) + "\",namespace=\"" + escapeLabel(l.ns) +
                        "\",service=\"" + escapeLabel(l.service) + "\"";
        if (withStatusMethod) s += ",method=\"" + escapeLabel(l.method) + "\",status=\"" + escapeLabel(l.status) + "\"";
        if (withCanary) s += ",canary=\"" + escapeLabel(l.canary) + "\"";
        return s;
    };
    std::string out;
    out.reserve(4096 + merged.size() * 2048);

    out += "# HELP nginx_ingress_controller_requests The total number of client requests\n";
    out += "# TYPE nginx_ingress_controller_requests counter\n";
    for (const auto& [k, s] : merged)
        out += "nginx_ingress_controller_requests" + labelsOf(s.labels, true, true) + "} " + std::to_string(s.requests) + "\n";

    auto histogram = [&](const char* name, const char* help, auto member, const auto& bounds, bool skipEmpty) {
        out += std::string("# HELP ") + name + " " + help + "\n";
        out += std::string("# TYPE ") + name + " histogram\n";
        for (const auto& [k, s] : merged) {
            const auto& h = s.*member;
            if (skipEmpty && h.count == 0) continue;
            const std::string base = labelsOf(s.labels, true, true);
            std::uint64_t cum = 0;
            for (std::size_t i = 0; i < bounds.size(); ++i) {
                cum += h.buckets[i];
                out += std::string(name) + "_bucket" + base + ",le=\"" + num(bounds[i]) + "\"} " + std::to_string(cum) + "\n";
            }
            out += std::string(name) + "_bucket" + base + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
            out += std::string(name) + "_sum" + base + "} " + num(h.sum) + "\n";
            out += std::string(name) + "_count" + base + "} " + std::to_string(h.count) + "\n";
        }
    };
    histogram("nginx_ingress_controller_request_duration_seconds",
              "The request processing time in seconds (time from the first byte read to the last byte sent)",
              &Series::duration, DURATION_BUCKETS, false);
    histogram("nginx_ingress_controller_response_duration_seconds",
              "The time spent on receiving the response from the upstream server", &Series::upstreamDuration,
              DURATION_BUCKETS, true);
    histogram("nginx_ingress_controller_response_size", "The response length (including request line, header, and request body)",
              &Series::responseSize, SIZE_BUCKETS, false);
    histogram("nginx_ingress_controller_request_size", "The request length (including request line, header, and request body)",
              &Series::requestSize, SIZE_BUCKETS, false);

    const Totals t = totals();
    out += "# HELP nginx_ingress_controller_nginx_process_connections current number of client connections with state {active, reading, writing, waiting}\n";
    out += "# TYPE nginx_ingress_controller_nginx_process_connections gauge\n";
    out += "nginx_ingress_controller_nginx_process_connections{" + constLabels + ",state=\"active\"} " +
           std::to_string(t.activeConnections) + "\n";
    out += "# HELP nginx_ingress_controller_nginx_process_connections_total total number of connections with state {accepted, handled}\n";
    out += "# TYPE nginx_ingress_controller_nginx_process_connections_total counter\n";
    out += "nginx_ingress_controller_nginx_process_connections_total{" + constLabels + ",state=\"accepted\"} " +
           std::to_string(t.connectionsAccepted) + "\n";
    out += "nginx_ingress_controller_nginx_process_connections_total{" + constLabels + ",state=\"handled\"} " +
           std::to_string(t.connectionsAccepted) + "\n";
    out += "# HELP nginx_ingress_controller_nginx_process_requests_total total number of client requests\n";
    out += "# TYPE nginx_ingress_controller_nginx_process_requests_total counter\n";
    out += "nginx_ingress_controller_nginx_process_requests_total{" + constLabels + "} " + std::to_string(t.requests) + "\n";
    out += "# HELP ilab_tls_handshake_failures_total TLS handshakes that failed (bad client hello, protocol or cipher mismatch)\n";
    out += "# TYPE ilab_tls_handshake_failures_total counter\n";
    out += "ilab_tls_handshake_failures_total " + std::to_string(t.tlsHandshakeFailures) + "\n";
    {
        std::lock_guard mirrorLock(m_mirrorMutex);
        if (!m_mirrors.empty()) {
            out += "# HELP ilab_mirror_requests_total Gateway API RequestMirror copies by result (answered: the mirror backend "
                   "answered; failed: refused, reset, timed out or dropped; not-sampled: left out by percent/fraction)\n";
            out += "# TYPE ilab_mirror_requests_total counter\n";
            for (const auto& [k, n] : m_mirrors) {
                const auto& [route, mirror, result] = k;
                const auto slash = route.find('/');
                out += "ilab_mirror_requests_total{" + constLabels + ",ingress=\"" +
                       escapeLabel(slash == std::string::npos ? route : route.substr(slash + 1)) + "\",namespace=\"" +
                       escapeLabel(slash == std::string::npos ? std::string() : route.substr(0, slash)) + "\",mirror=\"" +
                       escapeLabel(mirror) + "\",result=\"" + result + "\"} " + std::to_string(n) + "\n";
            }
        }
    }

    std::lock_guard lock(m_mutex);
    out += "# HELP nginx_ingress_controller_config_hash Running configuration hash actually running\n";
    out += "# TYPE nginx_ingress_controller_config_hash gauge\n";
    out += "nginx_ingress_controller_config_hash{" + constLabels + "} " + num(double(m_configHash)) + "\n";
    out += "# HELP nginx_ingress_controller_config_last_reload_successful Whether the last configuration reload attempt was successful\n";
    out += "# TYPE nginx_ingress_controller_config_last_reload_successful gauge\n";
    out += "nginx_ingress_controller_config_last_reload_successful{" + constLabels + "} " + (m_lastReloadOk ? "1" : "0") + "\n";
    out += "# HELP nginx_ingress_controller_config_last_reload_successful_timestamp_seconds Timestamp of the last successful configuration reload.\n";
    out += "# TYPE nginx_ingress_controller_config_last_reload_successful_timestamp_seconds gauge\n";
    out += "nginx_ingress_controller_config_last_reload_successful_timestamp_seconds{" + constLabels + "} " +
           num(double(m_lastReloadMs / 1000)) + "\n";
    out += "# HELP nginx_ingress_controller_success Cumulative number of Ingress controller reload operations\n";
    out += "# TYPE nginx_ingress_controller_success counter\n";
    out += "nginx_ingress_controller_success{" + constLabels + "} " + std::to_string(m_reloads) + "\n";
    out += "# HELP nginx_ingress_controller_errors Cumulative number of Ingress controller errors during reload operations\n";
    out += "# TYPE nginx_ingress_controller_errors counter\n";
    out += "nginx_ingress_controller_errors{" + constLabels + "} " + std::to_string(m_reloadErrors) + "\n";
    out += m_extraText;
    return out;
}

}  // namespace ilab::metrics
