// The `route` and `test` subcommands, run as processes on the built CLI: the --json contract, the demo
// workspace's lesson answers, the sampled distribution, usage errors, and golden-case files.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "support/test_paths.h"

using namespace ilab;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(testing::cliPath(), args);
    Run r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QJsonObject json(const Run& r) { return QJsonDocument::fromJson(r.out).object(); }

const char* WORKSPACE =
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  ingressClassName: nginx\n"
    "  rules:\n  - host: app.example\n    http:\n      paths:\n"
    "      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}\n"
    "      - {path: /docs/, pathType: Prefix, backend: {service: {name: docs, port: {number: 80}}}}\n"
    "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: secure\nspec:\n  ingressClassName: nginx\n"
    "  tls:\n  - hosts: [secure.example]\n  rules:\n  - host: secure.example\n    http:\n      paths:\n"
    "      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}\n"
    "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web-canary\n  annotations:\n"
    "    nginx.ingress.kubernetes.io/canary: 'true'\n    nginx.ingress.kubernetes.io/canary-weight: '25'\n"
    "spec:\n  ingressClassName: nginx\n  rules:\n  - host: app.example\n    http:\n      paths:\n"
    "      - {path: /api, pathType: Prefix, backend: {service: {name: api-v2, port: {number: 80}}}}\n"
    "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports:\n  - {port: 80, targetPort: 8080}\n"
    "---\napiVersion: v1\nkind: Service\nmetadata: {name: api-v2}\nspec:\n  selector: {app: api-v2}\n  ports:\n  - {port: 80, targetPort: 8080}\n"
    "---\napiVersion: v1\nkind: Service\nmetadata: {name: docs}\nspec:\n  selector: {app: docs}\n  ports:\n  - {port: 80, targetPort: 8080}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n"
    "  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: 'api:1', ports: [{containerPort: 8080}]}]\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api-v2}\nspec:\n  selector: {matchLabels: {app: api-v2}}\n"
    "  template:\n    metadata: {labels: {app: api-v2}}\n    spec:\n      containers: [{name: api, image: 'api:2', ports: [{containerPort: 8080}]}]\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: docs}\nspec:\n  selector: {matchLabels: {app: docs}}\n"
    "  template:\n    metadata: {labels: {app: docs}}\n    spec:\n      containers: [{name: docs, image: 'docs:1', ports: [{containerPort: 8080}]}]\n";

}  // namespace

class CliRouteTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void jsonContract();
    void redirectsAndTls();
    void distribution();
    void demoWorkspace();
    void hostWithEmptyLabelIsAnswered();
    void usageErrors_data();
    void usageErrors();
    void goldenCases();

private:
    QTemporaryDir m_dir;
    QString m_ws;
};

void CliRouteTest::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws.yaml");
    QFile f(m_ws);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(WORKSPACE);
}

void CliRouteTest::jsonContract() {
    const Run r = cli({"route", m_ws, "--url", "http://app.example/docs/intro?x=1", "-H", "X-Request-ID: abc", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = json(r);
    QCOMPARE(o["status"].toInt(), 200);
    QCOMPARE(o["backend"].toObject()["namespace"].toString(), QString("default"));
    QCOMPARE(o["backend"].toObject()["service"].toString(), QString("docs"));
    QCOMPARE(o["backend"].toObject()["port"].toInt(), 80);
    QCOMPARE(o["ingress"].toString(), QString("default/web"));
    QCOMPARE(o["upstreamPath"].toString(), QString("/docs/intro?x=1"));
    QCOMPARE(o["location"].toString(), QString());
    QCOMPARE(o["upstreamHeaders"].toObject()["X-Request-ID"].toString(), QString("abc"));
    QCOMPARE(o["upstreamHeaders"].toObject()["Host"].toString(), QString("app.example"));
    QVERIFY(!o["responseHeaders"].toObject().contains("Server"));  // server-tokens "false" (the default)
    QVERIFY(o["trace"].toArray().size() > 3);
    QVERIFY(!o.contains("tls"));
    QVERIFY(!o.contains("distribution"));
    // The trailing-slash quirk, and where the kubernetes profile differs.
    const Run q = cli({"route", m_ws, "--url", "http://app.example/docs", "--json"});
    const QJsonObject qo = json(q);
    QCOMPARE(qo["status"].toInt(), 301);
    QVERIFY(qo["backend"].isNull());
    QCOMPARE(qo["location"].toString(), QString("http://app.example/docs/"));
    QVERIFY(qo["otherProfileDiffers"].toString().startsWith("kubernetes profile: 200"));
    const Run k = cli({"route", m_ws, "--url", "http://app.example/docs", "--profile", "kubernetes", "--json"});
    QCOMPARE(json(k)["backend"].toObject()["service"].toString(), QString("docs"));
    // Unknown host: 404 from the controller's default backend.
    const QJsonObject n = json(cli({"route", m_ws, "--url", "http://nope.example/", "--json"}));
    QCOMPARE(n["status"].toInt(), 404);
    QVERIFY(n["ingress"].isNull());
}

void CliRouteTest::redirectsAndTls() {
    const QJsonObject r = json(cli({"route", m_ws, "--url", "http://secure.example/path/", "--json"}));
    QCOMPARE(r["status"].toInt(), 308);
    QCOMPARE(r["location"].toString(), QString("https://secure.example/path"));
    const QJsonObject s = json(cli({"route", m_ws, "--url", "https://secure.example/path", "--json"}));
    QCOMPARE(s["status"].toInt(), 200);
    QCOMPARE(s["tls"].toObject()["certificate"].toString(), QString("default"));  // tls entry without secretName
    QVERIFY(s["responseHeaders"].toObject()["Strict-Transport-Security"].toString().startsWith("max-age=31536000"));
}

void CliRouteTest::distribution() {
    const Run r = cli({"route", m_ws, "--url", "http://app.example/api/x", "--samples", "4000", "--seed", "3", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject d = json(r)["distribution"].toObject();
    const int main = d["default/api:80"].toInt(), canary = d["default/api-v2:80"].toInt();
    QCOMPARE(main + canary, 4000);
    QVERIFY2(canary > 880 && canary < 1120, qPrintable(QString::number(canary)));  // 25% +- 4 sd
    // Same seed, same answer.
    QCOMPARE(json(cli({"route", m_ws, "--url", "http://app.example/api/x", "--samples", "4000", "--seed", "3", "--json"}))["distribution"].toObject(), d);
    // A header forces the canary only if configured: here it is not, so the human output still shows a split.
    const Run h = cli({"route", m_ws, "--url", "http://app.example/api/x", "--samples", "100"});
    QCOMPARE(h.exitCode, 0);
    QVERIFY(h.out.contains("distribution over 100 decisions"));
    QVERIFY(h.out.contains("why:"));
}

void CliRouteTest::demoWorkspace() {
    const QJsonObject v1 = json(cli({"route", "demo", "--url", "http://api.example.com/api/v1/users", "--json"}));
    QCOMPARE(v1["backend"].toObject()["service"].toString(), QString("agent-v1-service"));
    const QJsonObject agent = json(cli({"route", "demo", "--url", "https://agent.example.com/", "--json"}));
    QCOMPARE(agent["backend"].toObject()["service"].toString(), QString("agent-service"));
    const QJsonObject http = json(cli({"route", "demo", "--url", "http://agent.example.com/x", "--json"}));
    QCOMPARE(http["status"].toInt(), 308);
    QCOMPARE(http["location"].toString(), QString("https://agent.example.com/x"));
    const QJsonObject split = json(cli({"route", "demo", "--url", "http://api.example.com/version", "--samples", "10000", "--json"}));
    const QJsonObject dist = split["distribution"].toObject();
    const int canary = dist["default/agent-test:80"].toInt();
    QCOMPARE(dist["default/agent-stable:80"].toInt() + canary, 10000);
    QVERIFY2(canary > 880 && canary < 1120, qPrintable(QString::number(canary)));  // about 90/10
}

// A Host nginx's ngx_http_validate_host rejects ("foo..bar.com") is a request the controller answers 400, not a
// URL the CLI refuses.
void CliRouteTest::hostWithEmptyLabelIsAnswered() {
    const Run r = cli({"route", "demo", "--url", "http://foo..bar.com/", "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject d = json(r);
    QCOMPARE(d["status"].toInt(), 400);
    QVERIFY(d["backend"].isNull());
    const QJsonObject tls = json(cli({"route", "demo", "--url", "https://a..example.com:8443/x?y=1", "--json"}));
    QCOMPARE(tls["status"].toInt(), 400);
    QCOMPARE(json(cli({"route", "demo", "--url", "http://foo.bar.com./", "--json"}))["status"].toInt(), 404);  // one trailing dot is fine
}

void CliRouteTest::usageErrors_data() {
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no url") << QStringList{"route", "demo"};
    QTest::newRow("bad url") << QStringList{"route", "demo", "--url", "ftp://x/"};
    QTest::newRow("space in host") << QStringList{"route", "demo", "--url", "http://a b/"};
    QTest::newRow("no host") << QStringList{"route", "demo", "--url", "http:///x"};
    QTest::newRow("bad profile") << QStringList{"route", "demo", "--url", "http://a/", "--profile", "traefik"};
    QTest::newRow("bad controller arg") << QStringList{"route", "demo", "--url", "http://a/", "--controller-arg", "--nope=1"};
    QTest::newRow("bad header") << QStringList{"route", "demo", "--url", "http://a/", "-H", "no-colon"};
    QTest::newRow("bad samples") << QStringList{"route", "demo", "--url", "http://a/", "--samples", "0"};
    QTest::newRow("unknown option") << QStringList{"route", "demo", "--url", "http://a/", "--frobnicate"};
    QTest::newRow("missing file") << QStringList{"route", "/nonexistent/ws.yaml", "--url", "http://a/"};
    QTest::newRow("test without cases") << QStringList{"test", "demo"};
}

void CliRouteTest::usageErrors() {
    QFETCH(QStringList, args);
    const Run r = cli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!r.err.isEmpty());
}

void CliRouteTest::goldenCases() {
    const QString cases = m_dir.filePath("cases.yaml");
    {
        QFile f(cases);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("- name: api\n  request: {url: 'http://app.example/api/x', headers: {X-Test: '1'}}\n  expect: {status: 200}\n"
                "- name: docs\n  request: {url: 'http://app.example/docs/a'}\n  expect: {status: 200, backend: 'docs:80'}\n"
                "- name: redirect\n  request: {method: GET, url: 'http://secure.example/'}\n"
                "  expect: {status: 308, backend: null, location: 'https://secure.example'}\n");
    }
    const Run ok = cli({"test", m_ws, "--cases", cases});
    QCOMPARE(ok.exitCode, 0);
    QCOMPARE(ok.out.count("PASS "), 3);
    const QString bad = m_dir.filePath("bad.yaml");
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("- name: wrong\n  request: {url: 'http://app.example/docs/a'}\n  expect: {status: 200, backend: 'api:80'}\n"
                "- name: right\n  request: {url: 'http://nope.example/'}\n  expect: {status: 404, backend: null}\n");
    }
    const Run fail = cli({"test", m_ws, "--cases", bad});
    QCOMPARE(fail.exitCode, 1);
    QVERIFY(fail.out.contains("FAIL wrong: backend docs:80, expected api:80"));
    QVERIFY(fail.out.contains("PASS right"));
}

QTEST_GUILESS_MAIN(CliRouteTest)
#include "cli_route_test.moc"
