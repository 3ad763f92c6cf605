// WorkspaceDocument: form edits patch the text in place (comments survive), structural edits re-emit one
// document only, editor edits reparse after the debounce, one undo stack spans both, broken YAML is kept.
#include <QSignalSpy>
#include <QTest>

#include "ui/document/workspace_document.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

const char* const TWO_DOCS =
    "# the web app\n"
    "apiVersion: networking.k8s.io/v1\n"
    "kind: Ingress\n"
    "metadata:\n"
    "  name: web   # public name\n"
    "  annotations:\n"
    "    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n"
    "spec:\n"
    "  rules:\n"
    "  - host: a.example.com\n"
    "    http:\n"
    "      paths:\n"
    "      - path: /\n"
    "        pathType: Prefix\n"
    "        backend:\n"
    "          service:\n"
    "            name: web\n"
    "            port:\n"
    "              number: 80\n"
    "---\n"
    "# backend\n"
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  ports:\n"
    "  - port: 80\n";

}  // namespace

class WorkspaceDocumentTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadParsesAndValidates() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(TWO_DOCS));
        QCOMPARE(doc.workspace().resources.size(), std::size_t(2));
        QCOMPARE(doc.workspace().resources[0].kind, std::string("Ingress"));
        QVERIFY(!doc.isModified());
        QCOMPARE(doc.undoStack()->count(), 0);
    }

    void scalarEditKeepsCommentsAndFormatting() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(TWO_DOCS));
        QVERIFY(doc.setScalar(0, "spec.rules[0].host", QStringLiteral("shop.example.com")));
        QVERIFY(doc.text().contains(QLatin1String("  - host: shop.example.com\n")));
        QVERIFY(doc.text().contains(QLatin1String("# the web app\n")));
        QVERIFY(doc.text().contains(QLatin1String("name: web   # public name")));
        QCOMPARE(doc.workspace().resources[0].as<model::Ingress>()->spec.rules[0].host.value(), std::string("shop.example.com"));
        // exactly one line changed
        QCOMPARE(doc.text().size(), QString::fromUtf8(TWO_DOCS).size() + 3);
        QVERIFY(doc.isModified());
    }

    void scalarEditQuotesWhatWouldNotStayAString() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(TWO_DOCS));
        QVERIFY(doc.setScalar(0, "metadata.annotations[nginx.ingress.kubernetes.io/ssl-redirect]", QStringLiteral("true")));
        QVERIFY(doc.text().contains(QLatin1String("ssl-redirect: \"true\"")));
        QVERIFY(doc.setScalar(0, "spec.rules[0].http.paths[0].backend.service.port.number", QStringLiteral("8080"),
                              yamltext::ScalarStyle::Raw));
        QVERIFY(doc.text().contains(QLatin1String("number: 8080\n")));
        QCOMPARE(*doc.workspace().resources[0].as<model::Ingress>()->spec.rules[0].http->paths[0].backend.service->port.number, 8080);
        // a value with YAML indicators is quoted and reads back exactly
        QVERIFY(doc.setScalar(0, "spec.rules[0].host", QStringLiteral("a: b #c")));
        QCOMPARE(doc.workspace().resources[0].as<model::Ingress>()->spec.rules[0].host.value(), std::string("a: b #c"));
    }

    void newFieldReemitsOnlyThatDocument() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(TWO_DOCS));
        QVERIFY(doc.setScalar(0, "spec.ingressClassName", QStringLiteral("nginx")));
        QCOMPARE(doc.workspace().resources[0].as<model::Ingress>()->spec.ingressClassName.value(), std::string("nginx"));
        // the other document, and the leading comment of this one, are untouched
        QVERIFY(doc.text().contains(QLatin1String("---\n# backend\napiVersion: v1\nkind: Service\n")));
        QVERIFY(doc.text().startsWith(QLatin1String("# the web app\napiVersion: networking.k8s.io/v1\n")));
        // annotation strings stay strings after the re-emit
        QCOMPARE(doc.workspace().resources[0].meta.annotation("nginx.ingress.kubernetes.io/ssl-redirect"), std::string("false"));
        QVERIFY(doc.text().contains(QLatin1String("ssl-redirect: \"false\"")));
    }

    void undoRedoSpansEditorAndForms() {
        WorkspaceDocument doc;
        const QString original = QString::fromUtf8(TWO_DOCS);
        doc.load(original);
        QSignalSpy parsed(&doc, &WorkspaceDocument::workspaceChanged);
        QString typed = original;
        typed.replace(QLatin1String("name: web   #"), QLatin1String("name: shop  #"));
        doc.setTextFromEditor(typed);
        QVERIFY(doc.isParsePending());
        QTRY_VERIFY(!doc.isParsePending());
        QVERIFY(parsed.count() >= 1);
        QCOMPARE(doc.workspace().resources[0].meta.name, std::string("shop"));

        QVERIFY(doc.setScalar(0, "spec.rules[0].host", QStringLiteral("b.example.com")));
        const QString afterForm = doc.text();
        QCOMPARE(doc.undoStack()->count(), 2);

        doc.undoStack()->undo();  // form edit
        QCOMPARE(doc.text(), typed);
        QCOMPARE(doc.workspace().resources[0].as<model::Ingress>()->spec.rules[0].host.value(), std::string("a.example.com"));
        doc.undoStack()->undo();  // editor edit
        QCOMPARE(doc.text(), original);
        QCOMPARE(doc.workspace().resources[0].meta.name, std::string("web"));
        QVERIFY(!doc.isModified());
        doc.undoStack()->redo();
        doc.undoStack()->redo();
        QCOMPARE(doc.text(), afterForm);
    }

    void typingBurstIsOneUndoStep() {
        WorkspaceDocument doc;
        doc.load(QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n"));
        doc.setTextFromEditor(QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: ab\n"));
        doc.setTextFromEditor(QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: abc\n"));
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(doc.setScalar(0, "metadata.name", QStringLiteral("x")));
        QVERIFY(doc.setScalar(0, "metadata.name", QStringLiteral("xy")));
        QCOMPARE(doc.undoStack()->count(), 2);
    }

    void brokenYamlKeepsTextAndReportsProblem() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(TWO_DOCS));
        QString broken = QString::fromUtf8(TWO_DOCS);
        broken.replace(QLatin1String("kind: Service\n"), QLatin1String("kind: [Service\n"));
        doc.setTextFromEditor(broken);
        doc.reparseNow();
        QCOMPARE(doc.text(), broken);
        QCOMPARE(doc.workspace().resources.size(), std::size_t(1));  // the good document is still there
        bool syntax = false;
        for (const auto& d : doc.diagnostics()) syntax = syntax || (d.code == DiagCode::Syntax && d.pos && d.pos->line >= 22);
        QVERIFY(syntax);
        // and a form edit on the good document still works
        QVERIFY(doc.setScalar(0, "spec.rules[0].host", QStringLiteral("c.example.com")));
        QVERIFY(doc.text().contains(QLatin1String("kind: [Service")));
    }

    void appendAndRemoveResources() {
        WorkspaceDocument doc;
        doc.load(QString());
        YAML::Node svc;
        svc["apiVersion"] = "v1";
        svc["kind"] = "Service";
        svc["metadata"]["name"] = "api";
        QCOMPARE(doc.appendResource(svc, QStringLiteral("Add Service")), 0);
        QCOMPARE(doc.appendResource(YAML::Clone(svc), QStringLiteral("Add Service")), 1);
        QVERIFY(doc.setScalar(1, "metadata.name", QStringLiteral("api2")));
        QCOMPARE(doc.workspace().resources.size(), std::size_t(2));
        QVERIFY(doc.removeResource(0, QStringLiteral("Delete")));
        QCOMPARE(doc.workspace().resources.size(), std::size_t(1));
        QCOMPARE(doc.workspace().resources[0].meta.name, std::string("api2"));
        QVERIFY(!doc.text().startsWith(QLatin1String("---")));
    }

    void structuralEditAddsAndRemovesListItems() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(TWO_DOCS));
        QVERIFY(doc.editResource(0, [](YAML::Node& n) {
            return yamltext::setAt(n, "spec.rules[1].host", yamltext::stringNode("b.example.com"));
        }, QStringLiteral("Add rule")));
        QCOMPARE(doc.workspace().resources[0].as<model::Ingress>()->spec.rules.size(), std::size_t(2));
        QVERIFY(doc.editResource(0, [](YAML::Node& n) { return yamltext::removeAt(n, "spec.rules[0]"); }, QStringLiteral("Remove rule")));
        const auto* ing = doc.workspace().resources[0].as<model::Ingress>();
        QCOMPARE(ing->spec.rules.size(), std::size_t(1));
        QCOMPARE(ing->spec.rules[0].host.value(), std::string("b.example.com"));
    }

    void textHelpers() {
        const QString t = QStringLiteral("a: 1\n---\n# only a comment\n---\nb: \"x # y\"  # c\n");
        auto ranges = yamltext::documentRanges(t);
        QCOMPARE(ranges.size(), std::size_t(3));
        QVERIFY(!ranges[1].hasContent);
        auto second = yamltext::contentDocument(t, 1);
        QVERIFY(second.has_value());
        QCOMPARE(t.mid(second->begin, 1), QStringLiteral("b"));
        const int off = yamltext::offsetOf(t, 5, 4);
        auto ext = yamltext::scalarAt(t, off);
        QVERIFY(ext.has_value());
        QCOMPARE(t.mid(ext->begin, ext->end - ext->begin), QStringLiteral("\"x # y\""));
        auto steps = yamltext::splitPath("metadata.annotations[nginx.ingress.kubernetes.io/canary].x[2]");
        QCOMPARE(steps.size(), std::size_t(5));
        QCOMPARE(steps[2].key, std::string("nginx.ingress.kubernetes.io/canary"));
        QCOMPARE(steps[4].index, 2);
        QCOMPARE(yamltext::formatScalar(QStringLiteral("/api"), yamltext::ScalarStyle::String), QStringLiteral("/api"));
        QCOMPARE(yamltext::formatScalar(QStringLiteral("10"), yamltext::ScalarStyle::String), QStringLiteral("\"10\""));
        QCOMPARE(yamltext::formatScalar(QStringLiteral("*.example.com"), yamltext::ScalarStyle::String), QStringLiteral("\"*.example.com\""));
    }
};

QTEST_MAIN(WorkspaceDocumentTest)
#include "workspace_document_test.moc"
