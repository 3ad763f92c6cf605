#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

#include "core/kube/cluster_connection.h"
#include "core/kube/exec_consent.h"
#include "core/kube/informer.h"

namespace ilab::kube {
class CredentialProvider;
class RestClient;
}

namespace ilab::ui {

// A session with one Kubernetes cluster (shared/cluster.md section 7): the kubeconfig context and namespace, a
// REST client, and live views (informers) of the namespace's Ingresses, Services and Events. Implemented in the
// composition root (app/gui/cluster_session_impl.*) and handed to the main window through AppServices::cluster.
// GUI thread: every method is called there and every signal is emitted there; nothing here blocks (REST
// callbacks are queued to the GUI thread, credentials and exec plugins run on the REST client's own thread).
class ClusterSession : public QObject {
    Q_OBJECT
public:
    enum class State {
        Disconnected,  // nothing chosen yet, a configuration error, or waiting for exec-plugin consent
        Connecting,    // first contact (GET /version)
        Connected,     // the server answered; informers run
        Lost,          // it answered before and does not now: reconnecting by itself with back-off
    };
    Q_ENUM(State)

    using QObject::QObject;
    ~ClusterSession() override = default;

    // The kubeconfig (KUBECONFIG, else ~/.kube/config) read again: context names and the current context. An
    // unreadable or malformed kubeconfig gives no contexts and the reason in kubeconfigError().
    virtual void reloadKubeconfig() = 0;
    virtual QStringList contexts() const = 0;
    virtual QString currentContext() const = 0;     // kubeconfig current-context
    virtual QString kubeconfigError() const = 0;
    virtual QString kubeconfigFiles() const = 0;    // for messages
    // The namespace the context would use ("default" when it sets none).
    virtual QString namespaceOfContext(const QString& context) const = 0;

    // Connects to `context` (empty: current-context) in `ns` (empty: the context's). Returns at once; the state
    // goes Connecting -> Connected (or Disconnected with error()). An exec credential plugin that has not been
    // approved stops here with consentRequested(): call grantConsent() (then it connects) or nothing.
    virtual void connectTo(const QString& context, const QString& ns) = 0;
    virtual void disconnectFromCluster() = 0;
    virtual void grantConsent(const kube::ExecConsentRequest& request) = 0;
    // The user said no: nothing runs, error() says so.
    virtual void declineConsent(const kube::ExecConsentRequest& request) { Q_UNUSED(request) }
    // The connection's user gets credentials from an exec plugin (shown while Connecting: it may wait for a login).
    virtual bool usesCredentialPlugin() const { return false; }
    // Stops a running exec plugin (kubectl would need Ctrl-C): the connection attempt ends with error() "... was
    // cancelled".
    virtual void cancelCredentialPlugin() {}
    // What the exec plugin wrote to stderr the last time it failed, was cancelled or timed out (its login hints;
    // at most 8 KiB), "" otherwise. Never logged.
    virtual QString credentialPluginStderr() const { return {}; }

    virtual State state() const = 0;
    virtual QString context() const = 0;
    virtual QString ns() const = 0;
    virtual QString serverVersion() const = 0;  // gitVersion of GET /version, e.g. "v1.20.2"
    virtual QString server() const = 0;
    // The local distribution recognised from the kubeconfig and the Nodes (core/kube/distribution.h): "kind",
    // "minikube" or "" when unknown; distributionDetail() names it with its evidence ("kind (cluster ilab; ...)").
    // One warning per IngressClass the namespace's live Ingresses use (or the default class) whose controller is
    // not ingress-nginx (core/kube/ingress_classes.h); empty when all are ingress-nginx or classes are unreadable.
    virtual QStringList ingressClassWarnings() const { return {}; }
    virtual QString distribution() const { return {}; }
    virtual QString distributionDetail() const { return {}; }
    // insecure-skip-tls-verify of the connected cluster: the window shows a permanent red banner.
    virtual bool tlsVerificationDisabled() const = 0;
    // The last error, one line, credential-free ("" when none): kubeconfig errors, TLS, 401, 403, ...
    virtual QString error() const = 0;
    // The cluster's namespaces for the namespace picker (GET /api/v1/namespaces once per connection, sorted);
    // empty until listed. When listing them is not allowed (RBAC: a user limited to some namespaces) the list
    // stays empty and namespacesError() says why ("" after a successful list); the picker then takes free text.
    virtual QStringList namespaces() const { return {}; }
    virtual QString namespacesError() const { return {}; }

    // The REST client of the connection (null unless Connecting/Connected/Lost). Its callbacks must use a
    // context object on the GUI thread.
    virtual kube::RestClient* client() const = 0;
    // The resolved context (server, TLS, credentials) of that client, for what talks to the API server outside the
    // REST client: the native port-forwards of cluster-backed Services. Empty unless client() is set.
    virtual std::optional<kube::ClusterConnection> connection() const { return std::nullopt; }
    // The credential provider of that client (token file, exec plugin run with the consent the user gave), null
    // for static credentials. The port-forwards use it, so an exec-plugin user can open tunnels as well.
    virtual std::shared_ptr<kube::CredentialProvider> credentialProvider() const { return {}; }
    // Live snapshots of the namespace (null before the first list).
    virtual kube::StoreConstSharedPtr ingresses() const = 0;
    virtual kube::StoreConstSharedPtr services() const = 0;
    virtual kube::StoreConstSharedPtr events() const = 0;

signals:
    void stateChanged(ilab::ui::ClusterSession::State state);
    void errorChanged(const QString& error);
    void kubeconfigChanged();
    void consentRequested(const ilab::kube::ExecConsentRequest& request);
    // The REST client (client()) is about to be destroyed (disconnect, another context, rejected credentials):
    // whatever holds a reference to it (informers, log streams, port-forward endpoints) lets go now.
    void clientAboutToBeDestroyed();
    void objectsChanged();  // ingresses() or services() has a new snapshot
    void eventsChanged();   // events() has a new snapshot
    void namespacesChanged();  // namespaces() or namespacesError() changed
    // A Warning header or an informer problem worth showing in the event log.
    void warning(const QString& text);
};

}  // namespace ilab::ui
