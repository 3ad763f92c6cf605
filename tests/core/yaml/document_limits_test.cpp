// Hostile and careless YAML (issue 11, item 1): every input gets a specific message with its line, and nothing
// exhausts memory. The address space is capped at 3 GiB for this process, so an alias expansion that is not
// bounded fails the test with bad_alloc instead of taking the machine down (it grew past 12 GB before the fix).
#include <sys/resource.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "core/common/display_text.h"
#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

// The classic "billion laughs": nine levels of nine aliases each, 419 bytes, 10^9 nodes once expanded.
QByteArray billionLaughs() {
    QByteArray y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n";
    y += "  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    const char* names = "abcdefghi";
    for (int i = 1; i < 9; ++i) {
        y += QByteArray("  ") + names[i] + ": &" + names[i] + " [";
        for (int j = 0; j < 9; ++j) y += QByteArray(j ? "," : "") + "*" + names[i - 1];
        y += "]\n";
    }
    return y;
}

const Diagnostic* findRule(const model::Workspace& ws, const std::string& rule) {
    for (const auto& d : ws.loadDiagnostics)
        if (d.rule == rule) return &d;
    return nullptr;
}

using Cli = testing::CliRun;
Cli runCli(const QStringList& args) { return testing::runCli(args); }

const char* INGRESS =
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  ingressClassName: nginx\n"
    "  rules:\n  - host: web.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
    "        backend: {service: {name: web, port: {number: 80}}}\n";

}  // namespace

class DocumentLimitsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        struct rlimit lim {3ull << 30, 3ull << 30};
        QVERIFY(::setrlimit(RLIMIT_AS, &lim) == 0);
    }

    void billionLaughsIsRefusedWithItsLine() {
        const QByteArray bomb = billionLaughs();
        QVERIFY(bomb.size() < 600);
        model::Workspace ws;
        QElapsedTimer t;
        t.start();
        yaml::readText((bomb + "---\n" + INGRESS).toStdString(), "bomb.yaml", ws);
        const Diagnostic* d = findRule(ws, "yaml-alias-bomb");
        QVERIFY(d);
        QCOMPARE(d->severity, Severity::Error);
        QVERIFY2(d->detail.find("excessive aliasing") != std::string::npos, d->detail.c_str());
        QVERIFY(d->pos && d->pos->line >= 5 && d->pos->line <= 13);  // inside the aliased data, not 1:1
        // the other document of the file is still loaded, and everything downstream runs on it
        QCOMPARE(ws.resources.size(), std::size_t(1));
        QCOMPARE(ws.resources[0].kind, std::string("Ingress"));
        (void)validation::validate(ws);
        QVERIFY(yaml::toYaml(ws).find("lol") == std::string::npos);
        QVERIFY2(t.elapsed() < 30000, "the bound must stop the walk early");
    }

    void billionLaughsThroughTheCli() {
        QTemporaryDir dir;
        QFile f(dir.filePath("bomb.yaml"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(billionLaughs());
        f.close();
        for (const char* cmd : {"validate", "export"}) {
            const Cli r = runCli({cmd, f.fileName()});
            QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(QString("%1 exit %2").arg(cmd).arg(r.exitCode)));
            const QByteArray all = r.out + r.err;
            QVERIFY2(all.contains("excessive aliasing") && all.contains("bomb.yaml:"), all.left(400).constData());
        }
    }

    void moderateAliasesStillLoad() {
        // Anchors for shared labels are common in hand-written manifests and stay fine.
        const QByteArray y =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: &l {app: web, tier: front}\n"
            "spec:\n  selector: *l\n  ports: [{port: 80}]\n";
        model::Workspace ws;
        yaml::readText(y.toStdString(), "ok.yaml", ws);
        QCOMPARE(ws.resources.size(), std::size_t(1));
        QVERIFY(!findRule(ws, "yaml-alias-bomb"));
        QVERIFY(!hasErrors(ws.loadDiagnostics));
    }

    void deepNestingSaysWhatAndWhere() {
        QByteArray y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ";
        y += QByteArray(100000, '[');
        model::Workspace ws;
        yaml::readText(y.toStdString(), "deep.yaml", ws);
        QVERIFY(!ws.loadDiagnostics.empty());
        const Diagnostic& d = ws.loadDiagnostics.front();
        QCOMPARE(d.code, DiagCode::Syntax);
        QVERIFY2(d.detail.find("nested more than") != std::string::npos, d.detail.c_str());
        QVERIFY2(d.detail.find("bad file") == std::string::npos, d.detail.c_str());
        QVERIFY(d.pos);
        QCOMPARE(d.pos->line, 5);  // where the nesting is, not 1:1
        QVERIFY(d.pos->column > 5);
    }

    void duplicateKeysAreErrors() {
        const QByteArray y =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\n  name: other\n"
            "spec:\n  ports: [{port: 80}]\n";
        model::Workspace ws;
        yaml::readText(y.toStdString(), "dup.yaml", ws);
        const Diagnostic* d = findRule(ws, "yaml-duplicate-key");
        QVERIFY(d);
        QCOMPARE(d->severity, Severity::Error);
        QCOMPARE(d->pos->line, 6);
        QVERIFY2(d->detail.find("\"name\" already defined at line 4") != std::string::npos, d->detail.c_str());
        QCOMPARE(d->object, std::string("Service default/web"));
        QCOMPARE(ws.resources.size(), std::size_t(1));  // what the user wrote is kept
        // and validate fails on it
        QTemporaryDir dir;
        QFile f(dir.filePath("dup.yaml"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(y);
        f.close();
        const Cli r = runCli({"validate", f.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2((r.out + r.err).contains("dup.yaml:6:"), (r.out + r.err).constData());
    }

    void kindsAndVersionsAreNamed_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("rule");  // empty: no warning expected
        QTest::newRow("unknown kind") << QByteArray("apiVersion: v1\nkind: Ingres\nmetadata: {name: x}\n") << "unknown-kind";
        QTest::newRow("missing apiVersion") << QByteArray("kind: Service\nmetadata: {name: x}\n") << "missing-api-version";
        QTest::newRow("missing kind") << QByteArray("apiVersion: v1\nmetadata: {name: x}\n") << "missing-kind";
        QTest::newRow("Ingress in v1") << QByteArray("apiVersion: v1\nkind: Ingress\nmetadata: {name: x}\n")
                                       << "unknown-api-version";
        QTest::newRow("known other kind") << QByteArray("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n") << "";
        QTest::newRow("Service v1") << QByteArray("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n") << "";
    }
    void kindsAndVersionsAreNamed() {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, rule);
        model::Workspace ws;
        yaml::readText(yaml.toStdString(), "k.yaml", ws);
        QCOMPARE(ws.resources.size(), std::size_t(1));  // kept either way
        int warnings = 0;
        for (const auto& d : ws.loadDiagnostics)
            if (d.rule == "unknown-kind" || d.rule == "missing-api-version" || d.rule == "missing-kind" ||
                d.rule == "unknown-api-version") {
                ++warnings;
                QCOMPARE(QString::fromStdString(d.rule), rule);
                QCOMPARE(d.severity, Severity::Warning);
                QVERIFY(d.pos && d.pos->line >= 1);
            }
        QCOMPARE(warnings, rule.isEmpty() ? 0 : 1);
    }

    void folderNamedLikeAFileSaysSo() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("x.yaml"));
        model::Workspace ws;
        QVERIFY(yaml::readPath(dir.filePath("x.yaml").toStdString(), ws));
        const Diagnostic* d = findRule(ws, "empty-folder");
        QVERIFY(d);
        QVERIFY2(d->detail.find("is a folder, not a file") != std::string::npos, d->detail.c_str());
        const Cli r = runCli({"validate", dir.filePath("x.yaml")});
        QVERIFY2((r.out + r.err).contains("is a folder, not a file"), (r.out + r.err).constData());
    }

    void displayTextEscapesAndCuts() {
        QCOMPARE(displayText("a\x1b[31mred\r\n"), std::string("a\\x1b[31mred\\r\\n"));
        const std::string big(1 << 20, 'n');
        const std::string shown = displayText(big);
        QVERIFY(shown.size() < 300);
        QVERIFY(shown.find("(1048576 bytes)") != std::string::npos);
        // never cut inside a UTF-8 character
        std::string utf(199, 'a');
        utf += "\xC3\xA9\xC3\xA9";
        const std::string cut = displayText(utf);
        QVERIFY(cut.rfind("a\xE2\x80\xA6", 0) == std::string::npos);
        QVERIFY(QString::fromUtf8(cut.data(), static_cast<int>(cut.size())).toUtf8() == QByteArray::fromStdString(cut));
    }

    void hugeAndHostileNamesReachTheTerminalCutAndEscaped() {
        QTemporaryDir dir;
        QFile f(dir.filePath("names.yaml"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("apiVersion: v1\nkind: Service\nmetadata:\n  name: \"" + QByteArray(1 << 20, 'n') +
                "\"\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata:\n"
                "  name: \"evil\\e[2J\\e]0;owned\\a\"\nspec: {ports: [{port: 80}]}\n");
        f.close();
        const Cli r = runCli({"validate", f.fileName()});
        QCOMPARE(r.exitCode, 1);  // both names are invalid
        const QByteArray all = r.out + r.err;
        QVERIFY2(all.size() < 8192, QByteArray::number(all.size()).constData());
        QVERIFY2(!all.contains('\x1b') && !all.contains('\a'), all.constData());
        QVERIFY2(all.contains("\\x1b[2J"), all.constData());
        QVERIFY2(all.contains("(1048576 bytes)"), all.left(600).constData());
    }
};

QTEST_GUILESS_MAIN(DocumentLimitsTest)
#include "document_limits_test.moc"
