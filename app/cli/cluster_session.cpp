#include "app/cli/cluster_session.h"

#include "core/kube/kubectl_proxy.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>

#include "core/kube/credentials.h"
#include "core/kube/discovery.h"
#include "core/kube/exec_consent.h"
#include "core/kube/kubeconfig.h"
#include "core/kube/kubectl_proxy.h"
#include "core/kube/workspace_objects.h"

namespace ilab::cli::cluster {

namespace {

const QString OPT_KUBECONFIG = QStringLiteral("kubeconfig");
const QString OPT_CONTEXT = QStringLiteral("context");
const QString OPT_NAMESPACE = QStringLiteral("namespace");
const QString OPT_ALL = QStringLiteral("all-namespaces");
const QString OPT_ALLOW_EXEC = QStringLiteral("allow-exec-plugin");

std::atomic<bool> g_stop{false};

void onStopSignal(int) { g_stop = true; }

}  // namespace

void addConnectionOptions(QCommandLineParser& p, bool allNamespaces) {
    p.addOption({OPT_KUBECONFIG, QStringLiteral("Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)."),
                 QStringLiteral("FILE")});
    p.addOption({OPT_CONTEXT, QStringLiteral("The kubeconfig context to use (default: current-context)."),
                 QStringLiteral("NAME")});
    p.addOption({{QStringLiteral("n"), OPT_NAMESPACE},
                 QStringLiteral("The namespace (default: the context's, else \"default\")."), QStringLiteral("NS")});
    if (allNamespaces)
        p.addOption({{QStringLiteral("A"), OPT_ALL}, QStringLiteral("List the objects of every namespace.")});
    p.addOption({OPT_ALLOW_EXEC, QStringLiteral("Approve the context's exec credential plugin (remembered, as in the app).")});
}

std::unique_ptr<Session> Session::open(const QCommandLineParser& p, const char* command) {
    kube::KubeconfigOptions o;
    o.kubeconfigFlag = p.value(OPT_KUBECONFIG).toStdString();
    o.contextOverride = p.value(OPT_CONTEXT).toStdString();
    o.namespaceOverride = p.value(OPT_NAMESPACE).toStdString();
    auto resolved = kube::resolveKubeconfig(o);
    if (!resolved) {
        std::fprintf(stderr, "ingress-lab-cli cluster %s: %s\n", command, resolved.message().c_str());
        return nullptr;
    }
    std::unique_ptr<Session> s(new Session);
    s->m_conn = std::move(resolved.value());
    // optionNames(): what was given (isSet would warn about -A on commands that do not offer it)
    s->m_all = p.optionNames().contains(OPT_ALL) || p.optionNames().contains(QStringLiteral("A"));
    s->m_ns = s->m_all ? std::string() : s->m_conn.ns;
    if (kube::needsKubectlTransport(s->m_conn)) {
        // An auth-provider: kubectl runs it, as `kubectl proxy` on a private unix socket (core/kube/kubectl_proxy.h).
        kube::KubectlProxyOptions ko;
        ko.kubeconfigFiles = kube::kubeconfigPaths(o);
        ko.context = s->m_conn.contextName;
        s->m_kubectl = std::make_unique<kube::KubectlProxy>(ko);
        if (const QString e = s->m_kubectl->startAndWait(); !e.isEmpty()) {
            std::fprintf(stderr, "ingress-lab-cli cluster %s: user \"%s\" uses the auth-provider \"%s\", which runs through "
                         "kubectl proxy: %s\n", command, s->m_conn.userName.c_str(), s->m_conn.auth.authProvider.c_str(),
                         qPrintable(e));
            return nullptr;
        }
        QObject::connect(s->m_kubectl.get(), &kube::KubectlProxy::exited, s->m_kubectl.get(), [](const QString& m) {
            std::fprintf(stderr, "ingress-lab-cli: the connection to the cluster went through kubectl proxy, which stopped: %s\n",
                         qPrintable(m));
        });
        s->m_conn = kube::connectionThroughKubectl(s->m_conn, s->m_kubectl->socketPath());
    }
    if (!s->m_conn.auth.tokenFile.empty() || s->m_conn.auth.exec) {
        static kube::ExecConsentStore consent;  // the app's store: a grant in the GUI counts here too
        kube::CredentialOptions co;
        co.consentStore = &consent;
        auto provider = std::make_shared<kube::CredentialProvider>(s->m_conn, co);
        if (auto request = provider->consentRequest(); request && request->ok() && consent.needsConsent(request->value())) {
            if (!p.isSet(OPT_ALLOW_EXEC)) {
                std::fprintf(stderr,
                             "ingress-lab-cli cluster %s: user \"%s\" gets its credentials from the exec plugin\n  %s\n"
                             "which has not been approved; run again with --allow-exec-plugin to approve it\n",
                             command, s->m_conn.userName.c_str(), request->value().commandLine().c_str());
                return nullptr;
            }
            if (auto g = consent.grant(request->value()); !g)
                std::fprintf(stderr, "ingress-lab-cli cluster %s: warning: %s\n", command, g.message().c_str());
        }
        auto first = provider->credentials();
        if (!first) {
            std::fprintf(stderr, "ingress-lab-cli cluster %s: credentials of user \"%s\" (%s): %s\n", command,
                         s->m_conn.userName.c_str(), provider->describe().c_str(), first.message().c_str());
            return nullptr;
        }
        if (first->hasClientCertificate()) {
            // The REST client takes certificates from the connection; an exec plugin may return one.
            s->m_conn.auth.clientCertPem = first->clientCertPem;
            s->m_conn.auth.clientKeyPem = first->clientKeyPem;
        }
        s->m_provider = provider;
        s->m_credentials = kube::providerCredentialSource(provider);
    }
    s->m_client = std::make_unique<kube::RestClient>(s->m_conn, s->m_credentials);
    QObject::connect(s->m_client.get(), &kube::RestClient::warningReceived, s->m_client.get(),
                     [](const QString& text, const QString&, const QString&) {
                         std::fprintf(stderr, "Warning: %s\n", qPrintable(text));
                     }, Qt::DirectConnection);
    return s;
}

Session::~Session() = default;

kube::RestReply Session::call(kube::RestRequest request) {
    QEventLoop loop;
    kube::RestReply out;
    m_client->send(std::move(request), &loop, [&](const kube::RestReply& r) {
        out = r;
        loop.quit();
    });
    loop.exec();
    return out;
}

kube::ListResult Session::list(const kube::ResourceRef& ref, const std::string& ns, const kube::ListOptions& options) {
    QEventLoop loop;
    kube::ListResult out;
    kube::listAll(*m_client, ref, ns, options, &loop, [&](const kube::ListResult& r) {
        out = r;
        loop.quit();
    });
    loop.exec();
    return out;
}

std::optional<kube::ResourceRef> Session::endpointSlices() {
    QEventLoop loop;
    std::optional<kube::ResourceRef> out;
    kube::discover(*m_client, &loop, [&](const kube::DiscoveryResult& d, const std::optional<kube::RestError>&) {
        out = d.endpointSlice;
        loop.quit();
    });
    loop.exec();
    return out;
}

std::string errorText(const kube::RestError& e) {
    if (e.kind == kube::RestErrorKind::Api) {
        std::string s = "Error from server (" + e.api.reason + "): " + e.api.message;
        return s;
    }
    if (e.kind == kube::RestErrorKind::Transport) return "Unable to connect to the server: " + e.describe();
    return e.describe();
}

std::string Table::text() const {
    std::vector<std::size_t> width;
    for (const auto& row : m_rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], row[i].size());
        }
    std::string out;
    for (const auto& row : m_rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(std::max<std::size_t>(width[i] + 3, 6) - row[i].size(), ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string humanAge(const QString& ts) {
    const QDateTime t = QDateTime::fromString(ts, Qt::ISODate);
    if (!t.isValid()) return "<unknown>";
    const qint64 s = std::max<qint64>(0, t.secsTo(QDateTime::currentDateTimeUtc()));
    auto n = [](qint64 v) { return std::to_string(v); };
    // apimachinery/pkg/util/duration.HumanDuration
    if (s < 120) return n(s) + "s";
    const qint64 m = s / 60;
    if (m < 10) return s % 60 == 0 ? n(m) + "m" : n(m) + "m" + n(s % 60) + "s";
    if (m < 180) return n(m) + "m";
    const qint64 h = s / 3600;
    if (h < 8) return m % 60 == 0 ? n(h) + "h" : n(h) + "h" + n(m % 60) + "m";
    if (h < 48) return n(h) + "h";
    if (h < 24 * 8) return h % 24 == 0 ? n(h / 24) + "d" : n(h / 24) + "d" + n(h % 24) + "h";
    if (h < 24 * 365 * 2) return n(h / 24) + "d";
    if (h < 24 * 365 * 8) {
        const qint64 dy = (h / 24) % 365;
        return dy == 0 ? n(h / 24 / 365) + "y" : n(h / 24 / 365) + "y" + n(dy) + "d";
    }
    return n(h / 24 / 365) + "y";
}

namespace {

struct KindInfo {
    const char* kind;
    const char* group;
    const char* resource;
    bool namespaced;
    std::vector<const char*> names;  // what `get` accepts
};

const std::vector<KindInfo>& kinds() {
    static const std::vector<KindInfo> k = {
        {"Ingress", "networking.k8s.io", "ingresses", true, {"ingresses", "ingress", "ing"}},
        {"IngressClass", "networking.k8s.io", "ingressclasses", false, {"ingressclasses", "ingressclass"}},
        {"Service", "", "services", true, {"services", "service", "svc"}},
        {"Secret", "", "secrets", true, {"secrets", "secret"}},
        {"ConfigMap", "", "configmaps", true, {"configmaps", "configmap", "cm"}},
        {"Endpoints", "", "endpoints", true, {"endpoints", "ep"}},
        {"EndpointSlice", "discovery.k8s.io", "endpointslices", true, {"endpointslices", "endpointslice"}},
        {"Pod", "", "pods", true, {"pods", "pod", "po"}},
        {"Deployment", "apps", "deployments", true, {"deployments", "deployment", "deploy"}},
        {"Event", "", "events", true, {"events", "event", "ev"}},
        {"Namespace", "", "namespaces", false, {"namespaces", "namespace", "ns"}},
    };
    return k;
}

}  // namespace

std::optional<kube::ResourceRef> resourceForKind(const std::string& apiVersion, const std::string& kind) {
    return kube::resourceForKind(apiVersion, kind);
}

std::optional<kube::ResourceRef> resourceForName(const std::string& name) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& k : kinds())
        for (const char* n : k.names)
            if (lower == n) return kube::ResourceRef{k.group, "v1", k.resource, k.kind, k.namespaced};
    return std::nullopt;
}

std::string kubectlTypeName(const kube::ResourceRef& ref) {
    std::string lower;
    for (char c : ref.kind) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ref.group.empty() ? lower : lower + "." + ref.group;
}

QJsonObject maskSecret(QJsonObject o) {
    if (o.value(QStringLiteral("kind")).toString() != QLatin1String("Secret")) return o;
    for (const char* field : {"data", "stringData"}) {
        if (!o.contains(QLatin1String(field))) continue;
        QJsonObject d = o.value(QLatin1String(field)).toObject();
        for (auto it = d.begin(); it != d.end(); ++it) it.value() = QStringLiteral("***");
        o.insert(QLatin1String(field), d);
    }
    // The last applied configuration holds the data too.
    QJsonObject meta = o.value(QStringLiteral("metadata")).toObject();
    QJsonObject ann = meta.value(QStringLiteral("annotations")).toObject();
    if (ann.contains(QStringLiteral("kubectl.kubernetes.io/last-applied-configuration"))) {
        ann.insert(QStringLiteral("kubectl.kubernetes.io/last-applied-configuration"), QStringLiteral("***"));
        meta.insert(QStringLiteral("annotations"), ann);
        o.insert(QStringLiteral("metadata"), meta);
    }
    return o;
}

void installStopSignals() {
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool stopRequested() { return g_stop; }

}  // namespace ilab::cli::cluster
