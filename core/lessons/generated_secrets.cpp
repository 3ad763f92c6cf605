#include "core/lessons/generated_secrets.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "core/tls/certificate.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"

#include "core/yaml/node_access.h"

namespace ilab::lessons {

int fillGeneratedSecrets(model::Workspace& ws, Diagnostics* diags) {
    int generated = 0;
    for (auto& r : ws.resources) {
        const model::Secret* s = r.as<model::Secret>();
        if (!s || !s->meta.hasAnnotation(GENERATE_ANNOTATION) || !s->tlsCert().empty()) continue;
        QStringList hosts;
        for (const QString& h : QString::fromStdString(s->meta.annotation(GENERATE_ANNOTATION)).split(QLatin1Char(',')))
            if (!h.trimmed().isEmpty()) hosts << h.trimmed();
        tls::SelfSignedRequest req;
        req.commonName = hosts.isEmpty() ? s->meta.name : hosts.first().toStdString();
        req.labKey = true;  // a lab-only certificate: no new RSA key per load
        for (const QString& h : hosts) req.dnsNames.push_back(h.toStdString());
        auto pair = tls::generateSelfSigned(req);
        if (!pair) {
            if (diags) {
                Diagnostic d;
                d.severity = Severity::Error;
                d.code = DiagCode::Invalid;
                d.object = r.displayName();
                d.field = "metadata.annotations[" + std::string(GENERATE_ANNOTATION) + "]";
                d.detail = "could not generate a self-signed certificate: " + pair.message();
                d.pos = r.source.find(d.field);
                d.rule = "generate-secret";
                diags->push_back(std::move(d));
            }
            continue;
        }
        YAML::Node data = yaml::get(r.node, "data").IsMap() ? yaml::get(r.node, "data") : YAML::Node(YAML::NodeType::Map);
        data["tls.crt"] = QByteArray::fromStdString(pair->certPem).toBase64().toStdString();
        data["tls.key"] = QByteArray::fromStdString(pair->keyPem).toBase64().toStdString();
        r.node["data"] = data;
        yaml::reparse(r);
        ++generated;
    }
    return generated;
}

std::string fillGeneratedSecretsInText(const std::string& text, int* generated) {
    if (generated) *generated = 0;
    model::Workspace ws;
    yaml::readText(text, "", ws);
    // line starts, to turn (line, column) into offsets
    std::vector<std::size_t> lineStart{0};
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') lineStart.push_back(i + 1);
    struct Patch {
        std::size_t offset;
        std::string value;
    };
    std::vector<Patch> patches;
    for (auto& r : ws.resources) {
        const model::Secret* s = r.as<model::Secret>();
        if (!s || !s->meta.hasAnnotation(GENERATE_ANNOTATION) || !s->tlsCert().empty()) continue;
        auto crt = r.source.fields.find("data[tls.crt]");
        auto key = r.source.fields.find("data[tls.key]");
        if (crt == r.source.fields.end() || key == r.source.fields.end()) continue;
        auto offsetOf = [&](const SourcePos& p) -> std::optional<std::size_t> {
            if (p.line < 1 || static_cast<std::size_t>(p.line) > lineStart.size()) return std::nullopt;
            const std::size_t off = lineStart[p.line - 1] + p.column - 1;
            if (off + 2 > text.size()) return std::nullopt;
            const std::string two = text.substr(off, 2);
            if (two != "\"\"" && two != "''") return std::nullopt;
            return off;
        };
        auto crtOff = offsetOf(crt->second);
        auto keyOff = offsetOf(key->second);
        if (!crtOff || !keyOff) continue;
        model::Workspace one;
        one.resources.push_back(r);
        if (fillGeneratedSecrets(one) != 1) continue;
        const model::Secret* filled = one.resources[0].as<model::Secret>();
        patches.push_back({*crtOff, QByteArray::fromStdString(filled->tlsCert()).toBase64().toStdString()});
        patches.push_back({*keyOff, QByteArray::fromStdString(filled->tlsKey()).toBase64().toStdString()});
        if (generated) ++*generated;
    }
    std::sort(patches.begin(), patches.end(), [](const Patch& a, const Patch& b) { return a.offset > b.offset; });
    std::string out = text;
    for (const auto& p : patches) out.replace(p.offset, 2, "\"" + p.value + "\"");
    return out;
}

namespace {

constexpr const char* KEY_MATERIAL[] = {"tls.crt", "tls.key"};

bool isGenerated(const model::Resource& r) {
    const model::Secret* s = r.as<model::Secret>();
    return s && s->meta.hasAnnotation(GENERATE_ANNOTATION);
}

// End (exclusive) of the YAML scalar that starts at `off` on a line indented by `indent`: a quoted scalar ends
// at its closing quote; a block scalar (| >) and a plain scalar run on over the following lines indented
// deeper than the key (blank lines included); in a flow collection a plain scalar also stops at , ] }.
std::optional<std::size_t> scalarEnd(const std::string& text, std::size_t off, std::size_t indent, bool inFlow) {
    const std::size_t n = text.size();
    if (off >= n) return std::nullopt;
    const char c = text[off];
    if (c == '"' || c == '\'') {
        for (std::size_t i = off + 1; i < n; ++i) {
            if (c == '"' && text[i] == '\\') ++i;
            else if (text[i] == c) {
                if (c == '\'' && i + 1 < n && text[i + 1] == '\'') ++i;
                else return i + 1;
            }
        }
        return std::nullopt;
    }
    if (inFlow) {
        std::size_t i = off;
        while (i < n && text[i] != '\n' && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
               !(text[i] == '#' && i > off && text[i - 1] == ' '))
            ++i;
        while (i > off && text[i - 1] == ' ') --i;
        return i;
    }
    auto lineContentEnd = [&](std::size_t from) {
        std::size_t e = text.find('\n', from);
        if (e == std::string::npos) e = n;
        if (c != '|' && c != '>') {  // a plain scalar ends before a comment
            for (std::size_t i = from; i < e; ++i)
                if (text[i] == '#' && i > from && text[i - 1] == ' ') { e = i; break; }
        }
        while (e > from && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r')) --e;
        return e;
    };
    std::size_t end = lineContentEnd(off);
    std::size_t next = text.find('\n', off);
    while (next != std::string::npos && next + 1 < n) {
        const std::size_t lineStart = next + 1;
        std::size_t i = lineStart;
        while (i < n && text[i] == ' ') ++i;
        const bool blank = i >= n || text[i] == '\n' || text[i] == '\r';
        if (!blank && (i - lineStart <= indent || text[i] == '#')) break;
        if (!blank) end = lineContentEnd(i);
        next = text.find('\n', lineStart);
    }
    return end;
}

}  // namespace

std::vector<std::string> withholdGeneratedKeys(model::Workspace& ws) {
    std::vector<std::string> names;
    for (auto& r : ws.resources) {
        if (!isGenerated(r)) continue;
        names.push_back(r.displayName());
        YAML::Node data = yaml::get(r.node, "data");
        if (!data.IsMap()) continue;
        bool changed = false;
        for (const char* k : KEY_MATERIAL) {
            const YAML::Node v = yaml::get(data, k);
            if (v.IsDefined() && !(v.IsScalar() && v.Scalar().empty())) {
                data[k] = "";
                changed = true;
            }
        }
        if (changed) yaml::reparse(r);
    }
    return names;
}

std::string withholdGeneratedKeysInText(const std::string& text, std::vector<std::string>* names, bool* normalized) {
    if (normalized) *normalized = false;
    model::Workspace ws;
    yaml::readText(text, "", ws);
    std::vector<std::size_t> lineStart{0};
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') lineStart.push_back(i + 1);
    struct Patch {
        std::size_t offset, length;
    };
    std::vector<Patch> patches;
    bool unpatchable = false;
    for (const auto& r : ws.resources) {
        if (!isGenerated(r)) continue;
        const model::Secret* s = r.as<model::Secret>();
        for (const char* k : KEY_MATERIAL) {
            const bool written = s->data.count(k) && !s->data.at(k).empty();
            if (!written) continue;
            auto pos = r.source.fields.find("data[" + std::string(k) + "]");
            if (pos == r.source.fields.end() || pos->second.line < 1 || static_cast<std::size_t>(pos->second.line) > lineStart.size()) {
                unpatchable = true;
                continue;
            }
            const std::size_t ls = lineStart[pos->second.line - 1];
            const std::size_t off = ls + pos->second.column - 1;
            std::size_t indent = 0;
            while (ls + indent < text.size() && text[ls + indent] == ' ') ++indent;
            const bool inFlow = off > ls && text.substr(ls, off - ls).find_first_of("{[") != std::string::npos;
            auto end = off < text.size() ? scalarEnd(text, off, indent, inFlow) : std::nullopt;
            if (!end || *end <= off) {
                unpatchable = true;
                continue;
            }
            patches.push_back({off, *end - off});
        }
    }
    std::sort(patches.begin(), patches.end(), [](const Patch& a, const Patch& b) { return a.offset > b.offset; });
    std::string out = text;
    for (const auto& p : patches) out.replace(p.offset, p.length, "\"\"");

    // Check the result: the same workspace as withholding on the parsed objects gives. Anything else (a
    // layout the patcher did not understand) falls back to the normal form, which never carries the keys.
    model::Workspace expected = ws.clone();
    std::vector<std::string> found = withholdGeneratedKeys(expected);
    if (names) *names = found;
    if (patches.empty() && !unpatchable) return text;
    model::Workspace check;
    yaml::readText(out, "", check);
    if (!unpatchable && yaml::toYaml(check) == yaml::toYaml(expected)) return out;
    if (normalized) *normalized = true;
    return yaml::toYaml(expected);
}

}  // namespace ilab::lessons
