// Issue 15 item 2, the topic presets: every lesson gets traffic presets that fit it, derived from the workspace
// (TLS, host routing, CORS preflight), and a lesson about TLS, hosts or CORS offers that preset first. Real
// traffic: the built-in lesson is opened in the real main window, its lab starts the real local controller on free
// ports, Send traffic is clicked, and the lab's own results are read (per request row: status, backend,
// Access-Control-Allow-Origin, and the certificate each TLS handshake was served, as libcurl saw it).
#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/tls/certificate.h"
#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/document/workspace_document.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/traffic_panel.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

// The answers of request row `row`, as "status backend [ACAO value|-]" -> count.
QMap<QString, quint64> answersOf(const TrafficPanel* traffic, int row) {
    QMap<QString, quint64> out;
    for (const auto& a : traffic->lastTargetAnswers()) {
        if (a.target != row) continue;
        const QString key = QStringLiteral("%1 %2 %3")
                                .arg(a.status)
                                .arg(a.backend.empty() ? QStringLiteral("-") : QString::fromStdString(a.backend))
                                .arg(a.hasAllowOrigin ? QString::fromStdString(a.allowOrigin) : QStringLiteral("-"));
        out[key] += a.count;
    }
    return out;
}

QString dump(const QMap<QString, quint64>& m) {
    QStringList parts;
    for (auto it = m.cbegin(); it != m.cend(); ++it) parts << QStringLiteral("%1 ×%2").arg(it.key()).arg(it.value());
    return parts.join(QStringLiteral(", "));
}

QStringList certificatesOf(const TrafficPanel* traffic, int row) {
    QStringList out;
    for (const auto& c : traffic->lastCertificates())
        if (c.target == row) out << QString::fromStdString(c.subject + " | " + c.subjectAltName);
    return out;
}

struct Lab {
    QTemporaryDir dir;
    ilab::app::GuiServices services;
    MainWindow w{services.services(), nullptr, dir.filePath(QStringLiteral("recovery"))};

    TrafficPanel* traffic() { return w.labPanel()->trafficPanel(); }
    bool start() {
        w.resize(1600, 1000);
        w.show();
        w.labPanel()->setListenPorts(0, 0);
        w.labPanel()->start();
        return QTest::qWaitFor([&] { return w.labPanel()->isRunning(); }, 30000);
    }
    // Clicks "Send traffic" as a user would and waits for the run's summary.
    QString send() {
        auto* button = traffic()->findChild<QPushButton*>(QStringLiteral("sendTraffic"));
        if (!button || !button->isEnabled()) return QStringLiteral("<Send traffic is not enabled>");
        QSignalSpy finished(traffic(), &TrafficPanel::trafficFinished);
        QTest::mouseClick(button, Qt::LeftButton);
        if (!finished.wait(120000)) return QStringLiteral("<no summary>");
        return finished.at(0).at(0).toString();
    }
    void stop() {
        w.labPanel()->stop();
        QVERIFY2(QTest::qWaitFor([&] { return !w.labPanel()->isRunning(); }, 20000), "the lab did not stop within 20 s");
    }
};

}  // namespace

class LabPresetsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void tlsLessonSendsHttpsWithTheLessonsCertificate() {
        Lab lab;
        lab.w.openLesson(QStringLiteral("tls"));
        TrafficPanel* traffic = lab.traffic();
        QTRY_VERIFY(traffic->presetCount() > 0);
        QVERIFY2(traffic->currentPresetName().startsWith(QLatin1String("TLS")), qPrintable(traffic->currentPresetName()));
        QVERIFY(lab.start());
        const QString summary = lab.send();
        const auto rows = traffic->lastRunTargets();
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows[0].scheme + "://" + rows[0].host, QStringLiteral("https://agent.example.com"));
        QCOMPARE(rows[1].scheme + "://" + rows[1].host, QStringLiteral("http://agent.example.com"));
        QCOMPARE(rows[2].scheme + "://" + rows[2].host, QStringLiteral("https://unknown.invalid"));

        // HTTPS to the tls host: 200 from the lesson's Service, with the lesson's certificate (its Secret's
        // subject and SAN; the generated key is the lesson's own, not the controller's fake one).
        QCOMPARE(dump(answersOf(traffic, 0)), QStringLiteral("200 agent-service - ×30"));
        const QStringList certs = certificatesOf(traffic, 0);
        QVERIFY2(!certs.isEmpty(), qPrintable(summary));
        for (const QString& c : certs) {
            QVERIFY2(c.contains(QLatin1String("CN = agent.example.com")) && c.contains(QLatin1String("DNS:agent.example.com")),
                     qPrintable(c));
            QVERIFY2(!c.contains(QLatin1String(tls::FAKE_CERTIFICATE_CN)), qPrintable(c));
        }
        // Plain HTTP to it: the ssl-redirect 308, from the controller, no backend.
        QCOMPARE(dump(answersOf(traffic, 1)), QStringLiteral("308 - - ×30"));
        QVERIFY(certificatesOf(traffic, 1).isEmpty());
        // A host in no tls: entry: the Fake Certificate, and the default backend's 404.
        QCOMPARE(dump(answersOf(traffic, 2)), QStringLiteral("404 - - ×30"));
        const QStringList fake = certificatesOf(traffic, 2);
        QVERIFY2(!fake.isEmpty() && fake.first().contains(QLatin1String(tls::FAKE_CERTIFICATE_CN)), qPrintable(fake.join("; ")));
        // The summary says it in words.
        QVERIFY2(summary.contains(QStringLiteral("Row 1 · https://agent.example.com/ — 200 agent-service ×30; certificate CN = agent.example.com")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("Row 3 · https://unknown.invalid/ — 404 (the controller) ×30; certificate ")),
                 qPrintable(summary));
        lab.stop();
    }

    void hostLessonSplitsOverItsServices() {
        Lab lab;
        lab.w.openLesson(QStringLiteral("host-routing"));
        TrafficPanel* traffic = lab.traffic();
        QTRY_VERIFY(traffic->presetCount() > 0);
        QVERIFY2(traffic->currentPresetName().startsWith(QLatin1String("Host routing")), qPrintable(traffic->currentPresetName()));
        QCOMPARE(traffic->expectedShares().value("agent-service"), 0.25);
        QVERIFY(lab.start());
        const QString summary = lab.send();
        QVERIFY2(summary.startsWith(QLatin1String("160 responses")), qPrintable(summary));
        const QStringList hosts = {"agent.example.com", "dashboard.example.com", "webhook.example.com"};
        const QStringList services = {"agent-service", "dashboard-service", "webhook-service"};
        const auto rows = traffic->lastRunTargets();
        QCOMPARE(rows.size(), 4);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(rows[i].host, hosts[i]);
            QCOMPARE(dump(answersOf(traffic, i)), QStringLiteral("200 %1 - ×40").arg(services[i]));
        }
        QCOMPARE(rows[3].host, QStringLiteral("unknown.invalid"));
        QCOMPARE(dump(answersOf(traffic, 3)), QStringLiteral("404 - - ×40"));
        // The share chart: one bar per Service, a quarter each, at the configured quarter.
        auto* share = lab.w.labPanel()->liveCharts()->shareChart();
        QTRY_COMPARE_WITH_TIMEOUT(share->totalRequests(), quint64(160), 10000);
        QStringList expected = {"default-agent-service-80", "default-dashboard-service-80", "default-webhook-service-80"};
        QCOMPARE(share->backendCategories(), expected);
        for (const auto& interval : share->intervalsForTest().mid(0, 3)) QVERIFY(qAbs(interval.share - 0.25) < 1e-9);
        lab.stop();
    }

    void corsLessonPreflightGets204WithTheOrigin() {
        Lab lab;
        lab.w.openLesson(QStringLiteral("cors"));
        TrafficPanel* traffic = lab.traffic();
        QTRY_VERIFY(traffic->presetCount() > 0);
        QCOMPARE(traffic->currentPresetName(), QStringLiteral("CORS preflight"));
        auto* table = traffic->findChild<QTableWidget*>();
        QVERIFY(table && table->rowCount() == 3);
        QCOMPARE(table->item(0, 6)->text(), QStringLiteral("OPTIONS"));
        QVERIFY2(traffic->curlCommand().contains("-X OPTIONS") &&
                     traffic->curlCommand().contains("'Origin: https://dashboard.example.com'"),
                 qPrintable(traffic->curlCommand()));
        QVERIFY(lab.start());
        const QString summary = lab.send();
        // The preflight from the allowed Origin: 204 from the controller itself, the Origin echoed.
        QCOMPARE(dump(answersOf(traffic, 0)), QStringLiteral("204 - https://dashboard.example.com ×30"));
        // A GET from it: the backend's answer, with the CORS header added.
        QCOMPARE(dump(answersOf(traffic, 1)), QStringLiteral("200 agent-service https://dashboard.example.com ×30"));
        // A preflight from another Origin: no CORS headers, proxied to the backend (the browser blocks it).
        QCOMPARE(dump(answersOf(traffic, 2)), QStringLiteral("200 agent-service - ×30"));
        QVERIFY2(summary.contains(QStringLiteral("Row 1 · OPTIONS http://api.example.com/ (Origin: https://dashboard.example.com) — 204 ×30, "
                                                "Access-Control-Allow-Origin: https://dashboard.example.com")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("(Origin: https://not-allowed.invalid) — 200 agent-service ×30, no CORS headers")),
                 qPrintable(summary));
        lab.stop();
    }

    // A preset appears only when the workspace has what it needs, and follows it: the canary lesson has no TLS or
    // CORS preset; typing enable-cors and a tls: entry into its Ingress adds them (after the lesson's own preset,
    // which stays chosen); taking them out removes them again.
    void topicPresetsFollowTheWorkspace() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.openLesson(QStringLiteral("canary"));
        TrafficPanel* traffic = w.labPanel()->trafficPanel();
        auto names = [traffic] {
            QStringList out;
            auto* combo = traffic->findChild<QComboBox*>();
            for (int i = 0; combo && i < combo->count(); ++i) out << combo->itemText(i);
            return out;
        };
        QTRY_VERIFY(traffic->presetCount() > 0);
        QCOMPARE(traffic->currentPresetName(), QStringLiteral("Lesson: 100 requests"));
        QVERIFY2(!names().contains("CORS preflight") && names().filter("TLS").isEmpty() && names().filter("Host routing").isEmpty(),
                 qPrintable(names().join(", ")));

        const QString original = w.document()->text();
        QString text = original;
        const QString anchor = QStringLiteral("  name: version-stable\n");
        QVERIFY2(text.contains(anchor), "the canary lesson's main Ingress is version-stable");
        text.replace(anchor, anchor + QStringLiteral("  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n"));
        text.replace(QStringLiteral("spec:\n  ingressClassName: nginx\n  rules:\n  - host: api.example.com"),
                     QStringLiteral("spec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [api.example.com]\n  rules:\n  - host: api.example.com"));
        w.document()->replaceText(text, QStringLiteral("cors and tls"));
        QTRY_VERIFY2(names().contains("CORS preflight") && !names().filter("TLS").isEmpty(), qPrintable(names().join(", ")));
        QCOMPARE(names().first(), QStringLiteral("Lesson: 100 requests"));
        QCOMPARE(traffic->currentPresetName(), QStringLiteral("Lesson: 100 requests"));

        w.document()->replaceText(original, QStringLiteral("back"));
        QTRY_VERIFY2(!names().contains("CORS preflight") && names().filter("TLS").isEmpty(), qPrintable(names().join(", ")));
    }
};

QTEST_MAIN(LabPresetsTest)
#include "lab_presets_test.moc"
