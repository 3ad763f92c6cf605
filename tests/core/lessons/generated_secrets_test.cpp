// Built-in workspaces ship no private keys: their TLS Secrets are generated on first use.
#include <QFile>
#include <QtTest>

#include "core/lessons/generated_secrets.h"
#include "core/routing/route_table.h"
#include "core/tls/certificate.h"
#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;

namespace {
std::string resourceText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}
}  // namespace

class GeneratedSecretsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shippedSecretsHoldNoKey_data() {
        QTest::addColumn<QString>("path");
        QTest::newRow("demo") << QStringLiteral(":/demo/demo-workspace.yaml");
        QTest::newRow("tls lesson") << QStringLiteral(":/lessons/tls/workspace.yaml");
    }
    void shippedSecretsHoldNoKey() {
        QFETCH(QString, path);
        const std::string text = resourceText(path);
        QVERIFY(!text.empty());
        QVERIFY(text.find("PRIVATE KEY") == std::string::npos);
        model::Workspace ws;
        yaml::readText(text, "demo.yaml", ws);
        for (const auto* s : ws.all<model::Secret>()) QVERIFY(s->tlsKey().empty());
    }

    void textIsPatchedInPlaceAndCertificateCoversTheHost() {
        const std::string text = resourceText(QStringLiteral(":/demo/demo-workspace.yaml"));
        int generated = 0;
        const std::string filled = lessons::fillGeneratedSecretsInText(text, &generated);
        QCOMPARE(generated, 1);
        // everything but the two values is unchanged: comments stay, line count stays
        QCOMPARE(std::count(filled.begin(), filled.end(), '\n'), std::count(text.begin(), text.end(), '\n'));
        QVERIFY(filled.find("# Ingress Lab demo workspace") != std::string::npos);
        model::Workspace ws;
        yaml::readText(filled, "demo.yaml", ws);
        QCOMPARE(ws.loadDiagnostics.size(), std::size_t(0));
        const model::Secret* s = ws.secret("default", "agent-tls");
        QVERIFY(s);
        auto info = tls::inspectCertificate(s->tlsCert(), s->tlsKey());
        QVERIFY2(info.ok(), info.ok() ? "" : info.message().c_str());
        QVERIFY(info->keyMatches.value_or(false));
        QVERIFY(tls::certificateCovers(*info, "agent.example.com"));
        QVERIFY(info->isSelfSigned);
        // a second pass generates nothing: the Secret now holds a certificate
        int again = -1;
        QCOMPARE(lessons::fillGeneratedSecretsInText(filled, &again), filled);
        QCOMPARE(again, 0);
    }

    void filledDemoValidatesCleanAndServesItsCertificate() {
        model::Workspace ws;
        yaml::readText(lessons::fillGeneratedSecretsInText(resourceText(QStringLiteral(":/demo/demo-workspace.yaml"))),
                       "demo.yaml", ws);
        const Diagnostics diags = validation::validate(ws);
        for (const auto& d : diags) qWarning("%s", d.message().c_str());
        QCOMPARE(diags.size(), std::size_t(0));
        auto compiled = routing::RouteTable::compile(ws, routing::ControllerSettings{});
        QCOMPARE(compiled.table->certificateFor("agent.example.com").certificate, std::string("default/agent-tls"));
        QCOMPARE(compiled.table->certificateFor("other.example.com").certificate, std::string("default"));
    }

    void workspaceVariantFillsTypedView() {
        model::Workspace ws;
        yaml::readText(resourceText(QStringLiteral(":/lessons/tls/workspace.yaml")), "tls.yaml", ws);
        QCOMPARE(lessons::fillGeneratedSecrets(ws), 1);
        QVERIFY(!ws.secret("default", "agent-tls")->tlsCert().empty());
        QCOMPARE(lessons::fillGeneratedSecrets(ws), 0);
    }
};

QTEST_GUILESS_MAIN(GeneratedSecretsTest)
#include "generated_secrets_test.moc"
