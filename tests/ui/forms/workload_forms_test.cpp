// Service/Deployment/IngressClass forms: the shared Name/Namespace rows write metadata (and a cleared namespace
// writes "default"), and the Deployment form's behaviour picker offers every pod annotation, including
// ingress-lab.dev/tls, with a sensible first value.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

#include "ui/document/workspace_document.h"
#include "ui/forms/object_forms.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

const char* WORKSPACE =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 1\n"
    "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
    "    spec:\n      containers: [{name: web, image: \"web:1.0\"}]\n"
    "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n"
    "  controller: k8s.io/ingress-nginx\n";

void typeInto(QLineEdit* e, const QString& text) {
    QVERIFY(e);
    e->selectAll();
    QTest::keyClick(e, Qt::Key_Backspace);
    QTest::keyClicks(e, text);
}

}  // namespace

class WorkloadFormsTest : public QObject {
    Q_OBJECT
private slots:
    void metadataRowsWriteNameAndNamespace() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(WORKSPACE));
        DeploymentForm form(&doc, nullptr);
        form.showObject(0, -1, -1);
        auto* name = form.findChild<QLineEdit*>(QStringLiteral("name"));
        auto* ns = form.findChild<QLineEdit*>(QStringLiteral("namespace"));
        QVERIFY(name && ns);
        QCOMPARE(name->text(), QStringLiteral("web"));
        QCOMPARE(ns->text(), QStringLiteral("shop"));
        typeInto(name, QStringLiteral("store"));
        QTRY_VERIFY(doc.text().contains(QStringLiteral("name: store")));
        typeInto(ns, QString());  // cleared: the default namespace is written, not an empty string
        QTRY_VERIFY(doc.text().contains(QStringLiteral("namespace: default")));
    }

    void clusterScopedFormHasNoNamespaceRow() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(WORKSPACE));
        IngressClassForm form(&doc, nullptr);
        form.showObject(1, -1, -1);
        QVERIFY(!form.findChild<QLineEdit*>(QStringLiteral("namespace")));
        auto* name = form.findChild<QLineEdit*>(QStringLiteral("name"));
        QVERIFY(name);
        QCOMPARE(name->text(), QStringLiteral("nginx"));
        typeInto(name, QStringLiteral("lab"));
        QTRY_VERIFY(doc.text().contains(QStringLiteral("name: lab")));
    }

    void behaviourPickerAddsTheTlsAnnotation() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(WORKSPACE));
        DeploymentForm form(&doc, nullptr);
        form.showObject(0, -1, -1);
        auto* keys = form.findChild<QComboBox*>(QStringLiteral("newBehaviour"));
        QVERIFY(keys);
        for (const char* k : {"ingress-lab.dev/latency-ms", "ingress-lab.dev/failure-status", "ingress-lab.dev/tls"})
            QVERIFY2(keys->findText(QLatin1String(k)) >= 0, k);
        keys->setCurrentIndex(keys->findText(QStringLiteral("ingress-lab.dev/tls")));
        QPushButton* add = nullptr;
        for (auto* b : form.findChildren<QPushButton*>())
            if (b->text() == QStringLiteral("Add")) add = b;
        QVERIFY(add);
        add->click();
        QTRY_VERIFY2(doc.text().contains(QStringLiteral("ingress-lab.dev/tls: \"true\"")), qPrintable(doc.text()));
    }
};

QTEST_MAIN(WorkloadFormsTest)
#include "workload_forms_test.moc"
