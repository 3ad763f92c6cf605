#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <QHostAddress>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// Client IP access control (ingress-nginx annotations/ipallowlist, ipdenylist; semantics.md §13): deny rules
// first, then allow rules, then deny all. An unparsable allowlist marks the location denied (503).
struct Cidr {
    QHostAddress network;
    int prefix = 0;
};
std::optional<Cidr> parseCidr(const std::string& text);  // "10.0.0.0/8", "56.0.0.1", "::1/128"
bool cidrContains(const Cidr& c, const std::string& ip);

struct AccessControlConfig {
    std::vector<Cidr> allow;   // empty + !hasAllowlist = everyone
    std::vector<Cidr> deny;
    bool hasAllowlist = false;
    bool invalidAllowlist = false;  // -> every request gets 503 (nginx.tmpl "Location denied")
    bool isSet() const { return hasAllowlist || !deny.empty() || invalidAllowlist; }
};

std::span<const AnnotationSpec> accessControlSpecs();
AccessControlConfig parseAccessControl(const AnnotationReader& r);

// 0 = allowed, 403 = denied, 503 = location denied by an invalid allowlist. `why` explains the match.
int accessStatus(const AccessControlConfig& c, const std::string& clientIp, std::string* why);

}  // namespace ilab::annotations
