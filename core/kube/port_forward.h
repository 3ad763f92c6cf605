#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/common/result.h"
#include "core/kube/cluster_connection.h"
#include "core/kube/credentials.h"

namespace ilab::kube {

enum class PortForwardError { ListenFailed };

struct PortForwardTarget {
    std::string ns;
    std::string pod;
    int port = 0;  // the pod's (container) port
};

// A native `kubectl port-forward pod/NAME :PORT` (cluster.md §3.2): a listener on 127.0.0.1:<ephemeral>; every
// accepted TCP connection gets its own WebSocket to
//   GET <server>/api/v1/namespaces/NS/pods/POD/portforward?ports=PORT   Sec-WebSocket-Protocol: v4.channel.k8s.io
// (one WebSocket per TCP connection, as the protocol is not multiplexed), with the same TLS settings and
// credentials as the REST client: CA, client certificate and key as in-memory libcurl blobs, bearer token from
// the CredentialProvider, tls-server-name via CURLOPT_CONNECT_TO, the kubeconfig's proxy-url only. HTTP/1.1 is
// forced (no ALPN): the upgrade needs it. Channel 0 carries the bytes, channel 1 the kubelet's error text (which
// ends the connection and is reported through tunnelFailed); the first message on each is the port (uint16 LE)
// and is checked.
//
// Threads: the PortForward object and its listener live on the creating thread (it needs an event loop); every
// tunnel runs on its own std::thread with blocking I/O (poll on the local socket and libcurl's socket). Secrets
// stay in memory and are never logged or put in messages. close() (and the destructor) closes the listener and
// every tunnel and joins their threads.
class PortForward : public QObject {
    Q_OBJECT
public:
    PortForward(ClusterConnection connection, PortForwardTarget target,
                std::shared_ptr<CredentialProvider> credentials = {}, QObject* parent = nullptr);
    ~PortForward() override;

    // Binds 127.0.0.1:0. Returns the local port, or an error message.
    Result<int, PortForwardError> listen();
    void close();

    int localPort() const { return m_localPort; }
    const PortForwardTarget& target() const { return m_target; }
    int openTunnels() const { return m_open.load(); }
    int tunnelsOpened() const { return m_opened.load(); }
    // The last error (upgrade refused, kubelet error channel text), for the UI; empty when none.
    std::string lastError() const;

signals:
    // A tunnel could not be opened or the kubelet reported an error (message without any credential).
    void tunnelFailed(const QString& message);

private:
    class Listener;
    struct Tunnel;
    void onIncoming(qintptr descriptor);
    void runTunnel(const std::shared_ptr<Tunnel>& tunnel);
    void reapFinished();
    void fail(const std::string& message);

    ClusterConnection m_connection;
    PortForwardTarget m_target;
    std::shared_ptr<CredentialProvider> m_credentials;
    Listener* m_listener = nullptr;
    int m_localPort = 0;
    std::atomic<bool> m_closing{false};
    std::atomic<int> m_open{0};
    std::atomic<int> m_opened{0};
    mutable std::mutex m_mutex;  // guards m_tunnels and m_lastError
    std::vector<std::shared_ptr<Tunnel>> m_tunnels;
    std::string m_lastError;
};

}  // namespace ilab::kube
