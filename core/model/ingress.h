#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model/object_meta.h"

namespace ilab::model {

// networking.k8s.io/v1 Ingress, every field. Optional fields are std::optional so that "not written"
// and "written empty" stay distinguishable (validation and export need that).

struct ServiceBackendPort {
    std::optional<int> number;          // 0 counts as unset for validation, as in the API
    std::optional<std::string> name;
    bool operator==(const ServiceBackendPort&) const = default;
};

struct IngressServiceBackend {
    std::string name;
    ServiceBackendPort port;
    bool operator==(const IngressServiceBackend&) const = default;
};

struct TypedLocalObjectReference {
    std::optional<std::string> apiGroup;
    std::string kind;
    std::string name;
    bool operator==(const TypedLocalObjectReference&) const = default;
};

struct IngressBackend {
    std::optional<IngressServiceBackend> service;
    std::optional<TypedLocalObjectReference> resource;
    bool operator==(const IngressBackend&) const = default;
};

enum class PathType { Exact, Prefix, ImplementationSpecific };

struct HTTPIngressPath {
    std::optional<std::string> path;
    std::optional<std::string> pathType;  // raw, as written ("Prefix"); see pathTypeEnum()
    IngressBackend backend;
    bool hasBackend = false;

    // nullopt when unset or not one of the three supported values.
    std::optional<PathType> pathTypeEnum() const;
    bool operator==(const HTTPIngressPath&) const = default;
};

struct HTTPIngressRuleValue {
    std::vector<HTTPIngressPath> paths;
    bool operator==(const HTTPIngressRuleValue&) const = default;
};

struct IngressRule {
    std::optional<std::string> host;
    std::optional<HTTPIngressRuleValue> http;
    bool operator==(const IngressRule&) const = default;
};

struct IngressTLS {
    std::vector<std::string> hosts;
    std::optional<std::string> secretName;
    bool operator==(const IngressTLS&) const = default;
};

struct IngressSpec {
    std::optional<std::string> ingressClassName;
    std::optional<IngressBackend> defaultBackend;
    std::vector<IngressRule> rules;
    bool hasRules = false;  // `rules:` written (possibly empty)
    std::vector<IngressTLS> tls;
    bool operator==(const IngressSpec&) const = default;
};

struct IngressLoadBalancerIngress {
    std::string ip;
    std::string hostname;
    bool operator==(const IngressLoadBalancerIngress&) const = default;
};

struct Ingress {
    ObjectMeta meta;
    IngressSpec spec;
    std::vector<IngressLoadBalancerIngress> status;  // status.loadBalancer.ingress
    bool operator==(const Ingress&) const = default;
};

const char* toString(PathType t);
std::optional<PathType> parsePathType(const std::string& s);

// networking.k8s.io/v1 IngressClass.
struct IngressClass {
    ObjectMeta meta;
    std::string controller;  // spec.controller, e.g. k8s.io/ingress-nginx
    bool isDefault() const { return meta.annotation("ingressclass.kubernetes.io/is-default-class") == "true"; }
    bool operator==(const IngressClass&) const = default;
};

}  // namespace ilab::model
