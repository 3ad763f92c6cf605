#pragma once

#include <map>
#include <string>
#include <vector>

// The string formats the Kubernetes API server validates, with its exact error wording
// (k8s.io/apimachinery/pkg/util/validation, api/validate/content). Each function returns the list of
// messages the Go function of the same name returns: empty means valid. Pure functions.
namespace ilab::validation::names {

inline constexpr int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
inline constexpr int DNS1123_LABEL_MAX_LENGTH = 63;

std::vector<std::string> isDns1123Subdomain(const std::string& value);
std::vector<std::string> isDns1123Label(const std::string& value);
std::vector<std::string> isDns1035Label(const std::string& value);
std::vector<std::string> isWildcardDns1123Subdomain(const std::string& value);
std::vector<std::string> isValidPortNum(long long port);
std::vector<std::string> isValidPortName(const std::string& port);
std::vector<std::string> isQualifiedName(const std::string& value);  // label keys, annotation keys
std::vector<std::string> isValidLabelValue(const std::string& value);
std::vector<std::string> isConfigMapKey(const std::string& value);
// IsDomainPrefixedPath (IngressClass spec.controller): messages paired with the value they are about.
std::vector<std::pair<std::string, std::string>> isDomainPrefixedPath(const std::string& value);

// netutils.ParseIPSloppy(value) != nil: IPv4 (leading zeros allowed) or IPv6.
bool isIpAddress(const std::string& value);

// Go's %#v of a map[string]string: map[string]string{"a":"b", "c":"d"} (keys sorted).
std::string goMapString(const std::map<std::string, std::string>& m);
// Go's %q of a string (used inside messages).
std::string goQuote(const std::string& s);

}  // namespace ilab::validation::names
