#pragma once

#include <QTimer>

#include <atomic>
#include <chrono>
#include <memory>

#include "core/kube/cluster_connection.h"
#include "core/kube/credentials.h"
#include "core/kube/distribution.h"
#include "core/kube/ingress_classes.h"
#include "core/kube/exec_consent.h"
#include "core/kube/informer.h"
#include "core/kube/kubeconfig.h"
#include "core/kube/kubectl_proxy.h"
#include "core/kube/rest_client.h"
#include "ui/cluster_session.h"

namespace ilab::app {

// The GUI's ClusterSession on core/kube (shared/cluster.md §7): kubeconfig resolution as kubectl does it, a
// RestClient (libcurl I/O thread + credential thread; results queued to the GUI thread), informers for the
// namespace's Ingresses, Services and Events, and a /version probe every few seconds that notices a lost
// connection and reconnects with exponential back-off (1 s doubling to 30 s). A server that cannot be reached on
// first contact is retried the same way (error(): "Cannot reach ...: <curl error> — retrying in Ns"); rejected
// credentials and certificates that do not verify stop at Disconnected. Exec plugins run only after
// grantConsent() (the consent store is shared with the CLI). Lives on the GUI thread; never blocks it.
class ClusterSessionImpl : public ui::ClusterSession {
    Q_OBJECT
public:
    // `options` as for kubectl without flags (KUBECONFIG / ~/.kube/config); `consent` not owned, outlives this.
    ClusterSessionImpl(kube::KubeconfigOptions options, kube::ExecConsentStore* consent, QObject* parent = nullptr);
    ~ClusterSessionImpl() override;

    void reloadKubeconfig() override;
    QStringList contexts() const override { return m_contexts; }
    QString currentContext() const override { return m_currentContext; }
    QString kubeconfigError() const override { return m_kubeconfigError; }
    QString kubeconfigFiles() const override { return m_kubeconfigFiles; }
    QString namespaceOfContext(const QString& context) const override;

    void connectTo(const QString& context, const QString& ns) override;
    void disconnectFromCluster() override;
    void grantConsent(const kube::ExecConsentRequest& request) override;
    void declineConsent(const kube::ExecConsentRequest& request) override;
    bool usesCredentialPlugin() const override { return m_conn.auth.exec.has_value(); }
    void cancelCredentialPlugin() override { m_cancelPlugin = true; }
    QString credentialPluginStderr() const override { return m_pluginStderr; }
    // How long an exec plugin may run before it is stopped (default 2 minutes: kubelogin may wait for a browser).
    void setExecTimeout(std::chrono::milliseconds timeout) { m_execTimeout = timeout; }

    State state() const override { return m_state; }
    QString context() const override { return m_context; }
    QString ns() const override { return m_ns; }
    QString serverVersion() const override { return m_version; }
    // The server; through kubectl proxy: "https://… (through kubectl proxy: auth-provider oidc)".
    QString server() const override {
        return m_via.isEmpty() ? QString::fromStdString(m_conn.server)
                               : tr("%1 (through %2)").arg(QString::fromStdString(m_conn.server), m_via);
    }
    QStringList ingressClassWarnings() const override;
    QString distribution() const override { return QString::fromStdString(m_distribution.label()); }
    QString distributionDetail() const override { return QString::fromStdString(m_distribution.text()); }
    bool tlsVerificationDisabled() const override { return m_client && m_conn.insecureSkipTlsVerify; }
    QString error() const override { return m_error; }
    QStringList namespaces() const override { return m_namespaces; }
    QString namespacesError() const override { return m_namespacesError; }
    kube::RestClient* client() const override { return m_client.get(); }
    std::optional<kube::ClusterConnection> connection() const override {
        return m_client ? std::optional<kube::ClusterConnection>(m_conn) : std::nullopt;
    }
    std::shared_ptr<kube::CredentialProvider> credentialProvider() const override {
        return m_client ? m_provider : nullptr;
    }
    kube::StoreConstSharedPtr ingresses() const override;
    kube::StoreConstSharedPtr services() const override;
    kube::StoreConstSharedPtr events() const override;

    // Probe period and back-off bounds (tests shorten them).
    void setProbeTiming(int periodMs, int minBackoffMs, int maxBackoffMs);

private:
    void setState(State s);
    void setError(const QString& e);
    void openClient();
    void startKubectlTransport();
    void probe();
    void onProbe(const kube::RestReply& reply);
    void startInformers();
    void listNamespaces(const std::string& continueToken, QStringList soFar);
    void stopAll();

    kube::KubeconfigOptions m_options;
    kube::ExecConsentStore* m_consent;
    kube::Kubeconfig m_config;
    QStringList m_contexts;
    QString m_currentContext, m_kubeconfigError, m_kubeconfigFiles;

    State m_state = State::Disconnected;
    QString m_context, m_ns, m_version, m_error;
    kube::ClusterConnection m_conn;
    kube::Distribution m_kubeconfigDistribution, m_distribution;
    std::vector<kube::IngressClassInfo> m_ingressClasses;  // listed once per connection
    // Listed once per connection; kept while the context stays the same (a namespace switch reconnects).
    QStringList m_namespaces;
    QString m_namespacesError, m_namespacesContext;
    // Declared before m_client: the provider keeps a pointer to m_cancelPlugin and dies with the client.
    std::atomic<bool> m_cancelPlugin{false};
    std::chrono::milliseconds m_execTimeout{std::chrono::minutes(2)};
    std::shared_ptr<kube::CredentialProvider> m_provider;  // exec plugin / token file; also held by m_client
    QString m_pluginStderr;
    // The kubectl transport for auth-provider users (core/kube/kubectl_proxy.h); m_via says so in server().
    std::unique_ptr<kube::KubectlProxy> m_kubectl;
    QString m_via;
    std::unique_ptr<kube::RestClient> m_client;
    std::unique_ptr<kube::Informer> m_ingresses, m_services, m_events;
    QTimer m_probeTimer;
    bool m_probeInFlight = false;
    int m_backoffMs = 0;
    int m_probePeriodMs = 5000, m_minBackoffMs = 1000, m_maxBackoffMs = 30000;
    quint64 m_attempt = 0;  // bumped on every connect/disconnect: stale replies are ignored
};

}  // namespace ilab::app
