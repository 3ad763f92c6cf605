#include "app/gui/cluster_session_impl.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

#include "core/kube/credentials.h"
#include "core/kube/distribution.h"
#include "core/kube/ingress_classes.h"
#include "core/kube/workspace_objects.h"

namespace ilab::app {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// One line for the status bar / panel, credential-free (RestError::describe never carries one).
// A certificate problem (verification, a bad client certificate or CA): retrying cannot help.
bool isTlsVerificationFailure(const kube::TransportError& t) {
    if (!t.tlsDetail.empty()) return true;
    switch (t.curlCode) {
    case 58:  // CURLE_SSL_CERTPROBLEM
    case 60:  // CURLE_PEER_FAILED_VERIFICATION
    case 77:  // CURLE_SSL_CACERT_BADFILE
    case 83:  // CURLE_SSL_ISSUER_ERROR
    case 90:  // CURLE_SSL_PINNEDPUBKEYNOTMATCH
    case 91:  // CURLE_SSL_INVALIDCERTSTATUS
        return true;
    default: return false;
    }
}

QString describeFailure(const kube::RestError& e, const kube::ClusterConnection& c) {
    if (e.kind == kube::RestErrorKind::Transport) {
        QString t = QObject::tr("Cannot reach %1: %2").arg(qs(c.server), qs(e.transport.message));
        if (!e.transport.tlsDetail.empty()) t += QObject::tr(" (TLS: %1)").arg(qs(e.transport.tlsDetail));
        return t;
    }
    if (e.kind == kube::RestErrorKind::Credentials)
        return QObject::tr("Credentials of user \"%1\": %2").arg(qs(c.userName), qs(e.message));
    if (e.kind == kube::RestErrorKind::Api && e.api.http == 401)
        return QObject::tr("The server rejected the credentials of user \"%1\" (401 Unauthorized)").arg(qs(c.userName));
    if (e.kind == kube::RestErrorKind::Api && e.api.http == 403)
        return QObject::tr("Forbidden (403) for user \"%1\": %2").arg(qs(c.userName), qs(e.api.message));
    return qs(e.describe());
}

}  // namespace

ClusterSessionImpl::ClusterSessionImpl(kube::KubeconfigOptions options, kube::ExecConsentStore* consent, QObject* parent)
    : ui::ClusterSession(parent), m_options(std::move(options)), m_consent(consent) {
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, &ClusterSessionImpl::probe);
    reloadKubeconfig();
}

ClusterSessionImpl::~ClusterSessionImpl() { stopAll(); }

void ClusterSessionImpl::setProbeTiming(int periodMs, int minBackoffMs, int maxBackoffMs) {
    m_probePeriodMs = periodMs;
    m_minBackoffMs = minBackoffMs;
    m_maxBackoffMs = maxBackoffMs;
}

void ClusterSessionImpl::reloadKubeconfig() {
    auto loaded = kube::loadKubeconfig(m_options);
    m_contexts.clear();
    m_kubeconfigFiles = qs(kube::Kubeconfig{kube::kubeconfigPaths(m_options), {}, {}, {}, {}, {}}.filesForMessages());
    if (!loaded) {
        m_config = {};
        m_currentContext.clear();
        m_kubeconfigError = qs(loaded.message());
    } else {
        m_config = loaded.value();
        m_kubeconfigError.clear();
        for (const auto& n : m_config.contextNames()) m_contexts << qs(n);
        m_currentContext = qs(m_config.currentContext);
        if (m_contexts.isEmpty()) m_kubeconfigError = tr("No contexts in %1").arg(qs(m_config.filesForMessages()));
    }
    emit kubeconfigChanged();
}

QString ClusterSessionImpl::namespaceOfContext(const QString& context) const {
    auto it = m_config.contexts.find(context.toStdString());
    if (it == m_config.contexts.end() || it->second.ns.empty()) return QStringLiteral("default");
    return qs(it->second.ns);
}

void ClusterSessionImpl::setState(State s) {
    if (s == m_state) return;
    m_state = s;
    emit stateChanged(s);
}

void ClusterSessionImpl::setError(const QString& e) {
    if (e == m_error) return;
    m_error = e;
    emit errorChanged(e);
}

void ClusterSessionImpl::stopAll() {
    if (m_client) emit clientAboutToBeDestroyed();
    ++m_attempt;
    m_probeTimer.stop();
    m_probeInFlight = false;
    m_ingresses.reset();
    m_services.reset();
    m_events.reset();
    m_cancelPlugin = true;  // a plugin still running (waiting for a login) is stopped, not waited for
    m_client.reset();  // stops its threads; callbacks of running requests are not called
    m_provider.reset();
    if (m_kubectl) {  // stops the kubectl proxy child; this may run inside one of its signals
        m_kubectl->stop();
        m_kubectl.release()->deleteLater();
    }
    m_via.clear();
}

void ClusterSessionImpl::disconnectFromCluster() {
    stopAll();
    m_version.clear();
    setState(State::Disconnected);
    emit objectsChanged();
    emit eventsChanged();
}

void ClusterSessionImpl::connectTo(const QString& context, const QString& ns) {
    disconnectFromCluster();
    setError({});
    if (!m_kubeconfigError.isEmpty() && m_contexts.isEmpty()) {
        setError(tr("kubeconfig: %1").arg(m_kubeconfigError));
        return;
    }
    auto resolved = kube::resolveContext(m_config, context.toStdString(), ns.toStdString());
    if (!resolved) {
        setError(tr("kubeconfig: %1").arg(qs(resolved.message())));
        return;
    }
    m_conn = std::move(resolved.value());
    if (m_namespacesContext != qs(m_conn.contextName)) {
        m_namespacesContext = qs(m_conn.contextName);
        m_namespaces.clear();
        m_namespacesError.clear();
        emit namespacesChanged();
    }
    m_kubeconfigDistribution = kube::distributionFromKubeconfig(m_config, m_conn.contextName);
    m_distribution = m_kubeconfigDistribution;
    m_context = qs(m_conn.contextName);
    m_ns = qs(m_conn.ns);
    if (kube::needsKubectlTransport(m_conn)) {
        startKubectlTransport();
        return;
    }
    if (m_conn.auth.exec && m_consent) {
        kube::CredentialOptions co;
        co.consentStore = m_consent;
        const kube::CredentialProvider probeProvider(m_conn, co);
        if (auto request = probeProvider.consentRequest(); request) {
            if (!request->ok()) {
                setError(tr("Credentials of user \"%1\": %2").arg(qs(m_conn.userName), qs(request->message())));
                return;
            }
            if (m_consent->needsConsent(request->value())) {
                setError(tr("Waiting for approval of the exec credential plugin of user \"%1\"").arg(qs(m_conn.userName)));
                emit consentRequested(request->value());
                return;
            }
        }
    }
    openClient();
}

// A user with a kubeconfig auth-provider: Ingress Lab does not run auth-providers (cluster.md §1.6), so kubectl
// does, as `kubectl proxy` on a private unix socket, and the session talks to that (plain HTTP, no credentials).
void ClusterSessionImpl::startKubectlTransport() {
    kube::KubectlProxyOptions o;
    o.kubeconfigFiles = m_config.files;
    o.context = m_conn.contextName;
    m_kubectl = std::make_unique<kube::KubectlProxy>(o);
    const QString provider = qs(m_conn.auth.authProvider);
    const quint64 attempt = m_attempt;
    connect(m_kubectl.get(), &kube::KubectlProxy::ready, this, [this, attempt, provider] {
        if (attempt != m_attempt) return;
        m_conn = kube::connectionThroughKubectl(m_conn, m_kubectl->socketPath());
        openClient();
        m_via = tr("kubectl proxy: auth-provider %1").arg(provider);
        emit stateChanged(m_state);
    });
    connect(m_kubectl.get(), &kube::KubectlProxy::failed, this, [this, attempt, provider](const QString& message) {
        if (attempt != m_attempt) return;
        setError(tr("User \"%1\" uses the auth-provider \"%2\", which Ingress Lab runs through kubectl proxy: %3")
                     .arg(qs(m_conn.userName), provider, message));
        stopAll();
        setState(State::Disconnected);
    });
    connect(m_kubectl.get(), &kube::KubectlProxy::exited, this, [this, attempt](const QString& message) {
        if (attempt != m_attempt) return;
        setError(tr("The connection to the cluster went through kubectl proxy, which stopped (%1); connect again")
                     .arg(message));
        stopAll();
        setState(State::Disconnected);
        emit objectsChanged();
        emit eventsChanged();
    });
    setState(State::Connecting);
    m_kubectl->start();
}

void ClusterSessionImpl::grantConsent(const kube::ExecConsentRequest& request) {
    if (!m_consent) return;
    if (auto g = m_consent->grant(request); !g) setError(tr("Could not record the approval: %1").arg(qs(g.message())));
    if (m_state == State::Disconnected && m_conn.auth.exec) openClient();
}

void ClusterSessionImpl::declineConsent(const kube::ExecConsentRequest& request) {
    setError(tr("The credential plugin of user \"%1\" was not run (not allowed); nothing was sent to the cluster")
                 .arg(qs(request.userName)));
}

void ClusterSessionImpl::openClient() {
    std::shared_ptr<kube::CredentialSource> source;
    m_cancelPlugin = false;
    m_pluginStderr.clear();
    if (!m_conn.auth.tokenFile.empty() || m_conn.auth.exec) {
        kube::CredentialOptions co;
        co.consentStore = m_consent;
        co.cancel = &m_cancelPlugin;
        co.execTimeout = m_execTimeout;
        // The provider runs plugins / reads the token file on the REST client's credential thread only.
        m_provider = std::make_shared<kube::CredentialProvider>(m_conn, co);
        source = kube::providerCredentialSource(m_provider);
    }
    m_client = std::make_unique<kube::RestClient>(m_conn, source);
    connect(m_client.get(), &kube::RestClient::warningReceived, this,
            [this](const QString& text, const QString& method, const QString& path) {
                emit warning(tr("%1 %2: %3").arg(method, path, text));
            });
    m_backoffMs = 0;
    setState(State::Connecting);
    probe();
}

void ClusterSessionImpl::probe() {
    if (!m_client || m_probeInFlight) return;
    m_probeInFlight = true;
    kube::RestRequest r;
    r.path = "/version";
    r.throttleRetries = 0;
    r.timeout = std::chrono::milliseconds(std::max(2000, std::min(m_probePeriodMs, 10000)));
    const quint64 attempt = m_attempt;
    m_client->send(std::move(r), this, [this, attempt](const kube::RestReply& reply) {
        if (attempt != m_attempt) return;
        m_probeInFlight = false;
        onProbe(reply);
    });
}

void ClusterSessionImpl::onProbe(const kube::RestReply& reply) {
    if (reply.ok()) {
        m_version = reply.json().value(QStringLiteral("gitVersion")).toString();
        m_backoffMs = 0;
        if (m_state != State::Connected) {
            // Before saying "connected": which distribution this is, from the Nodes when readable (one GET;
            // forbidden or failed: the kubeconfig's answer stays).
            kube::RestRequest nodes;
            nodes.path = kube::nodesV1().collectionPath();
            nodes.query = {{"limit", "50"}};
            const quint64 attempt = m_attempt;
            m_client->send(std::move(nodes), this, [this, attempt](const kube::RestReply& r) {
                if (attempt != m_attempt) return;
                if (r.ok()) {
                    std::vector<QJsonObject> items;
                    for (const auto& v : r.json().value(QStringLiteral("items")).toArray()) items.push_back(v.toObject());
                    m_distribution = kube::combineDistribution(kube::distributionFromNodes(items), m_kubeconfigDistribution);
                }
                // The IngressClasses (cluster-scoped; not readable: no warning), then connected.
                kube::RestRequest classes;
                classes.path = kube::ingressClassesV1().collectionPath();
                m_client->send(std::move(classes), this, [this, attempt](const kube::RestReply& c) {
                    if (attempt != m_attempt) return;
                    m_ingressClasses.clear();
                    if (c.ok()) {
                        std::vector<QJsonObject> items;
                        for (const auto& v : c.json().value(QStringLiteral("items")).toArray()) items.push_back(v.toObject());
                        m_ingressClasses = kube::ingressClassInfos(items);
                    }
                    setError({});
                    setState(State::Connected);
                    if (!m_ingresses) startInformers();
                    listNamespaces({}, {});
                    m_probeTimer.start(m_probePeriodMs);
                });
            });
            return;
        }
        m_probeTimer.start(m_probePeriodMs);
        return;
    }
    const kube::RestError& e = *reply.error;
    // Rejected credentials and a certificate that does not verify do not fix themselves: the user acts and
    // retries. Everything else (refused, reset, timed out, a server still starting) is retried with back-off,
    // on first contact as well as after a loss.
    const bool fatal = e.kind == kube::RestErrorKind::Credentials ||
                       (e.kind == kube::RestErrorKind::Api && (e.api.http == 401 || e.api.http == 403)) ||
                       // a server that once verified may fail a handshake while it restarts: only on first contact
                       (m_state == State::Connecting && e.kind == kube::RestErrorKind::Transport &&
                        isTlsVerificationFailure(e.transport));
    if (fatal) {
        if (e.kind == kube::RestErrorKind::Credentials && m_provider) m_pluginStderr = qs(m_provider->lastPluginStderr());
        setError(describeFailure(e, m_conn));
        stopAll();
        setState(State::Disconnected);
        return;
    }
    if (m_state != State::Connecting) setState(State::Lost);
    m_backoffMs = m_backoffMs == 0 ? m_minBackoffMs : std::min(m_maxBackoffMs, m_backoffMs * 2);
    const int seconds = std::max(1, (m_backoffMs + 999) / 1000);
    setError(tr("%1 — retrying in %2s").arg(describeFailure(e, m_conn)).arg(seconds));
    m_probeTimer.start(m_backoffMs);
}

void ClusterSessionImpl::startInformers() {
    const std::string ns = m_conn.ns;
    auto make = [&](const kube::ResourceRef& ref, bool events) {
        auto inf = std::make_unique<kube::Informer>(*m_client, ref, ns);
        connect(inf.get(), &kube::Informer::snapshotChanged, this, [this, events] {
            if (events) emit eventsChanged();
            else emit objectsChanged();
        });
        connect(inf.get(), &kube::Informer::errorOccurred, this,
                [this, kind = qs(ref.kind)](const QString& message, int http, bool) {
                    const QString text = tr("Watching %1s: %2").arg(kind, message);
                    if (http == 401 || http == 403) setError(text);
                    emit warning(text);
                    if (http == 0 && m_state == State::Connected) {  // transport: let the probe decide now
                        m_probeTimer.start(0);
                    }
                });
        inf->start();
        return inf;
    };
    m_ingresses = make(kube::ingressesV1(), false);
    m_services = make(kube::servicesV1(), false);
    m_events = make(kube::eventsV1(), true);
}

// GET /api/v1/namespaces, page by page (500 a page, as kubectl's chunk size). A user without the right gets
// a 403: the picker then takes free text, as Headlamp's and Lens' do (their "allowed namespaces").
void ClusterSessionImpl::listNamespaces(const std::string& continueToken, QStringList soFar) {
    if (!m_client) return;
    kube::RestRequest r;
    r.path = kube::namespacesV1().collectionPath();
    r.query = {{"limit", "500"}};
    if (!continueToken.empty()) r.query.push_back({"continue", continueToken});
    const quint64 attempt = m_attempt;
    m_client->send(std::move(r), this, [this, attempt, soFar](const kube::RestReply& reply) mutable {
        if (attempt != m_attempt) return;
        if (!reply.ok()) {
            const kube::RestError& e = *reply.error;
            m_namespacesError = e.kind == kube::RestErrorKind::Api && e.api.http == 403
                                    ? tr("User \"%1\" may not list namespaces (403 Forbidden): type the namespace")
                                          .arg(qs(m_conn.userName))
                                    : tr("Namespaces could not be listed: %1").arg(qs(e.describe()));
            emit namespacesChanged();
            return;
        }
        const QJsonObject list = reply.json();
        for (const auto& v : list.value(QStringLiteral("items")).toArray())
            soFar << v.toObject().value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
        const std::string next =
            list.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("continue")).toString().toStdString();
        if (!next.empty()) {
            listNamespaces(next, soFar);
            return;
        }
        soFar.sort();
        m_namespaces = soFar;
        m_namespacesError.clear();
        emit namespacesChanged();
    });
}

kube::StoreConstSharedPtr ClusterSessionImpl::ingresses() const { return m_ingresses ? m_ingresses->snapshot() : nullptr; }
kube::StoreConstSharedPtr ClusterSessionImpl::services() const { return m_services ? m_services->snapshot() : nullptr; }
kube::StoreConstSharedPtr ClusterSessionImpl::events() const { return m_events ? m_events->snapshot() : nullptr; }

}  // namespace ilab::app

namespace ilab::app {

QStringList ClusterSessionImpl::ingressClassWarnings() const {
    std::vector<QJsonObject> live;
    if (const auto store = ingresses())
        for (const auto& [key, o] : store->objects) live.push_back(o);
    QStringList out;
    for (const auto& w : kube::foreignIngressClassWarnings(m_ingressClasses, live)) out << qs(w);
    return out;
}

}  // namespace ilab::app
