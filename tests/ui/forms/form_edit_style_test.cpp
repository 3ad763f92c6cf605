// Form edits and the file's style (issue 15 item 5): choosing the value a field already has records no undo step
// and leaves the text alone, and a real edit of an Ingress written in kubectl's list style ("rules:\n- host")
// changes only the edited lines, not the indentation of every list in the document.
#include <QComboBox>
#include <QTest>

#include "core/yaml/yaml_writer.h"
#include "ui/dialogs/lesson_picker.h"
#include "ui/document/workspace_document.h"
#include "ui/forms/object_forms.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

// The lines of `after` that differ from `before` (same line count expected).
QStringList changedLines(const QString& before, const QString& after) {
    const QStringList a = before.split(QLatin1Char('\n')), b = after.split(QLatin1Char('\n'));
    QStringList out;
    if (a.size() != b.size()) return {QStringLiteral("<line count %1 -> %2>").arg(a.size()).arg(b.size())};
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) out << b[i].trimmed();
    return out;
}

int primaryIngress(const WorkspaceDocument& doc) {
    const auto& rs = doc.workspace().resources;
    for (std::size_t i = 0; i < rs.size(); ++i)
        if (rs[i].kind == "Ingress" && rs[i].meta.annotation("nginx.ingress.kubernetes.io/canary", "") != "true") return int(i);
    return -1;
}

QComboBox* pathServiceCombo(FormPanel& panel) {
    auto* editor = panel.findChild<QWidget*>(QStringLiteral("pathEditor"));
    return editor ? editor->findChild<QComboBox*>(QStringLiteral("service")) : nullptr;
}

}  // namespace

class FormEditStyleTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lessonFilesUseKubectlListStyle() {
        const QString text = lessonWorkspace(QStringLiteral("canary"));
        QVERIFY(!text.isEmpty());
        const auto layout = yaml::detectLayout(text.toStdString());
        QVERIFY(layout);
        QVERIFY(!layout->indentSequences);
        QVERIFY(yaml::detectLayout("spec:\n  rules:\n    - host: a\n")->indentSequences);
        QVERIFY(!yaml::detectLayout("kind: Service\nmetadata:\n  name: a\n"));
        // a block scalar's text is not mistaken for YAML
        QVERIFY(!yaml::detectLayout("data:\n  script: |\n    list:\n    - item\n"));
    }

    void choosingTheSameServiceRecordsNothing() {
        WorkspaceDocument doc;
        const QString text = lessonWorkspace(QStringLiteral("canary"));
        doc.load(text);
        const int ing = primaryIngress(doc);
        QVERIFY(ing >= 0);
        FormPanel panel(&doc);
        panel.showNode(ing, 0, 0);
        QComboBox* service = pathServiceCombo(panel);
        QVERIFY(service);
        const QString current = service->currentText();
        QVERIFY(!current.isEmpty());
        Q_EMIT service->activated(service->currentIndex());  // the user picks the Service that is already there
        QCOMPARE(doc.undoStack()->count(), 0);
        QCOMPARE(doc.text(), text);
        QVERIFY(!doc.isModified());
    }

    void realEditKeepsTheListStyle() {
        WorkspaceDocument doc;
        const QString text = lessonWorkspace(QStringLiteral("canary"));
        doc.load(text);
        const int ing = primaryIngress(doc);
        FormPanel panel(&doc);
        panel.showNode(ing, 0, 0);
        QComboBox* service = pathServiceCombo(panel);
        QVERIFY(service);
        const QString before = service->currentText();
        int other = -1;
        for (int i = 0; i < service->count(); ++i)
            if (service->itemText(i) != before) other = i;
        QVERIFY(other >= 0);
        const QString target = service->itemText(other);
        service->setCurrentIndex(other);
        Q_EMIT service->activated(other);
        QCOMPARE(doc.undoStack()->count(), 1);
        // only the backend's name line changed (the port too if the new Service lacks the old one)
        const QStringList changed = changedLines(text, doc.text());
        QVERIFY2(!changed.isEmpty() && changed.size() <= 2, qPrintable(changed.join(QLatin1String(" | "))));
        QCOMPARE(changed.front(), QStringLiteral("name: %1").arg(target));
        doc.undoStack()->undo();
        QCOMPARE(doc.text(), text);
    }

    void indentedFilesStayIndented() {
        const QString text = QStringLiteral(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n    - port: 80\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  ports:\n    - port: 80\n---\n"
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n    - http:\n        paths:\n"
            "          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: a\n"
            "                port:\n                  number: 80\n");
        WorkspaceDocument doc;
        doc.load(text);
        QVERIFY(doc.editResource(2, [](YAML::Node& n) {
            n["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = "b";
            return true;
        }, QStringLiteral("edit")));
        QCOMPARE(changedLines(text, doc.text()), QStringList{QStringLiteral("name: b")});
    }
};

QTEST_MAIN(FormEditStyleTest)
#include "form_edit_style_test.moc"
