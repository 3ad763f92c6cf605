#include "core/routing/uri.h"

#include <cctype>
#include <vector>

namespace ilab::routing {

std::string toLower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string hostWithoutPort(const std::string& host) {
    if (!host.empty() && host[0] == '[') {
        auto close = host.find(']');
        return close == std::string::npos ? host : host.substr(0, close + 1);
    }
    auto colon = host.find(':');
    return colon == std::string::npos ? host : host.substr(0, colon);
}

std::optional<std::string> normalizeHost(const std::string& host) {
    std::string h = hostWithoutPort(host);
    if (h.empty()) return std::string();
    if (h[0] == '[') return toLower(h);  // IPv6 literal: no server name can match it
    std::size_t dotPos = std::string::npos;
    for (std::size_t i = 0; i < h.size(); ++i) {
        char c = h[i];
        if (c == '.') {
            if (i > 0 && dotPos == i - 1) return std::nullopt;  // ".."
            dotPos = i;
            continue;
        }
        if (c == '/' || c == '\\' || c == '\0' || c == ' ' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    }
    if (h.back() == '.') h.pop_back();
    return toLower(h);
}

SplitTarget splitTarget(const std::string& target) {
    SplitTarget t;
    std::string s = target;
    // absolute-form request-target: scheme://host/path
    if (auto p = s.find("://"); p != std::string::npos && s[0] != '/') {
        auto slash = s.find('/', p + 3);
        s = slash == std::string::npos ? "/" : s.substr(slash);
    }
    auto q = s.find('?');
    if (q == std::string::npos) {
        t.path = s;
    } else {
        t.path = s.substr(0, q);
        t.query = s.substr(q + 1);
        t.hasQuery = true;
    }
    if (t.path.empty()) t.path = "/";
    return t;
}

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
}  // namespace

std::optional<std::string> normalizePath(const std::string& rawPath) {
    std::string decoded;
    decoded.reserve(rawPath.size());
    for (std::size_t i = 0; i < rawPath.size(); ++i) {
        if (rawPath[i] == '%') {
            if (i + 2 >= rawPath.size()) return std::nullopt;
            int hi = hexValue(rawPath[i + 1]), lo = hexValue(rawPath[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            decoded += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            decoded += rawPath[i];
        }
    }
    if (decoded.empty() || decoded[0] != '/') decoded.insert(decoded.begin(), '/');
    // split into segments, merging slashes and resolving dot segments
    std::vector<std::string> segs;
    std::size_t pos = 1;
    bool trailingSlash = false;
    while (pos <= decoded.size()) {
        std::size_t end = decoded.find('/', pos);
        if (end == std::string::npos) end = decoded.size();
        std::string seg = decoded.substr(pos, end - pos);
        const bool last = end == decoded.size();
        if (seg.empty()) {
            if (last) trailingSlash = true;
        } else if (seg == ".") {
            if (last) trailingSlash = true;
        } else if (seg == "..") {
            if (segs.empty()) return std::nullopt;
            segs.pop_back();
            if (last) trailingSlash = true;
        } else {
            segs.push_back(std::move(seg));
            trailingSlash = false;
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto& s : segs) out += "/" + s;
    if (out.empty() || trailingSlash) out += "/";
    return out;
}

}  // namespace ilab::routing
