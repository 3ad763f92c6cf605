#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ilab::routing {

enum class Profile {
    IngressNginx,  // reproduces ingress-nginx v1.15 exactly, quirks included (default)
    Kubernetes,    // the Ingress API spec and the Kubernetes Ingress conformance suite
    Gateway,       // Gateway API v1: Gateways + HTTPRoutes as a conformant implementation routes them (core/gateway)
};

const char* toString(Profile p);                          // "ingress-nginx" | "kubernetes" | "gateway"
std::optional<Profile> parseProfile(const std::string&);  // accepts "ingress-nginx", "nginx", "kubernetes", "k8s", "gateway", "gateway-api"

// Controller-level settings: the command-line flags that change routing plus the ingress-nginx-controller
// ConfigMap (keys as ingress-nginx names them; the workspace's ConfigMap is merged over `configMap`).
struct ControllerSettings {
    Profile profile = Profile::IngressNginx;
    std::string ingressClass = "nginx";                 // --ingress-class
    std::string controllerClass = "k8s.io/ingress-nginx";  // --controller-class
    bool watchIngressWithoutClass = false;              // --watch-ingress-without-class
    std::optional<std::string> defaultBackendService;   // --default-backend-service=ns/name
    std::optional<std::string> defaultSslCertificate;   // --default-ssl-certificate=ns/name
    // Treat every Ingress as claimed regardless of class (conformance cases outside `ingress-class`).
    bool claimAllIngresses = false;
    std::map<std::string, std::string> configMap;
    // compile() also builds the other profile's table so an explained decision can say where the profiles differ
    // (Decision::otherProfileDiffers). Off halves compile time and memory.
    bool compileOtherProfile = true;

    // Parses one --controller-arg value ("--default-backend-service=ns/name"); false + error for unknown flags.
    bool applyControllerArg(const std::string& arg, std::string* error);
};

}  // namespace ilab::routing
