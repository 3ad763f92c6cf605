#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

// One finished request, as the load generator measured it. Small and trivially copyable: a run of a million
// requests keeps a million of these. Strings (backend, body, error message) are ids into Results' tables.
namespace ilab::loadgen {

enum class ErrorKind : uint8_t {
    None,      // an HTTP response arrived (any status)
    Refused,   // TCP connection refused / unreachable
    Timeout,   // connect or whole-request timeout
    Tls,       // handshake failed, certificate rejected, ...
    Dns,       // host name did not resolve
    Other,     // anything else: see the error message
};
constexpr int ERROR_KIND_COUNT = 6;

std::string_view errorKindName(ErrorKind kind);  // "none", "refused", "timeout", "tls", "dns", "other"

constexpr uint32_t NO_ID = 0xffffffffu;

struct RequestRecord {
    int64_t offsetUs = 0;          // start, relative to the start of the run
    int64_t totalUs = 0;           // response-time: start to last byte (or to the error)
    int64_t dnsUs = 0;             // CURLINFO_NAMELOOKUP_TIME_T
    int64_t connectUs = 0;         // DNS + TCP + TLS (CURLINFO_APPCONNECT_TIME_T, else CONNECT); 0 on a reused connection
    int64_t requestWriteUs = 0;    // PRETRANSFER − connect: protocol set-up until the request is sent
    int64_t responseDelayUs = 0;   // STARTTRANSFER − PRETRANSFER: waiting for the first response byte
    int64_t responseReadUs = 0;    // TOTAL − STARTTRANSFER: reading the response
    int64_t bytes = 0;             // response body bytes
    int32_t status = 0;            // HTTP status, 0 without a response
    ErrorKind error = ErrorKind::None;
    uint16_t target = 0;           // index into LoadConfig::targets
    uint32_t backend = NO_ID;      // Results::backendName(id); NO_ID for transport errors
    uint32_t body = NO_ID;         // Results::bodyText(id)
    uint32_t errorMessage = NO_ID; // Results::errorMessage(id)
};

}  // namespace ilab::loadgen
