#include "core/annotations/proxy.h"

#include <cstdlib>

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"proxy-body-size", ValueType::ByteSize, "1m", "", "Largest request body (client_max_body_size); 0 = unlimited; over it: 413", "proxy"},
    {"proxy-connect-timeout", ValueType::Seconds, "5", "", "Upstream connect timeout in seconds", "proxy"},
    {"proxy-read-timeout", ValueType::Seconds, "60", "", "Upstream read timeout in seconds (504 when exceeded)", "proxy"},
    {"proxy-send-timeout", ValueType::Seconds, "60", "", "Upstream send timeout in seconds", "proxy"},
    {"proxy-next-upstream-tries", ValueType::Int, "3", "", "Endpoints tried for error/timeout", "proxy"},
};

int secondsFrom(const std::string& v, int defMs) {
    char* end = nullptr;
    long s = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || (end && *end != '\0' && std::string(end) != "s") || s < 0) return defMs;
    return static_cast<int>(s * 1000);
}

void applyBodySize(ProxyConfig& c, const std::string& text) {
    auto v = parseByteSize(text);
    if (!v) return;
    c.maxBodyText = text;
    c.maxBodyBytes = *v == 0 ? std::nullopt : std::optional<std::uint64_t>(*v);
}
}  // namespace

std::span<const AnnotationSpec> proxySpecs() { return SPECS; }

ProxyConfig proxyDefaults(const std::map<std::string, std::string>& cfg) {
    ProxyConfig c;
    if (auto it = cfg.find("proxy-body-size"); it != cfg.end()) applyBodySize(c, trim(it->second));
    if (auto it = cfg.find("proxy-connect-timeout"); it != cfg.end()) c.connectTimeoutMs = secondsFrom(it->second, c.connectTimeoutMs);
    if (auto it = cfg.find("proxy-read-timeout"); it != cfg.end()) c.readTimeoutMs = secondsFrom(it->second, c.readTimeoutMs);
    if (auto it = cfg.find("proxy-send-timeout"); it != cfg.end()) c.sendTimeoutMs = secondsFrom(it->second, c.sendTimeoutMs);
    if (auto it = cfg.find("proxy-next-upstream-tries"); it != cfg.end()) {
        int t = std::atoi(it->second.c_str());
        if (t > 0) c.nextUpstreamTries = t;
    }
    return c;
}

ProxyConfig parseProxy(const AnnotationReader& r, const std::map<std::string, std::string>& cfg) {
    ProxyConfig c = proxyDefaults(cfg);
    if (auto s = r.string("proxy-body-size")) {
        if (parseByteSize(*s)) applyBodySize(c, *s);
        else r.warn("proxy-body-size", "not a size (e.g. 8m, 1024k, 1g, 0); ingress-nginx ignores it and " + c.maxBodyText + " applies");
    }
    if (auto v = r.integer("proxy-connect-timeout", 0, 86400)) c.connectTimeoutMs = static_cast<int>(*v * 1000);
    if (auto v = r.integer("proxy-read-timeout", 0, 86400)) c.readTimeoutMs = static_cast<int>(*v * 1000);
    if (auto v = r.integer("proxy-send-timeout", 0, 86400)) c.sendTimeoutMs = static_cast<int>(*v * 1000);
    if (auto v = r.integer("proxy-next-upstream-tries", 0, 100)) c.nextUpstreamTries = static_cast<int>(*v);
    return c;
}

}  // namespace ilab::annotations
