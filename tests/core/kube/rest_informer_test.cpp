// Paged list (limit/continue, 410 on continue -> restart), the informer's list -> watch -> events -> re-watch
// cycle, a watch cut mid-line (no corrupt event, re-watch from the last complete RV), 410 inside the 200 stream and
// as HTTP status -> re-list, bookmarks, and discovery (EndpointSlice v1 or v1beta1), against a scripted server.
#include <QSignalSpy>
#include <QTest>

#include "core/kube/discovery.h"
#include "core/kube/informer.h"
#include "fake_api_server.h"

using namespace ilab;
using namespace ilab::kube;
using namespace ilab::testing;

namespace {

std::string cm(const std::string& name, int rv, const std::string& value) {
    return R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":")" + name + R"(","namespace":"lab","resourceVersion":")" +
           std::to_string(rv) + R"("},"data":{"k":")" + value + R"("}})";
}
std::string listItem(const std::string& name, int rv, const std::string& value) {
    // list items come without kind/apiVersion
    return R"({"metadata":{"name":")" + name + R"(","namespace":"lab","resourceVersion":")" + std::to_string(rv) +
           R"("},"data":{"k":")" + value + R"("}})";
}
std::string list(int rv, const std::vector<std::string>& items, const std::string& cont = {}) {
    std::string s = R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":")" + std::to_string(rv) + "\"";
    if (!cont.empty()) s += R"(,"continue":")" + cont + "\"";
    s += R"(},"items":[)";
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + items[i];
    return s + "]}";
}
std::string watchLine(const std::string& type, const std::string& object) {
    return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}
std::string bookmark(int rv) {
    return watchLine("BOOKMARK", R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":")" +
                                 std::to_string(rv) + R"(","creationTimestamp":null}})");
}
const std::string EXPIRED =
    R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 150 (228)","reason":"Expired","code":410})J";

ClusterConnection connectionTo(const FakeApiServer& server) {
    ClusterConnection c;
    c.server = server.url();
    return c;
}

InformerOptions fastInformer() {
    InformerOptions o;
    o.minBackoff = std::chrono::milliseconds(10);
    o.maxBackoff = std::chrono::milliseconds(50);
    o.list.limit = 2;
    return o;
}

std::string value(const StoreConstSharedPtr& s, const std::string& name) {
    const QJsonObject* o = s->find("lab", name);
    return o ? o->value("data").toObject().value("k").toString().toStdString() : std::string("<none>");
}

std::vector<FakeRequest> watches(const FakeApiServer& server) {
    std::vector<FakeRequest> out;
    for (const auto& r : server.requests())
        if (r.param("watch") == "1") out.push_back(r);
    return out;
}

}  // namespace

class RestInformerTest : public QObject {
    Q_OBJECT
private slots:
    void pagedListFollowsContinue();
    void pagedListRestartsAfter410OnContinue();
    void watchEventParsing();
    void informerListsWatchesAndRewatchesFromBookmark();
    void watchCutMidLineGivesNoCorruptEvent();
    void expiredInsideStreamRelists_data();
    void expiredInsideStreamRelists();
    void otherErrorEventRelistsAfterBackoff();
    void throttledWatchRewatchesAfterRetryAfter();
    void garbageLineRelists();
    void stopEndsRequests();
    void discoveryPicksVersions_data();
    void discoveryPicksVersions();
};

void RestInformerTest::pagedListFollowsContinue() {
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) {
        const std::string cont = r.param("continue");
        if (cont.empty()) c.respond(200, list(203, {listItem("cm1", 1, "a"), listItem("cm2", 2, "b")}, "tok/1+"));
        else if (cont == "tok/1+") c.respond(200, list(203, {listItem("cm3", 3, "c"), listItem("cm4", 4, "d")}, "tok2"));
        else c.respond(200, list(203, {listItem("cm5", 5, "e")}));
    });
    RestClient client(connectionTo(server));
    std::optional<ListResult> result;
    ListOptions o;
    o.limit = 2;
    o.labelSelector = "app=web";
    listAll(client, configMapsV1(), "lab", o, nullptr, [&](const ListResult& r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 20000);
    QVERIFY(!result->error);
    QCOMPARE(result->items.size(), std::size_t(5));
    QCOMPARE(result->pages, 3);
    QCOMPARE(result->resourceVersion, std::string("203"));
    QCOMPARE(result->items[0].value("kind").toString(), QString("ConfigMap"));
    QCOMPARE(result->items[0].value("apiVersion").toString(), QString("v1"));
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), std::size_t(3));
    QCOMPARE(reqs[0].path, std::string("/api/v1/namespaces/lab/configmaps"));
    QCOMPARE(reqs[0].param("limit"), std::string("2"));
    QCOMPARE(reqs[0].param("labelSelector"), std::string("app=web"));
    QVERIFY(!reqs[0].hasParam("continue"));
    QCOMPARE(reqs[1].param("continue"), std::string("tok/1+"));  // opaque token passed back exactly
    QCOMPARE(reqs[2].param("continue"), std::string("tok2"));
}

void RestInformerTest::pagedListRestartsAfter410OnContinue() {
    std::atomic<int> expired{0};
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        const std::string cont = r.param("continue");
        if (cont.empty()) {
            // after the compaction the list has a new RV and cm2 is gone
            if (expired == 0) c.respond(200, list(203, {listItem("cm1", 1, "a"), listItem("cm2", 2, "b")}, "old"));
            else c.respond(200, list(300, {listItem("cm1", 1, "a"), listItem("cm3", 3, "c")}, "new"));
        } else if (cont == "old") {
            ++expired;
            c.respond(410, R"({"kind":"Status","apiVersion":"v1","metadata":{"continue":"eyJydiI6LTF9"},"status":"Failure","message":"The provided continue parameter is too old to display a consistent list result.","reason":"Expired","code":410})");
        } else {
            c.respond(200, list(300, {listItem("cm4", 4, "d")}));
        }
    });
    RestClient client(connectionTo(server));
    std::optional<ListResult> result;
    ListOptions o;
    o.limit = 2;
    listAll(client, configMapsV1(), "lab", o, nullptr, [&](const ListResult& r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 20000);
    QVERIFY2(!result->error, result->error ? result->error->describe().c_str() : "");
    QCOMPARE(result->restarts, 1);
    QCOMPARE(result->resourceVersion, std::string("300"));
    QStringList names;
    for (const auto& i : result->items) names << i.value("metadata").toObject().value("name").toString();
    QCOMPARE(names, (QStringList{"cm1", "cm3", "cm4"}));  // nothing from the expired list kept
    QCOMPARE(server.requests().size(), std::size_t(4));
}

void RestInformerTest::watchEventParsing() {
    std::string err;
    auto e = parseWatchEvent(watchLine("MODIFIED", cm("cm1", 204, "v2")), &err);
    QVERIFY(e);
    QCOMPARE(int(e->type), int(WatchEvent::Type::Modified));
    QCOMPARE(e->object.value("data").toObject().value("k").toString(), QString("v2"));
    QVERIFY(!parseWatchEvent(R"({"type":"MODIFIED","object":{"metadata":{"name":"cm1")", &err));
    QVERIFY2(err.find("not a JSON object") != std::string::npos, err.c_str());
    QVERIFY(!parseWatchEvent(R"({"type":"SOMETHING","object":{}})", &err));
    QVERIFY(!parseWatchEvent(R"({"type":"ADDED"})", &err));
    auto error = parseWatchEvent(R"({"type":"ERROR","object":)" + EXPIRED + "}", &err);
    QVERIFY(error);
    QCOMPARE(int(error->type), int(WatchEvent::Type::Error));
}

void RestInformerTest::informerListsWatchesAndRewatchesFromBookmark() {
    std::atomic<int> watchCount{0};
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            if (r.param("continue").empty()) c.respond(200, list(10, {listItem("cm1", 5, "a"), listItem("cm2", 6, "b")}, "p2"));
            else c.respond(200, list(10, {listItem("cm9", 7, "z")}));
            return;
        }
        if (watchCount++ == 0) {
            c.startChunked();
            c.chunk(watchLine("ADDED", cm("cm3", 11, "c")) + watchLine("MODIFIED", cm("cm1", 12, "a2")));
            server.sleepUnlessStopping(30);
            c.chunk(watchLine("DELETED", cm("cm2", 13, "b")) + bookmark(15));
            c.endChunks();  // the server's timeoutSeconds: a clean end
        } else {
            c.startChunked();
            c.chunk(watchLine("ADDED", cm("cm4", 16, "d")));
            server.sleepUnlessStopping(30000);
        }
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    QSignalSpy snapshots(&informer, &Informer::snapshotChanged);
    QSignalSpy synced(&informer, &Informer::synced);
    informer.start();
    QTRY_COMPARE_WITH_TIMEOUT(synced.count(), 1, 20000);
    const StoreConstSharedPtr afterList = informer.snapshot();
    QCOMPARE(afterList->size(), std::size_t(3));
    QCOMPARE(afterList->resourceVersion, std::string("10"));
    QTRY_VERIFY_WITH_TIMEOUT(informer.snapshot()->find("lab", "cm4") != nullptr, 20000);
    const StoreConstSharedPtr s = informer.snapshot();
    QCOMPARE(value(s, "cm1"), std::string("a2"));
    QCOMPARE(value(s, "cm2"), std::string("<none>"));
    QCOMPARE(value(s, "cm3"), std::string("c"));
    QCOMPARE(value(s, "cm9"), std::string("z"));
    QCOMPARE(s->resourceVersion, std::string("16"));
    // the first snapshot did not change under our feet
    QCOMPARE(value(afterList, "cm1"), std::string("a"));
    QCOMPARE(afterList->size(), std::size_t(3));

    const auto w = watches(server);
    QCOMPARE(w.size(), std::size_t(2));
    QCOMPARE(w[0].param("resourceVersion"), std::string("10"));
    QCOMPARE(w[0].param("allowWatchBookmarks"), std::string("true"));
    QCOMPARE(w[0].path, std::string("/api/v1/namespaces/lab/configmaps"));
    QCOMPARE(w[1].param("resourceVersion"), std::string("15"));  // the bookmark's RV, not the last event's
    QCOMPARE(informer.listsForTest(), 1);
    QVERIFY(snapshots.count() >= 2);
    informer.stop();
}

void RestInformerTest::watchCutMidLineGivesNoCorruptEvent() {
    std::atomic<int> watchCount{0};
    const std::string modified = watchLine("MODIFIED", cm("cm1", 12, "a2"));
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            c.respond(200, list(10, {listItem("cm1", 5, "a")}));
            return;
        }
        const int n = watchCount++;
        c.startChunked();
        if (n == 0) {
            c.chunk(watchLine("ADDED", cm("cm3", 11, "c")));
            server.sleepUnlessStopping(30);
            c.chunk(modified.substr(0, modified.size() / 2));  // cut in the middle of the MODIFIED event
            server.sleepUnlessStopping(30);
            c.close();
        } else {
            c.chunk(modified);
            server.sleepUnlessStopping(30000);
        }
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    std::vector<StoreConstSharedPtr> seen;
    connect(&informer, &Informer::snapshotChanged, this, [&](StoreConstSharedPtr s) { seen.push_back(s); });
    QSignalSpy errors(&informer, &Informer::errorOccurred);
    informer.start();
    QTRY_VERIFY_WITH_TIMEOUT(value(informer.snapshot(), "cm1") == "a2", 20000);
    // every published state is consistent: cm1 is either the listed or the complete modified object
    for (const auto& s : seen) {
        const std::string v = value(s, "cm1");
        QVERIFY2(v == "a" || v == "a2", v.c_str());
        QCOMPARE(s->size(), s->find("lab", "cm3") ? std::size_t(2) : std::size_t(1));
    }
    const auto w = watches(server);
    QCOMPARE(w.size(), std::size_t(2));
    QCOMPARE(w[1].param("resourceVersion"), std::string("11"));  // after the last complete event
    QCOMPARE(informer.listsForTest(), 1);  // a cut stream is re-watched, not re-listed
    QVERIFY(errors.count() >= 1);
    QCOMPARE(errors[0][2].toBool(), false);
    informer.stop();
}

void RestInformerTest::expiredInsideStreamRelists_data() {
    QTest::addColumn<bool>("inStream");
    QTest::newRow("ERROR event inside the 200 stream") << true;
    QTest::newRow("HTTP 410 on the watch request") << false;
}

void RestInformerTest::expiredInsideStreamRelists() {
    QFETCH(bool, inStream);
    std::atomic<int> lists{0}, watchCount{0};
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            if (lists++ == 0) c.respond(200, list(150, {listItem("cm1", 5, "a"), listItem("gone", 6, "x")}));
            else c.respond(200, list(228, {listItem("cm1", 200, "after-restart")}));
            return;
        }
        if (watchCount++ == 0) {
            if (inStream) {
                c.startChunked();
                c.chunk(watchLine("ADDED", cm("cm2", 151, "b")));
                server.sleepUnlessStopping(30);
                c.chunk(R"({"type":"ERROR","object":)" + EXPIRED + "}\n");
                server.sleepUnlessStopping(30000);
            } else {
                c.respond(410, EXPIRED);
            }
        } else {
            c.startChunked();
            server.sleepUnlessStopping(30000);
        }
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    QSignalSpy errors(&informer, &Informer::errorOccurred);
    informer.start();
    QTRY_COMPARE_WITH_TIMEOUT(informer.listsForTest(), 2, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(value(informer.snapshot(), "cm1"), std::string("after-restart"), 20000);
    const StoreConstSharedPtr s = informer.snapshot();
    QCOMPARE(s->size(), std::size_t(1));  // the store was replaced, not merged
    QCOMPARE(s->resourceVersion, std::string("228"));
    QTRY_COMPARE_WITH_TIMEOUT(watches(server).size(), std::size_t(2), 20000);
    QCOMPARE(watches(server)[1].param("resourceVersion"), std::string("228"));
    QVERIFY(errors.count() >= 1);
    QCOMPARE(errors[0][1].toInt(), 410);
    QCOMPARE(errors[0][2].toBool(), true);
    informer.stop();
}

void RestInformerTest::otherErrorEventRelistsAfterBackoff() {
    std::atomic<int> watchCount{0};
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            c.respond(200, list(10, {listItem("cm1", 5, "a")}));
            return;
        }
        c.startChunked();
        if (watchCount++ == 0)
            c.chunk(R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"internal error","reason":"InternalError","code":500}})" "\n");
        server.sleepUnlessStopping(30000);
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    QSignalSpy errors(&informer, &Informer::errorOccurred);
    informer.start();
    QTRY_COMPARE_WITH_TIMEOUT(watches(server).size(), std::size_t(2), 20000);
    QCOMPARE(informer.listsForTest(), 2);
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors[0][1].toInt(), 500);
    QCOMPARE(errors[0][2].toBool(), true);
    QVERIFY(errors[0][0].toString().contains("InternalError"));
    informer.stop();
}

void RestInformerTest::throttledWatchRewatchesAfterRetryAfter() {
    std::atomic<int> watchCount{0};
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            c.respond(200, list(10, {listItem("cm1", 5, "a")}));
            return;
        }
        if (watchCount++ == 0) {
            c.respond(429, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429})");
            return;
        }
        c.startChunked();
        server.sleepUnlessStopping(30000);
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    QElapsedTimer t;
    t.start();
    informer.start();
    QTRY_COMPARE_WITH_TIMEOUT(watches(server).size(), std::size_t(2), 20000);
    QVERIFY2(t.elapsed() >= 1000, QByteArray::number(t.elapsed()));  // waited as the server asked (lower bound)
    QCOMPARE(informer.listsForTest(), 1);  // throttling is not a reason to re-list
    QCOMPARE(watches(server)[1].param("resourceVersion"), std::string("10"));
    informer.stop();
}

void RestInformerTest::garbageLineRelists() {
    std::atomic<int> watchCount{0};
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            c.respond(200, list(10, {listItem("cm1", 5, "a")}));
            return;
        }
        c.startChunked();
        if (watchCount++ == 0) c.chunk("<html>proxy error</html>\n" + watchLine("ADDED", cm("cm2", 11, "b")));
        server.sleepUnlessStopping(30000);
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    QSignalSpy errors(&informer, &Informer::errorOccurred);
    informer.start();
    QTRY_COMPARE_WITH_TIMEOUT(watches(server).size(), std::size_t(2), 20000);
    QCOMPARE(informer.listsForTest(), 2);
    QVERIFY(errors.count() >= 1);
    QVERIFY2(errors[0][0].toString().startsWith("bad watch event"), qPrintable(errors[0][0].toString()));
    QVERIFY(informer.snapshot()->find("lab", "cm2") == nullptr);  // nothing after the garbage was applied
    informer.stop();
}

void RestInformerTest::stopEndsRequests() {
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.param("watch") != "1") {
            c.respond(200, list(10, {}));
            return;
        }
        c.startChunked();
        server.sleepUnlessStopping(30000);
    });
    RestClient client(connectionTo(server));
    Informer informer(client, configMapsV1(), "lab", fastInformer());
    informer.start();
    QTRY_COMPARE_WITH_TIMEOUT(watches(server).size(), std::size_t(1), 20000);
    QTRY_COMPARE(client.activeRequestsForTest(), 1);
    informer.stop();
    QTRY_COMPARE(client.activeRequestsForTest(), 0);
    QTest::qWait(100);
    QCOMPARE(server.requests().size(), std::size_t(2));
}

void RestInformerTest::discoveryPicksVersions_data() {
    QTest::addColumn<bool>("sliceV1");
    QTest::newRow("1.20: discovery.k8s.io/v1beta1 only") << false;
    QTest::newRow("1.21+: discovery.k8s.io/v1") << true;
}

void RestInformerTest::discoveryPicksVersions() {
    QFETCH(bool, sliceV1);
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        const std::string notFound = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404})";
        if (r.path == "/api") {
            c.respond(200, R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]})");
        } else if (r.path == "/apis") {
            const std::string disc = sliceV1 ? R"([{"groupVersion":"discovery.k8s.io/v1","version":"v1"},{"groupVersion":"discovery.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"discovery.k8s.io/v1","version":"v1"})"
                                             : R"([{"groupVersion":"discovery.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"discovery.k8s.io/v1beta1","version":"v1beta1"})";
            c.respond(200, R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)"
                           R"({"name":"networking.k8s.io","versions":[{"groupVersion":"networking.k8s.io/v1","version":"v1"},{"groupVersion":"networking.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"networking.k8s.io/v1","version":"v1"}},)"
                           R"({"name":"extensions","versions":[{"groupVersion":"extensions/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"extensions/v1beta1","version":"v1beta1"}},)"
                           R"({"name":"discovery.k8s.io","versions":)" + disc + "}]}");
        } else if (r.path == "/api/v1") {
            c.respond(200, R"({"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"services","singularName":"","namespaced":true,"kind":"Service","verbs":["get","list","watch"],"shortNames":["svc"]},{"name":"services/status","namespaced":true,"kind":"Service","verbs":["get"]},{"name":"namespaces","namespaced":false,"kind":"Namespace","verbs":["list"]}]})");
        } else if (r.path == "/apis/networking.k8s.io/v1") {
            c.respond(200, R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"networking.k8s.io/v1","resources":[{"name":"ingressclasses","namespaced":false,"kind":"IngressClass","verbs":["get","list"]},{"name":"ingresses","namespaced":true,"kind":"Ingress","verbs":["create","delete","get","list","patch","watch"],"shortNames":["ing"]},{"name":"ingresses/status","namespaced":true,"kind":"Ingress","verbs":["get","patch"]}]})");
        } else if (r.path == "/apis/discovery.k8s.io/v1beta1" && !sliceV1) {
            c.respond(200, R"({"kind":"APIResourceList","groupVersion":"discovery.k8s.io/v1beta1","resources":[{"name":"endpointslices","namespaced":true,"kind":"EndpointSlice","verbs":["list","watch"]}]})");
        } else if (r.path == "/apis/discovery.k8s.io/v1" && sliceV1) {
            c.respond(200, R"({"kind":"APIResourceList","groupVersion":"discovery.k8s.io/v1","resources":[{"name":"endpointslices","namespaced":true,"kind":"EndpointSlice","verbs":["list","watch"]}]})");
        } else {
            c.respond(404, notFound);
        }
    });
    RestClient client(connectionTo(server));
    std::optional<DiscoveryResult> result;
    std::optional<RestError> error;
    bool done = false;
    discover(client, nullptr, [&](const DiscoveryResult& r, const std::optional<RestError>& e) {
        result = r;
        error = e;
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    QVERIFY2(!error, error ? error->describe().c_str() : "");
    QCOMPARE(result->coreVersions, std::vector<std::string>{"v1"});
    QCOMPARE(result->groups.size(), std::size_t(3));
    QCOMPARE(result->groups[0].preferredVersion, std::string("v1"));
    QVERIFY(result->ingress);
    QCOMPARE(*result->ingress, ingressesV1());
    QVERIFY(result->ingressClass);
    QCOMPARE(result->ingressClass->namespaced, false);
    QVERIFY(result->endpointSlice);
    QCOMPARE(result->endpointSlice->version, std::string(sliceV1 ? "v1" : "v1beta1"));
    QCOMPARE(result->endpointSlice->collectionPath("lab"),
             std::string("/apis/discovery.k8s.io/") + (sliceV1 ? "v1" : "v1beta1") + "/namespaces/lab/endpointslices");
    const auto svc = result->find("", "v1", "services");
    QVERIFY(svc);
    QCOMPARE(svc->kind, std::string("Service"));
    QVERIFY(!result->find("", "v1", "services/status"));  // subresources are not resources
    // only the group versions Ingress Lab uses were fetched
    for (const auto& r : server.requests()) QVERIFY2(r.path.find("extensions") == std::string::npos, r.path.c_str());
}

QTEST_GUILESS_MAIN(RestInformerTest)
#include "rest_informer_test.moc"
