// The share chart's x-axis with long category names (Group by: Pod gives "agent-stable-6c9d8f7b5-x2k4p" and its
// siblings; a cluster run's hosts and error groups are long too): the labels overlapped each other once six of them
// shared 600 px. Now each label fits the width its bar gets (elided in the middle, keeping the Deployment's name
// and the pod's own suffix), stays unique, and the full name is one hover away over the bar's column or its label.
// Checked on what is drawn: the axis's categories measured with its font, and the text items in the scene.
#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsTextItem>
#include <QHelpEvent>
#include <QRegularExpression>
#include <QTest>
#include <QTextDocumentFragment>
#include <QToolTip>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include "ui/charts/share_chart.h"

using namespace ilab::ui::charts;

namespace {

const QStringList PODS = {"agent-stable-6c9d8f7b5-x2k4p", "agent-stable-6c9d8f7b5-q8m2z", "agent-stable-6c9d8f7b5-7tlwd",
                          "agent-canary-77f4b9c6d-hn5vb", "agent-canary-77f4b9c6d-rk9xs", "agent-canary-77f4b9c6d-zz2fq"};

QVector<BackendShare> sharesOf(const QStringList& names) {
    QVector<BackendShare> out;
    for (const auto& n : names) out.append({n, 10, -1});
    return out;
}

QChartView* viewOf(ShareChart& chart) { return chart.findChild<QChartView*>(); }

QBarCategoryAxis* axisOf(ShareChart& chart) {
    return qobject_cast<QBarCategoryAxis*>(viewOf(chart)->chart()->axes(Qt::Horizontal).value(0));
}

// The lines a category label shows (Qt draws axis labels as rich text: "a-<br>b" is two lines).
QStringList linesOf(const QString& label) {
    return QTextDocumentFragment::fromHtml(label).toPlainText().split(QRegularExpression("[\\n\\x{2028}\\x{2029}]"));
}

// The scene rectangle of the drawn axis label for this category (null when none is drawn).
QRectF drawnLabel(ShareChart& chart, const QString& label) {
    for (auto* item : viewOf(chart)->scene()->items())
        if (auto* t = dynamic_cast<QGraphicsTextItem*>(item); t && t->isVisible() && linesOf(t->toHtml()) == linesOf(label))
            return t->sceneBoundingRect();
    return {};
}

// Problems with the labels the axis has, measured against the width each category gets; empty when none.
QStringList labelProblems(ShareChart& chart, int count) {
    QStringList problems;
    QBarCategoryAxis* axis = axisOf(chart);
    const QStringList labels = axis->categories();
    if (labels.size() != count) return {QString("%1 categories, %2 expected: %3").arg(labels.size()).arg(count).arg(labels.join(" | "))};
    const QFontMetricsF fm(axis->labelsFont());
    const qreal perCategory = viewOf(chart)->chart()->plotArea().width() / count;
    for (const auto& label : labels)
        for (const auto& l : linesOf(label))
            if (fm.horizontalAdvance(l) >= perCategory)
                problems << QString("'%1' is %2 px wide, a category %3 px").arg(l).arg(fm.horizontalAdvance(l)).arg(perCategory);
    for (int i = 0; i + 1 < labels.size(); ++i) {
        const QRectF a = drawnLabel(chart, labels[i]), b = drawnLabel(chart, labels[i + 1]);
        if (a.isNull() || b.isNull()) problems << QString("'%1' or '%2' not drawn").arg(labels[i], labels[i + 1]);
        else if (a.right() > b.left()) problems << QString("'%1' overlaps '%2'").arg(labels[i], labels[i + 1]);
    }
    return problems;
}

// The tooltip a hover at `scenePos` of the chart's view brings up ("" when none).
QString toolTipAt(ShareChart& chart, const QPointF& scenePos) {
    QToolTip::hideText();
    QChartView* view = viewOf(chart);
    const QPoint pos = view->mapFromScene(scenePos);
    QHelpEvent help(QEvent::ToolTip, pos, view->viewport()->mapToGlobal(pos));
    QApplication::sendEvent(view->viewport(), &help);
    return QToolTip::isVisible() ? QToolTip::text() : QString();
}

}  // namespace

class ShareChartLabelsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void longPodNamesDoNotOverlap() {
        ShareChart chart;
        chart.resize(600, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setShares(sharesOf(PODS));
        const bool fits = QTest::qWaitFor([&] { return labelProblems(chart, PODS.size()).isEmpty(); });
        if (const QString dir = qEnvironmentVariable("ILAB_SHOTS_DIR"); !dir.isEmpty())
            chart.grab().save(dir + "/share_chart_pods.png");
        QVERIFY2(fits, qPrintable(labelProblems(chart, PODS.size()).join("\n")));

        // Two lines, broken after a dash: the Deployment ("agent-stable-") on the first, the rest elided in the middle
        // on the second, so the pod's own suffix stays.
        const QStringList labels = axisOf(chart)->categories();
        for (int i = 0; i < PODS.size(); ++i) {
            const QStringList lines = linesOf(labels[i]);
            QCOMPARE(lines.size(), 2);
            QCOMPARE(lines[0], PODS[i].section('-', 0, 1) + "-");
            const QString rest = PODS[i].mid(lines[0].size());
            QVERIFY2(lines[1].contains(QChar(0x2026)), qPrintable(lines[1]));
            QVERIFY2(rest.startsWith(lines[1].section(QChar(0x2026), 0, 0)), qPrintable(lines[1]));
            QVERIFY2(rest.endsWith(lines[1].section(QChar(0x2026), 1)) && rest.right(3) == lines[1].right(3), qPrintable(lines[1]));
        }

        // Every full name is one hover away: over its label, and over its bar's column.
        const QRectF plot = viewOf(chart)->chart()->plotArea();
        for (int i = 0; i < PODS.size(); ++i) {
            const QRectF label = drawnLabel(chart, labels[i]);
            QVERIFY2(toolTipAt(chart, label.center()).contains(PODS[i]), qPrintable(labels[i]));
            const QPointF column(plot.left() + plot.width() * (i + 0.5) / PODS.size(), plot.top() + 10);
            QVERIFY2(toolTipAt(chart, viewOf(chart)->chart()->mapToScene(column)).contains(PODS[i]), qPrintable(PODS[i]));
        }
        QToolTip::hideText();
    }

    // Names that fit are shown in full, and they come back in full when the chart gets wide enough.
    void namesThatFitAreNotElided() {
        ShareChart chart;
        chart.resize(600, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setShares({{"default-agent-stable-80", 90, 90}, {"default-agent-test-80", 10, 10}});
        QTRY_COMPARE(axisOf(chart)->categories(), QStringList({"agent-stable:80", "agent-test:80"}));

        chart.setShares(sharesOf(PODS));
        QTRY_VERIFY(labelProblems(chart, PODS.size()).isEmpty());
        chart.resize(1500, 300);
        QTRY_COMPARE(axisOf(chart)->categories(), PODS);
        QVERIFY(labelProblems(chart, PODS.size()).isEmpty());
    }

    // Group by: Pod gives pod names, drawn as they are: a StatefulSet pod "web-0" is not an upstream "web" on port 0.
    // Upstreams ("ns-service-port") keep their "service:port" label.
    void podNamesAreDrawnAsTheyAre() {
        ShareChart chart;
        chart.resize(600, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        BackendShare web0{"web-0", 5, -1}, web1{"web-1", 5, -1};
        web0.pod = web1.pod = true;
        chart.setShares({web0, web1});
        QTRY_COMPARE(axisOf(chart)->categories(), QStringList({"web-0", "web-1"}));
        chart.setShares({{"default-web-80", 10, -1}});
        QTRY_COMPARE(axisOf(chart)->categories(), QStringList({"web:80"}));
    }

    // Names that differ only where the middle is cut still get distinct labels (the axis drops a repeated one, which
    // would shift every bar after it onto the wrong name).
    void elidedLabelsStayUnique() {
        ShareChart chart;
        chart.resize(600, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QStringList names;
        for (char c : {'a', 'b', 'c', 'd', 'e', 'f'}) names << QString("checkout-frontend-canary-%1-replica-set-v2").arg(c);
        chart.setShares(sharesOf(names));
        QTRY_VERIFY2(labelProblems(chart, names.size()).isEmpty(), qPrintable(labelProblems(chart, names.size()).join("\n")));
        if (const QString dir = qEnvironmentVariable("ILAB_SHOTS_DIR"); !dir.isEmpty())
            chart.grab().save(dir + "/share_chart_alike.png");
        const QStringList labels = axisOf(chart)->categories();
        QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), names.size());
        // Each shows where it differs from the others.
        for (int i = 0; i < names.size(); ++i)
            QVERIFY2(linesOf(labels[i]).join(" ").contains(QString("%1-rep").arg(QChar('a' + i))), qPrintable(labels.join(" | ")));
        const QRectF label = drawnLabel(chart, labels[3]);
        QVERIFY2(toolTipAt(chart, label.center()).contains(names[3]), qPrintable(labels[3]));
        QToolTip::hideText();
    }
};

QTEST_MAIN(ShareChartLabelsTest)
#include "share_chart_labels_test.moc"
