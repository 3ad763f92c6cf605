#include "core/lessons/generated_secrets.h"

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

}  // namespace ilab::lessons
