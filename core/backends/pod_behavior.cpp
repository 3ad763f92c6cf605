#include "core/backends/pod_behavior.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ilab::backends {

namespace {

bool parseInt(const std::string& s, int lo, int hi, int* out) {
    if (s.empty() || s.size() > 9) return false;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool parseRate(std::string s, double* out) {
    bool percent = false;
    if (!s.empty() && s.back() == '%') {
        percent = true;
        s.pop_back();
    }
    try {
        std::size_t used = 0;
        double v = std::stod(s, &used);
        if (used != s.size()) return false;
        if (percent) v /= 100.0;
        if (!(v >= 0.0 && v <= 1.0)) return false;
        *out = v;
        return true;
    } catch (...) {
        return false;
    }
}

void problem(std::vector<std::string>* problems, const std::string& key, const std::string& value, const std::string& why) {
    if (problems) problems->push_back(key + ": invalid value \"" + value + "\": " + why);
}

}  // namespace

const PathResponse* PodBehavior::match(const std::string& path) const {
    for (const auto& r : responses) {
        if (r.prefix ? path.compare(0, r.path.size(), r.path) == 0 : path == r.path) return &r;
    }
    return nullptr;
}

PodBehavior parsePodBehavior(const std::map<std::string, std::string>& annotations, std::vector<std::string>* problems) {
    PodBehavior b;
    const std::string prefix = ANNOTATION_PREFIX;
    for (const auto& [key, value] : annotations) {
        if (key.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string name = key.substr(prefix.size());
        if (name == "status") {
            int v;
            if (parseInt(value, 100, 599, &v)) b.status = v;
            else problem(problems, key, value, "must be an HTTP status 100-599");
        } else if (name == "body") {
            b.body = value;
        } else if (name == "content-type") {
            b.contentType = value;
        } else if (name == "latency-ms") {
            int v;
            if (parseInt(value, 0, 600000, &v)) b.latencyMs = v;
            else problem(problems, key, value, "must be milliseconds 0-600000");
        } else if (name == "failure-rate") {
            double v;
            if (parseRate(value, &v)) b.failureRate = v;
            else problem(problems, key, value, "must be a fraction 0-1 or a percentage (\"10%\")");
        } else if (name == "failure-status") {
            int v;
            if (parseInt(value, 100, 599, &v)) b.failureStatus = v;
            else problem(problems, key, value, "must be an HTTP status 100-599");
        } else if (name == "tls") {
            if (value == "true") b.tls = true;
            else if (value == "false") b.tls = false;
            else problem(problems, key, value, "must be \"true\" or \"false\"");
        } else if (name.compare(0, 7, "header.") == 0 && name.size() > 7) {
            b.headers.emplace_back(name.substr(7), value);
        } else if (name.compare(0, 9, "response.") == 0 && name.size() > 9) {
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(value), &err);
            if (err.error != QJsonParseError::NoError || !doc.isObject()) {
                problem(problems, key, value, "must be a JSON object like {\"path\": \"/health\", \"status\": 200, \"body\": \"ok\"}");
                continue;
            }
            const QJsonObject o = doc.object();
            PathResponse r;
            r.id = name.substr(9);
            r.path = o.value("path").toString().toStdString();
            if (r.path.empty() || r.path[0] != '/') {
                problem(problems, key, value, "\"path\" must start with /");
                continue;
            }
            if (r.path.back() == '*') {
                r.prefix = true;
                r.path.pop_back();
            }
            if (o.value("prefix").toBool(false)) r.prefix = true;
            const int st = o.value("status").toInt(200);
            if (st < 100 || st > 599) {
                problem(problems, key, value, "\"status\" must be 100-599");
                continue;
            }
            r.status = st;
            const QJsonValue body = o.value("body");
            if (body.isString()) {
                r.body = body.toString().toStdString();
            } else if (body.isObject() || body.isArray()) {
                r.body = (body.isObject() ? QJsonDocument(body.toObject()) : QJsonDocument(body.toArray()))
                             .toJson(QJsonDocument::Compact)
                             .toStdString();
                r.contentType = "application/json";
            }
            if (o.contains("contentType")) r.contentType = o.value("contentType").toString().toStdString();
            if (o.contains("latencyMs")) r.latencyMs = std::max(0, o.value("latencyMs").toInt(0));
            const QJsonObject headers = o.value("headers").toObject();
            for (auto it = headers.begin(); it != headers.end(); ++it)
                r.headers.emplace_back(it.key().toStdString(), it.value().toString().toStdString());
            b.responses.push_back(std::move(r));
        } else if (problems) {
            problems->push_back(key + ": unknown ingress-lab.dev annotation (ignored)");
        }
    }
    return b;
}

}  // namespace ilab::backends
