#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/object_meta.h"

namespace ilab::model {

// An IntOrString as used by Service targetPort.
struct IntOrString {
    std::optional<int> number;
    std::optional<std::string> name;
    bool isSet() const { return number.has_value() || name.has_value(); }
    std::string toString() const { return number ? std::to_string(*number) : name.value_or(""); }
    bool operator==(const IntOrString&) const = default;
};

struct ServicePort {
    std::string name;
    int port = 0;
    IntOrString targetPort;  // unset means "same as port"
    std::string protocol = "TCP";
    std::optional<std::string> appProtocol;
    bool operator==(const ServicePort&) const = default;
};

// v1 Service. A Service without a selector takes its endpoints from Endpoints / EndpointSlices.
struct Service {
    ObjectMeta meta;
    std::string type = "ClusterIP";
    std::map<std::string, std::string> selector;
    bool hasSelector = false;
    std::vector<ServicePort> ports;
    std::optional<std::string> externalName;
    const ServicePort* findPort(int number) const;
    const ServicePort* findPortByName(const std::string& name) const;
    bool operator==(const Service&) const = default;
};

struct EndpointAddress {
    std::string ip;
    std::optional<std::string> hostname;
    bool ready = true;
    bool operator==(const EndpointAddress&) const = default;
};

struct EndpointPort {
    std::string name;
    int port = 0;
    std::string protocol = "TCP";
    bool operator==(const EndpointPort&) const = default;
};

// v1 Endpoints (one object per Service, same name) flattened: each subset's addresses × ports.
struct EndpointSubset {
    std::vector<EndpointAddress> addresses;  // ready (notReadyAddresses have ready=false)
    std::vector<EndpointPort> ports;
    bool operator==(const EndpointSubset&) const = default;
};

struct Endpoints {
    ObjectMeta meta;
    std::vector<EndpointSubset> subsets;
    bool operator==(const Endpoints&) const = default;
};

// discovery.k8s.io/v1 EndpointSlice; the owning Service is the label kubernetes.io/service-name.
struct EndpointSlice {
    ObjectMeta meta;
    std::string addressType = "IPv4";
    std::vector<EndpointAddress> endpoints;  // each endpoint's first address + conditions.ready
    std::vector<EndpointPort> ports;
    std::string serviceName() const { return meta.labels.count("kubernetes.io/service-name") ? meta.labels.at("kubernetes.io/service-name") : std::string(); }
    bool operator==(const EndpointSlice&) const = default;
};

struct ContainerPort {
    std::string name;
    int containerPort = 0;
    std::string protocol = "TCP";
    bool operator==(const ContainerPort&) const = default;
};

struct Container {
    std::string name;
    std::string image;
    std::vector<ContainerPort> ports;
    // "version" of a simulated pod: the image tag (nginx:1.25 -> 1.25), "latest" when none.
    std::string imageTag() const;
    bool operator==(const Container&) const = default;
};

// apps/v1 Deployment. The pod template's annotations drive the simulated pod (see backends/).
struct Deployment {
    ObjectMeta meta;
    int replicas = 1;
    bool isReplicasSet = false;
    std::map<std::string, std::string> selector;  // spec.selector.matchLabels
    std::map<std::string, std::string> templateLabels;
    std::map<std::string, std::string> templateAnnotations;
    std::vector<Container> containers;
    bool operator==(const Deployment&) const = default;
};

// v1 Secret. data is decoded (raw bytes); stringData is merged into data on load (as the API server does).
struct Secret {
    ObjectMeta meta;
    std::string type = "Opaque";
    std::map<std::string, std::string> data;  // decoded bytes
    bool isTls() const { return type == "kubernetes.io/tls"; }
    std::string tlsCert() const { return data.count("tls.crt") ? data.at("tls.crt") : std::string(); }
    std::string tlsKey() const { return data.count("tls.key") ? data.at("tls.key") : std::string(); }
    bool operator==(const Secret&) const = default;
};

// v1 ConfigMap. The controller's global settings live in the one named ingress-nginx-controller.
struct ConfigMap {
    ObjectMeta meta;
    std::map<std::string, std::string> data;
    bool operator==(const ConfigMap&) const = default;
};

inline constexpr const char* CONTROLLER_CONFIGMAP_NAME = "ingress-nginx-controller";

bool selectorMatches(const std::map<std::string, std::string>& selector, const std::map<std::string, std::string>& labels);

}  // namespace ilab::model
