// ProxyServer with real compiled RouteTables (routing::RouteTable::compile): requests are routed by the table,
// and swapping tables while traffic flows drops no request (each request keeps the table it started with).
#include <QTest>

#include <atomic>
#include <thread>

#include "core/proxy/proxy_server.h"
#include "core/routing/route_table.h"
#include "core/yaml/yaml_reader.h"
#include "proxy_test_support.h"

using namespace ilab;
using namespace ilab::testing;

namespace {

// One Ingress: host swap.example, / -> Service `service` port 80.
routing::RouteTableConstSharedPtr compileFor(const std::string& service, int endpointPort, const std::string& pod) {
    std::string yaml =
        "apiVersion: v1\nkind: Service\nmetadata: {name: " + service +
        ", namespace: default}\nspec:\n  ports: [{name: http, port: 80, targetPort: 8080}]\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: swap, namespace: default}\nspec:\n"
        "  ingressClassName: nginx\n  rules:\n  - host: swap.example\n    http:\n      paths:\n"
        "      - path: /\n        pathType: Prefix\n        backend: {service: {name: " +
        service + ", port: {number: 80}}}\n";
    model::Workspace ws;
    yaml::readText(yaml, "swap.yaml", ws);
    routing::EndpointMap endpoints;
    endpoints[routing::EndpointKey{"default", service, 80}] = {routing::Endpoint{"127.0.0.1", endpointPort, pod}};
    return routing::RouteTable::compile(ws, routing::ControllerSettings{}, &endpoints).table;
}

}  // namespace

class RouteTableSwapTest : public QObject {
    Q_OBJECT
private slots:
    void routesWithCompiledTable() {
        TestUpstream a("pod-a");
        auto sink = std::make_shared<RecordingSink>();
        proxy::ProxyConfig cfg;
        cfg.httpPort = 0;
        cfg.httpsPort = -1;
        proxy::ProxyServer server(cfg, sink);
        server.setRouteTable(compileFor("svc-a", a.port(), "svc-a-0"));
        QVERIFY(server.start());
        RawClient c(server.httpPort());
        c.send("GET /x HTTP/1.1\r\nHost: swap.example\r\n\r\n");
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Pod"), std::string("pod-a"));
        c.send("GET /x HTTP/1.1\r\nHost: other.example\r\n\r\n");
        QCOMPARE(c.readResponse().status, 404);  // no rule: the default backend answers 404
        QTRY_COMPARE(sink->recordsCopy().size(), size_t(2));
        auto rec = sink->recordsCopy().front();
        QCOMPARE(rec.upstreamName, std::string("default-svc-a-80"));
        QCOMPARE(rec.ingress, std::string("default/swap"));
        QCOMPARE(rec.podName, std::string("svc-a-0"));
    }

    void swapDuringTrafficDropsNothing() {
        TestUpstream a("pod-a"), b("pod-b");
        auto tableA = compileFor("svc-a", a.port(), "svc-a-0");
        auto tableB = compileFor("svc-b", b.port(), "svc-b-0");
        proxy::ProxyConfig cfg;
        cfg.httpPort = 0;
        cfg.httpsPort = -1;
        cfg.workerThreads = 2;
        proxy::ProxyServer server(cfg, nullptr);
        server.setRouteTable(tableA);
        QVERIFY(server.start());
        int port = server.httpPort();

        std::atomic<bool> stop{false};
        std::atomic<int> ok{0}, failed{0}, sawA{0}, sawB{0};
        auto client = [&] {
            RawClient c(port);
            while (!stop) {
                if (!c.send("GET /t HTTP/1.1\r\nHost: swap.example\r\n\r\n")) {
                    ++failed;
                    return;
                }
                HttpResponse r = c.readResponse();
                if (r.status != 200) {
                    ++failed;
                    continue;
                }
                ++ok;
                (r.header("X-Pod") == "pod-a" ? sawA : sawB)++;
            }
        };
        std::vector<std::thread> clients;
        for (int i = 0; i < 3; ++i) clients.emplace_back(client);
        // Swap back and forth while the clients run, until both tables have served traffic a few times.
        for (int i = 0; i < 400 && (ok < 600 || sawA < 50 || sawB < 50); ++i) {
            server.setRouteTable(i % 2 ? tableA : tableB);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        stop = true;
        for (auto& t : clients) t.join();
        QCOMPARE(failed.load(), 0);
        QVERIFY2(ok >= 100, qPrintable(QString::number(ok.load())));
        QVERIFY(sawA > 0);
        QVERIFY(sawB > 0);
    }
};

QTEST_GUILESS_MAIN(RouteTableSwapTest)
#include "route_table_swap_test.moc"
