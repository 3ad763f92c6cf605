// Results aggregation and export: histogram arithmetic, backend identification from bodies and headers, and the
// shape of the JSON / CSV / `uniq -c` outputs, fed with known records (no network here).
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "core/loadgen/backend_identity.h"
#include "core/loadgen/latency_histogram.h"
#include "core/loadgen/results.h"

using namespace ilab::loadgen;

namespace {

RequestRecord response(int64_t offsetUs, int64_t totalUs, int status = 200) {
    RequestRecord r;
    r.offsetUs = offsetUs;
    r.totalUs = totalUs;
    r.status = status;
    r.bytes = 10;
    return r;
}

void addResponse(Results& results, int64_t completedUs, int64_t latencyUs, const std::string& body, int status = 200,
                 std::string_view upstream = {}, std::string_view podHeader = {}) {
    BackendIdentity id;
    std::string scratch;
    const std::string_view key = backendKey(body, upstream, podHeader, id, scratch);
    results.add(response(completedUs - latencyUs, latencyUs, status), completedUs, key, id, body, {});
}

std::string pod(const std::string& service, const std::string& name) {
    return "{\"service\":\"" + service + "\",\"pod\":\"" + name + "\",\"namespace\":\"default\",\"version\":\"v1\"}";
}

}  // namespace

class ResultsTest : public QObject {
    Q_OBJECT
private slots:
    void histogramBucketsAreContiguous() {
        LatencyHistogram h(4);
        for (size_t i = 1; i < h.bucketCount(); ++i) QCOMPARE(h.lowerBound(i), h.upperBound(i - 1) + 1);
        for (int64_t v : {0, 1, 15, 16, 17, 31, 32, 1000, 123456, 99999999})
            QVERIFY(h.lowerBound(h.indexOf(v)) <= v && v <= h.upperBound(h.indexOf(v)));
    }

    void histogramPercentilesWithinPrecision() {
        LatencyHistogram h(6);
        for (int64_t v = 1; v <= 10000; ++v) h.record(v);
        QCOMPARE(h.count(), uint64_t(10000));
        QCOMPARE(h.min(), int64_t(1));
        QCOMPARE(h.max(), int64_t(10000));
        QVERIFY(qAbs(h.mean() - 5000.5) < 1e-9);
        // Exact value is q·10000; the bucket's upper bound is at most 1/64 above it.
        for (double q : {0.5, 0.9, 0.99}) {
            const double exact = q * 10000;
            const auto got = double(h.percentile(q));
            QVERIFY2(got >= exact && got <= exact * (1 + 1.0 / 64), qPrintable(QString::number(got)));
        }
        QCOMPARE(h.percentile(1.0), int64_t(10000));
        QCOMPARE(h.percentile(0.0), int64_t(1));
    }

    void histogramMemoryIsBounded() {
        LatencyHistogram h(6);
        const size_t buckets = h.bucketCount();
        h.record(int64_t(1) << 50);  // beyond the range: lands in the last bucket
        h.record(-5);                // clamps to 0
        QCOMPARE(h.bucketCount(), buckets);
        QCOMPARE(h.max(), int64_t(1) << 50);
        QCOMPARE(h.min(), int64_t(0));
    }

    void identityFromPodJson() {
        BackendIdentity id;
        QVERIFY(parseIdentityJson(
            "{\"request\":{\"service\":\"nested\",\"pod\":\"x\"},\"pod\":\"agent-v1-0\",\"namespace\":\"lab\",\"service\":\"agent-v1-service\",\"version\":\"v1\",\"n\":[1,{\"a\":\"}\"}],\"ok\":true}",
            id));
        QCOMPARE(QString::fromUtf8(id.service.data(), id.service.size()), QString("agent-v1-service"));
        QCOMPARE(QString::fromUtf8(id.pod.data(), id.pod.size()), QString("agent-v1-0"));
        QCOMPARE(QString::fromUtf8(id.ns.data(), id.ns.size()), QString("lab"));
        QCOMPARE(QString::fromUtf8(id.version.data(), id.version.size()), QString("v1"));
    }

    void identityRejectsHostileBodies_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("text") << QByteArray("hello from v1\n");
        QTest::newRow("array") << QByteArray("[\"service\",\"x\"]");
        QTest::newRow("truncated") << QByteArray("{\"service\":\"agent");
        QTest::newRow("no value") << QByteArray("{\"service\":");
        QTest::newRow("unterminated escape") << QByteArray("{\"service\":\"a\\");
        QTest::newRow("deep") << QByteArray(1000, '[');
        QTest::newRow("garbage after") << QByteArray("{\"service\":\"a\" x}");
    }
    void identityRejectsHostileBodies() {
        QFETCH(QByteArray, body);
        BackendIdentity id;
        QVERIFY(!parseIdentityJson(std::string_view(body.constData(), size_t(body.size())), id));
        QVERIFY(id.service.empty());
    }

    void backendKeyPrecedence() {
        BackendIdentity id;
        std::string scratch;
        // Body names the service: that wins.
        QCOMPARE(QString::fromStdString(std::string(backendKey(pod("svc-a", "a-0"), "up", "p", id, scratch))), QString("svc-a"));
        // A JSON body without service but with pod.
        QCOMPARE(QString::fromStdString(std::string(backendKey("{\"pod\":\"a-1\"}", "up", "", id, scratch))), QString("a-1"));
        // Plain body: the controller's headers.
        QCOMPARE(QString::fromStdString(std::string(backendKey("hello", "default/svc-b:80", "b-0", id, scratch))),
                 QString("default/svc-b:80"));
        QCOMPARE(QString::fromStdString(std::string(backendKey("hello", "", "b-0", id, scratch))), QString("b-0"));
        // Nothing else: the body line, capped at 200 bytes, newlines visible.
        QCOMPARE(QString::fromStdString(std::string(backendKey("hello\nworld\n", "", "", id, scratch))),
                 QString("hello\\nworld"));
        const std::string big(1000, 'x');
        QCOMPARE(backendKey(big, "", "", id, scratch).size(), size_t(200));
    }

    void aggregatesPerBackendStatusAndError() {
        Results r;
        for (int i = 0; i < 90; ++i) addResponse(r, 1000 + i * 1000, 1000 + i, pod("agent-v1-service", "agent-v1-" + std::to_string(i % 2)));
        for (int i = 0; i < 10; ++i) addResponse(r, 1'500'000 + i, 2000, pod("agent-v2-service", "agent-v2-0"));
        addResponse(r, 2'100'000, 500, "oops", 503);
        RequestRecord refused;
        refused.error = ErrorKind::Refused;
        r.add(refused, 2'200'000, {}, {}, {}, "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server");
        refused.error = ErrorKind::Refused;
        r.add(refused, 2'300'000, {}, {}, {}, "Failed to connect to 127.0.0.1 port 9 after 3 ms: Couldn't connect to server");
        RequestRecord timeout;
        timeout.error = ErrorKind::Timeout;
        r.add(timeout, 2'400'000, {}, {}, {}, "Operation timed out after 1001 milliseconds with 0 bytes received");
        r.finish(2'500'000, 2);

        QCOMPARE(r.total(), uint64_t(104));
        QCOMPARE(r.responses(), uint64_t(101));
        QCOMPARE(r.errors(), uint64_t(3));
        QCOMPARE(r.cancelled(), uint64_t(2));
        QCOMPARE(r.backendCount("agent-v1-service"), uint64_t(90));
        QCOMPARE(r.backendCount("agent-v2-service"), uint64_t(10));
        QCOMPARE(r.backendCount("oops"), uint64_t(1));
        const auto backends = r.backends();
        QCOMPARE(backends.size(), size_t(3));
        QCOMPARE(QString::fromStdString(backends[0].name), QString("agent-v1-service"));
        QCOMPARE(r.statuses().at(200), uint64_t(100));
        QCOMPARE(r.statuses().at(503), uint64_t(1));
        QCOMPARE(r.errorCount(ErrorKind::Refused), uint64_t(2));
        QCOMPARE(r.errorCount(ErrorKind::Timeout), uint64_t(1));
        // The two refusals differ only in elapsed time: one message line with count 2.
        const auto messages = r.errorMessages();
        QCOMPARE(messages.size(), size_t(2));
        QCOMPARE(messages[0].count, uint64_t(2));
        QCOMPARE(QString::fromStdString(messages[0].message),
                 QString("Failed to connect to 127.0.0.1 port 9 after N ms: Couldn't connect to server"));
        // Pods: three, grouped under their service.
        const auto pods = r.pods();
        QCOMPARE(pods.size(), size_t(3));
        QCOMPARE(QString::fromStdString(pods[0].backend), QString("agent-v1-service"));
        QCOMPARE(pods[0].count + pods[1].count, uint64_t(90));
        QCOMPARE(QString::fromStdString(pods[2].ns), QString("default"));
        // Latency over responses only.
        QCOMPARE(r.latency().count(), uint64_t(101));
        QCOMPARE(r.latency().max(), int64_t(2000));
        // Series by completion second: 0 s has 90 + 0, 1 s has 10, 2 s has 1 response + 3 errors.
        const auto& s = r.series();
        QCOMPARE(s.size(), size_t(3));
        QCOMPARE(s[0].completed, uint64_t(90));
        QCOMPARE(s[1].completed, uint64_t(10));
        QCOMPARE(s[2].completed, uint64_t(4));
        QCOMPARE(s[2].errors, uint64_t(3));
        QCOMPARE(s[2].statusClasses[5], uint64_t(1));
        QVERIFY(s[2].closed);
        QCOMPARE(s[1].p99Us, int64_t(2000));
        QCOMPARE(s[1].perBackend.at(1), uint64_t(10));
        // Shares among responses (101), not among all requests.
        const ShareCheck c = r.checkShare({"agent-v2-service", 0.10});
        QCOMPARE(c.trials, uint64_t(101));
        QCOMPARE(c.hits, uint64_t(10));
        QVERIFY(c.consistent);
        QCOMPARE(r.requestsPerSecond(), 104 / 2.5);
    }

    void mergeAddsUpAndRemapsIds() {
        Results a, b;
        for (int i = 0; i < 3; ++i) addResponse(a, 100 + i, 50, pod("svc-a", "a-0"));
        addResponse(a, 1'200'000, 70, pod("svc-b", "b-0"));
        // b interns in the opposite order, so its ids differ from a's.
        RequestRecord refused;
        refused.error = ErrorKind::Refused;
        refused.offsetUs = 10;
        b.add(refused, 150, {}, {}, {}, "Connection refused");
        for (int i = 0; i < 2; ++i) addResponse(b, 1'100'000 + i, 60, pod("svc-b", "b-1"));
        addResponse(b, 2'500'000, 90, pod("svc-a", "a-0"), 503);
        a.finish(1'300'000, 1);
        b.finish(2'600'000, 0);
        a.merge(b);
        QCOMPARE(a.total(), uint64_t(8));
        QCOMPARE(a.errors(), uint64_t(1));
        QCOMPARE(a.cancelled(), uint64_t(1));
        QCOMPARE(a.backendCount("svc-a"), uint64_t(4));
        QCOMPARE(a.backendCount("svc-b"), uint64_t(3));
        QCOMPARE(a.pods().size(), size_t(3));
        QCOMPARE(a.statuses().at(503), uint64_t(1));
        QCOMPARE(a.errorCount(ErrorKind::Refused), uint64_t(1));
        QCOMPARE(a.latency().count(), uint64_t(7));
        QCOMPARE(a.elapsedSeconds(), 2.6);
        QCOMPARE(a.series().size(), size_t(3));
        QCOMPARE(a.series()[0].completed, uint64_t(4));
        QCOMPARE(a.series()[1].completed, uint64_t(3));
        QCOMPARE(a.series()[2].completed, uint64_t(1));
        // Records: sorted by start offset, ids valid in the merged tables.
        QCOMPARE(a.records().size(), size_t(8));
        QCOMPARE(a.records()[0].error, ErrorKind::Refused);
        for (const auto& rec : a.records()) {
            if (rec.error != ErrorKind::None) continue;
            const QString name = QString::fromUtf8(a.backendName(rec.backend).data(), qsizetype(a.backendName(rec.backend).size()));
            QVERIFY(name == "svc-a" || name == "svc-b");
            QVERIFY(QString::fromStdString(a.bodyText(rec.body)).contains(name));
        }
        for (size_t i = 1; i < a.records().size(); ++i) QVERIFY(a.records()[i - 1].offsetUs <= a.records()[i].offsetUs);
        QCOMPARE(a.series()[1].perBackend.size(), size_t(2));
    }

    // Per request row: answers by status, backend and Access-Control-Allow-Origin (a CORS preflight's empty 204 and
    // nginx's redirect page name no backend), certificates per handshake; merging worker results adds them up.
    void targetAnswersAndCertificates() {
        Results a, b;
        const std::string origin = "https://dashboard.example.com";
        RequestRecord preflight;
        preflight.status = 204;
        preflight.target = 0;
        a.add(preflight, 10, {}, {}, {}, {}, {}, &origin);
        b.add(preflight, 11, {}, {}, {}, {}, {}, &origin);
        RequestRecord get;
        get.status = 200;
        get.target = 1;
        a.add(get, 12, "agent-service", {}, "{\"service\":\"agent-service\"}", {}, {}, &origin);
        a.add(get, 13, "agent-service", {}, "{\"service\":\"agent-service\"}", {});
        RequestRecord redirect;
        redirect.status = 308;
        redirect.target = 2;
        const std::string page = "<html>\r\n<head><title>308 Permanent Redirect</title></head>\r\n<body>\r\n"
                                 "<center><h1>308 Permanent Redirect</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        b.add(redirect, 14, page, {}, page, {});
        a.addCertificate(1, "CN = agent.example.com", "DNS:agent.example.com");
        b.addCertificate(1, "CN = agent.example.com", "DNS:agent.example.com");
        b.addCertificate(2, "O = Acme Co, CN = Kubernetes Ingress Controller Fake Certificate", "DNS:ingress.local");
        a.merge(b);
        const auto answers = a.targetAnswers();
        QCOMPARE(answers.size(), size_t(4));
        QCOMPARE(answers[0].target, uint16_t(0));
        QCOMPARE(answers[0].status, 204);
        QCOMPARE(answers[0].backend, std::string());
        QVERIFY(answers[0].hasAllowOrigin);
        QCOMPARE(answers[0].allowOrigin, origin);
        QCOMPARE(answers[0].count, uint64_t(2));
        QCOMPARE(answers[1].target, uint16_t(1));
        QCOMPARE(answers[1].backend, std::string("agent-service"));
        QCOMPARE(answers[1].count + answers[2].count, uint64_t(2));
        QVERIFY(answers[1].hasAllowOrigin != answers[2].hasAllowOrigin);
        QCOMPARE(answers[3].status, 308);
        QCOMPARE(answers[3].backend, std::string());
        const auto certs = a.certificates();
        QCOMPARE(certs.size(), size_t(2));
        QCOMPARE(certs[0].target, uint16_t(1));
        QCOMPARE(certs[0].handshakes, uint64_t(2));
        QCOMPARE(certs[0].subjectAltName, std::string("DNS:agent.example.com"));
        QVERIFY(certs[1].subject.find("Fake Certificate") != std::string::npos);
    }

    void seriesHasNoGaps() {
        Results r;
        addResponse(r, 100, 100, "a");
        addResponse(r, 3'500'000, 100, "a");
        r.finish(3'600'000, 0);
        QCOMPARE(r.series().size(), size_t(4));
        QCOMPARE(r.series()[1].completed, uint64_t(0));
        QCOMPARE(r.series()[3].second, int64_t(3));
    }

    void uniqSummaryLikeSortUniqC() {
        Results r;
        for (int i = 0; i < 9; ++i) addResponse(r, 10, 5, "hello from v1\n");
        addResponse(r, 10, 5, "hello from v2\n");
        for (int i = 0; i < 120; ++i) addResponse(r, 10, 5, "{\"a\":1}");
        r.finish(10, 0);
        QCOMPARE(QString::fromStdString(r.uniqSummary()),
                 QString("    120 {\"a\":1}\n      9 hello from v1\n      1 hello from v2\n"));
    }

    void csvHasHeyColumnsAndOneRowPerRequest() {
        Results r;
        RequestRecord rec = response(250'000, 12'345, 200);
        rec.dnsUs = 100;
        rec.connectUs = 300;
        rec.requestWriteUs = 20;
        rec.responseDelayUs = 11'000;
        rec.responseReadUs = 1'025;
        BackendIdentity id;
        std::string scratch;
        const std::string body = "hello, \"world\"\n";
        r.add(rec, 262'345, backendKey(body, {}, {}, id, scratch), id, body, {});
        RequestRecord err;
        err.error = ErrorKind::Tls;
        err.offsetUs = 300'000;
        err.totalUs = 5'000;
        r.add(err, 305'000, {}, {}, {}, "SSL certificate problem");
        r.finish(305'000, 0);
        const QStringList lines = QString::fromStdString(r.toCsv()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QString("response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,"
                                   "status-code,offset,backend,error"));
        QCOMPARE(lines[1], QString("0.0123,0.0003,0.0001,0.0000,0.0110,0.0010,200,0.2500,\"hello, \"\"world\"\"\","));
        QCOMPARE(lines[2], QString("0.0050,0.0000,0.0000,0.0000,0.0000,0.0000,0,0.3000,,tls"));
    }

    void recordLimitKeepsAggregatesComplete() {
        Results r(5);
        for (int i = 0; i < 20; ++i) addResponse(r, 10, 5, "x");
        r.finish(10, 0);
        QCOMPARE(r.records().size(), size_t(5));
        QCOMPARE(r.droppedRecords(), uint64_t(15));
        QCOMPARE(r.total(), uint64_t(20));
    }

    void distinctBodiesAreCapped() {
        Results r;
        for (size_t i = 0; i < Results::MAX_BODIES + 50; ++i) addResponse(r, 10, 5, "body " + std::to_string(i));
        r.finish(10, 0);
        QCOMPARE(r.bodies().size(), Results::MAX_BODIES + 1);
        QCOMPARE(r.backends().size(), Results::MAX_BACKENDS + 1);
        QCOMPARE(r.backendCount("(other backends)"), uint64_t(Results::MAX_BODIES + 50 - Results::MAX_BACKENDS));
    }

    void jsonSummaryShape() {
        Results r;
        for (int i = 0; i < 90; ++i) addResponse(r, 1000, 1000, pod("agent-v1-service", "agent-v1-0"));
        for (int i = 0; i < 10; ++i) addResponse(r, 1000, 3000, pod("agent-v2-service", "agent-v2-0"));
        r.finish(1000, 0);
        const QJsonObject o =
            QJsonDocument::fromJson(QByteArray::fromStdString(r.toJson({{"agent-v2-service", 0.10}}))).object();
        QCOMPARE(o["total"].toInt(), 100);
        QCOMPARE(o["errors"].toInt(), 0);
        const QJsonArray backends = o["backends"].toArray();
        QCOMPARE(backends.size(), 2);
        QCOMPARE(backends[0].toObject()["backend"].toString(), QString("agent-v1-service"));
        QCOMPARE(backends[0].toObject()["count"].toInt(), 90);
        QVERIFY(backends[0].toObject()["ciLow"].toDouble() < 0.9);
        QCOMPARE(backends[0].toObject()["pods"].toArray()[0].toObject()["pod"].toString(), QString("agent-v1-0"));
        const QJsonObject e = o["expectations"].toArray()[0].toObject();
        QCOMPARE(e["consistent"].toBool(), true);
        QVERIFY(e["verdict"].toString().endsWith(QString::fromUtf8("— consistent with 10 %")));
        QCOMPARE(o["statuses"].toObject()["200"].toInt(), 100);
        QCOMPARE(o["latencyMs"].toObject()["max"].toDouble(), 3.0);
        QCOMPARE(o["errorsByKind"].toObject()["refused"].toInt(), 0);
        QCOMPARE(o["series"].toArray().size(), 1);
    }
};

QTEST_APPLESS_MAIN(ResultsTest)
#include "results_test.moc"
