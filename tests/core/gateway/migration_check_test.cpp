// gateway::checkMigration on the canary lesson: the 90/10 split survives the conversion (no backend difference on
// plain HTTP), HTTPS is lost and a body over ingress-nginx's default 1m proxy-body-size is no longer refused
// (413 -> 200), one byte over the limit the annotation sets when it sets one; and once the converted objects sit in the workspace beside the Ingresses (what
// the GUI's "Convert to Gateway API" does), the gateway side routes those objects, edits included, instead of
// converting a second copy.
#include <QFile>
#include <QTest>

#include "core/gateway/ingress_converter.h"
#include "core/gateway/migration_check.h"
#include "core/yaml/yaml_reader.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

std::string lessonText() {
    QFile f(testing::sourceDir() + "/resources/lessons/canary/workspace.yaml");
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

model::Workspace load(const std::string& text) {
    model::Workspace ws;
    yaml::readText(text, "ws.yaml", ws);
    return ws;
}

const gateway::Difference* find(const gateway::MigrationReport& rep, const std::string& url) {
    for (const auto& d : rep.differences)
        if (d.url == url) return &d;
    return nullptr;
}

}  // namespace

class MigrationCheckTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void canaryLessonLosesHttpsAndTheBodyLimit() {
        const std::string text = lessonText();
        QVERIFY(!text.empty());
        const auto rep = gateway::checkMigration(load(text));
        QVERIFY(!rep.usedWorkspaceGatewayObjects);
        QVERIFY(rep.requests > 5);
        QVERIFY(!rep.differences.empty());
        int bodies = 0;
        for (const auto& d : rep.differences) {
            if (d.request.contentLength) {
                ++bodies;
                QCOMPARE(*d.request.contentLength, std::uint64_t(1024 * 1024 + 1));  // ingress-nginx default: 1m
                QCOMPARE(d.nginx.status, 413);
                QCOMPARE(d.gateway.status, 200);
                QVERIFY2(d.cause.rfind("body size limit no longer enforced", 0) == 0, d.cause.c_str());
                continue;
            }
            QVERIFY2(d.request.scheme == "https", d.url.c_str());
            QCOMPARE(d.nginx.status, 200);
            QCOMPARE(d.gateway.status, 404);
            QVERIFY2(d.cause.rfind("HTTPS no longer served", 0) == 0, d.cause.c_str());
        }
        QVERIFY(find(rep, "GET https://api.example.com/version"));
        QVERIFY(!find(rep, "GET http://api.example.com/version"));  // 90/10 on both sides
        QVERIFY(find(rep, "POST http://api.example.com/version [body: 1048577 bytes]"));
        QVERIFY(bodies >= 1);
    }

    // proxy-body-size on the Ingress moves the probe to one byte over that limit; "0" (no limit) adds no probe.
    void bodyLimitFollowsTheAnnotation() {
        std::string text = lessonText();
        const auto at = text.find("kind: Ingress\n");
        QVERIFY(at != std::string::npos);
        const auto meta = text.find("metadata:", at);
        QVERIFY(meta != std::string::npos);
        text.insert(meta + 9, "\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-body-size: 8k");
        auto ws = load(text);
        const auto rep = gateway::checkMigration(ws);
        const gateway::Difference* d = find(rep, "POST http://api.example.com/version [body: 8193 bytes]");
        QVERIFY2(d, "a body of 8k + 1 bytes");
        QCOMPARE(d->nginx.status, 413);
        QCOMPARE(d->gateway.status, 200);

        std::string unlimited = lessonText();
        unlimited.insert(unlimited.find("metadata:", unlimited.find("kind: Ingress\n")) + 9,
                         "\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-body-size: \"0\"");
        for (const auto& x : gateway::checkMigration(load(unlimited)).differences)
            QVERIFY2(!x.request.contentLength || x.request.target != "/version" || x.request.host != "api.example.com",
                     x.url.c_str());
    }

    void convertedObjectsInTheWorkspaceAreUsed() {
        const std::string text = lessonText();
        const auto conv = gateway::convertIngresses(load(text));
        const auto fresh = gateway::checkMigration(load(text));
        // the conversion beside the originals: the same result, and no second copy of the objects
        const auto beside = gateway::checkMigration(load(text + "\n" + conv.yaml));
        QVERIFY(beside.usedWorkspaceGatewayObjects);
        QCOMPARE(beside.differences.size(), fresh.differences.size());
        QCOMPARE(beside.requests, fresh.requests);
        QVERIFY(!find(beside, "GET http://api.example.com/version"));

        // the user edits the converted weights: 90/10 becomes 50/50, and the check reports it
        std::string edited = conv.yaml;
        const auto w90 = edited.find("weight: 90"), w10 = edited.find("weight: 10");
        QVERIFY(w90 != std::string::npos && w10 != std::string::npos);
        edited.replace(w90, 10, "weight: 50");
        edited.replace(edited.find("weight: 10"), 10, "weight: 50");
        const auto rep = gateway::checkMigration(load(text + "\n" + edited));
        const gateway::Difference* d = find(rep, "GET http://api.example.com/version");
        QVERIFY(d);
        QCOMPARE(d->fields.front(), std::string("backend"));
        QVERIFY(d->gateway.backends.at("default/agent-test:80") > 0.35);
        QVERIFY(d->nginx.backends.at("default/agent-test:80") < 0.2);
    }
};

QTEST_GUILESS_MAIN(MigrationCheckTest)
#include "migration_check_test.moc"
