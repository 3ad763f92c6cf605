#include "core/lessons/generated_secrets.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "core/tls/certificate.h"
#include "core/yaml/yaml_reader.h"

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

}  // namespace ilab::lessons
