#pragma once

#include <string>
#include <string_view>

// Error answers the ingress controller produced itself (its 404 default backend, 503 Service not found / no
// endpoints, 502/504 upstream failures, rate-limit rejections), told apart from a backend's answers. The local
// controller names the cause in `X-Ingress-Lab-Reason: <code>; <detail>` (proxy::ProxyConfig::exposeErrorReason);
// a real ingress-nginx only sends nginx's error page ("<center>nginx</center>"), which is recognised too, without a
// cause. Pure functions, any thread; input is hostile (never reads past the end).
namespace ilab::loadgen {

struct LocalError {
    std::string_view reason;  // "service-not-found", ...; "error-page" for nginx's page without a reason header
    std::string_view detail;  // "Service default/web not found"; may be empty
};

// True when the response is the controller's own error answer; `out` then says why. `reasonHeader` is the
// X-Ingress-Lab-Reason value ("" when absent). A status below 400 is never an error answer.
bool localError(int status, std::string_view body, std::string_view reasonHeader, LocalError& out);

// nginx's built-in error page for `status` ("<html>…<title>503 Service Temporarily Unavailable</title>…
// <center>nginx</center>…").
bool isNginxErrorPage(std::string_view body);

// A reason code as people say it: "service-not-found" -> "Service not found", "no-endpoints" -> "no endpoints",
// "upstream-timeout" -> "upstream timeout", "upstream-refused" -> "connection refused"; unknown codes as given.
std::string errorReasonLabel(std::string_view reason);

// "503 Service not found" (+ " — detail" when `withDetail` and there is one): how the CLI and the GUI name a group.
std::string errorGroupLabel(int status, std::string_view reason, std::string_view detail, bool withDetail);

}  // namespace ilab::loadgen
