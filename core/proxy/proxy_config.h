#pragma once

#include <string>

// The proxy's settings, a plain value struct in its own header so that callers that only configure a run (the
// GUI's lab panel, the CLI) need not include the data plane.
namespace ilab::proxy {

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
    // Adds `X-Ingress-Lab-Reason: <code>; <detail>` to the error answers the controller produces itself (its 404
    // default backend, 503 Service not found / no endpoints, 502/504 upstream failures, rate-limit rejections),
    // so a traffic counter can tell them from a backend's answers and group them by cause. ingress-nginx sends
    // only its error page; the lab turns this on, `serve` with --explain-errors.
    bool exposeErrorReason = false;
};

}  // namespace ilab::proxy
