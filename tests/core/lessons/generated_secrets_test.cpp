// Built-in workspaces ship no private keys: their TLS Secrets are generated on first use.
#include <QFile>
#include <QTest>

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

    // Saving withholds the generated pair: filled, then withheld, the demo text is byte for byte the shipped one.
    void withholdingInTextGivesTheShippedTextBack() {
        const std::string shipped = resourceText(QStringLiteral(":/demo/demo-workspace.yaml"));
        const std::string filled = lessons::fillGeneratedSecretsInText(shipped);
        QVERIFY(filled != shipped);
        std::vector<std::string> names;
        bool normalized = true;
        QCOMPARE(lessons::withholdGeneratedKeysInText(filled, &names, &normalized), shipped);
        QVERIFY(!normalized);
        QCOMPARE(names, std::vector<std::string>{"Secret default/agent-tls"});
        // nothing to withhold: the text comes back as is, the Secret is still named (the user is told)
        QCOMPARE(lessons::withholdGeneratedKeysInText(shipped, &names), shipped);
        QCOMPARE(names.size(), std::size_t(1));
    }

    // Whatever way the values are written, only they change; the user's own Secret keeps its key.
    void withholdingInTextHandlesEveryScalarStyle_data() {
        QTest::addColumn<QString>("data");
        QTest::newRow("plain") << QStringLiteral("data:\n  tls.crt: Q0VSVA==\n  tls.key: S0VZ  # the key\n");
        QTest::newRow("double quoted") << QStringLiteral("data:\n  tls.crt: \"Q0VS\\\nVA==\"\n  tls.key: \"S0VZ\"\n");
        QTest::newRow("single quoted") << QStringLiteral("data:\n  tls.crt: 'Q0VSVA=='\n  tls.key: 'S0VZ'\n");
        QTest::newRow("multi-line plain") << QStringLiteral("data:\n  tls.crt: Q0VS\n    VA==\n  tls.key: S0\n\n    VZ\n");
        QTest::newRow("block") << QStringLiteral("data:\n  tls.crt: |\n    Q0VS\n    VA==\n  tls.key: >-\n    S0VZ\n");
        QTest::newRow("flow") << QStringLiteral("data: {tls.crt: Q0VSVA==, tls.key: S0VZ}\n");
    }
    void withholdingInTextHandlesEveryScalarStyle() {
        QFETCH(QString, data);
        const std::string mine = "# mine\napiVersion: v1\nkind: Secret\nmetadata: {name: mine}\ntype: kubernetes.io/tls\n"
                                 "data:\n  tls.crt: Q0VSVA==\n  tls.key: S0VZ\n";
        const std::string text = mine + "---\n# generated\napiVersion: v1\nkind: Secret\nmetadata:\n  name: lab\n  annotations:\n"
                                        "    ingress-lab.dev/generate-self-signed: lab.example.com\ntype: kubernetes.io/tls\n" +
                                 data.toStdString() + "---\napiVersion: v1\nkind: Service\nmetadata: {name: after}\n";
        bool normalized = true;
        const std::string out = lessons::withholdGeneratedKeysInText(text, nullptr, &normalized);
        QVERIFY2(!normalized, out.c_str());
        QVERIFY2(out.find("# generated") != std::string::npos, out.c_str());  // comments stay
        QCOMPARE(out.substr(0, mine.size()), mine);
        model::Workspace ws;
        yaml::readText(out, "ws.yaml", ws);
        QCOMPARE(ws.loadDiagnostics.size(), std::size_t(0));
        QCOMPARE(ws.resources.size(), std::size_t(3));
        QCOMPARE(ws.secret("default", "mine")->tlsKey(), std::string("KEY"));
        QVERIFY(ws.secret("default", "lab")->tlsKey().empty());
        QVERIFY(ws.secret("default", "lab")->tlsCert().empty());
        QVERIFY(ws.secret("default", "lab")->data.count("tls.key"));
    }

    // A layout the in-place rewrite gets wrong is never kept with the key: the normal form is written instead.
    void unpatchableTextFallsBackToTheNormalForm() {
        const std::string text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: lab\n  annotations:\n"
                                 "    ingress-lab.dev/generate-self-signed: lab.example.com\ntype: kubernetes.io/tls\n"
                                 "data: {\n  tls.crt: Q0VSVA==,\n  tls.key: S0VZ }\n";
        bool normalized = false;
        const std::string out = lessons::withholdGeneratedKeysInText(text, nullptr, &normalized);
        model::Workspace ws;
        yaml::readText(out, "ws.yaml", ws);
        QVERIFY(ws.secret("default", "lab"));
        QVERIFY(ws.secret("default", "lab")->tlsKey().empty());
        QVERIFY(out.find("S0VZ") == std::string::npos);
        Q_UNUSED(normalized);  // either way: no key
    }

    void withholdingOnTheWorkspaceKeepsUserSecrets() {
        model::Workspace ws;
        yaml::readText(lessons::fillGeneratedSecretsInText(resourceText(QStringLiteral(":/demo/demo-workspace.yaml"))) +
                           "---\napiVersion: v1\nkind: Secret\nmetadata: {name: mine}\ntype: kubernetes.io/tls\n"
                           "data: {tls.crt: Q0VSVA==, tls.key: S0VZ}\n",
                       "demo.yaml", ws);
        QVERIFY(!ws.secret("default", "agent-tls")->tlsKey().empty());
        QCOMPARE(lessons::withholdGeneratedKeys(ws), std::vector<std::string>{"Secret default/agent-tls"});
        QVERIFY(ws.secret("default", "agent-tls")->tlsKey().empty());
        QVERIFY(ws.secret("default", "agent-tls")->tlsCert().empty());
        QCOMPARE(ws.secret("default", "mine")->tlsKey(), std::string("KEY"));
    }
};

QTEST_GUILESS_MAIN(GeneratedSecretsTest)
#include "generated_secrets_test.moc"
