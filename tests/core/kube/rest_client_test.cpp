// The Kubernetes REST client against a scripted HTTP server on 127.0.0.1: Status errors of each code parsed into
// ApiError, 429/504 retried after Retry-After / retryAfterSeconds, 401 -> CredentialSource refresh -> one retry,
// Warning headers, transport errors, the explicit proxy setting, callbacks on the context's thread, streams cut
// mid-line, and no secret in the trace.
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <cstdlib>
#include <future>
#include <thread>

#include "core/kube/rest_client.h"
#include "fake_api_server.h"

using namespace ilab;
using namespace ilab::kube;
using namespace ilab::testing;

namespace {

ClusterConnection connectionTo(const FakeApiServer& server) {
    ClusterConnection c;
    c.server = server.url();
    c.ns = "lab";
    return c;
}

RestClient::Options fastOptions() {
    RestClient::Options o;
    o.defaultRetryDelay = std::chrono::milliseconds(10);
    return o;
}


// Sends one request and waits (event loop running) for its reply.
RestReply sendAndWait(RestClient& client, RestRequest request, QObject* context = nullptr) {
    RestReply out;
    bool done = false;
    client.send(std::move(request), context, [&](const RestReply& r) {
        out = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000)) {
        RestError e;
        e.kind = RestErrorKind::Cancelled;
        e.message = "test timed out waiting for the reply";
        out.error = e;
    }
    return out;
}


RestRequest get(std::string path) {
    RestRequest r;
    r.path = std::move(path);
    return r;
}

struct FakeCredentials : CredentialSource {
    std::atomic<int> tokenCalls{0}, refreshCalls{0};
    std::atomic<bool> refreshWorks{true};
    std::atomic<int> generation{0};
    std::atomic<Qt::HANDLE> thread{nullptr};
    std::optional<SecretBytes> bearerToken() override {
        ++tokenCalls;
        thread = QThread::currentThreadId();
        return SecretBytes("token-" + std::to_string(generation.load()));
    }
    bool refreshAfter401() override {
        ++refreshCalls;
        if (!refreshWorks) return false;
        ++generation;
        return true;
    }
};

}  // namespace

class RestClientTest : public QObject {
    Q_OBJECT
private slots:
    void statusErrorsParsed_data();
    void statusErrorsParsed();
    void nonStatusErrorBody();
    void retriesAfterRetryAfterHeader();
    void retriesAfterRetryAfterSecondsInStatus();
    void retryAfterLongerThanAllowedIsReturned();
    void unauthorizedRefreshesOnceAndRetries();
    void unauthorizedWhenRefreshFails();
    void unauthorizedAgainAfterRefreshIsNotRetriedTwice();
    void warningHeadersSurfaced();
    void warningsOfAStreamSurfaceWhileItRuns();
    void submitFromAnotherThread();
    void slowCredentialsNeverBlockTheCaller();
    void transportErrorIsDistinct();
    void proxyIsExplicitNeverFromEnvironment();
    void proxyUrlIsUsed();
    void callbacksRunOnContextThread();
    void destroyedContextGetsNoCallback();
    void cancelStopsCallbacks();
    void cancelAfterCompletionBeforeDelivery();
    void noCallbackAfterClientDestroyed();
    void badServerUrlIsAClearError();
    void streamDeliversWholeLinesAndDropsCutLine();
    void secretsNeverInTrace();
    void queryAndPrefixEncoded();
};

void RestClientTest::statusErrorsParsed_data() {
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QStringList>("causes");  // "field|reason|message"
    QTest::addColumn<int>("retryAfter");      // -1: none

    // Bodies as kube-apiserver v1.20.2 sends them (cluster.md §2.2, §2.5, §2.6).
    QTest::newRow("401") << 401
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"
        << "Unauthorized" << "Unauthorized" << "" << "" << "" << QStringList{} << -1;
    QTest::newRow("403") << 403
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets is forbidden: User \"jane\" cannot list resource \"secrets\" in API group \"\" in the namespace \"lab\"","reason":"Forbidden","details":{"kind":"secrets"},"code":403})"
        << "Forbidden" << R"(secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "lab")"
        << "secrets" << "" << "" << QStringList{} << -1;
    QTest::newRow("404") << 404
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ingresses.networking.k8s.io \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"networking.k8s.io","kind":"ingresses"},"code":404})"
        << "NotFound" << R"(ingresses.networking.k8s.io "nope" not found)" << "ingresses" << "nope" << "networking.k8s.io"
        << QStringList{} << -1;
    QTest::newRow("409 conflict") << 409
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 2 conflicts: conflicts with \"ingress-lab\":\n- .metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size\n- .spec.ingressClassName","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"ingress-lab\"","field":".metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size"},{"reason":"FieldManagerConflict","message":"conflict with \"ingress-lab\"","field":".spec.ingressClassName"}]},"code":409})"
        << "Conflict"
        << "Apply failed with 2 conflicts: conflicts with \"ingress-lab\":\n- .metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size\n- .spec.ingressClassName"
        << "" << "" << ""
        << QStringList{R"(.metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size|FieldManagerConflict|conflict with "ingress-lab")",
                       R"(.spec.ingressClassName|FieldManagerConflict|conflict with "ingress-lab")"}
        << -1;
    QTest::newRow("410") << 410
        << R"({"kind":"Status","apiVersion":"v1","metadata":{"continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"},"status":"Failure","message":"The provided continue parameter is too old to display a consistent list result.","reason":"Expired","code":410})"
        << "Expired" << "The provided continue parameter is too old to display a consistent list result." << "" << ""
        << "" << QStringList{} << -1;
    QTest::newRow("422") << 422
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Ingress.extensions \"bad\" is invalid: spec.rules[0].http.paths[0].path: Invalid value: \"x\": must be an absolute path","reason":"Invalid","details":{"name":"bad","group":"extensions","kind":"Ingress","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"x\": must be an absolute path","field":"spec.rules[0].http.paths[0].path"}]},"code":422})"
        << "Invalid" << R"(Ingress.extensions "bad" is invalid: spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path)"
        << "Ingress" << "bad" << "extensions"
        << QStringList{R"(spec.rules[0].http.paths[0].path|FieldValueInvalid|Invalid value: "x": must be an absolute path)"} << -1;
    QTest::newRow("429") << 429
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":7},"code":429})"
        << "TooManyRequests" << "Too many requests, please try again later." << "" << "" << "" << QStringList{} << 7;
    QTest::newRow("504") << 504
        << R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: Too large resource version: 999999, current: 209","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},"code":504})"
        << "Timeout" << "Timeout: Too large resource version: 999999, current: 209" << "" << "" << ""
        << QStringList{"|ResourceVersionTooLarge|Too large resource version"} << 1;
}

void RestClientTest::statusErrorsParsed() {
    QFETCH(int, code);
    QFETCH(QString, body);
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) { c.respond(code, body.toStdString()); });
    RestRequest r = get("/api/v1/namespaces/lab/things");
    r.throttleRetries = 0;  // 429 and 504 would be retried otherwise
    RestClient client(connectionTo(server), {}, fastOptions());
    const RestReply reply = sendAndWait(client, r);
    QVERIFY(reply.error);
    QCOMPARE(reply.error->kind, RestErrorKind::Api);
    const ApiError& e = reply.error->api;
    QCOMPARE(e.http, code);
    QTEST(QString::fromStdString(e.reason), "reason");
    QTEST(QString::fromStdString(e.message), "message");
    QTEST(QString::fromStdString(e.kind), "kind");
    QTEST(QString::fromStdString(e.name), "name");
    QTEST(QString::fromStdString(e.group), "group");
    QStringList causes;
    for (const auto& c : e.causes)
        causes << QString::fromStdString(c.field + "|" + c.reason + "|" + c.message);
    QTEST(causes, "causes");
    QFETCH(int, retryAfter);
    QCOMPARE(e.retryAfter.has_value(), retryAfter >= 0);
    if (retryAfter >= 0) QCOMPARE(int(e.retryAfter->count()), retryAfter);
    if (code == 410) QCOMPARE(e.continueToken, std::string("eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"));
    if (code == 409) QVERIFY(e.isConflictWithManagers());
    QCOMPARE(reply.attempts, 1);
    // describe() names the code, the reason and the fields
    const std::string d = reply.error->describe();
    QVERIFY2(d.rfind(std::to_string(code) + " " + e.reason, 0) == 0, d.c_str());
    for (const auto& c : e.causes)
        if (!c.field.empty()) QVERIFY2(d.find(c.field) != std::string::npos, d.c_str());
}

void RestClientTest::nonStatusErrorBody() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) {
        c.respond(502, "<html><body>\nBad gateway\x01</body></html>", {}, "text/html");
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    const RestReply reply = sendAndWait(client, get("/api"));
    QVERIFY(reply.error);
    QCOMPARE(reply.error->kind, RestErrorKind::Api);
    QCOMPARE(reply.error->api.http, 502);
    QCOMPARE(reply.error->api.reason, std::string("Unknown"));
    QCOMPARE(reply.error->api.message, std::string("<html><body> Bad gateway</body></html>"));
}

void RestClientTest::retriesAfterRetryAfterHeader() {
    std::atomic<int> n{0};
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        if (n++ == 0) {
            c.respond(429, R"({"kind":"Status","status":"Failure","reason":"TooManyRequests","message":"slow down","code":429})",
                      {"Retry-After: 1"});
        } else {
            c.respond(200, R"({"kind":"APIVersions","versions":["v1"]})");
        }
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    QElapsedTimer t;
    t.start();
    const RestReply reply = sendAndWait(client, get("/api"));
    QVERIFY2(reply.ok(), reply.error ? reply.error->describe().c_str() : "");
    QCOMPARE(reply.attempts, 2);
    QCOMPARE(server.requests().size(), std::size_t(2));
    QVERIFY2(t.elapsed() >= 1000, QByteArray::number(t.elapsed()));  // waited as asked (a lower bound only)
    QCOMPARE(reply.json().value("kind").toString(), QString("APIVersions"));
}

void RestClientTest::retriesAfterRetryAfterSecondsInStatus() {
    std::atomic<int> n{0};
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        if (n++ == 0) {
            c.respond(504, R"({"kind":"Status","status":"Failure","reason":"Timeout","message":"Timeout: Too large resource version","details":{"causes":[{"reason":"ResourceVersionTooLarge"}],"retryAfterSeconds":1},"code":504})");
        } else {
            c.respond(200, R"({"kind":"ConfigMapList","items":[]})");
        }
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    QElapsedTimer t;
    t.start();
    const RestReply reply = sendAndWait(client, get("/api/v1/configmaps"));
    QVERIFY(reply.ok());
    QCOMPARE(reply.attempts, 2);
    QVERIFY2(t.elapsed() >= 1000, QByteArray::number(t.elapsed()));
}

void RestClientTest::retryAfterLongerThanAllowedIsReturned() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.respond(429, R"({"kind":"Status","status":"Failure","reason":"TooManyRequests","message":"slow down","code":429})",
                  {"Retry-After: 120"});
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    const RestReply reply = sendAndWait(client, get("/api"));
    QVERIFY(reply.error);
    QCOMPARE(reply.error->api.http, 429);
    QCOMPARE(reply.error->api.retryAfter, std::optional(std::chrono::seconds(120)));
    QCOMPARE(server.requests().size(), std::size_t(1));
}

void RestClientTest::unauthorizedRefreshesOnceAndRetries() {
    FakeApiServer server([&](const FakeRequest& r, FakeConnection& c) {
        if (r.header("authorization") != "Bearer token-1")
            c.respond(401, R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
        else
            c.respond(200, R"({"kind":"APIGroupList","groups":[]})");
    });
    auto creds = std::make_shared<FakeCredentials>();
    RestClient client(connectionTo(server), creds, fastOptions());
    const RestReply reply = sendAndWait(client, get("/apis"));
    QVERIFY2(reply.ok(), reply.error ? reply.error->describe().c_str() : "");
    QCOMPARE(creds->refreshCalls.load(), 1);
    QCOMPARE(reply.attempts, 2);
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), std::size_t(2));
    QCOMPARE(reqs[0].header("authorization"), std::string("Bearer token-0"));
    QCOMPARE(reqs[1].header("authorization"), std::string("Bearer token-1"));
    // The credential source ran on neither this thread nor ... at least not on the caller's thread.
    QVERIFY(creds->thread.load() != QThread::currentThreadId());
}

void RestClientTest::unauthorizedWhenRefreshFails() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.respond(401, R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
    });
    auto creds = std::make_shared<FakeCredentials>();
    creds->refreshWorks = false;
    RestClient client(connectionTo(server), creds, fastOptions());
    const RestReply reply = sendAndWait(client, get("/apis"));
    QVERIFY(reply.error);
    QCOMPARE(reply.error->api.http, 401);
    QCOMPARE(reply.error->api.reason, std::string("Unauthorized"));
    QCOMPARE(creds->refreshCalls.load(), 1);
    QCOMPARE(server.requests().size(), std::size_t(1));
}

void RestClientTest::unauthorizedAgainAfterRefreshIsNotRetriedTwice() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.respond(401, R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
    });
    auto creds = std::make_shared<FakeCredentials>();
    RestClient client(connectionTo(server), creds, fastOptions());
    const RestReply reply = sendAndWait(client, get("/apis"));
    QVERIFY(reply.error);
    QCOMPARE(reply.error->api.http, 401);
    QCOMPARE(creds->refreshCalls.load(), 1);
    QCOMPARE(server.requests().size(), std::size_t(2));
    QCOMPARE(reply.attempts, 2);
}

void RestClientTest::warningHeadersSurfaced() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.respond(200, R"({"kind":"IngressList","items":[]})",
                  {R"(Warning: 299 - "extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress")",
                   R"(Warning: 299 - "unknown field \"spec.bogus\"")"});
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    QSignalSpy spy(&client, &RestClient::warningReceived);
    const RestReply reply = sendAndWait(client, get("/apis/extensions/v1beta1/namespaces/lab/ingresses"));
    QVERIFY(reply.ok());
    QCOMPARE(reply.warnings.size(), std::size_t(2));
    QCOMPARE(reply.warnings[0], std::string("extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress"));
    QCOMPARE(reply.warnings[1], std::string(R"(unknown field "spec.bogus")"));
    QTRY_COMPARE(spy.count(), 2);
    QCOMPARE(spy[0][0].toString(), QString::fromStdString(reply.warnings[0]));
    QCOMPARE(spy[0][1].toString(), QString("GET"));
    QCOMPARE(spy[0][2].toString(), QString("/apis/extensions/v1beta1/namespaces/lab/ingresses"));
}

void RestClientTest::warningsOfAStreamSurfaceWhileItRuns() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.startChunked(200, {R"(Warning: 299 - "discovery.k8s.io/v1beta1 EndpointSlice is deprecated in v1.21+")"});
        server.sleepUnlessStopping(30000);
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    QSignalSpy spy(&client, &RestClient::warningReceived);
    bool done = false;
    RestRequest r = get("/apis/discovery.k8s.io/v1beta1/endpointslices");
    r.timeout = std::chrono::milliseconds(0);
    const auto id = client.stream(r, nullptr, {[](std::string) {}, [&](const RestReply&) { done = true; }});
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 20000);
    QVERIFY(!done);  // surfaced while the watch is still open
    QCOMPARE(spy[0][0].toString(), QString("discovery.k8s.io/v1beta1 EndpointSlice is deprecated in v1.21+"));
    client.cancel(id);
}

void RestClientTest::submitFromAnotherThread() {
    FakeApiServer server([](const FakeRequest& r, FakeConnection& c) { c.respond(200, "{\"path\":\"" + r.path + "\"}"); });
    RestClient client(connectionTo(server), {}, fastOptions());
    std::vector<std::string> paths;
    std::vector<QThread*> threads;
    std::thread submitter([&] {
        for (int i = 0; i < 5; ++i)
            client.send(get("/api/" + std::to_string(i)), nullptr, [&](const RestReply& reply) {
                paths.push_back(reply.json().value("path").toString().toStdString());
                threads.push_back(QThread::currentThread());
            });
    });
    submitter.join();
    QTRY_COMPARE_WITH_TIMEOUT(paths.size(), std::size_t(5), 20000);
    std::sort(paths.begin(), paths.end());
    QCOMPARE(paths, (std::vector<std::string>{"/api/0", "/api/1", "/api/2", "/api/3", "/api/4"}));
    for (QThread* t : threads) QCOMPARE(t, QThread::currentThread());  // delivered on the client's thread
}

void RestClientTest::slowCredentialsNeverBlockTheCaller() {
    // An exec plugin that waits for a browser login: bearerToken() blocks until this thread releases it. If send()
    // waited for credentials on the caller's thread, this test would deadlock.
    struct GatedCredentials : CredentialSource {
        std::promise<void> gate;
        std::shared_future<void> opened = gate.get_future().share();
        std::optional<SecretBytes> bearerToken() override {
            opened.wait();
            return SecretBytes("late-token");
        }
        bool refreshAfter401() override { return false; }
    };
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, "{}"); });
    auto creds = std::make_shared<GatedCredentials>();
    RestClient client(connectionTo(server), creds, fastOptions());
    bool done = false;
    client.send(get("/api"), nullptr, [&](const RestReply&) { done = true; });  // returns at once
    QTest::qWait(20);
    QVERIFY(!done);
    QCOMPARE(server.requests().size(), std::size_t(0));  // parked until the credentials arrive
    creds->gate.set_value();
    QTRY_VERIFY_WITH_TIMEOUT(done, 20000);
    QCOMPARE(server.requests().at(0).header("authorization"), std::string("Bearer late-token"));
}

void RestClientTest::transportErrorIsDistinct() {
    int port;
    {
        FakeApiServer gone([](const FakeRequest&, FakeConnection&) {});
        port = gone.port();
    }
    ClusterConnection c;
    c.server = "http://127.0.0.1:" + std::to_string(port);
    RestClient client(c, {}, fastOptions());
    const RestReply reply = sendAndWait(client, get("/api"));
    QVERIFY(reply.error);
    QCOMPARE(reply.error->kind, RestErrorKind::Transport);
    QCOMPARE(reply.error->transport.curlCode, 7);  // CURLE_COULDNT_CONNECT
    QCOMPARE(reply.http, 0);
    QVERIFY(reply.error->describe().find("transport error (curl 7)") == 0);
}

void RestClientTest::proxyIsExplicitNeverFromEnvironment() {
    // With no proxy-url in the kubeconfig the environment's proxy must not be used (client-go does the same).
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, "{}"); });
    qputenv("http_proxy", "http://127.0.0.1:1");
    qputenv("HTTP_PROXY", "http://127.0.0.1:1");
    qputenv("all_proxy", "http://127.0.0.1:1");
    RestClient client(connectionTo(server), {}, fastOptions());
    const RestReply reply = sendAndWait(client, get("/api"));
    qunsetenv("http_proxy");
    qunsetenv("HTTP_PROXY");
    qunsetenv("all_proxy");
    QVERIFY2(reply.ok(), reply.error ? reply.error->describe().c_str() : "");
}

void RestClientTest::proxyUrlIsUsed() {
    // The fake server plays an HTTP proxy: it gets the absolute URI of the (unreachable) API server.
    FakeApiServer proxy([](const FakeRequest&, FakeConnection& c) { c.respond(200, R"({"via":"proxy"})"); });
    ClusterConnection c;
    c.server = "http://kube.invalid:6443";
    c.proxyUrl = proxy.url();
    RestClient client(c, {}, fastOptions());
    const RestReply reply = sendAndWait(client, get("/api"));
    QVERIFY2(reply.ok(), reply.error ? reply.error->describe().c_str() : "");
    QCOMPARE(proxy.requests().at(0).target, std::string("http://kube.invalid:6443/api"));
}

void RestClientTest::callbacksRunOnContextThread() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, "{}"); });
    RestClient client(connectionTo(server), {}, fastOptions());
    // A context on another thread (with its own event loop) gets its callback there.
    QThread worker;
    worker.start();
    QObject onWorker;
    onWorker.moveToThread(&worker);
    std::atomic<QThread*> ranOn{nullptr};
    client.send(get("/api"), &onWorker, [&](const RestReply&) { ranOn = QThread::currentThread(); });
    QTRY_VERIFY(ranOn.load() != nullptr);
    QCOMPARE(ranOn.load(), &worker);
    // And nullptr: the client's thread (this one).
    QThread* ranOn2 = nullptr;
    client.send(get("/api"), nullptr, [&](const RestReply&) { ranOn2 = QThread::currentThread(); });
    QTRY_VERIFY(ranOn2 != nullptr);
    QCOMPARE(ranOn2, QThread::currentThread());
    worker.quit();
    worker.wait();
}

void RestClientTest::destroyedContextGetsNoCallback() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        server.sleepUnlessStopping(300);
        c.respond(200, "{}");
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    bool called = false;
    auto* context = new QObject;
    client.send(get("/api"), context, [&](const RestReply&) { called = true; });
    delete context;
    bool other = false;
    client.send(get("/api"), nullptr, [&](const RestReply&) { other = true; });
    QTRY_VERIFY_WITH_TIMEOUT(other, 10000);
    QTRY_COMPARE(client.activeRequestsForTest(), 0);
    QVERIFY(!called);
}

void RestClientTest::cancelAfterCompletionBeforeDelivery() {
    // The reply is complete and queued for this thread, but not delivered yet: cancel() still wins.
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, "{}"); });
    RestClient client(connectionTo(server), {}, fastOptions());
    bool called = false;
    const auto id = client.send(get("/api"), nullptr, [&](const RestReply&) { called = true; });
    for (int i = 0; i < 2000 && client.activeRequestsForTest() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    QCOMPARE(client.activeRequestsForTest(), 0);
    client.cancel(id);
    QTest::qWait(50);
    QVERIFY(!called);
}

void RestClientTest::noCallbackAfterClientDestroyed() {
    // A reply that finished on the I/O thread but was not yet delivered when the client goes away must not run:
    // callbacks (listAll's next page) may use the client.
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, "{}"); });
    bool called = false;
    QObject context;  // outlives the client
    {
        RestClient client(connectionTo(server), {}, fastOptions());
        client.send(get("/api"), &context, [&](const RestReply&) { called = true; });
        // wait for the I/O thread to finish the request without running this thread's event loop
        for (int i = 0; i < 2000 && client.activeRequestsForTest() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        QCOMPARE(client.activeRequestsForTest(), 0);
    }
    QTest::qWait(50);  // now deliver whatever was queued
    QVERIFY(!called);
}

void RestClientTest::badServerUrlIsAClearError() {
    for (const char* server : {"", "https://", "not a url", "https://[::1"}) {
        ClusterConnection c;
        c.server = server;
        RestClient client(c, {}, fastOptions());
        const RestReply reply = sendAndWait(client, get("/api"));
        QVERIFY2(reply.error, server);
        QCOMPARE(reply.error->kind, RestErrorKind::Transport);
        QVERIFY2(!reply.error->describe().empty(), server);
    }
}

void RestClientTest::cancelStopsCallbacks() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.startChunked();
        c.chunk("{\"n\":1}\n");
        server.sleepUnlessStopping(30000);
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    int lines = 0;
    bool done = false;
    RestRequest r = get("/api/v1/configmaps");
    r.timeout = std::chrono::milliseconds(0);
    const auto id = client.stream(r, nullptr, {[&](std::string) { ++lines; }, [&](const RestReply&) { done = true; }});
    QTRY_COMPARE(lines, 1);
    client.cancel(id);
    QTRY_COMPARE(client.activeRequestsForTest(), 0);
    QTest::qWait(50);
    QVERIFY(!done);
}

void RestClientTest::streamDeliversWholeLinesAndDropsCutLine() {
    FakeApiServer server([&](const FakeRequest&, FakeConnection& c) {
        c.startChunked();
        // Lines split across chunks at arbitrary places, then a line cut off by the connection closing.
        c.chunk("{\"type\":\"ADDED\",\"n\":1}\n{\"type\":\"MOD");
        server.sleepUnlessStopping(50);
        c.chunk("IFIED\",\"n\":2}\r\n\n{\"type\":\"ADDED\",\"n\":3}\n");
        server.sleepUnlessStopping(50);
        c.chunk("{\"type\":\"DELETED\",\"n\":");
        server.sleepUnlessStopping(50);
        c.close();
    });
    RestClient client(connectionTo(server), {}, fastOptions());
    std::vector<std::string> lines;
    std::optional<RestReply> end;
    RestRequest r = get("/api/v1/configmaps");
    r.timeout = std::chrono::milliseconds(0);
    client.stream(r, nullptr, {[&](std::string l) { lines.push_back(std::move(l)); }, [&](const RestReply& e) { end = e; }});
    QTRY_VERIFY_WITH_TIMEOUT(end.has_value(), 10000);
    QCOMPARE(lines, (std::vector<std::string>{R"({"type":"ADDED","n":1})", R"({"type":"MODIFIED","n":2})",
                                                R"({"type":"ADDED","n":3})"}));
    QCOMPARE(end->discardedBytes, std::string(R"({"type":"DELETED","n":)").size());
    QVERIFY(end->error);  // the chunked body was cut: a transport error, not a clean end
    QCOMPARE(end->error->kind, RestErrorKind::Transport);
    QCOMPARE(end->http, 200);
}

void RestClientTest::secretsNeverInTrace() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, R"({"data":{"tls.key":"S0VZ"}})"); });
    std::vector<std::string> trace;
    std::mutex traceMutex;
    RestClient::Options o = fastOptions();
    o.trace = [&](const std::string& l) {
        std::lock_guard lock(traceMutex);
        trace.push_back(l);
    };
    ClusterConnection c = connectionTo(server);
    c.auth.token = SecretBytes("sekret-token-123");
    RestClient client(c, {}, o);
    RestRequest r = get("/api/v1/namespaces/lab/secrets/x");
    const RestReply reply = sendAndWait(client, r);
    QVERIFY(reply.ok());
    QCOMPARE(server.requests().at(0).header("authorization"), std::string("Bearer sekret-token-123"));
    std::lock_guard lock(traceMutex);
    QCOMPARE(trace.size(), std::size_t(1));
    QVERIFY2(trace[0].find("GET " + server.url() + "/api/v1/namespaces/lab/secrets/x -> 200") == 0, trace[0].c_str());
    QVERIFY(trace[0].find("sekret") == std::string::npos);
    QVERIFY(trace[0].find("S0VZ") == std::string::npos);
}

void RestClientTest::queryAndPrefixEncoded() {
    FakeApiServer server([](const FakeRequest&, FakeConnection& c) { c.respond(200, "{}"); });
    ClusterConnection c = connectionTo(server);
    c.server = server.url() + "/k8s/clusters/c-1/";
    RestClient client(c, {}, fastOptions());
    RestRequest r = get("/api/v1/namespaces/lab/events");
    r.query = {{"fieldSelector", "involvedObject.kind=Ingress,involvedObject.name=shop"}, {"limit", "2"}};
    QVERIFY(sendAndWait(client, r).ok());
    const auto req = server.requests().at(0);
    QCOMPARE(req.path, std::string("/k8s/clusters/c-1/api/v1/namespaces/lab/events"));
    QCOMPARE(req.param("fieldSelector"), std::string("involvedObject.kind=Ingress,involvedObject.name=shop"));
    QCOMPARE(req.param("limit"), std::string("2"));
    QCOMPARE(req.header("accept"), std::string("application/json"));
}

QTEST_GUILESS_MAIN(RestClientTest)
#include "rest_client_test.moc"
