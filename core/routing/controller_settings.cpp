#include "core/routing/controller_settings.h"

namespace ilab::routing {

const char* toString(Profile p) {
    if (p == Profile::Gateway) return "gateway";
    return p == Profile::Kubernetes ? "kubernetes" : "ingress-nginx";
}

std::optional<Profile> parseProfile(const std::string& s) {
    if (s == "ingress-nginx" || s == "nginx") return Profile::IngressNginx;
    if (s == "kubernetes" || s == "k8s" || s == "k8s-spec") return Profile::Kubernetes;
    if (s == "gateway" || s == "gateway-api") return Profile::Gateway;
    return std::nullopt;
}

bool ControllerSettings::applyControllerArg(const std::string& arg, std::string* error) {
    std::string a = arg;
    if (a.rfind("--", 0) != 0) {
        if (error) *error = "controller arguments start with --: " + arg;
        return false;
    }
    std::string name = a, value;
    bool hasValue = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        hasValue = true;
    }
    auto boolValue = [&](bool* out) {
        if (!hasValue || value == "true") *out = true;
        else if (value == "false") *out = false;
        else {
            if (error) *error = name + " takes true or false, not '" + value + "'";
            return false;
        }
        return true;
    };
    auto needValue = [&]() {
        if (hasValue && !value.empty()) return true;
        if (error) *error = name + " needs a value (" + name + "=...)";
        return false;
    };
    if (name == "--watch-ingress-without-class") return boolValue(&watchIngressWithoutClass);
    if (name == "--default-backend-service") {
        if (!needValue()) return false;
        if (value.find('/') == std::string::npos) {
            if (error) *error = "--default-backend-service takes namespace/name";
            return false;
        }
        defaultBackendService = value;
        return true;
    }
    if (name == "--default-ssl-certificate") {
        if (!needValue()) return false;
        if (value.find('/') == std::string::npos) {
            if (error) *error = "--default-ssl-certificate takes namespace/name";
            return false;
        }
        defaultSslCertificate = value;
        return true;
    }
    if (name == "--ingress-class") {
        if (!needValue()) return false;
        ingressClass = value;
        return true;
    }
    if (name == "--controller-class") {
        if (!needValue()) return false;
        controllerClass = value;
        return true;
    }
    if (error) *error = "unknown or unsupported controller flag " + name +
                        " (supported: --default-backend-service, --default-ssl-certificate, --watch-ingress-without-class, "
                        "--ingress-class, --controller-class)";
    return false;
}

}  // namespace ilab::routing
