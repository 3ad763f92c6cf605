#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/loadgen/backend_identity.h"
#include "core/loadgen/latency_histogram.h"
#include "core/loadgen/request_record.h"
#include "core/loadgen/share_statistics.h"

// Everything a load run measured: counts per backend / pod / status / error kind, a latency histogram, a
// per-second series and (up to a limit) every request. Fed one request at a time by the LoadGenerator's worker
// thread, then handed out by value when the run ends; a Results object is never shared between threads while it
// is being filled. Memory is bounded: the histogram is fixed-size, distinct backends/bodies/error messages are
// capped (the rest is grouped as "(other …)"), per-request records stop at recordLimit.
namespace ilab::loadgen {

struct NamedCount {
    std::string name;
    uint64_t count = 0;
};

struct PodCount {
    std::string backend;  // the backend key this pod answered for
    std::string ns;
    std::string pod;
    std::string version;
    uint64_t count = 0;
};

struct ErrorCount {
    ErrorKind kind = ErrorKind::Other;
    std::string message;  // curl's message, with elapsed times normalised ("after N ms")
    uint64_t count = 0;
};

// Error answers the controller produced itself (error_response.h), grouped by status, reason and detail.
struct ErrorResponseCount {
    int status = 0;
    std::string reason;  // "service-not-found", "no-endpoints", "upstream-timeout", ..., "error-page"
    std::string detail;  // "Service default/web not found"; may be empty
    uint64_t count = 0;
};

// What one request kind (a LoadConfig target) got back, grouped by status, backend and CORS answer: the lab's
// host, TLS and CORS presets show the outcome per request row ("unknown.invalid → 404", "OPTIONS → 204 with
// Access-Control-Allow-Origin: …").
struct TargetAnswer {
    uint16_t target = 0;         // index into LoadConfig::targets
    int status = 0;              // 0: no HTTP response (transport error)
    std::string backend;         // backend key; "" for transport errors and the controller's own error answers
    bool hasAllowOrigin = false; // the answer carried Access-Control-Allow-Origin ...
    std::string allowOrigin;     // ... with this value
    uint64_t count = 0;
};

// The certificate a target's TLS handshakes were served (subject and subjectAltName as OpenSSL prints them).
// Counted per handshake, not per request: requests on a reused connection see no new certificate.
struct TargetCertificate {
    uint16_t target = 0;
    std::string subject;         // "CN = agent.example.com"
    std::string subjectAltName;  // "DNS:agent.example.com"; "" when the certificate has none
    uint64_t handshakes = 0;
};

// Completions during one second of the run (by completion time, so the series is throughput).
struct SecondStats {
    int64_t second = 0;  // since the start of the run
    uint64_t completed = 0;
    uint64_t errors = 0;  // transport errors (no HTTP response)
    uint64_t errorResponses = 0;  // the controller's own error answers (not in perBackend)
    std::array<uint64_t, 6> statusClasses{};  // [0] other, [1] 1xx … [5] 5xx
    std::vector<uint64_t> perBackend;         // index: backend id (Results::backendName)
    int64_t p50Us = 0, p90Us = 0, p99Us = 0, maxUs = 0;  // response latency of this second's completions
    bool closed = false;                      // false for the second still being filled

    // Adds another run's figures for the same second (worker threads, merged results). `backendId(b)` maps the
    // other's backend index to this one's, or SKIP_BACKEND for an index it cannot name. Percentiles take the
    // larger value (an upper bound, not exact).
    static constexpr size_t SKIP_BACKEND = static_cast<size_t>(-1);
    template <typename BackendId>
    void add(const SecondStats& other, BackendId backendId) {
        completed += other.completed;
        errors += other.errors;
        errorResponses += other.errorResponses;
        for (size_t c = 0; c < statusClasses.size(); ++c) statusClasses[c] += other.statusClasses[c];
        for (size_t b = 0; b < other.perBackend.size(); ++b) {
            if (!other.perBackend[b]) continue;
            const size_t id = backendId(b);
            if (id == SKIP_BACKEND) continue;
            if (perBackend.size() <= id) perBackend.resize(id + 1, 0);
            perBackend[id] += other.perBackend[b];
        }
        p50Us = std::max(p50Us, other.p50Us);
        p90Us = std::max(p90Us, other.p90Us);
        p99Us = std::max(p99Us, other.p99Us);
        maxUs = std::max(maxUs, other.maxUs);
        closed = closed && other.closed;
    }
};

// An expected share for a backend key (from `--expect backend=share` or the GUI's configured weights).
struct ShareExpectation {
    std::string backend;
    double share = 0;  // fraction 0..1
};

struct ShareReport {
    std::string backend;
    ShareCheck check;
};

class Results {
public:
    static constexpr size_t MAX_BACKENDS = 1000;
    static constexpr size_t MAX_BODIES = 10000;
    static constexpr size_t MAX_ERROR_MESSAGES = 200;

    explicit Results(size_t recordLimit = 1'000'000);

    // Worker thread, one call per finished request. `completedUs` is the completion time since the run started.
    // backendKey/identity/body are ignored for transport errors (rec.error != None). `reasonHeader` is the
    // response's X-Ingress-Lab-Reason: with it, or with nginx's error page as the body, a response of status >= 400
    // is the controller's own error answer (errorResponses()) and names no backend.
    void add(RequestRecord rec, int64_t completedUs, std::string_view backendKey, const BackendIdentity& identity,
             std::string_view body, std::string_view errorMessage, std::string_view reasonHeader = {},
             const std::string* allowOrigin = nullptr);
    // A TLS handshake of target `target` was served this certificate (worker thread, at most once per connection).
    void addCertificate(uint16_t target, std::string_view subject, std::string_view subjectAltName);
    // Closes the series; elapsedUs is the wall time of the run; cancelled counts requests aborted by stop().
    void finish(int64_t elapsedUs, uint64_t cancelled);
    // Adds another finished Results of the same run (another worker thread, same start time). Counts, histogram
    // and records add up exactly; per-second percentiles become the larger of the two (they cannot be merged).
    void merge(const Results& other);

    uint64_t total() const { return m_responses + m_errors; }  // finished requests (responses + errors)
    uint64_t responses() const { return m_responses; }         // got an HTTP response (any status)
    uint64_t errors() const { return m_errors; }               // transport errors
    uint64_t errorResponses() const { return m_errorResponses; }  // the controller's own error answers
    uint64_t backendResponses() const { return m_responses - m_errorResponses; }  // answered by a backend
    std::vector<ErrorResponseCount> errorResponseGroups() const;  // by count, descending
    uint64_t cancelled() const { return m_cancelled; }
    uint64_t bytes() const { return m_bytes; }
    double elapsedSeconds() const { return static_cast<double>(m_elapsedUs) / 1e6; }
    double requestsPerSecond() const;
    bool isFinished() const { return m_finished; }

    const LatencyHistogram& latency() const { return m_latency; }
    std::vector<NamedCount> backends() const;  // by count, descending (ties by name)
    uint64_t backendCount(std::string_view key) const;
    std::vector<PodCount> pods() const;        // by backend, then pod
    const std::map<int, uint64_t>& statuses() const { return m_statuses; }
    uint64_t errorCount(ErrorKind kind) const { return m_errorsByKind[static_cast<size_t>(kind)]; }
    std::vector<ErrorCount> errorMessages() const;  // by count, descending
    const std::vector<SecondStats>& series() const { return m_series; }
    std::vector<TargetAnswer> targetAnswers() const;            // by target, then count descending
    std::vector<TargetCertificate> certificates() const;         // by target, then handshakes descending
    std::vector<NamedCount> bodies() const;  // distinct response bodies as bodyLine()s, by count desc (ties by text)

    const std::vector<RequestRecord>& records() const { return m_records; }
    uint64_t droppedRecords() const { return m_droppedRecords; }
    std::string_view backendName(uint32_t id) const;
    size_t backendNameCount() const { return m_backendNames.size(); }
    std::string bodyText(uint32_t id) const;  // bodyLine() form
    std::string_view errorMessage(uint32_t id) const;

    // Share of `backend` among responses (transport errors excluded: they reached no backend; the controller's own
    // error answers included: they are requests the route failed to deliver).
    ShareCheck checkShare(const ShareExpectation& expectation, double confidence = 0.95) const;

    // Exports. JSON summary (object; see README.md for the fields), hey-style CSV (one row per kept record) and
    // the `sort | uniq -c` view of response bodies ("%7llu %s\n" lines, count descending).
    std::string toJson(const std::vector<ShareExpectation>& expectations = {},
                       const std::vector<std::string>& targetLabels = {}) const;
    void writeCsv(std::FILE* out) const;
    std::string toCsv() const;
    std::string uniqSummary() const;

private:
    struct TransparentHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using IdMap = std::unordered_map<std::string, uint32_t, TransparentHash, std::equal_to<>>;

    uint32_t intern(IdMap& map, std::vector<std::string>& names, std::string_view key, size_t cap,
                    std::string_view overflowName);
    SecondStats& secondFor(int64_t completedUs);
    void csvChunks(const std::function<void(std::string_view)>& sink) const;
    void closeSecond(SecondStats& s);

    size_t m_recordLimit;
    uint64_t m_responses = 0;
    uint64_t m_errors = 0;
    uint64_t m_cancelled = 0;
    uint64_t m_bytes = 0;
    int64_t m_elapsedUs = 0;
    bool m_finished = false;

    LatencyHistogram m_latency{6};
    LatencyHistogram m_secondLatency{6};  // latency of the open second only

    IdMap m_backendIds;
    std::vector<std::string> m_backendNames;
    std::vector<uint64_t> m_backendCounts;

    IdMap m_podIds;  // "ns/pod" -> index in m_pods
    std::vector<std::string> m_podKeys;
    std::vector<PodCount> m_pods;
    std::string m_podScratch;

    IdMap m_bodyIds;
    std::vector<std::string> m_bodies;  // raw (capped) bodies
    std::vector<uint64_t> m_bodyCounts;

    uint64_t m_errorResponses = 0;
    IdMap m_errorResponseIds;  // "status\x1freason\x1fdetail" -> index
    std::vector<std::string> m_errorResponseKeys;
    std::vector<uint64_t> m_errorResponseCounts;
    std::string m_errorResponseScratch;

    IdMap m_errorIds;
    std::vector<std::string> m_errorTexts;
    std::vector<uint64_t> m_errorTextCounts;
    std::vector<ErrorKind> m_errorTextKinds;
    std::string m_errorScratch;

    // Per target: "target\x1fstatus\x1fbackend\x1f[01]origin" and "target\x1fsubject\x1fsan" -> index.
    IdMap m_answerIds;
    std::vector<std::string> m_answerKeys;
    std::vector<uint64_t> m_answerCounts;
    std::string m_answerScratch;
    IdMap m_certificateIds;
    std::vector<std::string> m_certificateKeys;
    std::vector<uint64_t> m_certificateCounts;

    std::map<int, uint64_t> m_statuses;
    std::array<uint64_t, ERROR_KIND_COUNT> m_errorsByKind{};
    std::vector<SecondStats> m_series;
    std::vector<RequestRecord> m_records;
    uint64_t m_droppedRecords = 0;
};

// curl's error text with run-dependent numbers removed so equal failures group ("after 1001 ms" -> "after N ms").
std::string normalizeErrorMessage(std::string_view message);

}  // namespace ilab::loadgen
