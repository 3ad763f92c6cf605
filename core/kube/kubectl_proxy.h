#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/kube/cluster_connection.h"

namespace ilab::kube {

// The kubectl transport (cluster.md §4 and §7.3) for users whose credentials Ingress Lab does not produce itself:
// a kubeconfig `auth-provider` (oidc is the one client-go still has). `kubectl proxy --unix-socket` runs as a
// child process and adds the credentials; we speak plain HTTP to it over a unix socket in a private 0700 folder,
// so no other local user can reach it (a TCP port on 127.0.0.1 could be). It carries everything the native client
// does over the API server: REST, watches, server-side apply, pod logs and the v4.channel.k8s.io WebSocket
// port-forward (kubectl proxy passes upgrades through; it refuses exec and attach, which we never use). One
// process serves the whole session, where `kubectl port-forward` would need one process per pod.
struct KubectlProxyOptions {
    std::string kubectl;  // the program; empty: "kubectl" found in PATH
    // KUBECONFIG for the child (the files the connection was resolved from, in order); empty: the environment's.
    std::vector<std::string> kubeconfigFiles;
    std::string context;  // --context; empty: the current context
    std::chrono::milliseconds startTimeout{15000};
};

// Lives on a thread with an event loop (QProcess). start() -> ready() once kubectl says "Starting to serve on",
// or failed(message) with kubectl's own error text (e.g. `no Auth Provider found for name "x"`). After ready(),
// exited(message) says the child went away. The destructor stops the child it started (SIGTERM, then SIGKILL
// after 2 s) and removes the socket folder.
class KubectlProxy : public QObject {
    Q_OBJECT
public:
    explicit KubectlProxy(KubectlProxyOptions options, QObject* parent = nullptr);
    ~KubectlProxy() override;

    void start();
    // Blocking (a local event loop): start() and wait for ready() or failed(). Returns "" when ready, else the
    // error. For the CLI and tests.
    QString startAndWait();
    void stop();

    bool isReady() const { return m_ready; }
    std::string socketPath() const { return m_socketPath; }
    QString program() const { return m_program; }
    qint64 pid() const;

signals:
    void ready();
    void failed(const QString& message);
    void exited(const QString& message);

private:
    void onStdout();
    void onFinished(int code, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void fail(const QString& message);
    QString stderrText() const;

    KubectlProxyOptions m_options;
    QString m_program;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_socketPath;
    QProcess* m_process = nullptr;
    QTimer m_timeout;
    QByteArray m_stdout, m_stderr;
    bool m_ready = false;
    bool m_done = false;  // failed() or exited() was emitted
};

// `connection` as it goes through a running kubectl proxy: plain HTTP to http://localhost over `socketPath`, no
// credentials, CA, tls-server-name, proxy-url or impersonation of our own (kubectl applies the kubeconfig's).
// `server` keeps the real address for messages.
ClusterConnection connectionThroughKubectl(const ClusterConnection& connection, const std::string& socketPath);

// Whether Ingress Lab needs the kubectl transport for this connection's user (an auth-provider).
bool needsKubectlTransport(const ClusterConnection& connection);

}  // namespace ilab::kube
