#include "core/validation/name_rules.h"

#include "core/common/quoting.h"

#include <arpa/inet.h>

#include <cstdio>

namespace ilab::validation::names {

namespace {

const char* DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* DNS1123_LABEL_ERR =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character";
const char* DNS1123_SUBDOMAIN_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* DNS1123_SUBDOMAIN_ERR =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character";
const char* DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const char* DNS1035_LABEL_ERR =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
    "and end with an alphanumeric character";
const char* WILDCARD_FMT = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* WILDCARD_ERR =
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of "
    "lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const char* LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const char* LABEL_KEY_ERR =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const char* LABEL_VALUE_FMT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const char* LABEL_VALUE_ERR =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character";
const char* CONFIGMAP_KEY_FMT = "[-._a-zA-Z0-9]+";
const char* CONFIGMAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const char* HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

std::string maxLenError(int n) { return "must be no more than " + std::to_string(n) + " characters"; }

std::string regexError(const std::string& msg, const std::string& fmt, const std::vector<std::string>& examples) {
    if (examples.empty()) return msg + " (regex used for validation is '" + fmt + "')";
    std::string out = msg + " (e.g. ";
    for (std::size_t i = 0; i < examples.size(); ++i) {
        if (i) out += " or ";
        out += "'" + examples[i] + "', ";
    }
    return out + "regex used for validation is '" + fmt + "')";
}

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matchesDns1123Label(const std::string& s) {
    if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) return false;
    for (char c : s)
        if (!isLowerAlnum(c) && c != '-') return false;
    return true;
}

bool matchesDns1123Subdomain(const std::string& s) {
    if (s.empty()) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = s.find('.', start);
        if (!matchesDns1123Label(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start))) return false;
        if (dot == std::string::npos) return true;
        start = dot + 1;
    }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchesLabelKeyName(const std::string& s) {
    if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
    for (char c : s)
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

bool matchesHttpPath(const std::string& s) {
    static const std::string extra = "/-._~%!$&'()*+,;=:";
    if (s.empty()) return false;
    for (char c : s)
        if (!isAlnum(c) && extra.find(c) == std::string::npos) return false;
    return true;
}

}  // namespace

std::vector<std::string> isDns1123Subdomain(const std::string& value) {
    std::vector<std::string> errs;
    if (value.size() > static_cast<std::size_t>(DNS1123_SUBDOMAIN_MAX_LENGTH)) errs.push_back(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    if (!matchesDns1123Subdomain(value)) errs.push_back(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, {"example.com"}));
    return errs;
}

std::vector<std::string> isDns1123Label(const std::string& value) {
    std::vector<std::string> errs;
    if (value.size() > static_cast<std::size_t>(DNS1123_LABEL_MAX_LENGTH)) errs.push_back(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    if (!matchesDns1123Label(value)) {
        if (matchesDns1123Subdomain(value)) errs.push_back("must not contain dots");
        else errs.push_back(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, {"my-name", "123-abc"}));
    }
    return errs;
}

std::vector<std::string> isDns1035Label(const std::string& value) {
    std::vector<std::string> errs;
    if (value.size() > static_cast<std::size_t>(DNS1123_LABEL_MAX_LENGTH)) errs.push_back(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    bool ok = matchesDns1123Label(value) && value.front() >= 'a' && value.front() <= 'z';
    if (!ok) errs.push_back(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, {"my-name", "abc-123"}));
    return errs;
}

std::vector<std::string> isWildcardDns1123Subdomain(const std::string& value) {
    std::vector<std::string> errs;
    if (value.size() > static_cast<std::size_t>(DNS1123_SUBDOMAIN_MAX_LENGTH)) errs.push_back(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    bool ok = value.size() > 2 && value.compare(0, 2, "*.") == 0 && matchesDns1123Subdomain(value.substr(2));
    if (!ok) errs.push_back(regexError(WILDCARD_ERR, WILDCARD_FMT, {"*.example.com"}));
    return errs;
}

std::vector<std::string> isValidPortNum(long long port) {
    if (port >= 1 && port <= 65535) return {};
    return {"must be between 1 and 65535, inclusive"};
}

std::vector<std::string> isValidPortName(const std::string& port) {
    std::vector<std::string> errs;
    if (port.size() > 15) errs.push_back(maxLenError(15));
    bool charset = !port.empty();
    bool hasLetter = false;
    for (char c : port) {
        if (!isLowerAlnum(c) && c != '-') charset = false;
        if (c >= 'a' && c <= 'z') hasLetter = true;
    }
    if (!charset) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (!hasLetter) errs.push_back("must contain at least one letter (a-z)");
    if (port.find("--") != std::string::npos) errs.push_back("must not contain consecutive hyphens");
    if (!port.empty() && (port.front() == '-' || port.back() == '-')) errs.push_back("must not begin or end with a hyphen");
    return errs;
}

std::vector<std::string> isQualifiedName(const std::string& value) {
    std::vector<std::string> errs;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = value.find('/', start);
        parts.push_back(value.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    std::string name;
    if (parts.size() == 1) {
        name = parts[0];
    } else if (parts.size() == 2) {
        const std::string& prefix = parts[0];
        name = parts[1];
        if (prefix.empty()) errs.push_back("prefix part must be non-empty");
        else
            for (const auto& m : isDns1123Subdomain(prefix)) errs.push_back("prefix part " + m);
    } else {
        errs.push_back("a qualified name " + regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, {"MyName", "my.name", "123-abc"}) +
                       " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        return errs;
    }
    if (name.empty()) errs.push_back("name part must be non-empty");
    else if (name.size() > 63) errs.push_back("name part " + maxLenError(63));
    if (!matchesLabelKeyName(name))
        errs.push_back("name part " + regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, {"MyName", "my.name", "123-abc"}));
    return errs;
}

std::vector<std::string> isValidLabelValue(const std::string& value) {
    std::vector<std::string> errs;
    if (value.size() > 63) errs.push_back(maxLenError(63));
    if (!value.empty() && !matchesLabelKeyName(value))
        errs.push_back(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, {"MyValue", "my_value", "12345"}));
    return errs;
}

std::vector<std::string> isConfigMapKey(const std::string& value) {
    std::vector<std::string> errs;
    if (value.size() > static_cast<std::size_t>(DNS1123_SUBDOMAIN_MAX_LENGTH)) errs.push_back(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    bool ok = !value.empty();
    for (char c : value)
        if (!isAlnum(c) && c != '-' && c != '.' && c != '_') ok = false;
    if (!ok) errs.push_back(regexError(CONFIGMAP_KEY_ERR, CONFIGMAP_KEY_FMT, {"key.name", "KEY_NAME", "key-name"}));
    if (value == ".") errs.push_back("must not be '.'");
    else if (value == "..") errs.push_back("must not be '..'");
    else if (value.rfind("..", 0) == 0) errs.push_back("must not start with '..'");
    return errs;
}

std::vector<std::pair<std::string, std::string>> isDomainPrefixedPath(const std::string& value) {
    std::vector<std::pair<std::string, std::string>> errs;
    auto slash = value.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= value.size()) {
        errs.emplace_back(value, "must be a domain-prefixed path (such as \"acme.io/foo\")");
        return errs;
    }
    const std::string host = value.substr(0, slash);
    const std::string path = value.substr(slash + 1);
    for (const auto& m : isDns1123Subdomain(host)) errs.emplace_back(host, m);
    if (!matchesHttpPath(path)) errs.emplace_back(path, regexError("Invalid path", HTTP_PATH_FMT, {}));
    return errs;
}

bool isIpAddress(const std::string& value) {
    if (value.find(':') != std::string::npos) {
        unsigned char buf[16];
        return inet_pton(AF_INET6, value.c_str(), buf) == 1;
    }
    // IPv4, sloppy: four decimal fields 0-255, leading zeros allowed (Go's pre-1.17 net.ParseIP).
    int fields = 0;
    std::size_t i = 0;
    while (i <= value.size()) {
        std::size_t j = i;
        int v = 0;
        while (j < value.size() && value[j] >= '0' && value[j] <= '9') {
            v = v * 10 + (value[j] - '0');
            if (v > 255) return false;
            ++j;
        }
        if (j == i || j - i > 3) return false;
        ++fields;
        if (j == value.size()) break;
        if (value[j] != '.') return false;
        i = j + 1;
    }
    return fields == 4;
}

std::string goQuote(const std::string& s) { return doubleQuoted(s, HexCase::Lower); }

std::string goMapString(const std::map<std::string, std::string>& m) {
    std::string out = "map[string]string{";
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ", ";
        first = false;
        out += goQuote(k) + ":" + goQuote(v);
    }
    return out + "}";
}

}  // namespace ilab::validation::names
