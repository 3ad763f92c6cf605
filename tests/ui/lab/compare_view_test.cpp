// The "Predicted vs observed" view (ui/lab/compare_view): the cluster target choice follows the resolver's
// answer, and a comparison with an injected disagreement (90/10 predicted, 50/50 observed on the canary route, a
// redirect only the prediction has) is shown with exactly the disagreeing rows highlighted and each disagreement
// listed with its curl command; a matching comparison highlights nothing. Screenshot: /work/shots/target/.
#include <QComboBox>
#include <QDir>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTest>

#include "core/loadgen/comparison.h"
#include "ui/lab/compare_view.h"

using namespace ilab;
using namespace ilab::loadgen;

namespace {

// A finished run: for target 0, `canary` of `n` responses from agent-test, the rest from agent-stable; for
// target 1, n responses with `status2` (and a 308 body when it is a redirect).
Results run(uint64_t n, uint64_t canary, int status2) {
    Results r(10 * n);
    BackendIdentity none;
    int64_t t = 0;
    for (uint64_t i = 0; i < n; ++i) {
        RequestRecord rec;
        rec.status = 200;
        rec.totalUs = 500 + static_cast<int64_t>(i % 7) * 100;
        rec.target = 0;
        r.add(rec, t += 10, i < canary ? "agent-test" : "agent-stable", none, "{}", {});
        RequestRecord rec2;
        rec2.status = status2;
        rec2.totalUs = 400;
        rec2.target = 1;
        r.add(rec2, t += 10, status2 == 200 ? "agent-service" : "<html>308</html>", none, "{}", {});
    }
    r.finish(t, 0);
    return r;
}

LoadConfig config() {
    LoadConfig c;
    RequestTarget a, b;
    a.url = "http://api.example.com/version";
    b.url = "http://agent.example.com/";
    c.targets = {a, b};
    c.requests = 2000;
    return c;
}

}  // namespace

class CompareViewTest : public QObject {
    Q_OBJECT
private slots:
    void clusterChoiceFollowsTheResolver() {
        ui::CompareView v;
        auto* combo = v.findChild<QComboBox*>("compareTarget");
        auto* run = v.findChild<QPushButton*>("compareRun");
        QVERIFY(combo && run);
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        QVERIFY(!model->item(1)->isEnabled());  // not connected: no cluster target
        QVERIFY(!run->isEnabled());
        v.setClusterTarget("127.0.0.1 HTTP 80, HTTPS 443 [ingress-status]: Ingress default/shop has status.loadBalancer.ingress hostname localhost", true);
        QVERIFY(model->item(1)->isEnabled());
        QVERIFY(run->isEnabled());
        QVERIFY(v.targetRuleText().contains("[ingress-status]"));
        QSignalSpy changed(&v, &ui::CompareView::targetChanged);
        combo->setCurrentIndex(1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(v.target(), ui::CompareView::Target::Cluster);
        QSignalSpy requested(&v, &ui::CompareView::compareRequested);
        QTest::mouseClick(run, Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        // The cluster goes away: back to the local controller.
        v.setClusterTarget("no controller answered", false);
        QCOMPARE(v.target(), ui::CompareView::Target::Local);
        QVERIFY(!run->isEnabled());
    }

    void disagreementsAreHighlighted() {
        const LoadConfig cfg = config();
        const Results predicted = run(1000, 100, 308), observed = run(1000, 500, 200);
        SideConnection ps, os;
        ps.label = "local controller (demo) on 127.0.0.1 HTTP 41000";
        ps.connectTo = {"api.example.com:80:127.0.0.1:41000", "agent.example.com:80:127.0.0.1:41000"};
        os.label = "cluster controller at 127.0.0.1 HTTP 80 [ingress-status]";
        os.connectTo = {"api.example.com:80:127.0.0.1:80", "agent.example.com:80:127.0.0.1:80"};
        Witness p0{200, {}, {}}, p1{308, "https://agent.example.com", {}}, o0{200, {}, {}}, o1{200, {}, {}};
        const Comparison c = compareRuns(cfg, predicted, observed, ps, os, {p0, p1}, {o0, o1}, 0.999);
        QVERIFY(!c.agrees());

        ui::CompareView v;
        v.resize(1200, 700);
        v.setClusterTarget(QString::fromStdString(os.label), true);
        v.setComparison(c);
        QTableWidget* t = v.tableForTest();
        QStringList highlighted;
        for (int row = 0; row < t->rowCount(); ++row)
            if (t->item(row, 0)->data(Qt::UserRole).toBool())
                highlighted << t->item(row, 0)->text().section(' ', 1) + " " + t->item(row, 1)->text();
        // (agent-service is not a share disagreement: the prediction has no 2xx answer there to share; the status
        // rows and the redirect say what differs)
        QCOMPARE(highlighted, (QStringList{"http://api.example.com/version backend agent-stable  ⚠",
                                           "http://api.example.com/version backend agent-test  ⚠",
                                           "http://agent.example.com/ status 200  ⚠",
                                           "http://agent.example.com/ status 308  ⚠",
                                           "http://agent.example.com/ one request  ⚠"}));
        QListWidget* list = v.disagreementsForTest();
        QCOMPARE(list->count(), static_cast<int>(c.disagreements.size()));
        QVERIFY(list->item(0)->text().startsWith("[share] GET http://api.example.com/version: share of agent-stable"));
        QVERIFY(list->item(0)->text().contains("curl -sS -i --connect-to api.example.com:80:127.0.0.1:80 http://api.example.com/version"));
        bool redirect = false;
        for (int i = 0; i < list->count(); ++i) redirect |= list->item(i)->text().startsWith("[redirect]");
        QVERIFY(redirect);
        QVERIFY(v.summaryText().contains("disagreement"));
        QDir().mkpath("/work/shots/target");
        v.grab().save("/work/shots/target/compare_view.png");

        // The same runs on both sides: nothing highlighted.
        const Comparison same = compareRuns(cfg, predicted, predicted, ps, os, {p0, p1}, {p0, p1}, 0.999);
        QVERIFY(same.agrees());
        v.setComparison(same);
        for (int row = 0; row < t->rowCount(); ++row) QVERIFY(!t->item(row, 0)->data(Qt::UserRole).toBool());
        QCOMPARE(v.disagreementsForTest()->count(), 0);
        QVERIFY(v.summaryText().startsWith("No disagreement"));
    }
};

QTEST_MAIN(CompareViewTest)
#include "compare_view_test.moc"
