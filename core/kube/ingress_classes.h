#pragma once

#include <QJsonObject>

#include <string>
#include <vector>

// Which controller the cluster's IngressClasses belong to, and when that is not ingress-nginx (the controller
// Ingress Lab models), a warning: comparing those Ingresses with ingress-nginx's behaviour would mislead. One copy
// for `ingress-lab-cli cluster get|pull|info` and the GUI's Cluster panel. Pure functions.
namespace ilab::kube {

inline constexpr const char* INGRESS_NGINX_CONTROLLER = "k8s.io/ingress-nginx";

struct IngressClassInfo {
    std::string name, controller;
    bool isDefault = false;  // ingressclass.kubernetes.io/is-default-class: "true"
};

// IngressClass objects (networking.k8s.io/v1) -> name, controller, default.
std::vector<IngressClassInfo> ingressClassInfos(const std::vector<QJsonObject>& classes);
// spec.ingressClassName, else the legacy kubernetes.io/ingress.class annotation, else "".
std::string ingressClassOf(const QJsonObject& ingress);
// One warning per IngressClass these Ingresses use (or the default class, for Ingresses without a class or when
// `ingresses` is empty) whose controller is not ingress-nginx: "IngressClass "x" (the cluster's default) is
// handled by controller "y", not ingress-nginx (k8s.io/ingress-nginx): ...".
std::vector<std::string> foreignIngressClassWarnings(const std::vector<IngressClassInfo>& classes,
                                                     const std::vector<QJsonObject>& ingresses);

}  // namespace ilab::kube
