#include "core/loadgen/backend_identity.h"

namespace ilab::loadgen {

namespace {

// Cursor over a JSON text. Every step checks the end; a malformed body just makes the parse fail.
struct Cursor {
    std::string_view s;
    size_t i = 0;

    bool atEnd() const { return i >= s.size(); }
    void skipWs() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    }
    bool take(char c) {
        skipWs();
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    // A JSON string at the cursor; `out` receives the raw characters between the quotes.
    bool string(std::string_view& out) {
        skipWs();
        if (i >= s.size() || s[i] != '"') return false;
        const size_t start = ++i;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '"') {
                out = s.substr(start, i - start);
                ++i;
                return true;
            }
            ++i;
        }
        return false;
    }
    // Skips any JSON value (object, array, string, number, literal) with bounded nesting.
    bool skipValue() {
        skipWs();
        if (atEnd()) return false;
        const char c = s[i];
        if (c == '"') {
            std::string_view ignored;
            return string(ignored);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            while (i < s.size()) {
                const char d = s[i];
                if (d == '"') {
                    std::string_view ignored;
                    if (!string(ignored)) return false;
                    continue;
                }
                if (d == '{' || d == '[') {
                    if (++depth > 64) return false;
                } else if (d == '}' || d == ']') {
                    if (--depth == 0) {
                        ++i;
                        return true;
                    }
                }
                ++i;
            }
            return false;
        }
        const size_t start = i;
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
               s[i] != '\r' && s[i] != '\t')
            ++i;
        return i > start;
    }
};

}  // namespace

bool parseIdentityJson(std::string_view body, BackendIdentity& out) {
    out = {};
    Cursor c{body};
    if (!c.take('{')) return false;
    BackendIdentity found;
    if (c.take('}')) return true;
    for (;;) {
        std::string_view key;
        if (!c.string(key) || !c.take(':')) return false;
        c.skipWs();
        if (!c.atEnd() && body[c.i] == '"') {
            std::string_view value;
            if (!c.string(value)) return false;
            if (key == "service")
                found.service = value;
            else if (key == "pod")
                found.pod = value;
            else if (key == "namespace")
                found.ns = value;
            else if (key == "version")
                found.version = value;
        } else if (!c.skipValue()) {
            return false;
        }
        if (c.take(',')) continue;
        if (c.take('}')) break;
        return false;
    }
    out = found;
    return true;
}

std::string bodyLine(std::string_view body, size_t maxBytes) {
    if (body.size() > maxBytes) body = body.substr(0, maxBytes);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ' || body.back() == '\t'))
        body.remove_suffix(1);
    std::string out;
    out.reserve(body.size());
    for (char ch : body) {
        switch (ch) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\0': out += "\\0"; break;
        default: out += ch;
        }
    }
    return out;
}

std::string_view backendKey(std::string_view body, std::string_view upstreamHeader, std::string_view podHeader,
                            BackendIdentity& identity, std::string& scratch) {
    identity = {};
    if (parseIdentityJson(body, identity)) {
        if (!identity.service.empty()) return identity.service;
        if (!identity.pod.empty()) return identity.pod;
    }
    if (!upstreamHeader.empty()) return upstreamHeader;
    if (!podHeader.empty()) return podHeader;
    scratch = bodyLine(body, BODY_KEY_BYTES);
    return scratch;
}

}  // namespace ilab::loadgen
