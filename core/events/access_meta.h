#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/proxy/proxy_server.h"

namespace ilab::events {

class LineLog;

// The parts of a proxy::AccessRecord that ingress-nginx's access-log line does not carry (Host, scheme, the
// Ingress that matched, canary choice, answering pod). The controller appends them next to each access-log
// line (LineLog::append(line, meta)) so that the GUI can show them and replay a request exactly (the
// explainer's "pick from access log") without guessing the Host from the traffic mix. Value type.
struct AccessMeta {
    std::string host;     // Host header / :authority as received (port stripped by the proxy or not: as recorded)
    std::string scheme;   // "http" | "https"
    std::string ingress;  // "ns/name" or ""
    std::string canary;   // "", "main", "canary"
    std::string podName;  // simulated pod that answered, or ""
    // The request time in microseconds (the log line carries nginx's millisecond $request_time); -1 = unknown.
    std::int64_t requestTimeUs = -1;
    // AccessRecord::errorReason / errorDetail: the controller answered an error itself ("" for a backend's answer).
    std::string errorReason;
    std::string errorDetail;
    bool isEmpty() const { return host.empty() && scheme.empty() && ingress.empty() && canary.empty() && podName.empty(); }
};

// "v1\thost\tscheme\tingress\tcanary\tpod\trequestTimeUs[\terrorReason\terrorDetail]"; tabs and control bytes
// inside values become spaces. A v1 record without the trailing fields (older writers) decodes with
// requestTimeUs = -1 and no error reason.
std::string encodeAccessMeta(const proxy::AccessRecord& record);
// Missing or unknown-version input gives an empty AccessMeta (never throws).
AccessMeta decodeAccessMeta(std::string_view meta);
// What the controller's telemetry sink calls per request: the ingress-nginx line plus its AccessMeta.
std::uint64_t appendAccessRecord(LineLog& log, const proxy::AccessRecord& record);

}  // namespace ilab::events
