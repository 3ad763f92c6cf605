#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

#include <optional>

#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QTcpServer>

#include "core/backends/pod_behavior.h"

namespace ilab::backends {

// Who a simulated pod is: the echo JSON reports these.
struct PodIdentity {
    std::string podName;     // web-7d9f5c8b6d-0
    std::string ns;          // default
    std::string service;     // first Service selecting the pod ("" if none)
    std::string deployment;  // web
    std::string version;     // image tag of the first container ("latest" if none)
    bool operator==(const PodIdentity&) const = default;
};

class PodConnection;

// The pod's listener: plain TCP, or TLS (QSslSocket server-side, handshake started on accept) when the pod's
// behaviour asks for it. Thread: the pod's.
class PodTcpServer : public QTcpServer {
public:
    using QTcpServer::QTcpServer;
    void setTls(std::optional<QSslConfiguration> tls) { m_tls = std::move(tls); }
    bool isTls() const { return m_tls.has_value(); }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
};

// One simulated pod: a real HTTP/1.1 server on 127.0.0.1 (llhttp, keep-alive, pipelining answered in order).
// By default it echoes the request as JSON; its PodBehavior sets fixed answers, latency and failures.
// Lives on the PodManager's pods thread (every method must be called there, except port() and
// requestsServed(), which are atomics). Owned by the PodManager.
class SimulatedPod : public QObject {
    Q_OBJECT
public:
    SimulatedPod(PodIdentity identity, PodBehavior behavior, std::uint64_t seed, QObject* parent = nullptr);
    ~SimulatedPod() override;

    // Starts listening on 127.0.0.1:preferredPort (0 = any free port; falls back to any port when the preferred
    // one is taken). Returns the port, or 0 with `error` set. A pod whose behaviour has `tls` serves HTTPS with a
    // self-signed certificate for its own name (EC P-256, made on the first listen).
    int listen(int preferredPort, std::string* error = nullptr);
    // Closes the listener and every connection at once (a crashed container: connects are refused).
    void stop();
    bool isListening() const { return m_server.isListening(); }

    int port() const { return m_port.load(); }  // last port listened on (kept after stop, for restart)
    std::uint64_t requestsServed() const { return m_requests.load(); }
    const PodIdentity& identity() const { return m_identity; }
    void setIdentity(PodIdentity identity) { m_identity = std::move(identity); }
    const PodBehavior& behavior() const { return m_behavior; }

    // Used by PodConnection: the answer to one request.
    struct Request {
        std::string method, url, version;
        std::vector<std::pair<std::string, std::string>> headers;  // names as received
        std::uint64_t bodyBytes = 0;
    };
    struct Response {
        int status = 200;
        std::string contentType;
        std::string body;
        std::vector<std::pair<std::string, std::string>> headers;
        int latencyMs = 0;
    };
    Response answer(const Request& req);
    void connectionClosed(PodConnection* c);

private:
    void onNewConnection();

    PodIdentity m_identity;
    PodBehavior m_behavior;
    std::mt19937_64 m_rng;
    PodTcpServer m_server;
    QSet<PodConnection*> m_connections;
    std::atomic<int> m_port{0};
    std::atomic<std::uint64_t> m_requests{0};
};

}  // namespace ilab::backends
