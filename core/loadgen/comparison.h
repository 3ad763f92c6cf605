#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/loadgen/load_config.h"
#include "core/loadgen/results.h"
#include "core/loadgen/share_statistics.h"

// Predicted vs observed (issue 13): the same request set sent to the local controller (the prediction) and to the
// cluster's controller (the observation), compared per route (= per request target of the mix). Per route: the
// backend shares (among 2xx answers) with their Wilson intervals, status codes, transport errors and latency side by side; one
// witness request per side (status + Location, no redirect following) for redirects. A difference is a
// disagreement when chance does not explain it: a two-proportion z-test per backend and per status code at
// `confidence` (a share that only one side has is "backend"/"status", one both have is "share"/"status"), and any
// witness whose redirect (3xx status or Location) differs. Each disagreement carries the request that shows it as a
// curl command line for each side. Pure functions over finished Results (with their per-request records), any thread.
namespace ilab::loadgen {

// How a side was reached: CURLOPT_CONNECT_TO entries (empty: as the URL says) and TLS settings.
struct SideConnection {
    std::string label;                   // "local controller (demo) 127.0.0.1:41234/41235"
    std::string name;                    // the side in sentences; empty: "predicted" / "observed" (the cluster)
    std::vector<std::string> connectTo;  // HOST:PORT:ADDR:PORT
    TlsVerify tlsVerify = TlsVerify::Verify;
    std::string caFile;
};

// One request sent without following redirects: what a curl -i would show.
struct Witness {
    int status = 0;            // 0: no response
    std::string location;      // Location header, as sent
    std::string error;         // transport error text when status == 0
};

// Sends `target` once through `side` (libcurl easy, HTTP/1.1, 10 s timeout). Blocks.
Witness sendWitness(const RequestTarget& target, const SideConnection& side);
// The same request as a curl command line (shell-quoted), for "the request that shows it".
std::string curlCommand(const RequestTarget& target, const SideConnection& side);

struct SideStats {
    uint64_t requests = 0, responses = 0, errors = 0;
    uint64_t backendResponses = 0;             // 2xx responses: the denominator of the backend shares
    std::map<std::string, uint64_t> backends;  // backend key -> 2xx responses
    std::map<int, uint64_t> statuses;          // HTTP status -> responses
    int64_t p50Us = 0, p90Us = 0, p99Us = 0;   // response latency of this route's responses
    Witness witness;
};

struct ShareRow {
    std::string name;  // backend key, or the status code as text for status rows
    uint64_t predicted = 0, observed = 0;
    ShareInterval predictedShare, observedShare;
    double pValue = 1;
    bool disagrees = false;
};

struct Disagreement {
    enum class Kind { Share, Backend, Status, Redirect, Errors };
    Kind kind = Kind::Share;
    size_t route = 0;
    std::string subject;           // backend name, status code, "redirect", "transport errors"
    std::string detail;            // the sentence: "agent-test: observed 50.1 % [..] vs predicted 9.8 % [..] (p < 0.0001)"
    std::string observedRequest;   // curl command against the cluster
    std::string predictedRequest;  // curl command against the local controller
};
const char* disagreementKindId(Disagreement::Kind kind);  // "share", "backend", "status", "redirect", "errors"

struct RouteComparison {
    std::string label;  // "GET http://api.example.com/version"
    SideStats predicted, observed;
    std::vector<ShareRow> backends;  // union of both sides, by predicted count desc
    std::vector<ShareRow> statuses;  // union, by code
};

struct Comparison {
    double confidence = 0.99;
    std::string predictedLabel, observedLabel;
    std::vector<RouteComparison> routes;
    std::vector<Disagreement> disagreements;
    bool agrees() const { return disagreements.empty(); }

    std::string toText() const;
    std::string toJson() const;  // indented JSON object; see README.md
};

// Per-route statistics of a finished run (needs its records: LoadConfig::recordLimit >= requests).
std::vector<SideStats> perRoute(const LoadConfig& config, const Results& results);

// p-value of the two-sided two-proportion z-test (pooled) of k1/n1 vs k2/n2; 1 when it cannot tell (n == 0, or
// both shares 0 or both 1).
double twoProportionP(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2);

// Compares the two runs of the same config. `predictedWitness`/`observedWitness`: one per target (may be empty:
// then no redirect check).
Comparison compareRuns(const LoadConfig& config, const Results& predicted, const Results& observed,
                       const SideConnection& predictedSide, const SideConnection& observedSide,
                       const std::vector<Witness>& predictedWitness, const std::vector<Witness>& observedWitness,
                       double confidence = 0.99);

// The distinct host, port and scheme of a request set: where both runs of a comparison connect (connect-to per host).
struct TargetHost {
    std::string host;
    int port = 0;
    bool https = false;
    bool operator<(const TargetHost& o) const { return std::tie(host, port, https) < std::tie(o.host, o.port, o.https); }
};
std::set<TargetHost> targetHosts(const std::vector<RequestTarget>& targets);

}  // namespace ilab::loadgen
