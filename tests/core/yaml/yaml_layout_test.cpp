// The list style a re-emitted document is written in (yaml_writer.h YamlLayout; issue 15 item 5: a form edit
// re-indented the lesson's Ingress from kubectl's "rules:\n- host" to "rules:\n  - host"). Written in the
// compact style, the lessons' documents come out exactly as they are written, and the result always reads back
// as the same object.
#include <QDirIterator>
#include <QFile>
#include <QTest>

#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"

using namespace ilab;

namespace {

// The documents of a stream without comment-only lines (a re-emitted document has no comments).
QStringList documentsWithoutComments(const QString& text) {
    QStringList docs{QString()};
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        if (line == QLatin1String("---")) {
            docs << QString();
            continue;
        }
        if (line.trimmed().startsWith(QLatin1Char('#'))) continue;
        docs.last() += line + QLatin1Char('\n');
    }
    QStringList out;
    for (QString d : docs) {
        while (d.endsWith(QLatin1String("\n\n"))) d.chop(1);
        if (!d.trimmed().isEmpty()) out << d;
    }
    return out;
}

}  // namespace

class YamlLayoutTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void detect() {
        QCOMPARE(yaml::detectLayout("spec:\n  rules:\n  - host: a\n")->indentSequences, false);
        QCOMPARE(yaml::detectLayout("spec:\n  rules:\n    - host: a\n")->indentSequences, true);
        QCOMPARE(yaml::detectLayout("# a comment\nspec:  # here\n  # more\n  rules:   # x\n\n  - host: a\n")->indentSequences, false);
        QVERIFY(!yaml::detectLayout("kind: Service\nmetadata:\n  name: a\n").has_value());
        QVERIFY(!yaml::detectLayout("data:\n  s: |\n    list:\n    - item\n").has_value());  // block scalar text
        QCOMPARE(yaml::detectLayout("- a:\n  - b\n")->indentSequences, false);  // a key inside a list item
    }

    void lessonDocumentsComeOutAsWritten() {
        int compared = 0;
        QDirIterator it(QStringLiteral(":/lessons"), {QStringLiteral("workspace.yaml")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            const auto layout = yaml::detectLayout(text.toStdString());
            QVERIFY2(layout && !layout->indentSequences, qPrintable(path));
            model::Workspace ws;
            yaml::readText(text.toStdString(), path.toStdString(), ws);
            const QStringList docs = documentsWithoutComments(text);
            QCOMPARE(qsizetype(ws.resources.size()), docs.size());
            for (std::size_t i = 0; i < ws.resources.size(); ++i) {
                const QString emitted = QString::fromStdString(yaml::toYaml(ws.resources[i], *layout));
                // documents whose keys are not in the writer's order come out reordered: compare those by reading back
                if (emitted == docs[qsizetype(i)]) {
                    ++compared;
                    continue;
                }
                model::Workspace back;
                yaml::readText(emitted.toStdString(), "back.yaml", back);
                QCOMPARE(back.resources.size(), std::size_t(1));
                QVERIFY2(back.resources[0].node.size() == ws.resources[i].node.size(), qPrintable(emitted));
                QCOMPARE(yaml::toYaml(back.resources[0]), yaml::toYaml(ws.resources[i]));
            }
        }
        QVERIFY2(compared > 10, "most lesson documents are written in the writer's key order and compare as text");
    }

    void compactOutputReadsBackTheSame() {
        const std::string text =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  script: |\n    first\n      - not a list\n    last\n"
            "list:\n- - a\n  - b\n- []\n- x: 1\n  y:\n  - 2\n  - 3\nrules:\n- host: a\n  http:\n    paths:\n    - path: /\n";
        model::Workspace ws;
        yaml::readText(text, "t.yaml", ws);
        QCOMPARE(ws.resources.size(), std::size_t(1));
        const std::string compact = yaml::toYaml(ws.resources[0], yaml::YamlLayout{false});
        QVERIFY2(compact.find("\n- - a") != std::string::npos || compact.find("\n-\n  - a") != std::string::npos, compact.c_str());
        QVERIFY2(compact.find("\nrules:\n- host: a\n  http:\n    paths:\n    - path: /\n") != std::string::npos, compact.c_str());
        QVERIFY2(compact.find("    first\n      - not a list\n") != std::string::npos, compact.c_str());
        model::Workspace back;
        yaml::readText(compact, "back.yaml", back);
        QVERIFY(!hasErrors(back.loadDiagnostics));
        QCOMPARE(back.resources.size(), std::size_t(1));
        QCOMPARE(yaml::toYaml(back.resources[0]), yaml::toYaml(ws.resources[0]));
    }
};

QTEST_MAIN(YamlLayoutTest)
#include "yaml_layout_test.moc"
