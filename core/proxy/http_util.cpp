#include "core/proxy/http_util.h"

#include <strings.h>
#include <time.h>

#include <cctype>

namespace ilab::proxy {

const char* statusText(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Not Allowed";
    case 408: return "Request Time-out";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Large";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

std::string errorPage(int status) {
    std::string line = std::to_string(status) + " " + statusText(status);
    return "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line +
           "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool headerHasToken(std::string_view value, std::string_view token) {
    std::size_t pos = 0;
    while (pos <= value.size()) {
        std::size_t comma = value.find(',', pos);
        if (comma == std::string_view::npos) comma = value.size();
        std::string_view item = value.substr(pos, comma - pos);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (iequals(item, token)) return true;
        pos = comma + 1;
    }
    return false;
}

bool isHopByHop(std::string_view n) {
    return iequals(n, "connection") || iequals(n, "keep-alive") || iequals(n, "proxy-connection") ||
           iequals(n, "te") || iequals(n, "trailer") || iequals(n, "transfer-encoding") || iequals(n, "upgrade") ||
           iequals(n, "proxy-authenticate");
}

bool validHost(std::string_view h) {
    // Same walk as ngx_http_validate_host in nginx 1.27.1.
    enum { Usual, Literal, Rest } state = Usual;
    std::size_t dotPos = h.size();
    std::size_t hostLen = h.size();
    for (std::size_t i = 0; i < h.size(); ++i) {
        const unsigned char ch = static_cast<unsigned char>(h[i]);
        switch (ch) {
        case '.':
            if (dotPos + 1 == i) return false;  // ".."
            dotPos = i;
            break;
        case ':':
            if (state == Usual) {
                hostLen = i;
                state = Rest;
            }
            break;
        case '[':
            if (i == 0) state = Literal;
            break;
        case ']':
            if (state == Literal) {
                hostLen = i + 1;
                state = Rest;
            }
            break;
        default:
            if (ch == '/' || ch == '\\' || ch <= 0x20 || ch == 0x7f) return false;
            break;
        }
    }
    if (hostLen > 0 && dotPos == hostLen - 1) --hostLen;
    return hostLen > 0;
}

namespace {
int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = char(c | 0x20);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
}  // namespace

bool validRequestPath(std::string_view target) {
    std::string_view path = target.substr(0, target.find('?'));
    if (path.empty() || path[0] != '/') return true;  // "*" and the like: nothing to resolve
    // One pass, no copy: escapes are decoded on the fly (nginx decodes %2F and %2E before resolving dot segments
    // too) while the segments are counted; a segment is "." or ".." when it holds only one or two dots.
    int depth = 0;
    std::size_t segLen = 0;
    bool onlyDots = true;
    auto endSegment = [&] {
        if (onlyDots && segLen == 2) {
            if (depth == 0) return false;  // ".." above the root
            --depth;
        } else if (segLen > 0 && !(onlyDots && segLen == 1)) {
            ++depth;
        }
        segLen = 0;
        onlyDots = true;
        return true;
    };
    for (std::size_t i = 1; i < path.size(); ++i) {
        char c = path[i];
        if (c == '%') {
            if (i + 2 >= path.size()) return false;  // truncated escape
            const int hi = hexDigit(path[i + 1]), lo = hexDigit(path[i + 2]);
            if (hi < 0 || lo < 0) return false;
            c = char(hi * 16 + lo);
            if (c == '\0') return false;
            i += 2;
        }
        if (c == '/') {
            if (!endSegment()) return false;
            continue;
        }
        ++segLen;
        if (c != '.') onlyDots = false;
    }
    return endSegment();
}

bool splitAbsoluteForm(std::string_view target, std::string_view* authority, std::string* originForm) {
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://".
    std::size_t i = 0;
    while (i < target.size() && (std::isalnum(static_cast<unsigned char>(target[i])) || target[i] == '+' ||
                                 target[i] == '-' || target[i] == '.'))
        ++i;
    if (i == 0 || !std::isalpha(static_cast<unsigned char>(target[0])) || target.substr(i, 3) != "://") return false;
    const std::size_t start = i + 3;
    std::size_t end = target.find_first_of("/?", start);
    if (end == std::string_view::npos) end = target.size();
    *authority = target.substr(start, end - start);
    // userinfo is not part of the host (nginx does not accept it in the request line either).
    if (authority->find('@') != std::string_view::npos) *authority = {};
    // "http://host?q" has an empty path: "/?q" (nginx's empty_path_in_uri).
    originForm->clear();
    if (end == target.size() || target[end] != '/') originForm->push_back('/');
    originForm->append(target.data() + end, target.size() - end);
    return true;
}

HeaderNameCheck checkHeaderName(std::string_view name) {
    HeaderNameCheck result = name.empty() ? HeaderNameCheck::Invalid : HeaderNameCheck::Valid;
    for (char c : name) {
        const unsigned char ch = static_cast<unsigned char>(c);
        if (ch <= 0x20 || ch == 0x7f) return HeaderNameCheck::Invalid;
        if (!std::isalnum(ch) && ch != '-') result = HeaderNameCheck::Ignored;
    }
    return result;
}

std::string httpDate(std::int64_t unixSeconds) {
    time_t t = time_t(unixSeconds);
    tm g;
    gmtime_r(&t, &g);
    char buf[64];
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &g);
    return buf;
}

bool isIdempotentMethod(std::string_view m) { return !(m == "POST" || m == "LOCK" || m == "PATCH"); }

void appendDecimal(std::string& out, std::uint64_t value) {
    char buf[24];
    char* e = buf + sizeof buf;
    char* b = e;
    do {
        *--b = char('0' + value % 10);
        value /= 10;
    } while (value);
    out.append(b, std::size_t(e - b));
}

void appendHex(std::string& out, std::uint64_t v) {
    char buf[17];
    int i = 16;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    out.append(buf + i, 16 - i);
}

std::string hex32(std::uint64_t a, std::uint64_t b) {
    std::string s(32, '0');
    for (int i = 0; i < 16; ++i) {
        s[15 - i] = "0123456789abcdef"[(a >> (4 * i)) & 15];
        s[31 - i] = "0123456789abcdef"[(b >> (4 * i)) & 15];
    }
    return s;
}

}  // namespace ilab::proxy
