#include "core/kube/api_error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <charconv>

namespace ilab::kube {

namespace {

std::string str(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toString().toStdString(); }

// A body that is not a Status may be anything (an HTML error page from a proxy): keep printable ASCII only.
std::string sanitisedSnippet(std::string_view body) {
    std::string out;
    for (char c : body.substr(0, 200)) {
        if (c == '\n' || c == '\r' || c == '\t') out += ' ';
        else if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::optional<std::chrono::seconds> parseSeconds(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
    long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n < 0) return std::nullopt;
    return std::chrono::seconds(std::min<long long>(n, 24 * 3600));
}

}  // namespace

bool ApiError::hasCause(std::string_view causeReason) const {
    return std::any_of(causes.begin(), causes.end(), [&](const StatusCause& c) { return c.reason == causeReason; });
}

std::string reasonForHttp(int http) {
    switch (http) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "Unknown";
    }
}

ApiError parseStatus(int http, std::string_view body, std::string_view retryAfterHeader) {
    ApiError e;
    e.http = http;
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(body.data(), qsizetype(body.size())), &perr);
    const QJsonObject o = doc.object();
    if (perr.error == QJsonParseError::NoError && o.value(QLatin1String("kind")).toString() == QLatin1String("Status")) {
        e.reason = str(o, "reason");
        e.message = str(o, "message");
        const int code = o.value(QLatin1String("code")).toInt(0);
        if (code > 0 && http == 200) e.http = code;  // an ERROR event inside a watch stream carries its own code
        const QJsonObject d = o.value(QLatin1String("details")).toObject();
        e.group = str(d, "group");
        e.kind = str(d, "kind");
        e.name = str(d, "name");
        for (const QJsonValue& cv : d.value(QLatin1String("causes")).toArray()) {
            const QJsonObject c = cv.toObject();
            e.causes.push_back({str(c, "field"), str(c, "reason"), str(c, "message")});
        }
        if (d.contains(QLatin1String("retryAfterSeconds"))) {
            const int s = d.value(QLatin1String("retryAfterSeconds")).toInt(0);
            if (s > 0) e.retryAfter = std::chrono::seconds(s);
        }
        e.continueToken = str(o.value(QLatin1String("metadata")).toObject(), "continue");
    } else {
        e.message = sanitisedSnippet(body);
    }
    if (e.reason.empty()) e.reason = reasonForHttp(e.http);
    if (e.message.empty()) e.message = e.reason;
    if (auto h = parseSeconds(retryAfterHeader)) {
        if (!e.retryAfter || *h > *e.retryAfter) e.retryAfter = h;
    }
    return e;
}

std::string RestError::describe() const {
    switch (kind) {
    case RestErrorKind::Api: {
        std::string s = std::to_string(api.http) + " " + api.reason + ": " + api.message;
        if (!api.causes.empty()) {
            s += " (";
            for (std::size_t i = 0; i < api.causes.size(); ++i) {
                if (i) s += "; ";
                const auto& c = api.causes[i];
                s += c.field.empty() ? c.reason : c.field + ": " + c.reason;
            }
            s += ")";
        }
        if (api.retryAfter) s += " [retry after " + std::to_string(api.retryAfter->count()) + "s]";
        return s;
    }
    case RestErrorKind::Transport: {
        std::string s = "transport error (curl " + std::to_string(transport.curlCode) + "): " + transport.message;
        if (!transport.tlsDetail.empty()) s += " [TLS: " + transport.tlsDetail + "]";
        return s;
    }
    case RestErrorKind::BadResponse: return "bad response: " + message;
    case RestErrorKind::Credentials: return "credentials: " + message;
    case RestErrorKind::Cancelled: return "cancelled" + (message.empty() ? std::string() : ": " + message);
    }
    return message;
}

std::string parseWarningHeader(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n')) v.remove_suffix(1);
    // warn-code SP warn-agent SP warn-text
    const auto sp1 = v.find(' ');
    if (sp1 == std::string_view::npos) return std::string(v);
    const auto sp2 = v.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 + 1 >= v.size() || v[sp2 + 1] != '"') return std::string(v);
    std::string out;
    for (std::size_t i = sp2 + 2; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            out += v[++i];
        } else if (v[i] == '"') {
            return out;
        } else {
            out += v[i];
        }
    }
    return std::string(v);  // unterminated quote: show the raw value
}

}  // namespace ilab::kube
