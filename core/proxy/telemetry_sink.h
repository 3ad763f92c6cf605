#pragma once

#include <string>

#include "core/proxy/access_record.h"

// The interface the proxy reports through, in its own header so that implementations (the controller's
// telemetry, tests) need not include the data plane.
namespace ilab::proxy {

// Where the proxy reports what happens. Called on proxy worker threads: implementations must be thread-safe
// and cheap (append to a ring buffer / bump counters), never block.
class TelemetrySink {
public:
    virtual ~TelemetrySink() = default;
    virtual void onRequest(const AccessRecord& record) = 0;
    // Controller-style events and log lines ("TLS handshake failed", "upstream ... refused", ...).
    // type: "Normal" | "Warning"; object: "Ingress default/web" or "" ; reason: "TLSHandshakeFailed", ...
    virtual void onEvent(const std::string& type, const std::string& reason, const std::string& object,
                         const std::string& message) = 0;
    virtual void onConnectionOpened(bool tls) {}
    virtual void onConnectionClosed(bool tls) {}
    virtual void onTlsHandshakeFailed(const std::string& reason) {}
    // A RequestMirror copy is finished (answered or failed) or was not sampled.
    virtual void onMirror(const MirrorRecord& record) {}
};

}  // namespace ilab::proxy
