// proxy_bench: runs our ProxyServer in front of one backend for tests/bench/proxy_bench.sh.
//   proxy_bench --backend-port N [--http PORT] [--https PORT] [--workers 1] [--cert FILE --key FILE] [--stand-in]
// The route is a real compiled RouteTable (one hostless Ingress, / Prefix -> Service "backend" whose endpoint is
// 127.0.0.1:N); --stand-in bypasses routing with a fixed Decision (to measure the router's share).
// Prints "ready http=ADDR:PORT https=ADDR:PORT" and runs until SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "core/proxy/proxy_server.h"
#include "core/routing/route_table.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;

namespace {
std::string readFile(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

const char* WORKSPACE =
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata: {name: backend, namespace: default}\n"
    "spec:\n"
    "  ports: [{name: http, port: 80, targetPort: 8080}]\n"
    "---\n"
    "apiVersion: networking.k8s.io/v1\n"
    "kind: Ingress\n"
    "metadata: {name: bench, namespace: default}\n"
    "spec:\n"
    "  ingressClassName: nginx\n"
    "  rules:\n"
    "  - http:\n"
    "      paths:\n"
    "      - path: /\n"
    "        pathType: Prefix\n"
    "        backend: {service: {name: backend, port: {number: 80}}}\n";
}  // namespace

int main(int argc, char** argv) {
    int backendPort = 0, httpPort = 0, httpsPort = 0, workers = 1;
    std::string certFile, keyFile;
    bool standIn = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--backend-port") backendPort = std::atoi(next().c_str());
        else if (a == "--http") httpPort = std::atoi(next().c_str());
        else if (a == "--https") httpsPort = std::atoi(next().c_str());
        else if (a == "--workers") workers = std::atoi(next().c_str());
        else if (a == "--cert") certFile = next();
        else if (a == "--key") keyFile = next();
        else if (a == "--stand-in") standIn = true;
        else {
            std::cerr << "unknown argument " << a << "\n";
            return 2;
        }
    }
    if (backendPort <= 0) {
        std::cerr << "usage: proxy_bench --backend-port N [--http P] [--https P] [--workers W] [--cert F --key F]\n";
        return 2;
    }
    // Block the stop signals in every thread (workers inherit the mask); main waits for them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    proxy::ProxyConfig cfg;
    cfg.httpPort = httpPort;
    cfg.httpsPort = httpsPort;
    cfg.workerThreads = workers;
    if (!certFile.empty()) {
        cfg.defaultCertPem = readFile(certFile);
        cfg.defaultKeyPem = readFile(keyFile);
    }
    proxy::ProxyServer server(cfg, nullptr);

    routing::Endpoint ep{"127.0.0.1", backendPort, "backend-0"};
    if (standIn) {
        auto eps = std::make_shared<std::vector<routing::Endpoint>>(std::vector<routing::Endpoint>{ep});
        server.setRouterForTest({[eps](const routing::RequestView& rv) {
                                     routing::Decision d;
                                     d.action = routing::Decision::Action::Proxy;
                                     d.backend = routing::BackendRef{"default", "backend", "80", 80, "default-backend-80"};
                                     d.endpoints = eps;
                                     d.upstreamHost = rv.host;
                                     return d;
                                 },
                                 {}});
    } else {
        model::Workspace ws;
        yaml::readText(WORKSPACE, "bench.yaml", ws);
        routing::EndpointMap endpoints;
        endpoints[routing::EndpointKey{"default", "backend", 80}] = {ep};
        routing::ControllerSettings settings;
        auto compiled = routing::RouteTable::compile(ws, settings, &endpoints);
        server.setRouteTable(compiled.table);
    }
    auto started = server.start();
    if (!started) {
        std::cerr << "error: " << started.message() << "\n";
        return 1;
    }
    std::printf("ready http=127.0.0.1:%d https=127.0.0.1:%d\n", server.httpPort(), server.httpsPort());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
    return 0;
}
