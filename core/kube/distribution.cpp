#include "core/kube/distribution.h"

#include <QJsonArray>

namespace ilab::kube {

namespace {

constexpr const char* MINIKUBE_PROVIDER = "minikube.sigs.k8s.io";
constexpr const char* MINIKUBE_NAME_LABEL = "minikube.k8s.io/name";
constexpr const char* KIND_PREFIX = "kind-";
constexpr const char* KIND_PROVIDER_ID = "kind://";

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string Distribution::label() const {
    switch (kind) {
    case Kind::Kind: return "kind";
    case Kind::Minikube: return "minikube";
    case Kind::Unknown: break;
    }
    return {};
}

std::string Distribution::text() const {
    if (kind == Kind::Unknown) return "unknown";
    std::string out = label();
    std::string inner;
    if (!name.empty()) inner = (kind == Kind::Kind ? "cluster " : "profile ") + name;
    if (!evidence.empty()) inner += (inner.empty() ? "" : "; ") + evidence;
    return inner.empty() ? out : out + " (" + inner + ")";
}

Distribution distributionFromKubeconfig(const Kubeconfig& config, const std::string& contextName) {
    const std::string name = contextName.empty() ? config.currentContext : contextName;
    const auto ctx = config.contexts.find(name);
    if (ctx == config.contexts.end()) return {};
    const auto cluster = config.clusters.find(ctx->second.cluster);
    const auto user = config.users.find(ctx->second.user);
    Distribution d;
    if (cluster != config.clusters.end() && cluster->second.extensionProvider == MINIKUBE_PROVIDER)
        d.evidence = "cluster extension provider " + std::string(MINIKUBE_PROVIDER);
    else if (ctx->second.extensionProvider == MINIKUBE_PROVIDER)
        d.evidence = "context extension provider " + std::string(MINIKUBE_PROVIDER);
    else if (user != config.users.end() && user->second.extensionProvider == MINIKUBE_PROVIDER)
        d.evidence = "user extension provider " + std::string(MINIKUBE_PROVIDER);
    if (!d.evidence.empty()) {
        d.kind = Distribution::Kind::Minikube;
        d.name = ctx->second.cluster;  // minikube names cluster, user and context after the profile
        return d;
    }
    // kind: cluster = user = context = "kind-NAME" (kind's KINDClusterKey).
    const std::string& clusterName = ctx->second.cluster;
    if (startsWith(clusterName, KIND_PREFIX) && clusterName.size() > 5) {
        d.kind = Distribution::Kind::Kind;
        d.name = clusterName.substr(5);
        d.evidence = "kubeconfig cluster name " + clusterName;
    } else if (startsWith(name, KIND_PREFIX) && name.size() > 5) {
        d.kind = Distribution::Kind::Kind;
        d.name = name.substr(5);
        d.evidence = "kubeconfig context name " + name;
    }
    return d;
}

Distribution distributionFromNodes(const std::vector<QJsonObject>& nodes) {
    Distribution weak;  // a "-control-plane" node name without a kind providerID
    for (const QJsonObject& n : nodes) {
        const QJsonObject meta = n.value(QStringLiteral("metadata")).toObject();
        const std::string node = meta.value(QStringLiteral("name")).toString().toStdString();
        const QJsonObject labels = meta.value(QStringLiteral("labels")).toObject();
        const std::string profile = labels.value(QLatin1String(MINIKUBE_NAME_LABEL)).toString().toStdString();
        if (!profile.empty())
            return {Distribution::Kind::Minikube, profile, "node " + node + " label " + MINIKUBE_NAME_LABEL};
        const std::string providerId =
            n.value(QStringLiteral("spec")).toObject().value(QStringLiteral("providerID")).toString().toStdString();
        if (startsWith(providerId, KIND_PROVIDER_ID)) {
            // kind://PROVIDER/CLUSTER/NODE
            const std::string rest = providerId.substr(std::string(KIND_PROVIDER_ID).size());
            const auto a = rest.find('/');
            const auto b = a == std::string::npos ? a : rest.find('/', a + 1);
            const std::string cluster = b == std::string::npos ? std::string() : rest.substr(a + 1, b - a - 1);
            return {Distribution::Kind::Kind, cluster, "node " + node + " providerID " + providerId};
        }
        if (!weak.known() && endsWith(node, "-control-plane"))
            weak = {Distribution::Kind::Kind, node.substr(0, node.size() - 14), "node name " + node};
    }
    return weak;
}

Distribution combineDistribution(const Distribution& fromNodes, const Distribution& fromKubeconfig) {
    return fromNodes.known() ? fromNodes : fromKubeconfig;
}

}  // namespace ilab::kube
