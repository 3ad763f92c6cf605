#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

// A real kube-apiserver v1.20.2 + etcd on 127.0.0.1 for tests (tests/kube/README.md).
//
//   if (!KubeServer::available(&why)) ...              // or ILAB_REQUIRE_KUBE_SERVER() in a QtTest slot
//   KubeServer kube;
//   QVERIFY2(kube.start(), qPrintable(kube.errorString()));
//   kube.kubeconfig("admin-cert")                      // DIR/admin-cert.kubeconfig
//   kube.kubectl({"get", "ns"}, &code)                  // real kubectl, always with --kubeconfig admin-cert
//   kube.stop();                                       // also done by the destructor
//
// Every start() gets its own directory, free ports and fresh credentials, so tests may run in parallel
// (ctest -j). If the test process dies without stop(), a watchdog started with the server stops it.
//
// Kubeconfig modes (all: cluster/context "kind-ilab", namespace default, CA embedded unless noted):
//   admin-cert        client certificate, embedded (client-certificate-data / client-key-data)
//   admin-certfiles   client certificate + CA as file paths relative to the kubeconfig (pki/...)
//   admin-token       static bearer token (token:)
//   admin-tokenfile   the same token read from a file (tokenFile: admin.token, relative)
//   limited           client certificate of user "ilab-limited" (no RBAC rights: 403 on everything)
//   limited-token     static token of user "ilab-limited"
//   admin-oidc        auth-provider oidc with an id-token (a JWT valid until 2100) that tokens.csv maps to user
//                     "ilab-oidc" in system:masters: what Ingress Lab runs through kubectl proxy
// The admin user is in group system:masters (cluster-admin).
namespace ilab::testing {

class KubeServer {
public:
    KubeServer();
    ~KubeServer();
    KubeServer(const KubeServer&) = delete;
    KubeServer& operator=(const KubeServer&) = delete;

    // True when the kube-apiserver binary, etcd, openssl, curl and kubectl are all there; otherwise
    // false with the reason (and what to run) in *why.
    static bool available(QString* why);
    // True when env ILAB_KUBE_OPTIONAL=1: a missing server skips kube tests instead of failing them.
    static bool optional();
    // ${ILAB_KUBE_APISERVER} or ${ILAB_KUBE_CACHE:-$HOME/.cache/ingress-lab/kube}/v1.20.2/bin/kube-apiserver
    static QString apiserverBinary();

    // Starts etcd + kube-apiserver in a fresh temporary directory and waits for /readyz. False with
    // errorString() (including the script's output and log tails) on failure.
    bool start();
    // Restarts only kube-apiserver: same port, certificates, tokens and etcd data (so kubeconfigs stay valid and
    // stored objects survive). For reconnect tests and watches across a restart.
    bool restartApiServer();
    // Stops exactly the processes start() started (by PID). Safe to call twice.
    void stop();
    bool isRunning() const { return m_running; }

    QString server() const;                           // https://127.0.0.1:<port>
    QString kubeconfig(const QString& mode) const;    // <dir>/<mode>.kubeconfig, modes above
    QString dir() const;                              // the state directory (certs, etcd data, logs, env)
    QString caFile() const;                           // <dir>/pki/ca.crt
    QString token(const QString& user) const;         // "admin", "limited" or "oidc": the bearer token
    QString envValue(const QString& key) const;       // a KEY=value from <dir>/env (ports, PIDs, URLs)
    QList<qint64> pids() const;                       // processes started (apiserver, etcd, watchdog)
    double startSeconds() const { return m_startSeconds; }
    QString errorString() const { return m_error; }

    // `patch TYPE NAME --subresource=status --type=merge -p JSON` (node, pod, service, ingress) is sent as the REST
    // PATCH it stands for, with curl and the admin certificate: --subresource needs kubectl >= 1.24 and Debian 12
    // ships 1.20.2. Everything else:
    // Runs the real kubectl with --kubeconfig <dir>/admin-cert.kubeconfig (or kubeconfig(mode) when
    // args already contain --kubeconfig, which then wins), feeding stdinData. Returns stdout; stderr is
    // appended to stdout when the exit code is not 0. *exitCode gets the exit code (-1: did not run).
    QByteArray kubectl(const QStringList& args, int* exitCode = nullptr, const QByteArray& stdinData = {}) const;
    // The same with an explicit kubeconfig mode.
    QByteArray kubectlAs(const QString& mode, const QStringList& args, int* exitCode = nullptr,
                         const QByteArray& stdinData = {}) const;

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_dir;
    bool m_running = false;
    double m_startSeconds = 0;
    QString m_error;
};

}  // namespace ilab::testing

// In a QtTest slot: fail (or, with ILAB_KUBE_OPTIONAL=1, skip) when the real API server is missing.
#define ILAB_REQUIRE_KUBE_SERVER()                                                                       \
    do {                                                                                                 \
        QString ilabKubeWhy_;                                                                            \
        if (!::ilab::testing::KubeServer::available(&ilabKubeWhy_)) {                                    \
            if (::ilab::testing::KubeServer::optional()) QSKIP(qPrintable(ilabKubeWhy_));                \
            QFAIL(qPrintable(ilabKubeWhy_ + QStringLiteral(" (set ILAB_KUBE_OPTIONAL=1 to skip instead)"))); \
        }                                                                                                \
    } while (false)
