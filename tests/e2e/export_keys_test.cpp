// `ingress-lab-cli export` writes generated key material only when asked: the demo's TLS Secret is signed with
// the lab's own key (the one behind the fake controller certificate), so by default it is exported as the demo
// ships it (tls.crt/tls.key empty, annotation kept) with a note on stderr; --include-generated-keys exports the
// generated pair. Secrets the user wrote keep their key.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "core/lessons/generated_secrets.h"
#include "core/tls/certificate.h"
#include "core/yaml/yaml_reader.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

using Run = testing::CliRun;

// The base64 of "-----BEGIN PRIVATE KEY" as it appears in `data:` (the same prefix whatever follows).
const QByteArray KEY_BASE64 = QByteArray("-----BEGIN PRIVATE KEY").toBase64().left(28);

}  // namespace

class ExportKeysTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_cache;

    Run exportCli(const QStringList& args) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CACHE_HOME"), m_cache.path());  // the lab key of this test only
        return testing::runCli(QStringList{QStringLiteral("export")} + args, env, 30000);
    }

    static model::Workspace parse(const QByteArray& text) {
        model::Workspace ws;
        yaml::readText(text.toStdString(), "export.yaml", ws);
        return ws;
    }

private slots:
    void demoExportHoldsNoPrivateKeyByDefault_data() {
        QTest::addColumn<QString>("format");
        QTest::newRow("yaml") << QStringLiteral("yaml");
        QTest::newRow("json") << QStringLiteral("json");
    }
    void demoExportHoldsNoPrivateKeyByDefault() {
        QFETCH(QString, format);
        const Run r = exportCli({QStringLiteral("demo"), QStringLiteral("-o"), format});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(!r.out.contains("PRIVATE KEY"));
        QVERIFY2(!r.out.contains(KEY_BASE64), r.out.constData());
        const model::Workspace ws = parse(r.out);
        const model::Secret* s = ws.secret("default", "agent-tls");
        QVERIFY(s);  // the Secret is still exported (Ingresses reference it), annotation and both keys kept
        QVERIFY(s->meta.hasAnnotation(lessons::GENERATE_ANNOTATION));
        QVERIFY(s->data.count("tls.key") && s->data.count("tls.crt"));  // kubectl requires both keys of a TLS Secret
        QVERIFY(s->tlsKey().empty());
        QVERIFY(s->tlsCert().empty());
        // the user is told what was left out and how to include it
        QVERIFY2(r.err.contains("Secret default/agent-tls"), r.err.constData());
        QVERIFY2(r.err.contains("--include-generated-keys"), r.err.constData());
    }

    void includeGeneratedKeysExportsThePair() {
        const Run r = exportCli({QStringLiteral("demo"), QStringLiteral("--include-generated-keys")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(KEY_BASE64));
        QVERIFY(!r.err.contains("--include-generated-keys"));
        const model::Workspace ws = parse(r.out);
        const model::Secret* s = ws.secret("default", "agent-tls");
        QVERIFY(s);
        QVERIFY(s->tlsKey().find("-----BEGIN PRIVATE KEY-----") != std::string::npos);
        auto info = tls::inspectCertificate(s->tlsCert(), s->tlsKey());
        QVERIFY2(info, info ? "" : info.message().c_str());
        QVERIFY(info->keyMatches.value_or(false));
    }

    void userSecretsKeepTheirKeysSavedGeneratedOnesDoNot() {
        // A workspace with the user's own TLS Secret and a generated one saved with its key (an older save).
        tls::SelfSignedRequest req;
        req.commonName = "shop.example.com";
        auto mine = tls::generateSelfSigned(req);
        QVERIFY(mine);
        const QByteArray crt = QByteArray::fromStdString(mine->certPem).toBase64();
        const QByteArray key = QByteArray::fromStdString(mine->keyPem).toBase64();
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("ws.yaml")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("apiVersion: v1\nkind: Secret\nmetadata: {name: mine}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " + crt +
                "\n  tls.key: " + key +
                "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: lab\n  annotations:\n"
                "    ingress-lab.dev/generate-self-signed: \"lab.example.com\"\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " +
                crt + "\n  tls.key: " + key + "\n");
        f.close();
        const Run r = exportCli({f.fileName()});
        QCOMPARE(r.exitCode, 0);
        const model::Workspace ws = parse(r.out);
        QVERIFY(ws.secret("default", "mine") && ws.secret("default", "lab"));
        QCOMPARE(ws.secret("default", "mine")->tlsKey(), mine->keyPem);
        QVERIFY(ws.secret("default", "lab")->tlsKey().empty());
        QVERIFY(r.err.contains("Secret default/lab"));
        QVERIFY(!r.err.contains("Secret default/mine"));
        const Run all = exportCli({f.fileName(), QStringLiteral("--include-generated-keys")});
        QCOMPARE(all.exitCode, 0);
        QCOMPARE(parse(all.out).secret("default", "lab")->tlsKey(), mine->keyPem);
    }
};

QTEST_GUILESS_MAIN(ExportKeysTest)
#include "export_keys_test.moc"
