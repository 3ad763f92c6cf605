#include "core/kube/apply.h"

#include "core/common/quoting.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <regex>
#include <vector>

namespace ilab::kube {

// ---- requests ---------------------------------------------------------------------------------------------------

RestRequest applyRequest(const ResourceRef& ref, const std::string& ns, const std::string& name, std::string body,
                         const ApplyOptions& options) {
    RestRequest r;
    r.verb = "PATCH";
    r.path = ref.itemPath(ns, name);
    r.contentType = "application/apply-patch+yaml";
    r.body = std::move(body);
    if (options.dryRun) r.query.emplace_back("dryRun", "All");
    r.query.emplace_back("fieldManager", options.fieldManager);
    if (options.force) r.query.emplace_back("force", "true");
    if (options.strictFieldValidation) r.query.emplace_back("fieldValidation", "Strict");
    return r;
}

RestClient::RequestId apply(RestClient& client, const ResourceRef& ref, const std::string& ns, const std::string& name,
                            std::string body, const ApplyOptions& options, QObject* context,
                            std::function<void(const RestReply&)> done) {
    return client.send(applyRequest(ref, ns, name, std::move(body), options), context, std::move(done));
}

RestRequest deleteRequest(const ResourceRef& ref, const std::string& ns, const std::string& name,
                          const DeleteOptions& options) {
    RestRequest r;
    r.verb = "DELETE";
    r.path = ref.itemPath(ns, name);
    r.contentType = "application/json";
    QJsonObject body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"},
                     {"propagationPolicy", QString::fromStdString(options.propagationPolicy)}};
    if (options.dryRun) {
        body.insert("dryRun", QJsonArray{"All"});
        r.query.emplace_back("dryRun", "All");
    }
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString();
    return r;
}

RestClient::RequestId deleteObject(RestClient& client, const ResourceRef& ref, const std::string& ns,
                                   const std::string& name, const DeleteOptions& options, QObject* context,
                                   std::function<void(const RestReply&)> done) {
    return client.send(deleteRequest(ref, ns, name, options), context, std::move(done));
}

// ---- normalising and masking ------------------------------------------------------------------------------------

QJsonObject normaliseForDiff(QJsonObject o) {
    if (o.isEmpty()) return o;
    QJsonObject meta = o.value("metadata").toObject();
    for (const char* k : {"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"})
        meta.remove(QLatin1String(k));
    if (meta.contains("annotations")) {
        QJsonObject ann = meta.value("annotations").toObject();
        ann.remove("kubectl.kubernetes.io/last-applied-configuration");
        if (ann.isEmpty()) meta.remove("annotations");
        else meta.insert("annotations", ann);
    }
    o.insert("metadata", meta);
    o.remove("status");
    return o;
}

namespace {

const QString MASK = QStringLiteral("***");
const QString MASK_BEFORE = QStringLiteral("*** (before)");
const QString MASK_AFTER = QStringLiteral("*** (after)");

void maskField(QJsonObject& from, QJsonObject& to, const QString& field) {
    const bool hasFrom = from.value(field).isObject(), hasTo = to.value(field).isObject();
    QJsonObject f = from.value(field).toObject(), t = to.value(field).toObject();
    const QJsonObject origTo = t;
    for (auto it = f.begin(); it != f.end(); ++it) {
        if (origTo.contains(it.key())) {
            if (origTo.value(it.key()) != it.value()) {
                *it = MASK_BEFORE;
                t.insert(it.key(), MASK_AFTER);
                continue;
            }
            t.insert(it.key(), MASK);
        }
        *it = MASK;
    }
    for (auto it = t.begin(); it != t.end(); ++it)
        if (!f.contains(it.key())) *it = MASK;
    if (hasFrom) from.insert(field, f);
    if (hasTo) to.insert(field, t);
}

}  // namespace

void maskSecretData(QJsonObject& live, QJsonObject& merged) {
    const auto isSecret = [](const QJsonObject& o) {
        return o.value("kind").toString() == QLatin1String("Secret") &&
               (o.value("apiVersion").toString() == QLatin1String("v1") || !o.contains("apiVersion"));
    };
    if (!isSecret(live) && !isSecret(merged)) return;
    maskField(live, merged, QStringLiteral("data"));
    maskField(live, merged, QStringLiteral("stringData"));
}

// ---- YAML -------------------------------------------------------------------------------------------------------

namespace {

bool isNullOrBool(const std::string& s) {
    static const char* WORDS[] = {"", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no",
                                  "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
                                  "off", "Off", "OFF"};
    return std::any_of(std::begin(WORDS), std::end(WORDS), [&](const char* w) { return s == w; });
}

// Whether go-yaml v2 would read the plain scalar as something other than a string (then it double-quotes it).
bool resolvesToNonString(const std::string& s) {
    if (isNullOrBool(s)) return true;
    static const std::regex NUMBER(
        R"(^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*|([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*([eE][-+]?[0-9]+)|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|\.(inf|Inf|INF)|\.(nan|NaN|NAN))$)");
    static const std::regex TIMESTAMP(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}.*)?$)");
    return std::regex_match(s, NUMBER) || std::regex_match(s, TIMESTAMP);
}

// libyaml's analysis for block context: may the string be written plain?
bool plainAllowed(const std::string& s) {
    if (s.empty()) return false;
    if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return false;
    if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) return false;
    const char c0 = s.front();
    if (std::string_view("#,[]{}&*!|>'\"%@`").find(c0) != std::string_view::npos) return false;
    if ((c0 == '-' || c0 == '?' || c0 == ':') && (s.size() == 1 || s[1] == ' ')) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return false;
        if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
        if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
    }
    return true;
}

std::string singleQuoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "''";
        else out += c;
    }
    return out + "'";
}

bool hasControl(const std::string& s, bool allowNewline) {
    return std::any_of(s.begin(), s.end(), [&](char ch) {
        const unsigned char c = static_cast<unsigned char>(ch);
        return (c < 0x20 && !(allowNewline && c == '\n')) || c == 0x7f;
    });
}

std::string scalarString(const std::string& s) {
    if (resolvesToNonString(s)) return doubleQuoted(s, HexCase::Upper);  // go-yaml writes upper-case \xHH
    if (plainAllowed(s)) return s;
    if (!hasControl(s, false)) return singleQuoted(s);
    return doubleQuoted(s, HexCase::Upper);  // go-yaml writes upper-case \xHH
}

std::string number(double v) {
    if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9007199254740992.0)
        return std::to_string(static_cast<long long>(v));
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, p) : std::string(".nan");
}

void emitMap(const QJsonObject& o, int indent, bool firstInline, std::string& out);
void emitSeq(const QJsonArray& a, int indent, bool firstInline, std::string& out);

// Writes a scalar value after "key:" or "-" (the caller wrote neither space nor newline yet).
void emitScalarValue(const QJsonValue& v, int indent, std::string& out) {
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: out += " null\n"; return;
    case QJsonValue::Bool: out += v.toBool() ? " true\n" : " false\n"; return;
    case QJsonValue::Double: out += " " + number(v.toDouble()) + "\n"; return;
    case QJsonValue::String: {
        const std::string s = v.toString().toStdString();
        if (s.find('\n') != std::string::npos && !hasControl(s, true) && s.front() != ' ' && s.front() != '\n') {
            // literal block: |- (no final newline), | (one), |+ (more)
            std::string body = s;
            std::string chomp = "-";
            if (!body.empty() && body.back() == '\n') {
                body.pop_back();
                chomp = (!body.empty() && body.back() == '\n') ? "+" : "";
                if (chomp == "+") body = s.substr(0, s.size() - 1);
            }
            out += " |" + chomp + "\n";
            std::size_t pos = 0;
            const std::string pad(std::size_t(indent + 2), ' ');
            while (pos <= body.size()) {
                const auto nl = body.find('\n', pos);
                const std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
                out += line.empty() ? "\n" : pad + line + "\n";
                if (nl == std::string::npos) break;
                pos = nl + 1;
            }
            return;
        }
        out += " " + scalarString(s) + "\n";
        return;
    }
    case QJsonValue::Object:
    case QJsonValue::Array: break;
    }
}

void emitValueAfterKey(const QJsonValue& v, int indent, std::string& out) {
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        if (o.isEmpty()) {
            out += " {}\n";
        } else {
            out += "\n";
            emitMap(o, indent + 2, false, out);
        }
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        if (a.isEmpty()) {
            out += " []\n";
        } else {
            out += "\n";
            emitSeq(a, indent, false, out);  // go-yaml v2 does not indent a sequence under its key
        }
    } else {
        emitScalarValue(v, indent, out);
    }
}

void emitMap(const QJsonObject& o, int indent, bool firstInline, std::string& out) {
    bool first = true;
    for (auto it = o.begin(); it != o.end(); ++it) {  // QJsonObject iterates in sorted key order
        if (!(first && firstInline)) out += std::string(std::size_t(indent), ' ');
        first = false;
        out += scalarString(it.key().toStdString()) + ":";
        emitValueAfterKey(it.value(), indent, out);
    }
}

void emitSeq(const QJsonArray& a, int indent, bool firstInline, std::string& out) {
    bool first = true;
    for (const QJsonValue& v : a) {
        if (!(first && firstInline)) out += std::string(std::size_t(indent), ' ');
        first = false;
        out += "-";
        if (v.isObject() && !v.toObject().isEmpty()) {
            out += " ";
            emitMap(v.toObject(), indent + 2, true, out);
        } else if (v.isArray() && !v.toArray().isEmpty()) {
            out += " ";
            emitSeq(v.toArray(), indent + 2, true, out);
        } else if (v.isObject()) {
            out += " {}\n";
        } else if (v.isArray()) {
            out += " []\n";
        } else {
            emitScalarValue(v, indent, out);
        }
    }
}

}  // namespace

std::string toYaml(const QJsonObject& object) {
    if (object.isEmpty()) return {};
    std::string out;
    emitMap(object, 0, false, out);
    return out;
}

// ---- unified diff -----------------------------------------------------------------------------------------------

namespace {

std::vector<std::string> splitLines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        const auto nl = s.find('\n', pos);
        if (nl == std::string::npos) {
            out.push_back(s.substr(pos));
            break;
        }
        out.push_back(s.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

enum class Op { Equal, Delete, Insert };

std::vector<std::pair<Op, std::string>> editScript(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::pair<Op, std::string>> out;
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
    for (std::size_t i = 0; i < pre; ++i) out.emplace_back(Op::Equal, a[i]);
    const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
    std::vector<std::pair<Op, std::string>> mid;
    if (n * m > 40'000'000) {  // too big for the table: replace the middle wholesale
        for (std::size_t i = 0; i < n; ++i) mid.emplace_back(Op::Delete, a[pre + i]);
        for (std::size_t j = 0; j < m; ++j) mid.emplace_back(Op::Insert, b[pre + j]);
    } else {
        std::vector<std::uint32_t> dp((n + 1) * (m + 1), 0);
        auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return dp[i * (m + 1) + j]; };
        for (std::size_t i = 1; i <= n; ++i)
            for (std::size_t j = 1; j <= m; ++j)
                at(i, j) = a[pre + i - 1] == b[pre + j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
        std::size_t i = n, j = m;
        std::vector<std::pair<Op, std::string>> rev;
        while (i > 0 || j > 0) {
            if (i > 0 && j > 0 && a[pre + i - 1] == b[pre + j - 1]) {
                rev.emplace_back(Op::Equal, a[pre + i - 1]);
                --i;
                --j;
            } else if (j > 0 && (i == 0 || at(i, j - 1) >= at(i - 1, j))) {
                rev.emplace_back(Op::Insert, b[pre + j - 1]);  // reversed: inserts end up after deletes
                --j;
            } else {
                rev.emplace_back(Op::Delete, a[pre + i - 1]);
                --i;
            }
        }
        mid.assign(rev.rbegin(), rev.rend());
    }
    out.insert(out.end(), mid.begin(), mid.end());
    for (std::size_t i = a.size() - suf; i < a.size(); ++i) out.emplace_back(Op::Equal, a[i]);
    return out;
}

std::string range(std::size_t start, std::size_t count) {
    // GNU diff: "start,count", "start" when count is 1, and the line before when count is 0
    if (count == 1) return std::to_string(start);
    return std::to_string(count == 0 ? start - 1 : start) + "," + std::to_string(count);
}

}  // namespace

std::string unifiedDiff(const std::string& from, const std::string& to, const std::string& fromLabel,
                        const std::string& toLabel, int context) {
    if (from == to) return {};
    const auto a = splitLines(from), b = splitLines(to);
    const auto ops = editScript(a, b);
    const std::size_t ctx = std::size_t(std::max(0, context));
    std::vector<std::size_t> changes;
    for (std::size_t k = 0; k < ops.size(); ++k)
        if (ops[k].first != Op::Equal) changes.push_back(k);
    if (changes.empty()) return {};  // only a missing final newline differs; not shown
    std::string out = "--- " + fromLabel + "\n+++ " + toLabel + "\n";
    std::size_t c = 0;
    while (c < changes.size()) {
        std::size_t last = c;
        while (last + 1 < changes.size() && changes[last + 1] - changes[last] <= 2 * ctx + 1) ++last;
        const std::size_t begin = changes[c] >= ctx ? changes[c] - ctx : 0;
        const std::size_t end = std::min(ops.size(), changes[last] + ctx + 1);
        std::size_t fromLine = 1, toLine = 1;
        for (std::size_t k = 0; k < begin; ++k) {
            if (ops[k].first != Op::Insert) ++fromLine;
            if (ops[k].first != Op::Delete) ++toLine;
        }
        std::size_t fromCount = 0, toCount = 0;
        std::string body;
        for (std::size_t k = begin; k < end; ++k) {
            const char mark = ops[k].first == Op::Equal ? ' ' : ops[k].first == Op::Delete ? '-' : '+';
            if (ops[k].first != Op::Insert) ++fromCount;
            if (ops[k].first != Op::Delete) ++toCount;
            body += mark + ops[k].second + "\n";
        }
        out += "@@ -" + range(fromLine, fromCount) + " +" + range(toLine, toCount) + " @@\n" + body;
        c = last + 1;
    }
    return out;
}

// ---- diffServerSide ---------------------------------------------------------------------------------------------

void diffServerSide(RestClient& client, const ResourceRef& ref, const std::string& ns, const std::string& name,
                    std::string body, ApplyOptions options, QObject* context,
                    std::function<void(const DiffResult&)> done) {
    struct State {
        int pending = 2;
        std::optional<RestReply> live, merged;
        std::function<void(const DiffResult&)> done;
        std::string label;
    };
    auto st = std::make_shared<State>();
    st->done = std::move(done);
    st->label = (ref.group.empty() ? "" : ref.group + ".") + ref.version + "." + ref.kind + "." +
                (ref.namespaced ? ns + "." : std::string()) + name;
    auto finish = [st] {
        if (--st->pending > 0) return;
        DiffResult r;
        const RestReply& live = *st->live;
        const RestReply& merged = *st->merged;
        if (!live.ok() && !(live.error->kind == RestErrorKind::Api && live.error->api.http == 404)) {
            r.error = live.error;
        } else if (!merged.ok()) {
            r.error = merged.error;
        } else {
            r.exists = live.ok();
            r.live = r.exists ? normaliseForDiff(live.json()) : QJsonObject();
            r.merged = normaliseForDiff(merged.json());
            maskSecretData(r.live, r.merged);
            r.text = unifiedDiff(toYaml(r.live), toYaml(r.merged), "LIVE/" + st->label, "MERGED/" + st->label);
            r.changed = !r.text.empty();
        }
        st->done(r);
    };
    RestRequest get;
    get.path = ref.itemPath(ns, name);
    client.send(get, context, [st, finish](const RestReply& reply) {
        st->live = reply;
        finish();
    });
    options.dryRun = true;
    client.send(applyRequest(ref, ns, name, std::move(body), options), context, [st, finish](const RestReply& reply) {
        st->merged = reply;
        finish();
    });
}

}  // namespace ilab::kube
