#include "core/kube/workspace_objects.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <vector>

#include "core/kube/apply.h"
#include "core/model/workspace.h"
#include "core/yaml/yaml_writer.h"

namespace ilab::kube {

namespace {

struct KindInfo {
    const char* kind;
    const char* group;
    const char* resource;
    bool namespaced;
};

const std::vector<KindInfo>& kinds() {
    static const std::vector<KindInfo> k = {
        {"Ingress", "networking.k8s.io", "ingresses", true},   {"IngressClass", "networking.k8s.io", "ingressclasses", false},
        {"Service", "", "services", true},                     {"Secret", "", "secrets", true},
        {"ConfigMap", "", "configmaps", true},                 {"Endpoints", "", "endpoints", true},
        {"EndpointSlice", "discovery.k8s.io", "endpointslices", true}, {"Pod", "", "pods", true},
        {"Deployment", "apps", "deployments", true},           {"Event", "", "events", true},
        {"Namespace", "", "namespaces", false},
    };
    return k;
}

QJsonArray withProtocol(QJsonArray ports) {
    for (auto it = ports.begin(); it != ports.end(); ++it) {
        QJsonObject port = it->toObject();
        if (!port.contains(QStringLiteral("protocol"))) port.insert(QStringLiteral("protocol"), QStringLiteral("TCP"));
        *it = port;
    }
    return ports;
}

void defaultPortProtocols(QJsonObject& doc, const std::string& kind) {
    QJsonObject spec = doc.value(QStringLiteral("spec")).toObject();
    if (kind == "Service" && spec.contains(QStringLiteral("ports"))) {
        spec.insert(QStringLiteral("ports"), withProtocol(spec.value(QStringLiteral("ports")).toArray()));
    } else if (kind == "Deployment") {
        QJsonObject tmpl = spec.value(QStringLiteral("template")).toObject();
        QJsonObject podSpec = tmpl.value(QStringLiteral("spec")).toObject();
        QJsonArray containers = podSpec.value(QStringLiteral("containers")).toArray();
        for (auto it = containers.begin(); it != containers.end(); ++it) {
            QJsonObject c = it->toObject();
            if (c.contains(QStringLiteral("ports")))
                c.insert(QStringLiteral("ports"), withProtocol(c.value(QStringLiteral("ports")).toArray()));
            *it = c;
        }
        if (podSpec.contains(QStringLiteral("containers"))) podSpec.insert(QStringLiteral("containers"), containers);
        if (tmpl.contains(QStringLiteral("spec"))) tmpl.insert(QStringLiteral("spec"), podSpec);
        if (spec.contains(QStringLiteral("template"))) spec.insert(QStringLiteral("template"), tmpl);
    } else {
        return;
    }
    doc.insert(QStringLiteral("spec"), spec);
}

class ProviderSource : public CredentialSource {
public:
    explicit ProviderSource(std::shared_ptr<CredentialProvider> p) : m_provider(std::move(p)) {}
    std::optional<SecretBytes> bearerToken() override {
        auto c = m_provider->credentials();
        m_cert.reset();
        if (!c) {
            m_error = c.message();
            return std::nullopt;
        }
        m_error.clear();
        m_generation = c->generation;
        if (c->hasClientCertificate()) m_cert = std::make_pair(c->clientCertPem, c->clientKeyPem);
        if (!c->hasToken()) return std::nullopt;
        return c->bearerToken;
    }
    bool refreshAfter401() override {
        auto c = m_provider->refreshAfterUnauthorized(m_generation);
        return c.ok() && c->generation != m_generation;
    }
    std::optional<std::pair<SecretBytes, SecretBytes>> clientCertificate() override { return m_cert; }
    std::string lastError() override { return m_error; }

private:
    std::shared_ptr<CredentialProvider> m_provider;
    std::uint64_t m_generation = 0;
    // Credential thread only (the REST client calls one method at a time there).
    std::optional<std::pair<SecretBytes, SecretBytes>> m_cert;
    std::string m_error;
};

}  // namespace

std::optional<ResourceRef> resourceForKind(const std::string& apiVersion, const std::string& kind) {
    for (const auto& k : kinds()) {
        if (kind != k.kind) continue;
        const auto slash = apiVersion.find('/');
        const std::string group = slash == std::string::npos ? std::string() : apiVersion.substr(0, slash);
        const std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
        if (group != k.group) return std::nullopt;
        return ResourceRef{group, version, k.resource, k.kind, k.namespaced};
    }
    return std::nullopt;
}

std::string applyBody(const model::Resource& r, const ResourceRef& ref, const std::string& ns) {
    QJsonObject doc =
        QJsonDocument::fromJson(QByteArray::fromStdString(yaml::nodeToJson(yaml::normalizedNode(r), 0))).object();
    QJsonObject meta = doc.value(QStringLiteral("metadata")).toObject();
    if (ref.namespaced) meta.insert(QStringLiteral("namespace"), QString::fromStdString(ns));
    doc.insert(QStringLiteral("metadata"), meta);
    defaultPortProtocols(doc, r.kind);
    return QJsonDocument(doc).toJson(QJsonDocument::Compact).toStdString();
}

bool isWithheldSecret(const model::Resource& r) { return r.kind == "Secret" && r.meta.hasAnnotation(WITHHELD_ANNOTATION); }

SourcePos positionOfField(const model::Resource& r, std::string field) {
    // Conflict paths are written ".metadata.annotations.KEY"; the workspace records "metadata.annotations[KEY]".
    if (!field.empty() && field.front() == '.') field.erase(0, 1);
    for (const char* map : {"metadata.annotations.", "metadata.labels.", "data.", "stringData."}) {
        const std::string prefix = map;
        if (field.rfind(prefix, 0) == 0)
            field = prefix.substr(0, prefix.size() - 1) + "[" + field.substr(prefix.size()) + "]";
    }
    SourcePos p = r.source.find(field);
    if (p.file.empty()) p.file = r.source.file;
    return p;
}

Diagnostics diagnosticsOfInvalid(const ApiError& error, const model::Resource& resource, const std::string& ns) {
    Diagnostics out;
    const std::string object = resource.kind + " " + ns + "/" + resource.meta.name;
    auto add = [&](DiagCode code, const std::string& field, std::string detail) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = code;
        d.object = object;
        d.field = field;
        // The cause message repeats the type ("Invalid value: 0: must be ..."): message() prints it once.
        const std::string type = std::string(apiTypeText(code)) + ": ";
        if (code != DiagCode::Unknown && detail.rfind(type, 0) == 0) detail.erase(0, type.size());
        d.detail = detail + " (the API server refused the apply)";
        d.pos = positionOfField(resource, field);
        d.rule = INVALID_RULE;
        out.push_back(std::move(d));
    };
    for (const auto& c : error.causes) {
        DiagCode code = DiagCode::Unknown;
        for (DiagCode k : {DiagCode::Required, DiagCode::Invalid, DiagCode::NotSupported, DiagCode::Duplicate,
                           DiagCode::Forbidden, DiagCode::TooLong, DiagCode::NotFound})
            if (c.reason == apiTypeName(k)) code = k;
        add(code, c.field, c.message);
    }
    if (out.empty()) add(DiagCode::Unknown, {}, error.message);
    return out;
}

QJsonObject cleanPulledObject(QJsonObject o, const std::string& kind, bool includeSecrets, bool* withheldData) {
    o = normaliseForDiff(o);
    if (kind == "Service") {
        // Allocated by the cluster (and immutable): another cluster would refuse or collide with them.
        QJsonObject spec = o.value(QStringLiteral("spec")).toObject();
        spec.remove(QStringLiteral("clusterIP"));
        spec.remove(QStringLiteral("clusterIPs"));
        o.insert(QStringLiteral("spec"), spec);
    }
    if (kind == "Secret" && !includeSecrets) {
        QJsonObject data = o.value(QStringLiteral("data")).toObject();
        for (auto it = data.begin(); it != data.end(); ++it) it.value() = QString();
        if (o.contains(QStringLiteral("data"))) o.insert(QStringLiteral("data"), data);
        QJsonObject meta = o.value(QStringLiteral("metadata")).toObject();
        QJsonObject ann = meta.value(QStringLiteral("annotations")).toObject();
        ann.insert(QLatin1String(WITHHELD_ANNOTATION), QStringLiteral("true"));
        meta.insert(QStringLiteral("annotations"), ann);
        o.insert(QStringLiteral("metadata"), meta);
        if (withheldData) *withheldData = true;
    }
    return o;
}

std::shared_ptr<CredentialSource> providerCredentialSource(std::shared_ptr<CredentialProvider> provider) {
    return std::make_shared<ProviderSource>(std::move(provider));
}

}  // namespace ilab::kube
