// WorkspaceTreeModel and ProblemsModel under QAbstractItemModelTester; label-only changes keep the shape
// (dataChanged, no reset) so the view keeps selection and expansion.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "core/yaml/yaml_reader.h"
#include "ui/models/problems_model.h"
#include "ui/models/workspace_tree_model.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
model::Workspace load(const char* text) {
    model::Workspace ws;
    yaml::readText(text, "t.yaml", ws);
    return ws;
}
const char* const WS =
    "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\nspec:\n  controller: k8s.io/ingress-nginx\n---\n"
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n  - host: a.example.com\n    http:\n      paths:\n"
    "      - path: /api\n        pathType: Prefix\n        backend:\n          service:\n            name: api\n            port:\n              number: 80\n"
    "      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n"
    "  - host: b.example.com\n---\n"
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\ndata: {}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\ndata: {}\n---\n"
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
}  // namespace

class WorkspaceTreeModelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void structureAndRoles() {
        WorkspaceTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.rebuild(load(WS), {});
        QCOMPARE(m.rowCount(), 7);  // categories
        const QModelIndex ingresses = m.index(1, 0);
        QVERIFY(ingresses.data().toString().startsWith(QLatin1String("Ingresses (1)")));
        const QModelIndex web = m.index(0, 0, ingresses);
        QCOMPARE(web.data().toString(), QStringLiteral("web"));
        QCOMPARE(m.rowCount(web), 2);  // two rules
        const QModelIndex rule0 = m.index(0, 0, web);
        QCOMPARE(rule0.data().toString(), QStringLiteral("a.example.com"));
        QCOMPARE(m.rowCount(rule0), 2);
        const QModelIndex path0 = m.index(0, 0, rule0);
        QVERIFY(path0.data().toString().contains(QLatin1String("/api")));
        QVERIFY(path0.data().toString().contains(QLatin1String("api:80")));
        QCOMPARE(path0.data(WorkspaceTreeModel::RuleIndexRole).toInt(), 0);
        QCOMPARE(path0.data(WorkspaceTreeModel::PathIndexRole).toInt(), 0);
        QCOMPARE(m.parent(path0), rule0);
        QCOMPARE(m.indexFor(1, 0, 1), m.index(1, 0, rule0));
        QCOMPARE(m.indexForKey(QStringLiteral("r1/rule1")), m.index(1, 0, web));
        // TLS Secret, controller ConfigMap and unknown kinds land in their categories
        QCOMPARE(m.rowCount(m.index(4, 0)), 1);
        QCOMPARE(m.rowCount(m.index(5, 0)), 1);
        QCOMPARE(m.rowCount(m.index(6, 0)), 1);
        QVERIFY(m.index(0, 0, m.index(6, 0)).data().toString().contains(QLatin1String("Widget")));
    }

    void renameKeepsShapeNoReset() {
        WorkspaceTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.rebuild(load(WS), {});
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        std::string renamed = WS;
        renamed.replace(renamed.find("name: web\nspec:\n  rules"), 9, "name: shop");
        m.rebuild(load(renamed.c_str()), {});
        QCOMPARE(reset.count(), 0);
        QVERIFY(changed.count() > 0);
        QCOMPARE(m.indexFor(1).data().toString(), QStringLiteral("shop"));
        // a new path changes the shape: reset
        std::string more = WS;
        more.replace(more.find("  - host: b.example.com\n"), 24, "");
        m.rebuild(load(more.c_str()), {});
        QCOMPARE(reset.count(), 1);
        QCOMPARE(m.rowCount(m.indexFor(1)), 1);
    }

    void problemsMarkObjects() {
        WorkspaceTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Diagnostic d;
        d.severity = Severity::Error;
        d.object = "Ingress default/web";
        d.field = "spec.rules[0].host";
        m.rebuild(load(WS), {d});
        QCOMPARE(m.indexFor(1).data(WorkspaceTreeModel::ProblemCountRole).toInt(), 1);
        QCOMPARE(m.indexFor(2).data(WorkspaceTreeModel::ProblemCountRole).toInt(), 0);
    }

    // Gateway API objects get their own groups (GatewayClasses, Gateways, HTTPRoutes, ReferenceGrants), with their
    // icon, the object's name as label, its kind and a detail; only the groups in use are shown, and a Gateway-less
    // workspace keeps its seven categories. An unknown kind in the Gateway API group stays under Other.
    void gatewayApiObjectsHaveTheirOwnGroups() {
        const std::string gw = std::string(WS) +
            "\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: lab\nspec:\n  controllerName: example.com/lab\n"
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  gatewayClassName: lab\n"
            "  listeners:\n  - {name: http, port: 80, protocol: HTTP}\n  - {name: https, port: 443, protocol: HTTPS}\n"
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n  namespace: team\nspec:\n"
            "  parentRefs: [{name: gw, namespace: default}]\n  hostnames: [shop.example.com, www.shop.example.com]\n"
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: any\nspec:\n  parentRefs: [{name: gw}]\n"
            "---\napiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata:\n  name: tcp\n";
        WorkspaceTreeModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.rebuild(load(gw.c_str()), {});
        QStringList top;
        for (int r = 0; r < m.rowCount(); ++r) top << m.index(r, 0).data().toString();
        QCOMPARE(top, (QStringList{"Ingress Classes (1)", "Ingresses (1)", "Gateway Classes (1)", "Gateways (1)", "HTTPRoutes (2)",
                                   "Services (1)", "Deployments (0)", "TLS Secrets (1)", "Controller ConfigMap (1)", "Other (2)"}));
        const QModelIndex gateway = m.index(0, 0, m.index(3, 0));
        QCOMPARE(gateway.data().toString(), QStringLiteral("gw"));
        QCOMPARE(gateway.data(WorkspaceTreeModel::KindRole).toString(), QStringLiteral("Gateway"));
        QCOMPARE(gateway.data(WorkspaceTreeModel::ResourceIndexRole).toInt(), 7);
        QVERIFY2(gateway.data(Qt::ToolTipRole).toString().contains(QString::fromUtf8("lab · 2 listener(s)")), qPrintable(gateway.data(Qt::ToolTipRole).toString()));
        QCOMPARE(m.indexFor(7), gateway);
        const QModelIndex shop = m.index(0, 0, m.index(4, 0));
        QCOMPARE(shop.data().toString(), QStringLiteral("shop  ·  team"));  // namespaced like an Ingress
        QCOMPARE(shop.data(WorkspaceTreeModel::KindRole).toString(), QStringLiteral("HTTPRoute"));
        QVERIFY(shop.data(Qt::ToolTipRole).toString().contains(QLatin1String("shop.example.com, www.shop.example.com")));
        QVERIFY(m.index(1, 0, m.index(4, 0)).data(Qt::ToolTipRole).toString().contains(QLatin1String("any host")));
        QVERIFY(m.index(0, 0, m.index(2, 0)).data(Qt::ToolTipRole).toString().contains(QLatin1String("example.com/lab")));
        // The icon is the group's own (not the generic object icon of Other).
        QCOMPARE(gateway.data(Qt::DecorationRole).value<QIcon>().cacheKey(), themedIcon(QStringLiteral("gateway")).cacheKey());
        QVERIFY(!themedIcon(QStringLiteral("gateway")).pixmap(16, 16).isNull());
        QVERIFY(!themedIcon(QStringLiteral("httproute")).pixmap(16, 16).isNull());
        QVERIFY(!themedIcon(QStringLiteral("gatewayclass")).pixmap(16, 16).isNull());
        QVERIFY(m.index(1, 0, m.index(9, 0)).data().toString().contains(QLatin1String("TCPRoute")));
        // Keys do not depend on which groups are shown: the Ingress keeps its key with and without Gateways.
        QCOMPARE(m.index(1, 0).data(WorkspaceTreeModel::KeyRole).toString(), QStringLiteral("cat1"));
        QCOMPARE(m.index(3, 0).data(WorkspaceTreeModel::KeyRole).toString(), QStringLiteral("cat3"));
        // Removing the Gateway API objects removes their groups.
        m.rebuild(load(WS), {});
        QCOMPARE(m.rowCount(), 7);
    }

    void problemsModelSortsAndCounts() {
        ProblemsModel pm;
        QAbstractItemModelTester tester(&pm, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Diagnostic w;
        w.severity = Severity::Warning;
        w.pos = SourcePos{"t.yaml", 3, 1};
        w.detail = "warn";
        Diagnostic e;
        e.severity = Severity::Error;
        e.pos = SourcePos{"t.yaml", 9, 5};
        e.field = "spec.rules[0].host";
        e.code = DiagCode::Required;
        pm.setDiagnostics({w, e});
        QCOMPARE(pm.rowCount(), 2);
        QCOMPARE(pm.errorCount(), 1);
        QCOMPARE(pm.warningCount(), 1);
        QCOMPARE(pm.diagnostic(0)->severity, Severity::Error);
        QCOMPARE(pm.index(0, ProblemsModel::LineColumn).data().toString(), QStringLiteral("9:5"));
        QVERIFY(pm.index(0, ProblemsModel::MessageColumn).data().toString().startsWith(QLatin1String("spec.rules[0].host: Required value")));
        pm.setDiagnostics({});
        QCOMPARE(pm.rowCount(), 0);
    }
};

QTEST_MAIN(WorkspaceTreeModelTest)
#include "workspace_tree_model_test.moc"
