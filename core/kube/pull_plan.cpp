#include "core/kube/pull_plan.h"

#include <QJsonArray>

#include <set>

#include "core/kube/ingress_classes.h"

namespace ilab::kube {

namespace {

QJsonObject obj(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toObject(); }
std::string str(const QJsonValue& v) { return v.toString().toStdString(); }

}  // namespace

std::vector<PullDependency> ingressDependencies(const std::vector<QJsonObject>& ingresses, const std::string& defaultClass) {
    std::vector<PullDependency> out;
    auto add = [&](PullDependency d) {
        for (const auto& o : out)
            if (o == d) return;
        out.push_back(std::move(d));
    };
    for (const auto& ing : ingresses) {
        const QJsonObject meta = obj(ing, "metadata"), spec = obj(ing, "spec");
        const std::string ns = str(meta.value(QStringLiteral("namespace")));
        const std::string by = " (used by Ingress " + ns + "/" + str(meta.value(QStringLiteral("name"))) + ")";
        std::set<std::string> services;
        auto addBackend = [&](const QJsonObject& backend) {
            const std::string svc = str(obj(backend, "service").value(QStringLiteral("name")));
            if (!svc.empty()) services.insert(svc);
        };
        addBackend(obj(spec, "defaultBackend"));
        for (const auto& rule : spec.value(QStringLiteral("rules")).toArray())
            for (const auto& path : obj(rule.toObject(), "http").value(QStringLiteral("paths")).toArray())
                addBackend(obj(path.toObject(), "backend"));
        for (const auto& svc : services) add({servicesV1(), ns, svc, by});
        for (const auto& tls : spec.value(QStringLiteral("tls")).toArray()) {
            const std::string secret = str(tls.toObject().value(QStringLiteral("secretName")));
            if (!secret.empty()) add({secretsV1(), ns, secret, by});
        }
        std::string cls = ingressClassOf(ing);
        if (cls.empty()) cls = defaultClass;
        if (!cls.empty()) add({ingressClassesV1(), {}, cls, by});
    }
    return out;
}

bool needsDefaultIngressClass(const std::vector<QJsonObject>& ingresses) {
    for (const auto& ing : ingresses)
        if (ingressClassOf(ing).empty()) return true;
    return false;
}

std::string defaultIngressClassName(const std::vector<QJsonObject>& classes) {
    for (const auto& c : ingressClassInfos(classes))
        if (c.isDefault) return c.name;
    return {};
}

}  // namespace ilab::kube
