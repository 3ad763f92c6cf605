#include "core/loadgen/error_response.h"

namespace ilab::loadgen {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}
}  // namespace

bool isNginxErrorPage(std::string_view body) {
    // The page is small (< 200 bytes for every status); a backend's HTML that merely mentions nginx is longer
    // or lacks the <title>NNN shape.
    if (body.size() > 1024 || body.substr(0, 6) != "<html>") return false;
    const size_t title = body.find("<title>");
    if (title == std::string_view::npos || title + 10 > body.size()) return false;
    for (size_t i = title + 7; i < title + 10; ++i)
        if (body[i] < '0' || body[i] > '9') return false;
    return body.find("<center>nginx</center>") != std::string_view::npos;
}

bool localError(int status, std::string_view body, std::string_view reasonHeader, LocalError& out) {
    out = {};
    if (status < 400) return false;
    reasonHeader = trim(reasonHeader);
    if (!reasonHeader.empty()) {
        const size_t semi = reasonHeader.find(';');
        out.reason = trim(reasonHeader.substr(0, semi));
        if (semi != std::string_view::npos) out.detail = trim(reasonHeader.substr(semi + 1));
        if (out.reason.empty()) out.reason = "error-page";
        return true;
    }
    if (isNginxErrorPage(body)) {
        out.reason = "error-page";
        return true;
    }
    return false;
}

std::string errorReasonLabel(std::string_view reason) {
    struct Label {
        std::string_view code, text;
    };
    static constexpr Label LABELS[] = {
        {"service-not-found", "Service not found"},
        {"no-service-port", "Service port not found"},
        {"no-endpoints", "no endpoints"},
        {"no-route", "no matching rule (default backend)"},
        {"upstream-timeout", "upstream timeout"},
        {"upstream-refused", "connection refused"},
        {"upstream-reset", "upstream closed the connection"},
        {"upstream-invalid", "invalid upstream response"},
        {"upstream-tls", "upstream TLS handshake failed"},
        {"backend-protocol", "backend protocol not supported"},
        {"rate-limited", "rate limited"},
        {"connection-limit", "connection limit"},
        {"denied", "denied by allow/deny list"},
        {"body-too-large", "request body too large"},
        {"bad-request", "bad request"},
        {"client-timeout", "client timeout"},
        {"error-page", "controller error page"},
        {"controller", "controller error"},
    };
    for (const auto& l : LABELS)
        if (l.code == reason) return std::string(l.text);
    return std::string(reason);
}

std::string errorGroupLabel(int status, std::string_view reason, std::string_view detail, bool withDetail) {
    std::string out = std::to_string(status) + " " + errorReasonLabel(reason);
    if (withDetail && !detail.empty()) {
        out += " — ";
        out += detail;
    }
    return out;
}

}  // namespace ilab::loadgen
