// loadgen::curlCommand, "the request that shows it" in a comparison: the command it prints runs as printed in bash
// and sends the same request. A body of one repeated byte (the migration check's 1 MiB + 1 probe) is piped in with
// head/tr instead of a megabyte-long --data-raw argument; a short body stays --data-raw; method, headers and the
// connect-to entry for the URL's host come along.
#include <QProcess>
#include <QTest>

#include "core/loadgen/comparison.h"
#include "tests/core/loadgen/test_http_server.h"

using namespace ilab;
using namespace ilab::loadgen;
using ilab::testing::TestHttpServer;
using ilab::testing::TestRequest;
using ilab::testing::TestResponse;

namespace {

int runInBash(const std::string& command) {
    QProcess bash;
    bash.start(QStringLiteral("bash"), {QStringLiteral("-c"), QString::fromStdString(command) + QStringLiteral(" >/dev/null")});
    if (!bash.waitForFinished(30000)) return -1;
    return bash.exitCode();
}

}  // namespace

class CurlCommandTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void largeUniformBodyIsPipedIn() {
        TestHttpServer server([](const TestRequest&) { return TestResponse{}; });
        RequestTarget t;
        t.url = "http://api.example.com/version";
        t.method = "POST";
        t.body.assign(1024 * 1024 + 1, 'x');
        t.hasBody = true;
        t.headers = {"X-Canary: always"};
        SideConnection side;
        side.connectTo = {"api.example.com:80:127.0.0.1:" + std::to_string(server.port()), "other.example.com:80:127.0.0.1:1"};
        const std::string cmd = curlCommand(t, side);
        QVERIFY2(cmd.size() < 400, cmd.c_str());
        QVERIFY2(cmd.rfind("head -c 1048577 /dev/zero | tr '\\0' x | curl ", 0) == 0, cmd.c_str());
        QVERIFY2(cmd.find("--data-binary @-") != std::string::npos, cmd.c_str());
        QVERIFY2(cmd.find("other.example.com") == std::string::npos, cmd.c_str());
        QCOMPARE(runInBash(cmd), 0);
        const auto seen = server.seen();
        QCOMPARE(seen.size(), size_t(1));
        QCOMPARE(seen[0].method, std::string("POST"));
        QCOMPARE(seen[0].host, std::string("api.example.com"));
        QCOMPARE(seen[0].body, t.body);
        QCOMPARE(seen[0].headers.at("x-canary"), std::string("always"));
    }

    void shortBodyStaysInline() {
        TestHttpServer server([](const TestRequest&) { return TestResponse{}; });
        RequestTarget t;
        t.url = "http://api.example.com/items";
        t.method = "PUT";
        t.body = "{\"name\": \"it's\"}";
        t.hasBody = true;
        SideConnection side;
        side.connectTo = {"api.example.com:80:127.0.0.1:" + std::to_string(server.port())};
        const std::string cmd = curlCommand(t, side);
        QVERIFY2(cmd.rfind("curl ", 0) == 0 && cmd.find("--data-raw") != std::string::npos, cmd.c_str());
        QVERIFY2(cmd.find(" -X 'PUT'") != std::string::npos || cmd.find(" -X PUT") != std::string::npos, cmd.c_str());
        QCOMPARE(runInBash(cmd), 0);
        const auto seen = server.seen();
        QCOMPARE(seen.size(), size_t(1));
        QCOMPARE(seen[0].method, std::string("PUT"));
        QCOMPARE(seen[0].body, t.body);
    }
};

QTEST_GUILESS_MAIN(CurlCommandTest)
#include "curl_command_test.moc"
