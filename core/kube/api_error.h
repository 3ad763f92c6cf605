#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ilab::kube {

// One entry of a Status' details.causes (Kubernetes metav1.StatusCause), e.g. for a 422:
// {field: "spec.rules[0].host", reason: "FieldValueInvalid", message: "Invalid value: ..."}, or for an SSA conflict
// {field: ".spec.ingressClassName", reason: "FieldManagerConflict", message: "conflict with \"other\""}.
struct StatusCause {
    std::string field, reason, message;
    bool operator==(const StatusCause&) const = default;
};

// A failure the API server answered with (cluster.md §2.2): the HTTP code and the Status body, when there is one.
// `reason` is the Status reason (Unauthorized, Forbidden, NotFound, AlreadyExists, Conflict, Invalid, Expired,
// TooManyRequests, Timeout, ...); a response without a Status body gets the reason derived from the HTTP code and
// the start of the body (sanitised, at most 200 bytes) as message.
struct ApiError {
    int http = 0;
    std::string reason, message;
    std::string group, kind, name;  // details.{group,kind,name}
    std::vector<StatusCause> causes;
    // The longer of the Retry-After header and details.retryAfterSeconds, when either is present.
    std::optional<std::chrono::seconds> retryAfter;
    std::string continueToken;  // metadata.continue of a 410 on a paged list (the server's fresh token)

    bool hasCause(std::string_view causeReason) const;
    bool isConflictWithManagers() const { return http == 409 && hasCause("FieldManagerConflict"); }
    bool isExpired() const { return http == 410; }
    // 429, 503 and 504: worth retrying after retryAfter (or a back-off) for idempotent requests.
    bool isRetryable() const { return http == 429 || http == 503 || http == 504; }
};

// A failure below HTTP: libcurl could not connect, resolve, verify the certificate, or the connection broke.
struct TransportError {
    int curlCode = 0;     // CURLcode
    std::string message;  // curl_easy_strerror + CURLOPT_ERRORBUFFER
    std::string tlsDetail;  // certificate verification result (X509_verify_cert_error_string) when TLS failed
};

enum class RestErrorKind {
    Api,          // the server answered with an error status (api is set)
    Transport,    // transport is set
    BadResponse,  // 2xx but the body is not what was expected (not JSON, wrong kind)
    Credentials,  // the CredentialSource could not produce a token
    Cancelled,    // cancelled by the caller or the client shut down
};

struct RestError {
    RestErrorKind kind = RestErrorKind::Api;
    ApiError api;
    TransportError transport;
    std::string message;  // for BadResponse / Credentials / Cancelled

    // One line for logs and the UI, e.g. "422 Invalid: Ingress \"shop\" is invalid: ... (spec.rules[0].host:
    // FieldValueInvalid)". Never contains request headers or bodies that were sent.
    std::string describe() const;
};

// Parses a Kubernetes Status body (`{"kind":"Status",...}`) returned with HTTP code `http`. A body that is not a
// Status (an HTML page from a proxy, empty) still gives an ApiError with the HTTP code and a derived reason.
// `retryAfterHeader` is the raw Retry-After header value (seconds; an HTTP date is ignored).
ApiError parseStatus(int http, std::string_view body, std::string_view retryAfterHeader = {});

// The Status reason Kubernetes uses for an HTTP code without a body (apimachinery errors.go reasonForError):
// 401 Unauthorized, 403 Forbidden, 404 NotFound, 409 Conflict, 410 Expired, 422 Invalid, 429 TooManyRequests,
// 504 Timeout, 500 InternalError, 503 ServiceUnavailable, other: "Unknown".
std::string reasonForHttp(int http);

// Parses one `Warning` header value (RFC 7234 §5.5: `299 - "text"` with backslash escapes) into its text; a value
// not in that form is returned as is (trimmed).
std::string parseWarningHeader(std::string_view value);

}  // namespace ilab::kube
