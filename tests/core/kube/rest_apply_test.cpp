// Server-side apply, dry-run, delete and the `kubectl diff --server-side` preview: the exact requests (PATCH
// application/apply-patch+yaml, fieldManager=ingress-lab, force only when asked, dryRun=All), 409 conflicts with
// their fields, the normalised LIVE -> MERGED unified diff, Secret data masked as kubectl masks it, and the YAML
// and diff building blocks.
#include <QJsonDocument>
#include <QTest>

#include "core/kube/apply.h"
#include "fake_api_server.h"

using namespace ilab;
using namespace ilab::kube;
using namespace ilab::testing;

namespace {

ClusterConnection connectionTo(const FakeApiServer& server) {
    ClusterConnection c;
    c.server = server.url();
    return c;
}

template <class T>
bool waitFor(const std::optional<T>& v) {
    return QTest::qWaitFor([&] { return v.has_value(); }, 20000);
}

QJsonObject json(const char* text) { return QJsonDocument::fromJson(text).object(); }

// An Ingress as v1.20 returns it from GET (cluster.md §2.5), and the dry-run result of adding an annotation.
const char* LIVE_INGRESS = R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{
  "creationTimestamp":"2026-11-26T21:25:00Z","generation":1,"name":"shop","namespace":"lab","resourceVersion":"194",
  "uid":"0b6b1f7e-1111-2222-3333-444455556666",
  "managedFields":[{"manager":"ingress-lab","operation":"Apply","apiVersion":"networking.k8s.io/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:rules":{}}}}]},
  "spec":{"ingressClassName":"nginx","rules":[{"host":"shop.local","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]},
  "status":{"loadBalancer":{}}})";
const char* MERGED_INGRESS = R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{
  "annotations":{"nginx.ingress.kubernetes.io/proxy-body-size":"32m"},
  "creationTimestamp":"2026-11-26T21:25:00Z","generation":2,"name":"shop","namespace":"lab","resourceVersion":"194",
  "uid":"0b6b1f7e-1111-2222-3333-444455556666",
  "managedFields":[{"manager":"ingress-lab","operation":"Apply","apiVersion":"networking.k8s.io/v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{}}}]},
  "spec":{"ingressClassName":"nginx","rules":[{"host":"shop.local","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]},
  "status":{"loadBalancer":{}}})";

}  // namespace

class RestApplyTest : public QObject {
    Q_OBJECT
private slots:
    void applyRequestShape_data();
    void applyRequestShape();
    void applyConflictListsFields();
    void deleteRequestShape();
    void diffServerSideIngress();
    void diffNewObjectIsAllAdded();
    void diffWithoutChangesIsEmpty();
    void diffReportsDryRunError();
    void secretDataMaskedAsKubectl();
    void yamlLikeKubectl();
    void unifiedDiffHunks();
};

void RestApplyTest::applyRequestShape_data() {
    QTest::addColumn<bool>("force");
    QTest::addColumn<bool>("dryRun");
    QTest::newRow("apply") << false << false;
    QTest::newRow("force") << true << false;
    QTest::newRow("dry-run") << false << true;
    QTest::newRow("force dry-run") << true << true;
}

void RestApplyTest::applyRequestShape() {
    QFETCH(bool, force);
    QFETCH(bool, dryRun);
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) { c.respond(201, r.body); });
    RestClient client(connectionTo(server));
    const std::string body = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n";
    ApplyOptions o;
    o.force = force;
    o.dryRun = dryRun;
    std::optional<RestReply> reply;
    apply(client, ingressesV1(), "lab", "shop", body, o, nullptr, [&](const RestReply& r) { reply = r; });
    QVERIFY(waitFor(reply));
    QVERIFY(reply->ok());
    QCOMPARE(reply->http, 201);
    const FakeRequest req = server.requests().at(0);
    QCOMPARE(req.method, std::string("PATCH"));
    QCOMPARE(req.path, std::string("/apis/networking.k8s.io/v1/namespaces/lab/ingresses/shop"));
    QCOMPARE(req.header("content-type"), std::string("application/apply-patch+yaml"));
    QCOMPARE(req.param("fieldManager"), std::string("ingress-lab"));
    QCOMPARE(req.hasParam("force"), force);
    if (force) QCOMPARE(req.param("force"), std::string("true"));
    QCOMPARE(req.hasParam("dryRun"), dryRun);
    if (dryRun) QCOMPARE(req.param("dryRun"), std::string("All"));
    QCOMPARE(req.body, body);
}

void RestApplyTest::applyConflictListsFields() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) {
        c.respond(409, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \"other-tool\": .spec.ingressClassName","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"other-tool\"","field":".spec.ingressClassName"}]},"code":409})");
    });
    RestClient client(connectionTo(server));
    std::optional<RestReply> reply;
    apply(client, ingressesV1(), "lab", "shop", "{}", {}, nullptr, [&](const RestReply& r) { reply = r; });
    QVERIFY(waitFor(reply));
    QVERIFY(reply->error);
    QVERIFY(reply->error->api.isConflictWithManagers());
    QCOMPARE(reply->error->api.causes.at(0).field, std::string(".spec.ingressClassName"));
    QCOMPARE(reply->error->api.causes.at(0).message, std::string(R"(conflict with "other-tool")"));
    QCOMPARE(server.requests().size(), std::size_t(1));  // a conflict is not retried
}

void RestApplyTest::deleteRequestShape() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) {
        c.respond(200, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"shop-tls","kind":"secrets"}})");
    });
    RestClient client(connectionTo(server));
    std::optional<RestReply> reply;
    DeleteOptions o;
    o.dryRun = true;
    deleteObject(client, secretsV1(), "lab", "shop-tls", o, nullptr, [&](const RestReply& r) { reply = r; });
    QVERIFY(waitFor(reply));
    QVERIFY(reply->ok());
    const FakeRequest req = server.requests().at(0);
    QCOMPARE(req.method, std::string("DELETE"));
    QCOMPARE(req.path, std::string("/api/v1/namespaces/lab/secrets/shop-tls"));
    QCOMPARE(req.param("dryRun"), std::string("All"));
    const QJsonObject body = QJsonDocument::fromJson(QByteArray::fromStdString(req.body)).object();
    QCOMPARE(body.value("propagationPolicy").toString(), QString("Background"));
    QCOMPARE(body.value("kind").toString(), QString("DeleteOptions"));
}

void RestApplyTest::diffServerSideIngress() {
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) {
        if (r.method == "GET") c.respond(200, LIVE_INGRESS);
        else c.respond(200, MERGED_INGRESS);
    });
    RestClient client(connectionTo(server));
    std::optional<DiffResult> result;
    diffServerSide(client, ingressesV1(), "lab", "shop", "{\"kind\":\"Ingress\"}", {}, nullptr,
                   [&](const DiffResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY2(!result->error, result->error ? result->error->describe().c_str() : "");
    QVERIFY(result->exists);
    QVERIFY(result->changed);
    // Only the annotation: generation, resourceVersion, managedFields and status are not part of the preview.
    const std::string expected =
        "--- LIVE/networking.k8s.io.v1.Ingress.lab.shop\n"
        "+++ MERGED/networking.k8s.io.v1.Ingress.lab.shop\n"
        "@@ -1,6 +1,8 @@\n"
        " apiVersion: networking.k8s.io/v1\n"
        " kind: Ingress\n"
        " metadata:\n"
        "+  annotations:\n"
        "+    nginx.ingress.kubernetes.io/proxy-body-size: 32m\n"
        "   name: shop\n"
        "   namespace: lab\n"
        " spec:\n";
    QCOMPARE(result->text, expected);
    // The requests: GET the item, and the dry-run apply of the same item without force.
    bool sawGet = false, sawPatch = false;
    for (const auto& r : server.requests()) {
        QCOMPARE(r.path, std::string("/apis/networking.k8s.io/v1/namespaces/lab/ingresses/shop"));
        if (r.method == "GET") sawGet = true;
        if (r.method == "PATCH") {
            sawPatch = true;
            QCOMPARE(r.param("dryRun"), std::string("All"));
            QCOMPARE(r.param("fieldManager"), std::string("ingress-lab"));
            QVERIFY(!r.hasParam("force"));
            QCOMPARE(r.header("content-type"), std::string("application/apply-patch+yaml"));
        }
    }
    QVERIFY(sawGet && sawPatch);
}

void RestApplyTest::diffNewObjectIsAllAdded() {
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) {
        if (r.method == "GET")
            c.respond(404, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"cm1\" not found","reason":"NotFound","details":{"name":"cm1","kind":"configmaps"},"code":404})");
        else  // dry-run create: uid and creationTimestamp, no resourceVersion (cluster.md §2.6)
            c.respond(201, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","namespace":"lab","uid":"u-1","creationTimestamp":"2026-11-26T21:30:00Z"},"data":{"port":"80","on":"true"}})");
    });
    RestClient client(connectionTo(server));
    std::optional<DiffResult> result;
    diffServerSide(client, configMapsV1(), "lab", "cm1", "{}", {}, nullptr, [&](const DiffResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(!result->error);
    QVERIFY(!result->exists);
    QCOMPARE(result->text,
             std::string("--- LIVE/v1.ConfigMap.lab.cm1\n"
                         "+++ MERGED/v1.ConfigMap.lab.cm1\n"
                         "@@ -0,0 +1,8 @@\n"
                         "+apiVersion: v1\n"
                         "+data:\n"
                         "+  \"on\": \"true\"\n"
                         "+  port: \"80\"\n"
                         "+kind: ConfigMap\n"
                         "+metadata:\n"
                         "+  name: cm1\n"
                         "+  namespace: lab\n"));
}

void RestApplyTest::diffWithoutChangesIsEmpty() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, LIVE_INGRESS); });
    RestClient client(connectionTo(server));
    std::optional<DiffResult> result;
    diffServerSide(client, ingressesV1(), "lab", "shop", "{}", {}, nullptr, [&](const DiffResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(!result->error);
    QVERIFY(!result->changed);
    QCOMPARE(result->text, std::string());
}

void RestApplyTest::diffReportsDryRunError() {
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) {
        if (r.method == "GET") c.respond(200, LIVE_INGRESS);
        else c.respond(422, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Ingress.extensions \"shop\" is invalid: spec.rules[0].host: Invalid value: \"*.*.bad\"","reason":"Invalid","details":{"name":"shop","group":"extensions","kind":"Ingress","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"*.*.bad\"","field":"spec.rules[0].host"}]},"code":422})");
    });
    RestClient client(connectionTo(server));
    std::optional<DiffResult> result;
    diffServerSide(client, ingressesV1(), "lab", "shop", "{}", {}, nullptr, [&](const DiffResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(result->error);
    QCOMPARE(result->error->api.http, 422);
    QCOMPARE(result->error->api.causes.at(0).field, std::string("spec.rules[0].host"));
    QVERIFY(result->text.empty());
}

void RestApplyTest::secretDataMaskedAsKubectl() {
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) {
        if (r.method == "GET")
            c.respond(200, R"({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls","metadata":{"name":"shop-tls","namespace":"lab","resourceVersion":"7"},
                "data":{"tls.crt":"Q0VSVC1TQU1F","tls.key":"S0VZLU9MRA==","old":"T0xELU9OTFk="}})");
        else
            c.respond(200, R"({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls","metadata":{"name":"shop-tls","namespace":"lab","resourceVersion":"7"},
                "data":{"tls.crt":"Q0VSVC1TQU1F","tls.key":"S0VZLU5FVw==","new":"TkVXLU9OTFk="}})");
    });
    RestClient client(connectionTo(server));
    std::optional<DiffResult> result;
    diffServerSide(client, secretsV1(), "lab", "shop-tls", "{}", {}, nullptr, [&](const DiffResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(!result->error);
    QCOMPARE(result->text,
             std::string("--- LIVE/v1.Secret.lab.shop-tls\n"
                         "+++ MERGED/v1.Secret.lab.shop-tls\n"
                         "@@ -1,8 +1,8 @@\n"
                         " apiVersion: v1\n"
                         " data:\n"
                         "-  old: '***'\n"
                         "+  new: '***'\n"
                         "   tls.crt: '***'\n"
                         "-  tls.key: '*** (before)'\n"
                         "+  tls.key: '*** (after)'\n"
                         " kind: Secret\n"
                         " metadata:\n"
                         "   name: shop-tls\n"));
    for (const char* secret : {"Q0VSVC1TQU1F", "S0VZLU9MRA==", "S0VZLU5FVw==", "T0xELU9OTFk=", "TkVXLU9OTFk="})
        QVERIFY2(result->text.find(secret) == std::string::npos, secret);
    QCOMPARE(result->merged.value("data").toObject().value("tls.key").toString(), QString("*** (after)"));
    // Not a Secret: nothing masked
    QJsonObject a = json(R"({"kind":"ConfigMap","data":{"k":"v1"}})"), b = json(R"({"kind":"ConfigMap","data":{"k":"v2"}})");
    maskSecretData(a, b);
    QCOMPARE(b.value("data").toObject().value("k").toString(), QString("v2"));
}

void RestApplyTest::yamlLikeKubectl() {
    const QJsonObject o = json(R"({
      "kind":"Ingress","metadata":{"annotations":{"a/port":"80","b/on":"on","c/mask":"***","d/colon":"a: b","e/ts":"2026-11-26T21:30:00Z",
        "f/dash":"-x","g/dashspace":"- x","h/empty":"","i/quote":"it's","j/hash":"a #b","k/float":"1.5","l/null":"null","m/plain":"hello world",
        "n/lines":"line1\nline2\n","o/nolf":"a\nb","p/tab":"a\tb"},"labels":{}},
      "spec":{"rules":[{"host":"shop.local","http":{"paths":[{"path":"/","backend":{"service":{"port":{"number":80}}}}]}}],
        "list":[],"nested":[["a","b"],[]],"flags":[true,false,null],"ratio":0.25}})");
    const std::string expected =
        "kind: Ingress\n"
        "metadata:\n"
        "  annotations:\n"
        "    a/port: \"80\"\n"
        "    b/on: \"on\"\n"
        "    c/mask: '***'\n"
        "    d/colon: 'a: b'\n"
        "    e/ts: \"2026-11-26T21:30:00Z\"\n"
        "    f/dash: -x\n"
        "    g/dashspace: '- x'\n"
        "    h/empty: \"\"\n"
        "    i/quote: it's\n"
        "    j/hash: 'a #b'\n"
        "    k/float: \"1.5\"\n"
        "    l/null: \"null\"\n"
        "    m/plain: hello world\n"
        "    n/lines: |\n"
        "      line1\n"
        "      line2\n"
        "    o/nolf: |-\n"
        "      a\n"
        "      b\n"
        "    p/tab: \"a\\tb\"\n"
        "  labels: {}\n"
        "spec:\n"
        "  flags:\n"
        "  - true\n"
        "  - false\n"
        "  - null\n"
        "  list: []\n"
        "  nested:\n"
        "  - - a\n"
        "    - b\n"
        "  - []\n"
        "  ratio: 0.25\n"
        "  rules:\n"
        "  - host: shop.local\n"
        "    http:\n"
        "      paths:\n"
        "      - backend:\n"
        "          service:\n"
        "            port:\n"
        "              number: 80\n"
        "        path: /\n";
    QCOMPARE(toYaml(o), expected);
    QCOMPARE(toYaml(QJsonObject()), std::string());
}

void RestApplyTest::unifiedDiffHunks() {
    std::string a, b;
    for (int i = 1; i <= 20; ++i) {
        a += "l" + std::to_string(i) + "\n";
        b += (i == 3 ? std::string("X3") : i == 17 ? std::string("X17") : "l" + std::to_string(i)) + "\n";
        if (i == 10) b += "new\n";
    }
    QCOMPARE(unifiedDiff(a, b, "A", "B"),
             std::string("--- A\n+++ B\n"
                         "@@ -1,6 +1,6 @@\n l1\n l2\n-l3\n+X3\n l4\n l5\n l6\n"
                         "@@ -8,13 +8,14 @@\n l8\n l9\n l10\n+new\n l11\n l12\n l13\n l14\n l15\n l16\n-l17\n+X17\n l18\n l19\n l20\n"));
    // changes 6 lines apart share one hunk (the contexts touch), 8 apart do not
    QCOMPARE(unifiedDiff("a\n", "a\n", "A", "B"), std::string());
    QCOMPARE(unifiedDiff("a\nb\n", "", "A", "B"), std::string("--- A\n+++ B\n@@ -1,2 +0,0 @@\n-a\n-b\n"));
    QCOMPARE(unifiedDiff("a\n", "b\n", "A", "B"), std::string("--- A\n+++ B\n@@ -1 +1 @@\n-a\n+b\n"));
}

QTEST_GUILESS_MAIN(RestApplyTest)
#include "rest_apply_test.moc"
