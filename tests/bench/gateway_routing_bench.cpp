// Gateway-profile routing benchmark (a program, not a test): the workspace sizes of routing_bench (hosts x paths
// spread over N objects), written once as Ingresses and once as the equivalent Gateway API objects (one Gateway
// with a hostname-less HTTP listener, one HTTPRoute per Ingress with the same hostnames, paths and backends).
// Prints decisions/s of the ingress-nginx profile beside the gateway profile for the same requests.
//   usage: gateway_routing_bench [--quick]

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "core/routing/route_table.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;

namespace {

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string generate(int hosts, int paths, int objects, bool gateway) {
    std::string out;
    const int total = hosts * paths;
    const int per = (total + objects - 1) / objects;
    if (gateway)
        out += "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  gatewayClassName: lab\n"
               "  listeners:\n  - {name: http, port: 80, protocol: HTTP}\n";
    int written = 0;
    for (int i = 0; i < objects && written < total; ++i) {
        const std::string name = "obj-" + std::to_string(i);
        std::string hostsText, body;
        int lastHost = -1;
        for (int k = 0; k < per && written < total; ++k, ++written) {
            const int h = written / paths, p = written % paths;
            const std::string host = "host" + std::to_string(h) + ".example.com";
            const std::string path = "/api/v" + std::to_string(p) + "/items";
            const std::string svc = "svc-" + std::to_string(h % 50);
            const bool exact = p % 3 == 0;
            if (gateway) {
                if (h != lastHost) hostsText += "  - " + host + "\n";
                body += "  - matches: [{path: {type: " + std::string(exact ? "Exact" : "PathPrefix") + ", value: " + path +
                        "}}]\n    backendRefs: [{name: " + svc + ", port: 80}]\n";
            } else {
                if (h != lastHost) body += "  - host: " + host + "\n    http:\n      paths:\n";
                body += "      - {path: " + path + ", pathType: " + (exact ? "Exact" : "Prefix") + ", backend: {service: {name: " + svc +
                        ", port: {number: 80}}}}\n";
            }
            lastHost = h;
        }
        if (gateway)
            out += "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: " + name +
                   "\nspec:\n  parentRefs: [{name: gw}]\n  hostnames:\n" + hostsText + "  rules:\n" + body;
        else
            out += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name +
                   "\nspec:\n  ingressClassName: nginx\n  rules:\n" + body;
    }
    for (int s = 0; s < 50; ++s)
        out += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-" + std::to_string(s) + "\nspec:\n  ports:\n  - port: 80\n";
    return out;
}

struct Result {
    double compileMs = 0, perSec = 0;
    int routed = 0;
};

Result run(int hosts, int paths, int objects, bool gateway, int decisions) {
    model::Workspace ws;
    yaml::readText(generate(hosts, paths, objects, gateway), "bench.yaml", ws);
    routing::EndpointMap eps;
    for (int s = 0; s < 50; ++s) eps[{"default", "svc-" + std::to_string(s), 80}] = {{"10.0.0.1", 8080, "pod-0"}};
    routing::ControllerSettings settings;
    settings.claimAllIngresses = true;
    settings.compileOtherProfile = false;
    settings.profile = gateway ? routing::Profile::Gateway : routing::Profile::IngressNginx;
    Result r;
    const double c0 = threadCpuSeconds();
    const auto compiled = routing::RouteTable::compile(ws, settings, &eps);
    r.compileMs = (threadCpuSeconds() - c0) * 1000.0;
    std::mt19937_64 rng(1);
    std::vector<routing::RequestView> reqs(4096);
    for (auto& q : reqs) {
        const int h = static_cast<int>(rng() % static_cast<std::uint64_t>(hosts));
        const int p = static_cast<int>(rng() % static_cast<std::uint64_t>(paths));
        q.host = "host" + std::to_string(h) + ".example.com";
        q.target = "/api/v" + std::to_string(p) + "/items" + (rng() % 4 == 0 ? "/123/detail?x=1" : "");
    }
    routing::Decision d;
    const double d0 = threadCpuSeconds();
    for (int i = 0; i < decisions; ++i) {
        compiled.table->routeInto(reqs[static_cast<std::size_t>(i) & 4095], static_cast<std::uint64_t>(i), false, d);
        r.routed += d.contactsBackend() ? 1 : 0;
    }
    r.perSec = decisions / (threadCpuSeconds() - d0);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const int decisions = quick ? 20'000 : 100'000;
    struct Size {
        int hosts, paths, objects;
    };
    std::vector<Size> sizes = {{10, 10, 10}, {100, 10, 100}, {1000, 10, 1000}, {1000, 10, 10000}};
    if (quick) sizes.pop_back();
    std::printf("%8s %6s %9s | %14s %12s %9s | %14s %12s %9s\n", "hosts", "paths", "objects", "nginx route/s", "compile ms",
                "routed %", "gateway route/s", "compile ms", "routed %");
    for (const auto& s : sizes) {
        const Result n = run(s.hosts, s.paths, s.objects, false, decisions);
        const Result g = run(s.hosts, s.paths, s.objects, true, decisions);
        std::printf("%8d %6d %9d | %14.0f %12.1f %8.1f%% | %14.0f %12.1f %8.1f%%\n", s.hosts, s.paths, s.objects, n.perSec,
                    n.compileMs, 100.0 * n.routed / decisions, g.perSec, g.compileMs, 100.0 * g.routed / decisions);
        std::fflush(stdout);
    }
    std::printf("objects = Ingresses (ingress-nginx profile) or HTTPRoutes (gateway profile); decisions/s and compile = CPU time\n"
                "of this thread, routeInto() as the proxy calls it. The gateway router looks the Host up in its listener's host index\n"
                "(exact, then wildcard suffixes, then hostname-less routes) and scans only that set's precedence-sorted matches.\n");
    return 0;
}
