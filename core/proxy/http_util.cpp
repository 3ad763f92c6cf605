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
