#include "core/kube/ingress_classes.h"

#include <map>
#include <set>

namespace ilab::kube {

namespace {

std::string str(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toString().toStdString(); }
QJsonObject obj(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toObject(); }

}  // namespace

std::vector<IngressClassInfo> ingressClassInfos(const std::vector<QJsonObject>& classes) {
    std::vector<IngressClassInfo> out;
    for (const auto& c : classes) {
        const QJsonObject meta = obj(c, "metadata");
        IngressClassInfo i;
        i.name = str(meta, "name");
        i.controller = str(obj(c, "spec"), "controller");
        i.isDefault = obj(meta, "annotations").value(QStringLiteral("ingressclass.kubernetes.io/is-default-class")).toString() ==
                      QLatin1String("true");
        out.push_back(std::move(i));
    }
    return out;
}

std::string ingressClassOf(const QJsonObject& ingress) {
    const std::string cls = str(obj(ingress, "spec"), "ingressClassName");
    if (!cls.empty()) return cls;
    return str(obj(obj(ingress, "metadata"), "annotations"), "kubernetes.io/ingress.class");
}

std::vector<std::string> foreignIngressClassWarnings(const std::vector<IngressClassInfo>& classes,
                                                     const std::vector<QJsonObject>& ingresses) {
    std::string defaultClass;
    std::map<std::string, std::string> controllerOf;
    for (const auto& c : classes) {
        controllerOf[c.name] = c.controller;
        if (c.isDefault) defaultClass = c.name;
    }
    std::set<std::string> used;
    bool unclassed = ingresses.empty();
    for (const auto& ing : ingresses) {
        const std::string cls = ingressClassOf(ing);
        if (cls.empty()) unclassed = true;
        else used.insert(cls);
    }
    if (unclassed && !defaultClass.empty()) used.insert(defaultClass);
    std::vector<std::string> out;
    for (const auto& cls : used) {
        auto it = controllerOf.find(cls);
        if (it == controllerOf.end() || it->second == INGRESS_NGINX_CONTROLLER) continue;
        out.push_back("IngressClass \"" + cls + "\"" + (cls == defaultClass ? " (the cluster's default)" : "") +
                      " is handled by controller \"" + it->second + "\", not ingress-nginx (" + INGRESS_NGINX_CONTROLLER +
                      "): Ingress Lab models ingress-nginx, so comparing these Ingresses with its behaviour would mislead");
    }
    return out;
}

}  // namespace ilab::kube
