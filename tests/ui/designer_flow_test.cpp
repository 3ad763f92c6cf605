// The "done when": starting from an empty workspace, build the lesson's TLS + path-routing Ingress
// (agents.example.com: /chat -> chat-agent, /tools -> tool-agent, HTTPS with Secret api-tls) with the forms
// alone — the test drives the same widgets and actions a user clicks — get zero problems, save, and the
// real `ingress-lab-cli validate` accepts the file with exit 0 and no warning.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include "app/gui/gui_services.h"
#include "support/test_paths.h"
#include "ui/dialogs/certificate_dialog.h"
#include "ui/editors/yaml_editor.h"
#include "ui/forms/object_forms.h"
#include "ui/main_window.h"
#include "ui/models/workspace_tree_model.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

QAction* action(MainWindow& w, const QString& text) {
    for (QAction* a : w.allActions()) {
        QString t = a->text();
        t.remove(QLatin1Char('&'));
        if (t.startsWith(text)) return a;
    }
    return nullptr;
}

// Types into a line edit the way a user does: select all, then key presses (textEdited per key).
void typeInto(QLineEdit* e, const QString& text) {
    QVERIFY(e);
    e->selectAll();
    QTest::keyClick(e, Qt::Key_Backspace);
    QTest::keyClicks(e, text);
}

void pick(QComboBox* c, const QString& text) {
    QVERIFY(c);
    const int i = c->findText(text, Qt::MatchStartsWith);
    QVERIFY2(i >= 0, qPrintable(text));
    c->setCurrentIndex(i);
    Q_EMIT c->activated(i);
}

QWidget* currentForm(MainWindow& w) { return w.forms()->currentForm(); }

void selectNode(MainWindow& w, int resource, int rule = -1, int path = -1) {
    auto* model = static_cast<WorkspaceTreeModel*>(w.tree()->model());
    const QModelIndex idx = model->indexFor(resource, rule, path);
    QVERIFY(idx.isValid());
    w.tree()->setCurrentIndex(idx);
}

}  // namespace

class DesignerFlowTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void buildTlsPathRoutingWithFormsAlone() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.resize(1400, 900);
        w.show();
        w.newWorkspace();
        WorkspaceDocument* doc = w.document();
        QVERIFY(doc->workspace().resources.empty());

        // IngressClass, then two Services with their Deployments, from the Object menu
        action(w, QStringLiteral("New IngressClass"))->trigger();
        action(w, QStringLiteral("New Service + Deployment"))->trigger();
        QCOMPARE(currentForm(w)->objectName(), QStringLiteral("serviceForm"));
        typeInto(currentForm(w)->findChild<QLineEdit*>(QStringLiteral("name")), QStringLiteral("chat-agent"));
        action(w, QStringLiteral("New Service + Deployment"))->trigger();
        typeInto(currentForm(w)->findChild<QLineEdit*>(QStringLiteral("name")), QStringLiteral("tool-agent"));
        QVERIFY(doc->workspace().service("default", "chat-agent"));
        QVERIFY(doc->workspace().service("default", "tool-agent"));

        // the Ingress
        action(w, QStringLiteral("New Ingress"))->trigger();
        QCOMPARE(currentForm(w)->objectName(), QStringLiteral("ingressForm"));
        const int ingIdx = doc->indexOf("Ingress", "default", "web");
        QVERIFY(ingIdx >= 0);
        typeInto(currentForm(w)->findChild<QLineEdit*>(QStringLiteral("name")), QStringLiteral("agents"));
        QCOMPARE(doc->resource(ingIdx)->as<model::Ingress>()->spec.ingressClassName.value_or(""), std::string("nginx"));
        currentForm(w)->findChild<QPushButton*>(QStringLiteral("addRule"))->click();
        QCOMPARE(currentForm(w)->objectName(), QStringLiteral("ruleForm"));
        typeInto(currentForm(w)->findChild<QLineEdit*>(QStringLiteral("host")), QStringLiteral("agents.example.com"));
        QWidget* p0 = currentForm(w)->findChild<QWidget*>(QStringLiteral("pathEditor0"));
        QVERIFY(p0);
        typeInto(p0->findChild<QLineEdit*>(QStringLiteral("path")), QStringLiteral("/chat"));
        pick(p0->findChild<QComboBox*>(QStringLiteral("pathType")), QStringLiteral("Prefix"));
        pick(p0->findChild<QComboBox*>(QStringLiteral("service")), QStringLiteral("chat-agent"));
        currentForm(w)->findChild<QPushButton*>(QStringLiteral("addPath"))->click();
        QWidget* p1 = currentForm(w)->findChild<QWidget*>(QStringLiteral("pathEditor1"));
        QVERIFY(p1);
        typeInto(p1->findChild<QLineEdit*>(QStringLiteral("path")), QStringLiteral("/tools"));
        pick(p1->findChild<QComboBox*>(QStringLiteral("service")), QStringLiteral("tool-agent"));
        pick(p1->findChild<QComboBox*>(QStringLiteral("port")), QStringLiteral("80"));
        QVERIFY(p1->findChild<QLabel*>(QStringLiteral("pathTypeExplanation"))->text().contains(QLatin1String("/tools")));

        // TLS: add the entry, name the Secret api-tls, and Create… it through the certificate dialog
        selectNode(w, ingIdx);
        QCOMPARE(currentForm(w)->objectName(), QStringLiteral("ingressForm"));
        currentForm(w)->findChild<QPushButton*>(QStringLiteral("addTls"))->click();
        QWidget* tlsRow = currentForm(w)->findChild<QWidget*>(QStringLiteral("tls0"));
        QVERIFY(tlsRow);
        QCOMPARE(tlsRow->findChild<QLineEdit*>(QStringLiteral("tlsHosts"))->text(), QStringLiteral("agents.example.com"));
        typeInto(tlsRow->findChild<QComboBox*>(QStringLiteral("tlsSecret"))->lineEdit(), QStringLiteral("api-tls"));
        bool dialogSeen = false;
        QTimer::singleShot(0, this, [&] {
            auto* dlg = qobject_cast<GenerateCertificateDialog*>(QApplication::activeModalWidget());
            QVERIFY(dlg);
            dialogSeen = true;
            QCOMPARE(dlg->secretName(), QStringLiteral("api-tls"));
            QCOMPARE(dlg->commonNameEdit()->text(), QStringLiteral("agents.example.com"));
            dlg->keyTypeCombo()->setCurrentIndex(1);  // EC P-256: fast
            dlg->accept();
        });
        tlsRow = currentForm(w)->findChild<QWidget*>(QStringLiteral("tls0"));
        tlsRow->findChild<QPushButton*>(QStringLiteral("tlsCreateSecret"))->click();
        QVERIFY(dialogSeen);
        QVERIFY(doc->workspace().secret("default", "api-tls"));
        QTRY_VERIFY(currentForm(w)->findChild<QLabel*>(QStringLiteral("tlsStatus"))->text().contains(QLatin1String("covers all hosts")));

        // the model says what the lesson asks for
        const auto* ing = doc->workspace().ofKind("Ingress").front()->as<model::Ingress>();
        QCOMPARE(ing->meta.name, std::string("agents"));
        QCOMPARE(ing->spec.rules.size(), std::size_t(1));
        QCOMPARE(ing->spec.rules[0].host.value_or(""), std::string("agents.example.com"));
        QCOMPARE(ing->spec.rules[0].http->paths.size(), std::size_t(2));
        QCOMPARE(ing->spec.rules[0].http->paths[0].path.value_or(""), std::string("/chat"));
        QCOMPARE(ing->spec.rules[0].http->paths[0].backend.service->name, std::string("chat-agent"));
        QCOMPARE(ing->spec.rules[0].http->paths[1].path.value_or(""), std::string("/tools"));
        QCOMPARE(ing->spec.rules[0].http->paths[1].backend.service->name, std::string("tool-agent"));
        QCOMPARE(*ing->spec.rules[0].http->paths[1].backend.service->port.number, 80);
        QCOMPARE(ing->spec.tls.size(), std::size_t(1));
        QCOMPARE(ing->spec.tls[0].secretName.value_or(""), std::string("api-tls"));

        // the YAML editor shows the same text
        {
            const QString a = w.editor()->text(), b = doc->text();
            int i = 0;
            while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
            QVERIFY2(a == b, qPrintable(QStringLiteral("differ at %1 (%2 vs %3): [%4] vs [%5]").arg(i).arg(a.size()).arg(b.size()).arg(a.mid(i - 40, 120), b.mid(i - 40, 120))));
        }

        // zero problems
        doc->reparseNow();
        QTRY_VERIFY(!doc->isValidationRunning());
        QString problems;
        for (const auto& d : doc->diagnostics()) problems += QString::fromStdString(d.object + ": " + d.message()) + QLatin1Char('\n');
        QVERIFY2(doc->diagnostics().empty(), qPrintable(problems));

        // save, keys private, and the real CLI accepts it without a warning
        const QString file = dir.filePath(QStringLiteral("agents.yaml"));
        QVERIFY(w.saveTo(file));
        QVERIFY(!(QFile::permissions(file) & (QFileDevice::ReadOther | QFileDevice::ReadGroup)));
        QProcess cli;
        cli.start(ilab::testing::cliPath(), {QStringLiteral("validate"), file});
        QVERIFY(cli.waitForFinished(30000));
        const QString out = QString::fromUtf8(cli.readAllStandardOutput() + cli.readAllStandardError());
        QVERIFY2(cli.exitCode() == 0, qPrintable(out));
        QVERIFY2(out.contains(QLatin1String("0 error(s), 0 warning(s)")), qPrintable(out));
        QVERIFY2(!out.contains(QLatin1String("warning:"), Qt::CaseInsensitive), qPrintable(out));

        // undo walks back through form edits, and the editor follows
        const QString saved = doc->text();
        doc->undoStack()->undo();
        QVERIFY(doc->text() != saved);
        QCOMPARE(w.editor()->text(), doc->text());
        doc->undoStack()->redo();
        QCOMPARE(doc->text(), saved);
        QCOMPARE(w.editor()->text(), saved);
    }

    void yamlEditsShowInFormsAndBack() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.show();
        w.document()->load(QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: web  # keep me\nspec:\n  ports:\n  - port: 80\n"));
        selectNode(w, 0);
        QCOMPARE(currentForm(w)->objectName(), QStringLiteral("serviceForm"));
        auto* name = currentForm(w)->findChild<QLineEdit*>(QStringLiteral("name"));
        QCOMPARE(name->text(), QStringLiteral("web"));
        // typing in the YAML editor reaches the form after the debounce
        QString t = w.editor()->text();
        t.replace(QLatin1String("name: web "), QLatin1String("name: shop"));
        w.editor()->setText(t);
        QTRY_COMPARE(name->text(), QStringLiteral("shop"));
        // and a form edit reaches the editor at once, keeping the comment
        typeInto(name, QStringLiteral("store"));
        QVERIFY(w.editor()->text().contains(QLatin1String("name: store # keep me")));
        // one undo stack: undo the form edit, then the editor edit
        w.document()->undoStack()->undo();
        QVERIFY(w.editor()->text().contains(QLatin1String("name: shop # keep me")));
        QTRY_COMPARE(name->text(), QStringLiteral("shop"));
        w.document()->undoStack()->undo();
        QVERIFY(w.editor()->text().contains(QLatin1String("name: web  # keep me")));
        QTRY_COMPARE(name->text(), QStringLiteral("web"));
    }
};

QTEST_MAIN(DesignerFlowTest)
#include "designer_flow_test.moc"
