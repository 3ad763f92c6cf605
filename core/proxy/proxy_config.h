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
};

}  // namespace ilab::proxy
