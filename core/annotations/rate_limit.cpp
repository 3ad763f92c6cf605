#include "core/annotations/rate_limit.h"

#include <cstdlib>

#include "core/annotations/access_control.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"limit-rps", ValueType::Int, "0", "", "Requests per second per client address (burst = rps x limit-burst-multiplier)", "rate-limit"},
    {"limit-rpm", ValueType::Int, "0", "", "Requests per minute per client address", "rate-limit"},
    {"limit-connections", ValueType::Int, "0", "", "Concurrent connections per client address", "rate-limit"},
    {"limit-burst-multiplier", ValueType::Int, "5", "", "Burst size multiplier for limit-rps / limit-rpm", "rate-limit"},
    {"limit-allowlist", ValueType::CidrList, "", "", "Client CIDRs that are never rate limited", "rate-limit"},
    {"limit-whitelist", ValueType::CidrList, "", "", "Deprecated alias of limit-allowlist", "rate-limit"},
    {"limit-rate", ValueType::Int, "0", "", "Response bandwidth limit in KB/s (never rejects)", "rate-limit", false},
    {"limit-rate-after", ValueType::Int, "0", "", "KB sent before limit-rate applies", "rate-limit", false},
};

int cfgInt(const std::map<std::string, std::string>& cfg, const char* key, int def) {
    auto it = cfg.find(key);
    if (it == cfg.end()) return def;
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    return (end && *end == '\0' && v >= 100 && v <= 599) ? static_cast<int>(v) : def;
}
}  // namespace

std::span<const AnnotationSpec> rateLimitSpecs() { return SPECS; }

RateLimitConfig parseRateLimit(const AnnotationReader& r, const std::map<std::string, std::string>& cfg) {
    RateLimitConfig c;
    if (auto v = r.integer("limit-rps", 0, 1'000'000)) c.rps = static_cast<double>(*v);
    if (auto v = r.integer("limit-rpm", 0, 60'000'000)) c.rpm = static_cast<double>(*v);
    if (auto v = r.integer("limit-connections", 0, 1'000'000)) c.connections = static_cast<int>(*v);
    if (auto v = r.integer("limit-burst-multiplier", 1, 1'000'000)) c.burstMultiplier = static_cast<int>(*v);
    std::optional<std::string> list = r.string("limit-allowlist");
    const char* listKey = "limit-allowlist";
    if (!list) {
        list = r.string("limit-whitelist");
        listKey = "limit-whitelist";
    }
    if (list) {
        for (const auto& item : splitList(*list)) {
            if (parseCidr(item)) c.allowlist.push_back(item);
            else r.warn(listKey, "\"" + item + "\" is not an IP address or CIDR; ignored");
        }
    }
    c.rejectStatus = cfgInt(cfg, "limit-req-status-code", 503);
    c.connRejectStatus = cfgInt(cfg, "limit-conn-status-code", 503);
    return c;
}

}  // namespace ilab::annotations
