#include "core/events/log_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ilab::events {

namespace {

std::tm utcTm(std::int64_t seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

void appendQuoted(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out.push_back(c);
        }
    }
    out.push_back('"');
}

std::string orDash(const std::string& s) { return s.empty() ? std::string("-") : s; }

std::string seconds3(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
    return buf;
}

}  // namespace

std::int64_t nowUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string formatKlog(KlogSeverity severity, std::int64_t timeUs, int pid, std::string_view source,
                       std::string_view message, bool structured,
                       const std::vector<std::pair<std::string, std::string>>& kv) {
    const std::int64_t secs = timeUs / 1000000;
    const int micros = static_cast<int>(timeUs % 1000000);
    const std::tm tm = utcTm(secs);
    char head[64];
    std::snprintf(head, sizeof head, "%c%02d%02d %02d:%02d:%02d.%06d %7d ", static_cast<char>(severity), tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros, pid);
    std::string out(head);
    out.append(source);
    out += "] ";
    if (structured) {
        appendQuoted(out, message);
        for (const auto& [k, v] : kv) {
            out.push_back(' ');
            out += k;
            out.push_back('=');
            appendQuoted(out, v);
        }
    } else {
        out.append(message);
    }
    return out;
}

std::string formatTimeLocal(std::int64_t timeMs) {
    static const char* MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::tm tm = utcTm(timeMs / 1000);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday, MONTHS[tm.tm_mon],
                  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string nginxEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

std::string formatAccessLog(const proxy::AccessRecord& r) {
    std::string out;
    out.reserve(256);
    out += orDash(r.clientIp);
    out += " - - [";
    out += formatTimeLocal(r.timeMs);
    out += "] \"";
    if (r.method.empty() && r.target.empty()) {
        // nginx logs an unparsable request line as-is (often empty).
    } else {
        out += nginxEscape(r.method);
        out.push_back(' ');
        out += nginxEscape(r.target);
        out.push_back(' ');
        out += nginxEscape(r.protocol);
    }
    out += "\" ";
    out += std::to_string(r.status);
    out.push_back(' ');
    out += std::to_string(r.bytesSent);
    out += " \"";
    out += r.referer.empty() ? std::string("-") : nginxEscape(r.referer);
    out += "\" \"";
    out += r.userAgent.empty() ? std::string("-") : nginxEscape(r.userAgent);
    out += "\" ";
    out += std::to_string(r.requestLength);
    out.push_back(' ');
    out += seconds3(r.requestTimeSec);
    out += " [";
    out += r.upstreamName;
    out += "] [";
    if (r.canary == "canary") out += r.upstreamName;
    out += "] ";
    const bool hasUpstream = r.upstreamStatus != 0 && !r.upstreamAddr.empty() && r.upstreamAddr != "-";
    out += orDash(r.upstreamAddr);
    out.push_back(' ');
    out += hasUpstream ? std::to_string(r.bytesSent) : std::string("-");
    out.push_back(' ');
    out += hasUpstream ? seconds3(r.upstreamResponseTimeSec) : std::string("-");
    out.push_back(' ');
    out += hasUpstream ? std::to_string(r.upstreamStatus) : std::string("-");
    out.push_back(' ');
    out += orDash(r.requestId);
    return out;
}

}  // namespace ilab::events
