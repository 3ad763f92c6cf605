// Replays every input the importer fuzzer (tests/fuzz/yaml_reader_fuzz.cpp) ever found, plus hand-made
// hostile inputs: each must load without crashing, export, and read back without syntax errors.
#include <QDirIterator>
#include <QTest>

#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"
#include "support/test_paths.h"

using namespace ilab;

class FuzzRegressionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replay_data() {
        QTest::addColumn<QByteArray>("input");
        QDirIterator it(testing::fixture(QStringLiteral("fuzz/yaml")), QDir::Files);
        int n = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QTest::newRow(qPrintable(QFileInfo(path).fileName())) << f.readAll();
            ++n;
        }
        QVERIFY2(n > 0, "no fuzz regression inputs found");
        // hand-made hostile inputs
        QTest::newRow("deep nesting") << QByteArray(5000, '[');
        QTest::newRow("deep maps") << QByteArray("a:\n").repeated(1) + QByteArray(" {").repeated(3000);
        QTest::newRow("alias bomb") << QByteArray(
            "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nkind: Ingress\napiVersion: networking.k8s.io/v1\n");
        QTest::newRow("nul bytes") << QByteArray("kind: Ingress\0\0\0metadata: {name: x}", 36);
        QTest::newRow("list of scalars") << QByteArray("kind: List\napiVersion: v1\nitems: [1, 2, {kind: Service}]\n");
        QTest::newRow("ingress with wrong shapes") << QByteArray(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: [x]\nspec:\n  rules: {a: b}\n  tls: [[1]]\n"
            "  defaultBackend: 3\n");
        QTest::newRow("beta with wrong shapes") << QByteArray(
            "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: x}\nspec:\n  backend: [1]\n  rules:\n"
            "  - http: {paths: [3, {backend: {serviceName: [a]}}]}\n");
        QTest::newRow("bad base64") << QByteArray("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {tls.crt: '!!!'}\n");
        QTest::newRow("json garbage") << QByteArray("{\"kind\": \"Ingress\", \"spec\": {\"rules\": [null, 1, \"x\"]}");
        QTest::newRow("only separators") << QByteArray("---\n---\n...\n---");
        QTest::newRow("huge int") << QByteArray(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 99999999999999999999}]}\n");
    }
    void replay() {
        QFETCH(QByteArray, input);
        model::Workspace ws;
        yaml::readText(input.toStdString(), "fuzz.yaml", ws);
        (void)validation::validate(ws);
        const std::string out = yaml::toYaml(ws);
        (void)yaml::toJson(ws);
        model::Workspace again;
        yaml::readText(out, "again.yaml", again);
        for (const auto& d : again.loadDiagnostics) QVERIFY2(d.code != DiagCode::Syntax, d.detail.c_str());
        QCOMPARE(again.resources.size(), ws.resources.size());
    }
};

QTEST_GUILESS_MAIN(FuzzRegressionTest)
#include "fuzz_regression_test.moc"
