#include "core/routing/uri.h"

#include <cctype>

namespace ilab::routing {

std::string toLower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string_view hostWithoutPortView(std::string_view host) {
    if (!host.empty() && host[0] == '[') {
        auto close = host.find(']');
        return close == std::string_view::npos ? host : host.substr(0, close + 1);
    }
    auto colon = host.find(':');
    return colon == std::string_view::npos ? host : host.substr(0, colon);
}

std::string hostWithoutPort(const std::string& host) { return std::string(hostWithoutPortView(host)); }

bool normalizeHostInto(std::string_view host, std::string& out) {
    std::string_view h = hostWithoutPortView(host);
    out.clear();
    if (h.empty()) return true;
    if (h[0] != '[') {  // an IPv6 literal is only lowercased: no server name can match it
        std::size_t dotPos = std::string_view::npos;
        for (std::size_t i = 0; i < h.size(); ++i) {
            char c = h[i];
            if (c == '.') {
                if (i > 0 && dotPos == i - 1) return false;  // ".."
                dotPos = i;
                continue;
            }
            if (c == '/' || c == '\\' || c == '\0' || c == ' ' || static_cast<unsigned char>(c) < 0x20) return false;
        }
        if (h.back() == '.') h.remove_suffix(1);
    }
    out.resize(h.size());
    for (std::size_t i = 0; i < h.size(); ++i) {
        const char c = h[i];
        // Lower-case letters, digits, '.' and '-' are their own std::tolower in every locale: no call for them.
        const bool same = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        out[i] = same ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return true;
}

std::optional<std::string> normalizeHost(const std::string& host) {
    std::string out;
    if (!normalizeHostInto(host, out)) return std::nullopt;
    return out;
}

SplitTargetView splitTargetView(std::string_view s) {
    SplitTargetView t;
    // absolute-form request-target: scheme://host/path
    if (auto p = s.find("://"); p != std::string_view::npos && s[0] != '/') {
        auto slash = s.find('/', p + 3);
        s = slash == std::string_view::npos ? std::string_view("/") : s.substr(slash);
    }
    auto q = s.find('?');
    if (q == std::string_view::npos) {
        t.path = s;
    } else {
        t.path = s.substr(0, q);
        t.query = s.substr(q + 1);
        t.hasQuery = true;
    }
    if (t.path.empty()) t.path = "/";
    return t;
}

SplitTarget splitTarget(const std::string& target) {
    const SplitTargetView v = splitTargetView(target);
    return SplitTarget{std::string(v.path), std::string(v.query), v.hasQuery};
}

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
}  // namespace

bool normalizePathInto(std::string_view rawPath, std::string& out, std::string& decoded) {
    // Most paths are already normal: they start with '/' and have no escape, no "//" and no "/." (so no dot
    // segment). The steps below would give them back unchanged.
    if (!rawPath.empty() && rawPath[0] == '/' && rawPath.find('%') == std::string_view::npos &&
        rawPath.find("//") == std::string_view::npos && rawPath.find("/.") == std::string_view::npos) {
        out.assign(rawPath);
        return true;
    }
    decoded.clear();
    decoded.reserve(rawPath.size() + 1);
    for (std::size_t i = 0; i < rawPath.size(); ++i) {
        if (rawPath[i] == '%') {
            if (i + 2 >= rawPath.size()) return false;
            int hi = hexValue(rawPath[i + 1]), lo = hexValue(rawPath[i + 2]);
            if (hi < 0 || lo < 0) return false;
            decoded += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            decoded += rawPath[i];
        }
    }
    if (decoded.empty() || decoded[0] != '/') decoded.insert(decoded.begin(), '/');
    // Segments, merging slashes and resolving dot segments: `out` holds "/seg1/seg2" (no trailing '/'), so ".."
    // drops everything from the last '/'.
    out.clear();
    std::size_t pos = 1;
    bool trailingSlash = false;
    while (pos <= decoded.size()) {
        std::size_t end = decoded.find('/', pos);
        if (end == std::string::npos) end = decoded.size();
        const std::string_view seg(decoded.data() + pos, end - pos);
        const bool last = end == decoded.size();
        if (seg.empty() || seg == ".") {
            if (last) trailingSlash = true;
        } else if (seg == "..") {
            if (out.empty()) return false;
            out.resize(out.rfind('/'));
            if (last) trailingSlash = true;
        } else {
            out += '/';
            out.append(seg);
            trailingSlash = false;
        }
        pos = end + 1;
    }
    if (out.empty() || trailingSlash) out += '/';
    return true;
}

std::optional<std::string> normalizePath(const std::string& rawPath) {
    std::string out, scratch;
    if (!normalizePathInto(rawPath, out, scratch)) return std::nullopt;
    return out;
}

}  // namespace ilab::routing
