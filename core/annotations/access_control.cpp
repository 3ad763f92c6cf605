#include "core/annotations/access_control.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"allowlist-source-range", ValueType::CidrList, "", "", "Only these client CIDRs may access the Ingress's paths (others get 403)", "access-control"},
    {"whitelist-source-range", ValueType::CidrList, "", "", "Deprecated alias of allowlist-source-range", "access-control"},
    {"denylist-source-range", ValueType::CidrList, "", "", "Client CIDRs that get 403 (checked before the allowlist)", "access-control"},
};
}  // namespace

std::span<const AnnotationSpec> accessControlSpecs() { return SPECS; }

std::optional<Cidr> parseCidr(const std::string& text) {
    const QString t = QString::fromStdString(trim(text));
    if (t.contains(QLatin1Char('/'))) {
        auto [addr, prefix] = QHostAddress::parseSubnet(t);
        if (addr.isNull() || prefix < 0) return std::nullopt;
        return Cidr{addr, prefix};
    }
    QHostAddress a(t);
    if (a.isNull()) return std::nullopt;
    return Cidr{a, a.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32};
}

bool cidrContains(const Cidr& c, const std::string& ip) {
    QHostAddress a(QString::fromStdString(ip));
    if (a.isNull()) return false;
    return a.isInSubnet(c.network, c.prefix);
}

AccessControlConfig parseAccessControl(const AnnotationReader& r) {
    AccessControlConfig c;
    std::optional<std::string> allow = r.string("allowlist-source-range");
    const char* allowKey = "allowlist-source-range";
    if (!allow) {
        allow = r.string("whitelist-source-range");
        allowKey = "whitelist-source-range";
    }
    if (allow) {
        c.hasAllowlist = true;
        for (const auto& item : splitList(*allow)) {
            auto cidr = parseCidr(item);
            if (!cidr) {
                r.warn(allowKey, "\"" + item + "\" is not an IP address or CIDR: ingress-nginx marks the location denied "
                                 "and answers every request with 503");
                c.invalidAllowlist = true;
                continue;
            }
            c.allow.push_back(*cidr);
        }
    }
    if (auto deny = r.string("denylist-source-range")) {
        for (const auto& item : splitList(*deny)) {
            auto cidr = parseCidr(item);
            if (!cidr) {
                r.warn("denylist-source-range", "\"" + item + "\" is not an IP address or CIDR; ignored");
                continue;
            }
            c.deny.push_back(*cidr);
        }
    }
    return c;
}

int accessStatus(const AccessControlConfig& c, const std::string& clientIp, std::string* why) {
    if (c.invalidAllowlist) {
        if (why) *why = "the allowlist is invalid: location denied (503)";
        return 503;
    }
    for (const auto& d : c.deny) {
        if (cidrContains(d, clientIp)) {
            if (why) *why = clientIp + " is in denylist " + d.network.toString().toStdString() + "/" + std::to_string(d.prefix);
            return 403;
        }
    }
    if (!c.hasAllowlist) {
        if (why) *why = clientIp + " is not in the denylist";
        return 0;
    }
    for (const auto& a : c.allow) {
        if (cidrContains(a, clientIp)) {
            if (why) *why = clientIp + " is in allowlist " + a.network.toString().toStdString() + "/" + std::to_string(a.prefix);
            return 0;
        }
    }
    if (why) *why = clientIp + " is not in the allowlist";
    return 403;
}

}  // namespace ilab::annotations
