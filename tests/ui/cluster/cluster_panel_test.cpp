// The GUI's cluster session and Cluster panel against the real kube-apiserver v1.20.2 (tests/support/kube_server.h),
// checked with the real kubectl: connect (status bar and panel show v1.20.2), pull a namespace into the workspace,
// drift marks, Diff after a form-API edit of the canary weight, Apply (kubectl sees the new value, the mark goes
// back to in sync), cluster Events in the lab's events panel, the red banner of an insecure kubeconfig, the
// exec-plugin consent dialog (nothing runs before consent), a 403 user and a malformed kubeconfig.
#include <QAbstractItemView>
#include <QComboBox>
#include <QDialog>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

#include <atomic>
#include <thread>

#include "app/gui/cluster_session_impl.h"
#include "app/gui/gui_services.h"
#include "support/kube_server.h"
#include "ui/cluster/cluster_panel.h"
#include "ui/cluster_session.h"
#include "core/events/event_log.h"
#include "ui/document/workspace_document.h"
#include "ui/lab/lab_feeds.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/main_window.h"
#include "ui/editors/yaml_editor.h"
#include "ui/forms/object_forms.h"
#include "ui/models/problems_model.h"

using ilab::testing::KubeServer;
using ilab::ui::ClusterPanel;
using ilab::ui::ClusterSession;
using ilab::ui::MainWindow;

namespace {

constexpr int WAIT_MS = 30000;

const char* const LESSON_OBJECTS = R"(apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: lesson
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop-canary
  namespace: lesson
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "10"
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
)";

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

}  // namespace

class ClusterPanelTest : public QObject {
    Q_OBJECT

    KubeServer m_kube;
    QTemporaryDir m_tmp;

    // A window whose session reads `kubeconfig` (KUBECONFIG) and keeps exec consents under m_tmp.
    struct Window {
        ilab::app::GuiServices services;
        MainWindow w;
        explicit Window(const QString& recovery) : w(services.services(), nullptr, recovery) {
            w.resize(1400, 900);
            w.document()->load(QString());
            w.show();
        }
        ClusterPanel* panel() { return w.clusterPanel(); }
        ClusterSession* session() { return w.clusterSession(); }
    };

    // A PNG of the panel (and of an open combo's list) under $ILAB_SHOTS_DIR when set (docs; look at them).
    static void takeShot(QWidget* panel, const QString& name, QComboBox* openList) {
        const QString dir = qEnvironmentVariable("ILAB_SHOTS_DIR");
        if (dir.isEmpty()) return;
        QDir().mkpath(dir);
        panel->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
        if (openList) {
            openList->showPopup();
            QCoreApplication::processEvents();
            if (QWidget* popup = openList->view()->window()) popup->grab().save(dir + QLatin1Char('/') + name + QStringLiteral("-list.png"));
            openList->hidePopup();
        }
    }

    std::unique_ptr<Window> window(const QString& kubeconfig) {
        qputenv("KUBECONFIG", kubeconfig.toUtf8());
        return std::make_unique<Window>(m_tmp.filePath(QStringLiteral("recovery")));
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
        QVERIFY(m_tmp.isValid());
        qputenv("XDG_CONFIG_HOME", m_tmp.filePath(QStringLiteral("config")).toUtf8());  // exec consents
        // No ~/.kube/config of the machine; the API server stays where the harness finds it.
        if (qEnvironmentVariableIsEmpty("ILAB_KUBE_CACHE"))
            qputenv("ILAB_KUBE_CACHE", (QDir::homePath() + QStringLiteral("/.cache/ingress-lab/kube")).toUtf8());
        qputenv("HOME", m_tmp.path().toUtf8());
    }

    void malformedKubeconfigIsShown() {
        const QString bad = m_tmp.filePath(QStringLiteral("bad.kubeconfig"));
        QVERIFY(writeFile(bad, "apiVersion: v1\nclusters: [\n  - name: x\n"));
        auto win = window(bad);
        auto* error = win->panel()->findChild<QLabel*>(QStringLiteral("clusterError"));
        QVERIFY(error);
        QVERIFY(!error->isHidden());
        QVERIFY2(error->text().contains(bad), qPrintable(error->text()));
        win->panel()->connectToCluster();
        QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
        QVERIFY2(win->session()->error().contains(QStringLiteral("kubeconfig")), qPrintable(win->session()->error()));
    }

    void startServer() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        int code = -1;
        m_kube.kubectl({QStringLiteral("create"), QStringLiteral("namespace"), QStringLiteral("lesson")}, &code);
        QCOMPARE(code, 0);
        const QByteArray out = m_kube.kubectl({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")}, &code, LESSON_OBJECTS);
        QVERIFY2(code == 0, out.constData());
    }

    void connectPullDiffApply() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
        ClusterPanel* panel = win->panel();
        ClusterSession* session = win->session();
        QVERIFY(session);
        QCOMPARE(session->contexts(), QStringList{QStringLiteral("kind-ilab")});
        QCOMPARE(panel->findChild<QComboBox*>(QStringLiteral("clusterContext"))->currentText(), QStringLiteral("kind-ilab"));
        panel->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), ClusterSession::State::Connected, WAIT_MS);
        QCOMPARE(session->serverVersion(), QStringLiteral("v1.20.2"));
        auto* status = win->w.statusBar()->findChild<QLabel*>(QStringLiteral("statusCluster"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QStringLiteral("v1.20.2")), qPrintable(status->text()));
        QVERIFY(panel->stateText().contains(QStringLiteral("v1.20.2")));
        // The harness's kubeconfig names everything kind-ilab, as kind does.
        QCOMPARE(session->distribution(), QStringLiteral("kind"));
        QVERIFY2(status->text().endsWith(QStringLiteral(" · kind")), qPrintable(status->text()));
        QVERIFY2(panel->stateText().contains(QStringLiteral("v1.20.2, kind")), qPrintable(panel->stateText()));
        QVERIFY2(session->distributionDetail().contains(QStringLiteral("cluster ilab")), qPrintable(session->distributionDetail()));
        QVERIFY(!panel->insecureBannerVisible());

        // Live objects, not yet in the (empty) workspace.
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")),
                                  std::optional(ClusterPanel::Drift::OnlyCluster), WAIT_MS);
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Service"), QStringLiteral("web")),
                                  std::optional(ClusterPanel::Drift::OnlyCluster), WAIT_MS);

        // Pull the namespace: clean YAML in the workspace, and both in sync.
        panel->select({});
        {
            QSignalSpy pulled(panel, &ClusterPanel::pullFinished);
            panel->pullSelected();
            QVERIFY(pulled.size() == 1 || pulled.wait(WAIT_MS));
        }
        auto* doc = win->w.document();
        const int ing = doc->indexOf("Ingress", "lesson", "shop-canary");
        QVERIFY2(ing >= 0, qPrintable(doc->text()));
        QVERIFY(doc->indexOf("Service", "lesson", "web") >= 0);
        QVERIFY2(!doc->text().contains(QStringLiteral("managedFields")), qPrintable(doc->text()));
        QVERIFY2(!doc->text().contains(QStringLiteral("clusterIP")), qPrintable(doc->text()));
        QVERIFY2(!doc->text().contains(QStringLiteral("resourceVersion")), qPrintable(doc->text()));
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")),
                                  std::optional(ClusterPanel::Drift::InSync), WAIT_MS);
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Service"), QStringLiteral("web")),
                                  std::optional(ClusterPanel::Drift::InSync), WAIT_MS);

        // The canary weight changed through the form's model API: the mark says "differs".
        QVERIFY(doc->setScalar(ing, "metadata.annotations[nginx.ingress.kubernetes.io/canary-weight]", QStringLiteral("30")));
        QVERIFY2(doc->text().contains(QStringLiteral("canary-weight: \"30\"")), qPrintable(doc->text()));
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")),
                                  std::optional(ClusterPanel::Drift::Differs), WAIT_MS);
        QCOMPARE(panel->drift(QStringLiteral("Service"), QStringLiteral("web")), std::optional(ClusterPanel::Drift::InSync));

        // Diff shows exactly the changed line.
        panel->select({QStringLiteral("Ingress/shop-canary")});
        panel->diffSelected();
        auto* dlg = panel->findChild<QDialog*>(QStringLiteral("clusterDiffDialog"));
        QVERIFY(dlg && dlg->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->lastDiffText().isEmpty(), WAIT_MS);
        const QString diff = panel->lastDiffText();
        QVERIFY2(diff.contains(QStringLiteral("\n-    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n")), qPrintable(diff));
        QVERIFY2(diff.contains(QStringLiteral("\n+    nginx.ingress.kubernetes.io/canary-weight: \"30\"\n")), qPrintable(diff));
        QCOMPARE(diff.count(QRegularExpression(QStringLiteral("\n[-+] "))), 2);
        QCOMPARE(dlg->findChild<QPlainTextEdit*>(QStringLiteral("clusterDiffText"))->toPlainText(), diff);
        dlg->close();

        // Apply asks first; a "no" sends nothing.
        QString asked;
        panel->setConfirmHook([&](const QString&, const QString& text) {
            asked = text;
            return false;
        });
        panel->applySelected();
        QVERIFY(asked.contains(QStringLiteral("Ingress shop-canary")));
        int code = -1;
        const QStringList getWeight = {QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("shop-canary"),
                                       QStringLiteral("-n"), QStringLiteral("lesson"), QStringLiteral("-o"),
                                       QStringLiteral("jsonpath={.metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/canary-weight}")};
        QCOMPARE(m_kube.kubectl(getWeight, &code), QByteArray("10"));
        panel->setConfirmHook([](const QString&, const QString&) { return true; });
        panel->applySelected();
        // kubectl apply (client-side) created the Ingress, so its manager owns the weight: a conflict dialog first.
        QDialog* conflict = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((conflict = panel->findChild<QDialog*>(QStringLiteral("clusterConflictDialog"))) != nullptr, WAIT_MS);
        auto* fields = conflict->findChild<QTreeWidget*>(QStringLiteral("clusterConflictFields"));
        QCOMPARE(fields->topLevelItemCount(), 1);
        QCOMPARE(fields->topLevelItem(0)->text(0), QStringLiteral(".metadata.annotations.nginx.ingress.kubernetes.io/canary-weight"));
        QVERIFY2(fields->topLevelItem(0)->text(1).contains(QStringLiteral("kubectl-client-side-apply")), qPrintable(fields->topLevelItem(0)->text(1)));
        QCOMPARE(m_kube.kubectl(getWeight, &code), QByteArray("10"));
        conflict->findChild<QPushButton*>(QStringLiteral("clusterConflictForce"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastMessage().contains(QStringLiteral("applied")), WAIT_MS);
        QCOMPARE(m_kube.kubectl(getWeight, &code), QByteArray("30"));
        QCOMPARE(code, 0);
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")),
                                  std::optional(ClusterPanel::Drift::InSync), WAIT_MS);

        // A cluster Event about the Ingress shows up in the lab's events panel, marked as from the cluster.
        const QByteArray event = R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"shop-canary.weight","namespace":"lesson"},
"involvedObject":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"shop-canary","namespace":"lesson"},
"reason":"CanaryWeightChanged","message":"canary weight is now 30","type":"Normal","count":1,
"firstTimestamp":"2026-01-01T10:00:00Z","lastTimestamp":"2026-01-01T10:00:00Z","source":{"component":"test"}})";
        const QByteArray out = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")}, &code, event);
        QVERIFY2(code == 0, out.constData());
        ilab::ui::LogTableModel* events = win->w.labPanel()->eventLogModel();
        auto findRow = [&]() {
            for (int r = 0; r < events->rowCount(); ++r)
                if (events->data(events->index(r, 2)).toString() == QLatin1String("CanaryWeightChanged")) return r;
            return -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(findRow() >= 0, WAIT_MS);
        const int row = findRow();
        QCOMPARE(events->data(events->index(row, ilab::ui::EventFeed::SourceColumn)).toString(), QStringLiteral("cluster"));
        QCOMPARE(events->data(events->index(row, 3)).toString(), QStringLiteral("Ingress lesson/shop-canary"));
        QCOMPARE(events->data(events->index(row, 5)).toString(), QStringLiteral("canary weight is now 30"));
    }

    // The namespace picker beside the context picker: the context's namespace by default, then the cluster's
    // namespaces (a real list from the API server); picking one reconnects there.
    void namespacePickerListsTheClustersNamespaces() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        int code = -1;
        m_kube.kubectl({QStringLiteral("create"), QStringLiteral("namespace"), QStringLiteral("picker-b")}, &code);
        QCOMPARE(code, 0);
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
        ClusterPanel* panel = win->panel();
        auto* nsEdit = panel->findChild<QLineEdit*>(QStringLiteral("clusterNamespace"));
        auto* nsBox = panel->findChild<QComboBox*>(QStringLiteral("clusterNamespaceBox"));
        QVERIFY(nsEdit && nsBox);
        QCOMPARE(nsEdit->text(), QStringLiteral("default"));  // the current context's namespace
        QVERIFY(panel->namespaceItems().isEmpty());          // nothing listed before connecting
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->namespaceItems().isEmpty(), WAIT_MS);
        QStringList expected = QString::fromUtf8(m_kube.kubectl({QStringLiteral("get"), QStringLiteral("namespaces"),
                                                                 QStringLiteral("-o"), QStringLiteral("jsonpath={.items[*].metadata.name}")},
                                                                &code))
                                   .split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QCOMPARE(code, 0);
        expected.sort();
        QCOMPARE(panel->namespaceItems(), expected);
        QVERIFY(expected.contains(QStringLiteral("lesson")) && expected.contains(QStringLiteral("picker-b")) &&
                expected.contains(QStringLiteral("kube-system")));
        QCOMPARE(nsEdit->text(), QStringLiteral("default"));  // filling the list keeps the choice
        QVERIFY(panel->namespaceNote().isEmpty());
        // Picking "lesson" from the list reconnects to it: its objects appear.
        const int lesson = nsBox->findText(QStringLiteral("lesson"));
        QVERIFY(lesson >= 0);
        nsBox->setCurrentIndex(lesson);
        emit nsBox->activated(lesson);
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->ns(), QStringLiteral("lesson"), WAIT_MS);
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")).has_value(), WAIT_MS);
        QCOMPARE(panel->namespaceItems(), expected);  // the list stays for the same context
        takeShot(panel, QStringLiteral("namespace-picker"), nsBox);
    }

    // A user who may read one namespace but not list namespaces (RBAC 403 on GET /api/v1/namespaces, as with a
    // namespace-scoped RoleBinding): the picker says so and takes free text; the typed namespace works.
    void namespacePickerFallsBackToFreeTextOn403() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        int code = -1;
        QByteArray out = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("namespace"), QStringLiteral("team-a")}, &code);
        QVERIFY2(code == 0, out.constData());
        out = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("role"), QStringLiteral("reader"), QStringLiteral("-n"),
                              QStringLiteral("team-a"), QStringLiteral("--verb=get,list,watch"),
                              QStringLiteral("--resource=ingresses.networking.k8s.io,services,events")}, &code);
        QVERIFY2(code == 0, out.constData());
        out = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("rolebinding"), QStringLiteral("reader"), QStringLiteral("-n"),
                              QStringLiteral("team-a"), QStringLiteral("--role=reader"), QStringLiteral("--user=ilab-limited")}, &code);
        QVERIFY2(code == 0, out.constData());
        out = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("service"), QStringLiteral("clusterip"), QStringLiteral("team-svc"),
                              QStringLiteral("--tcp=80:8080"), QStringLiteral("-n"), QStringLiteral("team-a")}, &code);
        QVERIFY2(code == 0, out.constData());
        // The server really refuses the list to this user.
        out = m_kube.kubectlAs(QStringLiteral("limited"), {QStringLiteral("get"), QStringLiteral("namespaces")}, &code);
        QVERIFY2(code != 0 && out.contains("forbidden"), out.constData());

        auto win = window(m_kube.kubeconfig(QStringLiteral("limited")));
        ClusterPanel* panel = win->panel();
        auto* nsEdit = panel->findChild<QLineEdit*>(QStringLiteral("clusterNamespace"));
        QVERIFY(nsEdit);
        QVERIFY(nsEdit->isEnabled() && !nsEdit->isReadOnly());
        nsEdit->selectAll();
        QTest::keyClicks(nsEdit, QStringLiteral("team-a"));
        QCOMPARE(nsEdit->text(), QStringLiteral("team-a"));
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->namespaceNote().isEmpty(), WAIT_MS);
        QVERIFY2(panel->namespaceNote().contains(QStringLiteral("\"ilab-limited\" may not list namespaces (403 Forbidden)")),
                 qPrintable(panel->namespaceNote()));
        QVERIFY(panel->namespaceItems().isEmpty());
        QCOMPARE(nsEdit->text(), QStringLiteral("team-a"));
        QCOMPARE(win->session()->ns(), QStringLiteral("team-a"));
        // The typed namespace is readable: its Service shows up.
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Service"), QStringLiteral("team-svc")),
                                  std::optional(ClusterPanel::Drift::OnlyCluster), WAIT_MS);
        QVERIFY2(win->session()->error().isEmpty(), qPrintable(win->session()->error()));
        takeShot(panel, QStringLiteral("namespace-free-text-403"), nullptr);
    }

    // An object the real API server refuses (422 Invalid, two causes): Diff and Apply name each field with its YAML
    // line; the Problems panel lists them; a click (in the apply dialog or the Problems panel) shows the line in
    // the editor and marks the form's input for that field. Fixing the object and applying clears them.
    void invalidApplyPointsAtFieldAndLine() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
        ClusterPanel* panel = win->panel();
        auto* doc = win->w.document();
        doc->load(QStringLiteral(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad-port
  namespace: lesson
spec:
  rules:
  - host: bad.example.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 70000
      - path: relative
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
)"));
        const int index = doc->indexOf("Ingress", "lesson", "bad-port");
        QVERIFY(index >= 0);
        const QStringList text = doc->text().split(QLatin1Char('\n'));
        const int portLine = int(text.indexOf(QStringLiteral("              number: 70000"))) + 1;
        const int pathLine = int(text.indexOf(QStringLiteral("      - path: relative"))) + 1;
        QVERIFY(portLine > 0 && pathLine > 0);
        panel->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("bad-port")),
                                  std::optional(ClusterPanel::Drift::OnlyLocal), WAIT_MS);

        // Diff (a dry-run apply): the diff dialog names the refused fields and their lines.
        panel->select({QStringLiteral("Ingress/bad-port")});
        panel->diffSelected();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->lastDiffText().isEmpty(), WAIT_MS);
        const QString diff = panel->lastDiffText();
        QVERIFY2(diff.contains(QStringLiteral("422 Invalid")), qPrintable(diff));
        QVERIFY2(diff.contains(QStringLiteral("line %1: spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000")
                                   .arg(portLine)), qPrintable(diff));
        QVERIFY2(diff.contains(QStringLiteral("line %1: spec.rules[0].http.paths[1].path: Invalid value: \"relative\"").arg(pathLine)),
                 qPrintable(diff));
        auto* diffDlg = panel->findChild<QDialog*>(QStringLiteral("clusterDiffDialog"));
        QVERIFY(diffDlg);
        QTRY_VERIFY_WITH_TIMEOUT(diffDlg->findChild<QTreeWidget*>(QStringLiteral("clusterInvalidFields")) != nullptr, WAIT_MS);
        QCOMPARE(diffDlg->findChild<QTreeWidget*>(QStringLiteral("clusterInvalidFields"))->topLevelItemCount(), 2);
        takeShot(diffDlg, QStringLiteral("invalid-diff-dialog"), nullptr);
        diffDlg->close();

        // Apply: refused; a dialog lists the fields, the first is shown at once.
        panel->setConfirmHook([](const QString&, const QString&) { return true; });
        panel->select({QStringLiteral("Ingress/bad-port")});
        panel->applySelected();
        QDialog* dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = panel->findChild<QDialog*>(QStringLiteral("clusterInvalidDialog"))) != nullptr, WAIT_MS);
        QVERIFY(panel->lastMessage().contains(QStringLiteral("is invalid")));
        auto* fields = dlg->findChild<QTreeWidget*>(QStringLiteral("clusterInvalidFields"));
        QVERIFY(fields);
        QCOMPARE(fields->topLevelItemCount(), 2);
        QCOMPARE(fields->topLevelItem(0)->text(0), QStringLiteral("spec.rules[0].http.paths[0].backend.service.port.number"));
        QCOMPARE(fields->topLevelItem(0)->text(1).toInt(), portLine);
        QVERIFY2(fields->topLevelItem(0)->text(2).contains(QStringLiteral("must be between 1 and 65535")),
                 qPrintable(fields->topLevelItem(0)->text(2)));
        QCOMPARE(fields->topLevelItem(1)->text(0), QStringLiteral("spec.rules[0].http.paths[1].path"));
        QCOMPARE(fields->topLevelItem(1)->text(1).toInt(), pathLine);
        int line = -1, col = -1;
        win->w.editor()->getCursorPosition(&line, &col);
        QCOMPARE(line + 1, portLine);
        QWidget* marked = win->w.forms()->markedField();
        QVERIFY(marked);
        QCOMPARE(marked->objectName(), QStringLiteral("port"));
        QVERIFY(marked->styleSheet().contains(QStringLiteral("#c62828")));
        takeShot(dlg, QStringLiteral("invalid-apply-dialog"), nullptr);
        takeShot(&win->w, QStringLiteral("invalid-apply-window"), nullptr);

        // The Problems panel lists both, each with its line; clicking the path one shows that line and input.
        auto* problems = win->w.findChild<QTreeView*>(QStringLiteral("problems"));
        QVERIFY(problems);
        auto* model = qobject_cast<ilab::ui::ProblemsModel*>(problems->model());
        QVERIFY(model);
        auto serverRows = [&] {
            QList<int> rows;
            for (int r = 0; r < model->rowCount(); ++r)
                if (model->diagnostic(r)->rule == "cluster-invalid") rows << r;
            return rows;
        };
        QTRY_COMPARE_WITH_TIMEOUT(serverRows().size(), 2, WAIT_MS);
        int pathRow = -1;
        for (int r : serverRows())
            if (model->diagnostic(r)->field == "spec.rules[0].http.paths[1].path") pathRow = r;
        QVERIFY(pathRow >= 0);
        QCOMPARE(model->data(model->index(pathRow, ilab::ui::ProblemsModel::LineColumn)).toString().section(QLatin1Char(':'), 0, 0),
                 QString::number(pathLine));  // "line:column"
        QCOMPARE(model->data(model->index(pathRow, ilab::ui::ProblemsModel::ObjectColumn)).toString(),
                 QStringLiteral("Ingress lesson/bad-port"));
        emit problems->clicked(model->index(pathRow, ilab::ui::ProblemsModel::MessageColumn));
        win->w.editor()->getCursorPosition(&line, &col);
        QCOMPARE(line + 1, pathLine);
        QVERIFY(win->w.forms()->markedField());
        QCOMPARE(win->w.forms()->markedField()->objectName(), QStringLiteral("path"));
        // A click in the dialog's list goes back to the port.
        fields->itemClicked(fields->topLevelItem(0), 0);
        win->w.editor()->getCursorPosition(&line, &col);
        QCOMPARE(line + 1, portLine);
        QCOMPARE(win->w.forms()->markedField()->objectName(), QStringLiteral("port"));
        dlg->close();

        // Fixed and applied: the server takes it and the problems go away.
        QVERIFY(doc->setScalar(index, "spec.rules[0].http.paths[0].backend.service.port.number", QStringLiteral("80"),
                               ilab::ui::yamltext::ScalarStyle::Raw));
        QVERIFY(doc->setScalar(index, "spec.rules[0].http.paths[1].path", QStringLiteral("/relative")));
        panel->select({QStringLiteral("Ingress/bad-port")});
        panel->applySelected();
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastMessage().contains(QStringLiteral("Ingress bad-port applied")), WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(serverRows().isEmpty(), WAIT_MS);
        QVERIFY(panel->serverProblems().empty());
        int code = -1;
        QCOMPARE(m_kube.kubectl({QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("bad-port"), QStringLiteral("-n"),
                                 QStringLiteral("lesson"), QStringLiteral("-o"),
                                 QStringLiteral("jsonpath={.spec.rules[0].http.paths[0].backend.service.port.number}")}, &code),
                 QByteArray("80"));
    }

    // Pull brings what the Ingresses use, as `ingress-lab-cli cluster pull` does: backend Services, the TLS Secret
    // (its data masked: never in the workspace), the default IngressClass (the Ingress names none), and for the
    // whole namespace the ingress-nginx controller ConfigMap. Objects the user may not read are named, not fatal.
    void pullTakesTlsSecretsClassesAndControllerConfigMap() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        int code = -1;
        const QByteArray keyB64 = QByteArray("-----BEGIN PRIVATE KEY-----\nnot-a-real-key-but-secret\n-----END PRIVATE KEY-----\n").toBase64();
        const QByteArray crtB64 = QByteArray("-----BEGIN CERTIFICATE-----\nnot-a-real-cert\n-----END CERTIFICATE-----\n").toBase64();
        const QByteArray objects = QByteArray(R"(apiVersion: v1
kind: Namespace
metadata:
  name: pull-tls
---
apiVersion: v1
kind: Namespace
metadata:
  name: ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: lab-default
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
data:
  use-forwarded-headers: "true"
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
  namespace: pull-tls
type: kubernetes.io/tls
data:
  tls.crt: )") + crtB64 + R"(
  tls.key: )" + keyB64 + R"(
---
apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: pull-tls
spec:
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: pull-tls
spec:
  tls:
  - hosts: [shop.example.test]
    secretName: shop-tls
  rules:
  - host: shop.example.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80
)";
        const QByteArray out = m_kube.kubectl({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")}, &code, objects);
        QVERIFY2(code == 0, out.constData());
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
        ClusterPanel* panel = win->panel();
        panel->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("pull-tls"));
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop")),
                                  std::optional(ClusterPanel::Drift::OnlyCluster), WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(panel->drift(QStringLiteral("Service"), QStringLiteral("shop")).has_value(), WAIT_MS);
        QSignalSpy pulled(panel, &ClusterPanel::pullFinished);
        panel->select({});
        panel->pullSelected();
        QVERIFY(pulled.size() == 1 || pulled.wait(WAIT_MS));
        auto* doc = win->w.document();
        const QString text = doc->text();
        QVERIFY2(doc->indexOf("Ingress", "pull-tls", "shop") >= 0, qPrintable(text));
        QVERIFY2(doc->indexOf("Service", "pull-tls", "shop") >= 0, qPrintable(text));
        const int secret = doc->indexOf("Secret", "pull-tls", "shop-tls");
        QVERIFY2(secret >= 0, qPrintable(text));
        QVERIFY2(doc->resource(secret)->meta.hasAnnotation("ingress-lab.dev/pulled-without-data"), qPrintable(text));
        QVERIFY2(!text.contains(QString::fromLatin1(keyB64)) && !text.contains(QString::fromLatin1(crtB64)), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("not-a-real-key")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("kind: IngressClass")) && text.contains(QStringLiteral("name: lab-default")), qPrintable(text));
        const int cm = doc->indexOf("ConfigMap", "ingress-nginx", "ingress-nginx-controller");
        QVERIFY2(cm >= 0, qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("use-forwarded-headers: \"true\"")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("managedFields")) && !text.contains(QStringLiteral("resourceVersion")), qPrintable(text));
        QVERIFY2(panel->lastMessage().contains(QStringLiteral("Pulled 5 object(s) from namespace pull-tls (5 new, 0 replaced)")),
                 qPrintable(panel->lastMessage()));
        QVERIFY2(panel->lastMessage().contains(QStringLiteral("Secret data left out (masked): pull-tls/shop-tls")),
                 qPrintable(panel->lastMessage()));
        // The pulled Secret has no data to apply: Apply leaves the cluster's Secret alone (still its real key).
        QCOMPARE(m_kube.kubectl({QStringLiteral("get"), QStringLiteral("secret"), QStringLiteral("shop-tls"), QStringLiteral("-n"),
                                 QStringLiteral("pull-tls"), QStringLiteral("-o"), QStringLiteral("jsonpath={.data.tls\\.key}")}, &code),
                 keyB64);
        // Pulling again replaces instead of duplicating.
        panel->select({});
        panel->pullSelected();
        QVERIFY(pulled.size() == 2 || pulled.wait(WAIT_MS));
        QVERIFY2(panel->lastMessage().contains(QStringLiteral("(0 new, 5 replaced)")), qPrintable(panel->lastMessage()));

        // A user who may read the namespace but not its Secrets: the rest is pulled and the Secret is named.
        QByteArray o2 = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("role"), QStringLiteral("reader"), QStringLiteral("-n"),
                                        QStringLiteral("pull-tls"), QStringLiteral("--verb=get,list,watch"),
                                        QStringLiteral("--resource=ingresses.networking.k8s.io,services,events")}, &code);
        QVERIFY2(code == 0, o2.constData());
        o2 = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("rolebinding"), QStringLiteral("reader"), QStringLiteral("-n"),
                             QStringLiteral("pull-tls"), QStringLiteral("--role=reader"), QStringLiteral("--user=ilab-limited")}, &code);
        QVERIFY2(code == 0, o2.constData());
        auto limited = window(m_kube.kubeconfig(QStringLiteral("limited")));
        limited->panel()->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("pull-tls"));
        limited->panel()->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(limited->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(limited->panel()->drift(QStringLiteral("Ingress"), QStringLiteral("shop")).has_value(), WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(limited->panel()->drift(QStringLiteral("Service"), QStringLiteral("shop")).has_value(), WAIT_MS);
        QSignalSpy pulled2(limited->panel(), &ClusterPanel::pullFinished);
        limited->panel()->select({QStringLiteral("Ingress/shop")});
        limited->panel()->pullSelected();
        QVERIFY(pulled2.size() == 1 || pulled2.wait(WAIT_MS));
        const QString msg = limited->panel()->lastMessage();
        QVERIFY2(msg.contains(QStringLiteral("Pulled 2 object(s)")), qPrintable(msg));  // the Ingress and its Service
        QVERIFY2(msg.contains(QStringLiteral("Secret pull-tls/shop-tls (used by Ingress pull-tls/shop) not pulled: 403")), qPrintable(msg));
        QVERIFY(limited->w.document()->indexOf("Secret", "pull-tls", "shop-tls") < 0);
        QVERIFY(limited->w.document()->indexOf("Ingress", "pull-tls", "shop") >= 0);
        takeShot(panel, QStringLiteral("pull-tls-secrets"), nullptr);
    }

    // The events panel merges the lab's events and the cluster's, each marked with its source, in time order.
    void eventFeedMarksSources() {
        auto lab = std::make_shared<ilab::events::EventLog>();
        auto cluster = std::make_shared<ilab::events::EventLog>();
        lab->add("Normal", "Sync", "Ingress default/web", "Scheduled for sync", 1000);
        cluster->add("Warning", "BackendMissing", "Ingress lesson/shop", "from the cluster", 500);
        lab->add("Normal", "Reload", "Ingress default/web", "reloaded", 2000);
        auto feed = std::make_unique<ilab::ui::EventFeed>();
        feed->setSource(lab);
        feed->setClusterSource(cluster);
        ilab::ui::LogTableModel model(std::move(feed));
        model.pullNow();
        QCOMPARE(model.rowCount(), 3);
        const int src = ilab::ui::EventFeed::SourceColumn;
        QCOMPARE(model.headerData(src, Qt::Horizontal).toString(), QStringLiteral("Source"));
        QCOMPARE(model.data(model.index(0, 2)).toString(), QStringLiteral("BackendMissing"));
        QCOMPARE(model.data(model.index(0, src)).toString(), QStringLiteral("cluster"));
        QCOMPARE(model.data(model.index(1, src)).toString(), QStringLiteral("lab"));
        QCOMPARE(model.data(model.index(2, 2)).toString(), QStringLiteral("Reload"));
        // Later events of either log arrive on the next pull, once each.
        cluster->add("Normal", "Late", "Service lesson/web", "later", 3000);
        model.pullNow();
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.data(model.index(3, src)).toString(), QStringLiteral("cluster"));
        model.pullNow();
        QCOMPARE(model.rowCount(), 4);
    }

    void conflictOpensForceDialog() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
        ClusterPanel* panel = win->panel();
        panel->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(panel->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")).has_value(), WAIT_MS);
        panel->select({QStringLiteral("Ingress/shop-canary")});
        {
            QSignalSpy pulled(panel, &ClusterPanel::pullFinished);
            panel->pullSelected();
            QVERIFY(pulled.size() == 1 || pulled.wait(WAIT_MS));
        }
        auto* doc = win->w.document();
        const int ing = doc->indexOf("Ingress", "lesson", "shop-canary");
        QVERIFY(ing >= 0);
        // Another manager (kubectl's server-side apply) owns the weight now.
        int code = -1;
        QByteArray out = m_kube.kubectl({QStringLiteral("annotate"), QStringLiteral("--overwrite"), QStringLiteral("-n"),
                                         QStringLiteral("lesson"), QStringLiteral("ingress/shop-canary"),
                                         QStringLiteral("nginx.ingress.kubernetes.io/canary-weight=50")}, &code);
        QVERIFY2(code == 0, out.constData());
        QVERIFY(doc->setScalar(ing, "metadata.annotations[nginx.ingress.kubernetes.io/canary-weight]", QStringLiteral("40")));
        panel->setConfirmHook([](const QString&, const QString&) { return true; });
        panel->select({QStringLiteral("Ingress/shop-canary")});
        panel->applySelected();
        QDialog* dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = panel->findChild<QDialog*>(QStringLiteral("clusterConflictDialog"))) != nullptr, WAIT_MS);
        auto* fields = dlg->findChild<QTreeWidget*>(QStringLiteral("clusterConflictFields"));
        QVERIFY(fields && fields->topLevelItemCount() >= 1);
        QVERIFY2(fields->topLevelItem(0)->text(0).contains(QStringLiteral("canary-weight")), qPrintable(fields->topLevelItem(0)->text(0)));
        QVERIFY2(fields->topLevelItem(0)->text(1).contains(QStringLiteral("kubectl")), qPrintable(fields->topLevelItem(0)->text(1)));
        QVERIFY(fields->topLevelItem(0)->text(2).toInt() > 0);  // the YAML line
        const QStringList getWeight = {QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("shop-canary"),
                                       QStringLiteral("-n"), QStringLiteral("lesson"), QStringLiteral("-o"),
                                       QStringLiteral("jsonpath={.metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/canary-weight}")};
        QCOMPARE(m_kube.kubectl(getWeight, &code), QByteArray("50"));
        dlg->findChild<QPushButton*>(QStringLiteral("clusterConflictForce"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastMessage().contains(QStringLiteral("forced")), WAIT_MS);
        QCOMPARE(m_kube.kubectl(getWeight, &code), QByteArray("40"));

        // A 422 names the field and its YAML line, and asks the editor to show that line.
        QVERIFY(doc->setScalar(ing, "spec.rules[0].host", QStringLiteral("Not_A_Host.example")));
        int hostLine = 0;
        const QStringList lines = doc->text().split(QLatin1Char('\n'));
        for (int i = 0; i < lines.size(); ++i)
            if (lines[i].contains(QStringLiteral("Not_A_Host.example"))) hostLine = i + 1;
        QVERIFY(hostLine > 0);
        QSignalSpy reveal(panel, &ClusterPanel::revealLineRequested);
        panel->select({QStringLiteral("Ingress/shop-canary")});
        panel->applySelected();
        // kubectl's client-side apply owns the host: the conflict comes first; forcing it reaches validation.
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastMessage().contains(QStringLiteral("conflicts")), WAIT_MS);
        QDialog* second = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            for (QDialog* d : panel->findChildren<QDialog*>(QStringLiteral("clusterConflictDialog")))
                if (d->isVisible()) second = d;
            return second != nullptr;
        }(), WAIT_MS);
        second->findChild<QPushButton*>(QStringLiteral("clusterConflictForce"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastMessage().contains(QStringLiteral("invalid")), WAIT_MS);
        QVERIFY2(panel->lastMessage().contains(QStringLiteral("line %1: spec.rules[0].host").arg(hostLine)), qPrintable(panel->lastMessage()));
        QCOMPARE(reveal.size(), 1);
        QCOMPARE(reveal.at(0).at(0).toInt(), hostLine);
    }

    // The lesson's Ingress uses IngressClass "nginx"; when that class belongs to another controller the panel says
    // so (the same words as `ingress-lab-cli cluster get`), and says nothing when it is ingress-nginx's.
    void foreignIngressClassIsWarned() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto connectWindow = [&] {
            auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
            win->panel()->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
            win->panel()->connectToCluster();
            return win;
        };
        int code = -1;
        const QByteArray cls = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n"
                               "  controller: example.com/other-controller\n";
        QByteArray out = m_kube.kubectl({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")}, &code, cls);
        QVERIFY2(code == 0, out.constData());
        {
            auto win = connectWindow();
            QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
            QTRY_VERIFY_WITH_TIMEOUT(!win->panel()->ingressClassWarningText().isEmpty(), WAIT_MS);
            const QString w = win->panel()->ingressClassWarningText();
            QVERIFY2(w.contains(QStringLiteral("IngressClass \"nginx\" is handled by controller \"example.com/other-controller\", "
                                               "not ingress-nginx (k8s.io/ingress-nginx)")), qPrintable(w));
            QVERIFY(!win->panel()->findChild<QLabel*>(QStringLiteral("clusterClassWarning"))->isHidden());
        }
        m_kube.kubectl({QStringLiteral("delete"), QStringLiteral("ingressclass"), QStringLiteral("nginx")}, &code);
        QCOMPARE(code, 0);
        out = m_kube.kubectl({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")}, &code,
                             "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n"
                             "  controller: k8s.io/ingress-nginx\n");
        QVERIFY2(code == 0, out.constData());
        auto win = connectWindow();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(win->panel()->drift(QStringLiteral("Ingress"), QStringLiteral("shop-canary")).has_value(), WAIT_MS);
        QVERIFY2(win->panel()->ingressClassWarningText().isEmpty(), qPrintable(win->panel()->ingressClassWarningText()));
    }

    // Delete asks first: "no" deletes nothing; "yes" deletes the object in the real server (the workspace keeps it).
    void deleteAsksFirstAndDeletesInTheServer() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        int code = -1;
        m_kube.kubectl({QStringLiteral("create"), QStringLiteral("service"), QStringLiteral("clusterip"),
                        QStringLiteral("to-delete"), QStringLiteral("--tcp=80:8080"), QStringLiteral("-n"),
                        QStringLiteral("lesson")}, &code);
        QCOMPARE(code, 0);
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-cert")));
        ClusterPanel* panel = win->panel();
        panel->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
        panel->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_COMPARE_WITH_TIMEOUT(panel->drift(QStringLiteral("Service"), QStringLiteral("to-delete")),
                                  std::optional(ClusterPanel::Drift::OnlyCluster), WAIT_MS);
        const QStringList getSvc = {QStringLiteral("get"), QStringLiteral("service"), QStringLiteral("to-delete"),
                                    QStringLiteral("-n"), QStringLiteral("lesson"), QStringLiteral("-o"), QStringLiteral("name")};
        QString asked;
        panel->setConfirmHook([&](const QString&, const QString& text) {
            asked = text;
            return false;
        });
        panel->select({QStringLiteral("Service/to-delete")});
        panel->deleteSelected();
        QVERIFY2(asked.contains(QStringLiteral("Service to-delete")), qPrintable(asked));
        QTest::qWait(500);  // a delete that was (wrongly) sent would have landed by now
        QCOMPARE(m_kube.kubectl(getSvc, &code).trimmed(), QByteArray("service/to-delete"));
        QCOMPARE(code, 0);
        QVERIFY(!panel->lastMessage().contains(QStringLiteral("deleted")));
        panel->setConfirmHook([](const QString&, const QString&) { return true; });
        panel->select({QStringLiteral("Service/to-delete")});
        panel->deleteSelected();
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastMessage().contains(QStringLiteral("Service to-delete deleted")), WAIT_MS);
        const QByteArray gone = m_kube.kubectl(getSvc, &code);
        QVERIFY2(code != 0 && gone.contains("NotFound"), gone.constData());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->drift(QStringLiteral("Service"), QStringLiteral("to-delete")).has_value(), WAIT_MS);
    }

    // A server that cannot be reached on first contact: the panel says so with the specific error and when it
    // retries, and the session connects by itself once the server is reachable (a TCP relay to the real API
    // server opened later on the kubeconfig's port).
    void firstContactIsRetriedWithBackoff() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        QByteArray kc;
        {
            QFile f(m_kube.kubeconfig(QStringLiteral("admin-token")));
            QVERIFY(f.open(QIODevice::ReadOnly));
            kc = f.readAll();
        }
        const QUrl real(m_kube.server());
        QVERIFY(kc.contains(m_kube.server().toUtf8()));
        kc.replace(m_kube.server().toUtf8(), QStringLiteral("https://127.0.0.1:%1").arg(port).toUtf8());
        const QString path = m_tmp.filePath(QStringLiteral("late.kubeconfig"));
        QVERIFY(writeFile(path, kc));
        auto win = window(path);
        auto* impl = dynamic_cast<ilab::app::ClusterSessionImpl*>(win->session());
        QVERIFY(impl);
        impl->setProbeTiming(200, 200, 1000);
        win->panel()->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
        win->panel()->connectToCluster();
        QTRY_VERIFY_WITH_TIMEOUT(impl->error().contains(QStringLiteral("retrying in")), WAIT_MS);
        const QString e = impl->error();
        QVERIFY2(e.contains(QStringLiteral("Cannot reach https://127.0.0.1:%1").arg(port)), qPrintable(e));
        QVERIFY2(e.contains(QStringLiteral("onnect")), qPrintable(e));  // curl's "Couldn't connect to server"
        QCOMPARE(impl->state(), ClusterSession::State::Connecting);
        auto* label = win->panel()->findChild<QLabel*>(QStringLiteral("clusterError"));
        QVERIFY(!label->isHidden());
        QVERIFY2(label->text().contains(QStringLiteral("retrying in")), qPrintable(label->text()));
        // Still retrying a while later (no give-up), then the server appears on that port.
        QTest::qWait(1500);
        QCOMPARE(impl->state(), ClusterSession::State::Connecting);
        QTcpServer relay;
        QVERIFY(relay.listen(QHostAddress::LocalHost, port));
        connect(&relay, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket* in = relay.nextPendingConnection()) {
                auto* out = new QTcpSocket(in);
                connect(in, &QTcpSocket::readyRead, out, [in, out] { out->write(in->readAll()); });
                connect(out, &QTcpSocket::readyRead, in, [in, out] { in->write(out->readAll()); });
                connect(out, &QTcpSocket::connected, out, [in, out] { out->write(in->readAll()); });
                connect(out, &QTcpSocket::disconnected, in, &QTcpSocket::disconnectFromHost);
                connect(in, &QTcpSocket::disconnected, in, &QObject::deleteLater);
                out->connectToHost(QHostAddress::LocalHost, quint16(real.port()));
            }
        });
        QTRY_COMPARE_WITH_TIMEOUT(impl->state(), ClusterSession::State::Connected, WAIT_MS);
        QVERIFY(impl->error().isEmpty());
        QCOMPARE(impl->serverVersion(), QStringLiteral("v1.20.2"));
        win.reset();
    }

    void insecureKubeconfigShowsRedBanner() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        const QString path = m_tmp.filePath(QStringLiteral("insecure.kubeconfig"));
        QVERIFY(writeFile(path, QStringLiteral(R"(apiVersion: v1
kind: Config
clusters:
- name: insecure
  cluster:
    server: %1
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %2
contexts:
- name: insecure
  context: {cluster: insecure, user: admin, namespace: lesson}
current-context: insecure
)").arg(m_kube.server(), m_kube.token(QStringLiteral("admin"))).toUtf8()));
        auto win = window(path);
        win->panel()->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QVERIFY(win->panel()->insecureBannerVisible());
        auto* banner = win->panel()->findChild<QLabel*>(QStringLiteral("clusterInsecureBanner"));
        QVERIFY(banner->text().contains(QStringLiteral("TLS verification is OFF")));
        auto* status = win->w.statusBar()->findChild<QLabel*>(QStringLiteral("statusCluster"));
        QVERIFY2(status->text().contains(QStringLiteral("TLS NOT VERIFIED")), qPrintable(status->text()));
        QVERIFY(!status->text().contains(m_kube.token(QStringLiteral("admin"))));
    }

    void execPluginAsksConsentAndRunsNothing() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        const QString marker = m_tmp.filePath(QStringLiteral("plugin-ran"));
        const QString plugin = m_tmp.filePath(QStringLiteral("token-plugin.sh"));
        QVERIFY(writeFile(plugin, QStringLiteral("#!/bin/sh\ntouch '%1'\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                                                 "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%2\"}}'\n")
                                      .arg(marker, m_kube.token(QStringLiteral("admin"))).toUtf8()));
        QFile::setPermissions(plugin, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        const QString path = m_tmp.filePath(QStringLiteral("exec.kubeconfig"));
        QVERIFY(writeFile(path, QStringLiteral(R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %1
    certificate-authority: %2
users:
- name: sso
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: %3
      args: ["--profile", "lab admin"]
      interactiveMode: Never
contexts:
- name: sso
  context: {cluster: c, user: sso}
current-context: sso
)").arg(m_kube.server(), m_kube.caFile(), plugin).toUtf8()));
        auto win = window(path);
        win->panel()->connectToCluster();
        QDialog* dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = win->panel()->findChild<QDialog*>(QStringLiteral("execConsentDialog"))) != nullptr, WAIT_MS);
        QVERIFY(dlg->isVisible());
        const QString commandLine = dlg->findChild<QPlainTextEdit*>(QStringLiteral("execConsentCommand"))->toPlainText();
        QVERIFY2(commandLine.contains(plugin) && commandLine.contains(QStringLiteral("--profile")) &&
                     commandLine.contains(QStringLiteral("lab admin")),
                 qPrintable(commandLine));
        QTest::qWait(300);
        QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
        QVERIFY2(!QFile::exists(marker), "the plugin ran before consent");
        // Allowing it connects (and only now runs the plugin).
        dlg->findChild<QPushButton*>(QStringLiteral("execConsentAllow"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker), WAIT_MS);
    }

    // A kubeconfig whose user runs `plugin` (exec, client.authentication.k8s.io/v1) against the real server.
    QString execKubeconfig(const QString& name, const QString& plugin) {
        const QString path = m_tmp.filePath(name + QStringLiteral(".kubeconfig"));
        writeFile(path, QStringLiteral(R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %1
    certificate-authority: %2
users:
- name: %3
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: %4
      interactiveMode: Never
contexts:
- name: %3
  context: {cluster: c, user: %3}
current-context: %3
)").arg(m_kube.server(), m_kube.caFile(), name, plugin).toUtf8());
        return path;
    }
    QString script(const QString& name, const QString& body) {
        const QString path = m_tmp.filePath(name + QStringLiteral(".sh"));
        writeFile(path, (QStringLiteral("#!/bin/sh\n") + body).toUtf8());
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        return path;
    }

    // An exec plugin that answers with a client certificate (clientCertificateData/clientKeyData, no token): the
    // GUI session presents it (the admin's: namespaces can be listed, which the anonymous user cannot), and the
    // consent dialog closes once connected.
    void execPluginClientCertificateIsUsed() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto pem = [&](const QString& file) {
            QFile f(m_kube.dir() + QStringLiteral("/pki/") + file);
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
        };
        const QString cert = pem(QStringLiteral("admin.crt")), key = pem(QStringLiteral("admin.key"));
        QVERIFY(cert.contains(QStringLiteral("BEGIN CERTIFICATE")) && key.contains(QStringLiteral("PRIVATE KEY")));
        auto jsonString = [](QString v) { return v.replace(QLatin1Char('\n'), QStringLiteral("\\n")); };
        const QString plugin = script(QStringLiteral("cert-plugin"),
                                      QStringLiteral("cat <<'EOF'\n{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                                                     "\"status\":{\"clientCertificateData\":\"%1\",\"clientKeyData\":\"%2\"}}\nEOF\n")
                                          .arg(jsonString(cert), jsonString(key)));
        auto win = window(execKubeconfig(QStringLiteral("cert-user"), plugin));
        win->panel()->connectToCluster();
        QDialog* dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = win->panel()->findChild<QDialog*>(QStringLiteral("execConsentDialog"))) != nullptr, WAIT_MS);
        const QPointer<QDialog> guard(dlg);
        dlg->findChild<QPushButton*>(QStringLiteral("execConsentAllow"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull() || !guard->isVisible(), WAIT_MS);
        QTRY_VERIFY_WITH_TIMEOUT(win->session()->namespaces().contains(QStringLiteral("kube-system")), WAIT_MS);
        QVERIFY2(win->session()->namespacesError().isEmpty(), qPrintable(win->session()->namespacesError()));
    }

    // Cancel before allowing runs nothing; a failing plugin's exit code and stderr (its login hint) are shown in the
    // dialog and the panel; Cancel while it runs stops it; a plugin that hangs is stopped after the timeout.
    void execPluginCancelTimeoutAndStderr() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto consentDialog = [&](ClusterPanel* panel) {
            QDialog* dlg = nullptr;
            [&] { QTRY_VERIFY_WITH_TIMEOUT((dlg = panel->findChild<QDialog*>(QStringLiteral("execConsentDialog"))) != nullptr &&
                                               dlg->isVisible(), WAIT_MS); }();
            return dlg;
        };
        {   // Cancel at the question: nothing runs.
            const QString marker = m_tmp.filePath(QStringLiteral("declined-ran"));
            const QString plugin = script(QStringLiteral("declined"), QStringLiteral("touch '%1'\nexit 1\n").arg(marker));
            auto win = window(execKubeconfig(QStringLiteral("declined-user"), plugin));
            win->panel()->connectToCluster();
            QDialog* dlg = consentDialog(win->panel());
            QVERIFY(dlg);
            dlg->findChild<QPushButton*>(QStringLiteral("execConsentCancel"))->click();
            QVERIFY(!dlg->isVisible());
            QVERIFY2(win->session()->error().contains(QStringLiteral("not run (not allowed)")), qPrintable(win->session()->error()));
            QTest::qWait(300);
            QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
            QVERIFY(!QFile::exists(marker));
        }
        {   // A failing plugin: exit code and stderr.
            const QString plugin = script(QStringLiteral("failing"),
                                          QStringLiteral("echo 'error: not logged in; run: lab-login --profile dev' >&2\nexit 3\n"));
            auto win = window(execKubeconfig(QStringLiteral("failing-user"), plugin));
            win->panel()->connectToCluster();
            QDialog* dlg = consentDialog(win->panel());
            QVERIFY(dlg);
            dlg->findChild<QPushButton*>(QStringLiteral("execConsentAllow"))->click();
            auto* status = dlg->findChild<QLabel*>(QStringLiteral("execConsentStatus"));
            auto* err = dlg->findChild<QPlainTextEdit*>(QStringLiteral("execConsentStderr"));
            QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("failed with exit code 3")), WAIT_MS);
            QVERIFY(dlg->isVisible());
            QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
            QVERIFY(!err->isHidden());
            QVERIFY2(err->toPlainText().contains(QStringLiteral("run: lab-login --profile dev")), qPrintable(err->toPlainText()));
            QVERIFY2(win->panel()->pluginStderrText().contains(QStringLiteral("run: lab-login --profile dev")),
                     qPrintable(win->panel()->pluginStderrText()));
            QCOMPARE(dlg->findChild<QPushButton*>(QStringLiteral("execConsentAllow"))->text(), QStringLiteral("Try again"));
            takeShot(dlg, QStringLiteral("exec-plugin-failed-dialog"), nullptr);
            takeShot(win->panel(), QStringLiteral("exec-plugin-failed-panel"), nullptr);
        }
        const QString started = m_tmp.filePath(QStringLiteral("hanging-started"));
        const QString hanging = script(QStringLiteral("hanging"),
                                       QStringLiteral("touch '%1'\necho 'open http://127.0.0.1:8000/login to sign in' >&2\nexec sleep 60\n").arg(started));
        {   // Cancel while it runs.
            auto win = window(execKubeconfig(QStringLiteral("hanging-user"), hanging));
            win->panel()->connectToCluster();
            QDialog* dlg = consentDialog(win->panel());
            QVERIFY(dlg);
            dlg->findChild<QPushButton*>(QStringLiteral("execConsentAllow"))->click();
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(started), WAIT_MS);
            QCOMPARE(win->session()->state(), ClusterSession::State::Connecting);
            QVERIFY(!win->panel()->findChild<QPushButton*>(QStringLiteral("clusterCancelPlugin"))->isHidden());
            dlg->findChild<QPushButton*>(QStringLiteral("execConsentCancel"))->click();
            QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Disconnected, WAIT_MS);
            QVERIFY2(win->session()->error().contains(QStringLiteral("was cancelled")), qPrintable(win->session()->error()));
            auto* status = dlg->findChild<QLabel*>(QStringLiteral("execConsentStatus"));
            QVERIFY2(status->text().contains(QStringLiteral("was cancelled")), qPrintable(status->text()));
            QVERIFY(dlg->findChild<QPlainTextEdit*>(QStringLiteral("execConsentStderr"))->toPlainText().contains(QStringLiteral("/login to sign in")));
            QVERIFY(win->panel()->findChild<QPushButton*>(QStringLiteral("clusterCancelPlugin"))->isHidden());
        }
        QFile::remove(started);
        {   // It hangs: stopped after the timeout (the consent of the cancel case still holds: no question).
            auto win = window(execKubeconfig(QStringLiteral("hanging-user"), hanging));
            auto* impl = dynamic_cast<ilab::app::ClusterSessionImpl*>(win->session());
            QVERIFY(impl);
            impl->setExecTimeout(std::chrono::milliseconds(1500));
            win->panel()->connectToCluster();
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(started), WAIT_MS);
            QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Disconnected, WAIT_MS);
            QVERIFY2(win->session()->error().contains(QStringLiteral("did not finish within 1 s and was stopped")),
                     qPrintable(win->session()->error()));
            QVERIFY2(win->panel()->pluginStderrText().contains(QStringLiteral("/login to sign in")), qPrintable(win->panel()->pluginStderrText()));
        }
    }

    // TLS verification failures and rejected credentials stop at Disconnected with a clear error (no retry loop).
    void tlsAndUnauthorizedAreExplained() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        const QString tmpl = QStringLiteral(R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %1
    certificate-authority: %2
%3
users:
- name: u
  user:
    token: %4
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
)");
        const QString wrongName = m_tmp.filePath(QStringLiteral("tls-name.kubeconfig"));
        QVERIFY(writeFile(wrongName, tmpl.arg(m_kube.server(), m_kube.caFile(), QStringLiteral("    tls-server-name: not-the-apiserver.example"),
                                              m_kube.token(QStringLiteral("admin"))).toUtf8()));
        {
            auto win = window(wrongName);
            win->panel()->connectToCluster();
            QTRY_VERIFY_WITH_TIMEOUT(!win->session()->error().isEmpty(), WAIT_MS);
            QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
            const QString e = win->session()->error();
            QVERIFY2(e.contains(QStringLiteral("Cannot reach")) &&
                         (e.contains(QStringLiteral("certificate"), Qt::CaseInsensitive) || e.contains(QStringLiteral("SSL"))),
                     qPrintable(e));
            QVERIFY(!win->panel()->findChild<QLabel*>(QStringLiteral("clusterError"))->isHidden());
        }
        const QString wrongToken = m_tmp.filePath(QStringLiteral("wrong-token.kubeconfig"));
        QVERIFY(writeFile(wrongToken, tmpl.arg(m_kube.server(), m_kube.caFile(), QString(), QStringLiteral("not-a-valid-token")).toUtf8()));
        {
            auto win = window(wrongToken);
            win->panel()->connectToCluster();
            QTRY_VERIFY_WITH_TIMEOUT(!win->session()->error().isEmpty(), WAIT_MS);
            QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
            QVERIFY2(win->session()->error().contains(QStringLiteral("rejected the credentials of user \"u\" (401")),
                     qPrintable(win->session()->error()));
            QVERIFY(!win->session()->error().contains(QStringLiteral("not-a-valid-token")));
        }
    }

    // An auth-provider user connects through kubectl proxy, and the panel says so; kubectl's own refusal (a
    // provider it does not have) is shown as the error.
    void authProviderGoesThroughKubectl() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        {
            auto win = window(m_kube.kubeconfig(QStringLiteral("admin-oidc")));
            win->panel()->connectToCluster();
            QTRY_COMPARE_WITH_TIMEOUT(win->session()->state(), ClusterSession::State::Connected, WAIT_MS);
            QVERIFY2(win->session()->server().contains(QStringLiteral("kubectl proxy")), qPrintable(win->session()->server()));
            QVERIFY(win->session()->error().isEmpty());
        }
        QFile in(m_kube.kubeconfig(QStringLiteral("admin-oidc")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray kc = in.readAll();
        kc.replace("name: oidc", "name: bogus-provider");
        const QString bogus = m_tmp.filePath(QStringLiteral("bogus-provider.kubeconfig"));
        QVERIFY(writeFile(bogus, kc));
        auto win = window(bogus);
        win->panel()->connectToCluster();
        QTRY_VERIFY_WITH_TIMEOUT(!win->session()->error().isEmpty(), WAIT_MS);
        QCOMPARE(win->session()->state(), ClusterSession::State::Disconnected);
        const QString e = win->session()->error();
        QVERIFY2(e.contains(QStringLiteral("auth-provider \"bogus-provider\"")) &&
                     e.contains(QStringLiteral("no Auth Provider found for name \"bogus-provider\"")),
                 qPrintable(e));
        QVERIFY(!win->panel()->findChild<QLabel*>(QStringLiteral("clusterError"))->isHidden());
    }

    void forbiddenUserIsExplained() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto win = window(m_kube.kubeconfig(QStringLiteral("limited")));
        win->panel()->connectToCluster();
        QTRY_VERIFY_WITH_TIMEOUT(win->session()->error().contains(QStringLiteral("403")) ||
                                     win->session()->error().contains(QStringLiteral("Forbidden")) ||
                                     win->session()->error().contains(QStringLiteral("forbidden")),
                                 WAIT_MS);
        auto* error = win->panel()->findChild<QLabel*>(QStringLiteral("clusterError"));
        QVERIFY(!error->isHidden());
        QVERIFY2(error->text().contains(QStringLiteral("forbidden"), Qt::CaseInsensitive), qPrintable(error->text()));
    }

    // A restart of kube-apiserver: the session says the connection is lost, comes back by itself, and the
    // informers see objects created afterwards.
    void lostConnectionComesBack() {
        if (!m_kube.isRunning()) QSKIP("no API server");
        auto win = window(m_kube.kubeconfig(QStringLiteral("admin-token")));
        auto* impl = dynamic_cast<ilab::app::ClusterSessionImpl*>(win->session());
        QVERIFY(impl);
        impl->setProbeTiming(200, 200, 1000);
        win->panel()->setContextAndNamespace(QStringLiteral("kind-ilab"), QStringLiteral("lesson"));
        win->panel()->connectToCluster();
        QTRY_COMPARE_WITH_TIMEOUT(impl->state(), ClusterSession::State::Connected, WAIT_MS);
        auto* status = win->w.statusBar()->findChild<QLabel*>(QStringLiteral("statusCluster"));
        QStringList seen;
        connect(impl, &ClusterSession::stateChanged, this, [&] { seen << status->text(); });
        std::atomic<bool> restarted{false}, restartOk{false};
        std::thread restart([&] {
            restartOk = m_kube.restartApiServer();
            restarted = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(restarted.load(), 120000);
        restart.join();
        QVERIFY2(restartOk.load(), qPrintable(m_kube.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(impl->state(), ClusterSession::State::Connected, WAIT_MS);
        QVERIFY2(seen.filter(QStringLiteral("connection lost")).size() >= 1, qPrintable(seen.join(QStringLiteral(" | "))));
        QVERIFY2(seen.last().contains(QStringLiteral("v1.20.2")), qPrintable(seen.join(QStringLiteral(" | "))));
        int code = -1;
        m_kube.kubectl({QStringLiteral("create"), QStringLiteral("service"), QStringLiteral("clusterip"),
                        QStringLiteral("after-restart"), QStringLiteral("--tcp=80:8080"), QStringLiteral("-n"),
                        QStringLiteral("lesson")}, &code);
        QCOMPARE(code, 0);
        QTRY_COMPARE_WITH_TIMEOUT(win->panel()->drift(QStringLiteral("Service"), QStringLiteral("after-restart")),
                                  std::optional(ClusterPanel::Drift::OnlyCluster), 60000);
    }

    void cleanupTestCase() { m_kube.stop(); }
};

QTEST_MAIN(ClusterPanelTest)
#include "cluster_panel_test.moc"
