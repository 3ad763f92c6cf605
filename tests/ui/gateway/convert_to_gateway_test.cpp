// Issue 14 in the designer window: Object > "Convert to Gateway API" on the canary lesson puts the Gateway and the
// HTTPRoute (backendRefs weighted 90/10) beside the Ingresses as one undo step, and the Migration view then reads
// exactly which requests behave differently (HTTPS is lost; plain HTTP keeps its 90/10 split) and why, each one
// explained on both sides (ingress-nginx on the Ingresses, gateway on the converted objects). A workspace with a
// known behavioural difference (ssl-redirect drops the trailing slash, the converted RequestRedirect keeps it) shows
// it. The lab's explainer offers the Gateway API profile only while the workspace holds Gateway API objects.
#include <QAction>
#include <QDockWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include "app/gui/gui_services.h"
#include "core/gateway/gateway_reader.h"
#include "ui/gateway/migration_view.h"
#include "ui/lab/explainer_panel.h"
#include "ui/lab/lab_panel.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

Q_DECLARE_METATYPE(QVector<ilab::ui::ExplainResult>)

namespace {

QAction* action(MainWindow& w, const QString& text) {
    for (QAction* a : w.allActions()) {
        QString t = a->text();
        t.remove(QLatin1Char('&'));
        if (t.startsWith(text)) return a;
    }
    return nullptr;
}

const gateway::HTTPRoute* route(const gateway::GatewayObjects& g, const std::string& name) {
    for (const auto& r : g.routes)
        if (r.meta.name == name) return &r;
    return nullptr;
}

int differenceIndex(const MigrationView& v, const std::string& url) {
    const auto& ds = v.report().differences;
    for (int i = 0; i < static_cast<int>(ds.size()); ++i)
        if (ds[i].url == url) return i;
    return -1;
}

QTreeWidgetItem* groupStartingWith(QTreeWidget* tree, const QString& prefix) {
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0).startsWith(prefix)) return tree->topLevelItem(i);
    return nullptr;
}

// ILAB_SHOTS_DIR=dir saves screenshots of the window at the interesting moments (for review; no effect otherwise).
void shot(QWidget& w, const QString& name) {
    const QString dir = qEnvironmentVariable("ILAB_SHOTS_DIR");
    if (dir.isEmpty()) return;
    QCoreApplication::processEvents();
    w.grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

// Waits for the view's report of the current workspace (a refresh may be running or queued).
bool waitChecked(MigrationView* v) {
    QSignalSpy spy(v, &MigrationView::checked);
    if (!v->isChecking()) v->refresh();
    return spy.wait(30000);
}

const char* TLS_WORKSPACE = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  ingressClassName: nginx
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /cart/
        pathType: Prefix
        backend: {service: {name: shop, port: {number: 80}}}
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: shop, image: 'shop:1'}]
)";

}  // namespace

class ConvertToGatewayTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<QVector<ExplainResult>>();
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void canaryLessonConvertsAsOneUndoStep() {
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, m_dir.filePath(QStringLiteral("recovery")));
        w.resize(1400, 900);
        w.show();
        w.openLesson(QStringLiteral("canary"));
        const QString original = w.document()->text();
        QVERIFY(gateway::read(w.document()->workspace()).empty());

        QAction* convert = action(w, QStringLiteral("Convert to Gateway API"));
        QVERIFY(convert);
        QVERIFY(convert->isEnabled());
        convert->trigger();

        const auto g = gateway::read(w.document()->workspace());
        QCOMPARE(g.gateways.size(), std::size_t(1));
        const gateway::HTTPRoute* r = route(g, "version-canary-api-example-com");
        QVERIFY(r);
        QCOMPARE(r->rules.size(), std::size_t(1));
        const auto& refs = r->rules[0].backendRefs;
        QCOMPARE(refs.size(), std::size_t(2));
        QCOMPARE(refs[0].ref.name, std::string("agent-stable"));
        QCOMPARE(refs[0].effectiveWeight(), 90);
        QCOMPARE(refs[1].ref.name, std::string("agent-test"));
        QCOMPARE(refs[1].effectiveWeight(), 10);
        QCOMPARE(w.document()->workspace().all<model::Ingress>().size(), std::size_t(2));  // the originals stay
        QVERIFY(w.document()->text().startsWith(original.trimmed()));                       // beside them, untouched
        // editable: an ordinary document of the text, selected in the tree
        QVERIFY(w.document()->indexOf("HTTPRoute", "default", "version-canary-api-example-com") >= 0);

        // the Migration view comes forward and says which requests change, and why
        auto* dock = w.findChild<QDockWidget*>(QStringLiteral("migrationDock"));
        auto* view = w.findChild<MigrationView*>(QStringLiteral("migrationView"));
        QVERIFY(dock && view);
        QVERIFY(dock->isVisible());
        QVERIFY(waitChecked(view));
        QVERIFY(view->report().usedWorkspaceGatewayObjects);
        QVERIFY(view->summaryText().contains(QStringLiteral("behave differently")));
        QVERIFY(!view->report().notes.empty());
        QVERIFY(groupStartingWith(view->differencesTree(), QStringLiteral("Not carried over by the conversion")));
        QTreeWidgetItem* https = groupStartingWith(view->differencesTree(), QStringLiteral("HTTPS no longer served"));
        QVERIFY(https);
        QTreeWidgetItem* body = groupStartingWith(view->differencesTree(), QStringLiteral("body size limit no longer enforced"));
        QVERIFY(body);  // ingress-nginx's default 1m proxy-body-size
        // the only two causes
        QCOMPARE(https->childCount() + body->childCount(), static_cast<int>(view->report().differences.size()));
        QVERIFY(differenceIndex(*view, "GET http://api.example.com/version") < 0);  // 90/10 on both sides
        const int i = differenceIndex(*view, "GET https://api.example.com/version");
        QVERIFY(i >= 0);

        // a difference opens the explainer on both sides for its request
        QSignalSpy explained(view->explainer(), &ExplainerPanel::explained);
        QVERIFY(view->openDifference(i));
        QVERIFY(explained.wait(10000));
        const auto results = explained.last().at(0).value<QVector<ExplainResult>>();
        QCOMPARE(results.size(), 2);
        QCOMPARE(results[0].profile, QStringLiteral("ingress-nginx"));
        QCOMPARE(results[0].ingress.isEmpty(), false);
        QCOMPARE(results[1].profile, QStringLiteral("gateway"));
        QCOMPARE(results[1].status, 404);
        QVERIFY(results[1].trace.join('\n').contains(QStringLiteral("no HTTPS listener")));
        QCOMPARE(view->explainer()->request().url, QStringLiteral("https://api.example.com/version"));
        shot(w, QStringLiteral("canary-converted-migration"));

        // the lab's explainer now offers Gateway API as the compared profile
        ExplainerPanel* labExplainer = w.labPanel()->explainer();
        QTRY_VERIFY_WITH_TIMEOUT(labExplainer->isProfileChoiceOffered(), 5000);
        {
            w.raisePanel(QStringLiteral("lab"));
            for (QWidget* p = labExplainer->parentWidget(); p; p = p->parentWidget())
                if (auto* tabs = qobject_cast<QTabWidget*>(p)) {
                    tabs->setCurrentWidget(labExplainer);
                    break;
                }
            labExplainer->setComparedProfile(routing::Profile::Gateway);
            ExplainRequest req;
            req.url = QStringLiteral("http://api.example.com/version");
            labExplainer->setRequest(req);
            QSignalSpy labExplained(labExplainer, &ExplainerPanel::explained);
            labExplainer->explain();
            QVERIFY(labExplained.wait(10000));
            // both sides split 90/10, though one random value may pick a different backend on each side
            const auto labResults = labExplained.last().at(0).value<QVector<ExplainResult>>();
            QCOMPARE(labResults.size(), 2);
            QCOMPARE(labResults[1].profile, QStringLiteral("gateway"));
            for (const auto& r : labResults) {
                QCOMPARE(r.shares.size(), 2);
                QVERIFY2(std::abs(r.shares.value(QStringLiteral("default/agent-test:80")) - 0.10) < 0.04, qPrintable(r.profile));
            }
            shot(w, QStringLiteral("canary-lab-explainer-gateway"));
        }

        // one undo step removes them all
        w.document()->undoStack()->undo();
        QCOMPARE(w.document()->text(), original);
        QVERIFY(gateway::read(w.document()->workspace()).empty());
        QVERIFY(waitChecked(view));
        QVERIFY(!view->report().usedWorkspaceGatewayObjects);  // back to a fresh conversion
        QTRY_VERIFY_WITH_TIMEOUT(!labExplainer->isProfileChoiceOffered(), 5000);
    }

    void showsTheSslRedirectDifference() {
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, m_dir.filePath(QStringLiteral("recovery2")));
        w.resize(1400, 900);
        w.show();
        w.document()->load(QString::fromUtf8(TLS_WORKSPACE));
        auto* dock = w.findChild<QDockWidget*>(QStringLiteral("migrationDock"));
        auto* view = w.findChild<MigrationView*>(QStringLiteral("migrationView"));
        QVERIFY(dock && view);
        dock->show();
        dock->raise();
        QVERIFY(waitChecked(view));
        QVERIFY(!view->report().usedWorkspaceGatewayObjects);
        const int i = differenceIndex(*view, "GET http://shop.example.com/cart/");
        QVERIFY2(i >= 0, qPrintable(view->summaryText()));
        const auto& d = view->report().differences[i];
        QCOMPARE(d.nginx.status, 308);
        QCOMPARE(d.nginx.location, std::string("https://shop.example.com/cart"));
        QCOMPARE(d.gateway.location, std::string("https://shop.example.com/cart/"));
        QTreeWidgetItem* group = groupStartingWith(view->differencesTree(), QString::fromStdString(d.cause));
        QVERIFY(group);
        bool listed = false;
        for (int c = 0; c < group->childCount(); ++c)
            listed = listed || (group->child(c)->text(0) == QStringLiteral("GET http://shop.example.com/cart/") &&
                                group->child(c)->text(1).contains(QStringLiteral("https://shop.example.com/cart")) &&
                                group->child(c)->text(2).contains(QStringLiteral("https://shop.example.com/cart/")));
        QVERIFY(listed);

        QSignalSpy explained(view->explainer(), &ExplainerPanel::explained);
        QVERIFY(view->openDifference(i));
        QVERIFY(explained.wait(10000));
        const auto results = explained.last().at(0).value<QVector<ExplainResult>>();
        QCOMPARE(results.size(), 2);
        QVERIFY2(results[0].summary.contains(QStringLiteral("Redirect 308 to https://shop.example.com/cart")), qPrintable(results[0].summary));
        QCOMPARE(results[1].profile, QStringLiteral("gateway"));
        QVERIFY2(results[1].summary.contains(QStringLiteral("https://shop.example.com/cart/")), qPrintable(results[1].summary));
        QVERIFY2(results[1].summary.contains(QStringLiteral("HTTPRoute")), qPrintable(results[1].summary));
        shot(w, QStringLiteral("ssl-redirect-migration"));
    }

    void convertWithoutIngressesIsDisabled() {
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, m_dir.filePath(QStringLiteral("recovery3")));
        w.newWorkspace();
        QAction* convert = action(w, QStringLiteral("Convert to Gateway API"));
        QVERIFY(convert);
        QVERIFY(!convert->isEnabled());
    }
};

QTEST_MAIN(ConvertToGatewayTest)
#include "convert_to_gateway_test.moc"
