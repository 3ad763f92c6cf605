// Routing benchmark (a program, not a test): generated workspaces up to 1,000 hosts x 10 paths and 10,000
// Ingresses. Prints compile time, decisions per second and memory (VmRSS) as a table. Decisions/s should stay
// near-flat as the table grows: hosts are a hash lookup, paths one hash lookup per path segment.
//   usage: routing_bench [--quick]

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/routing/route_table.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of this thread: the machine is shared, so wall time would measure the neighbours.
double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long vmRssKb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

// `hosts` hosts with `paths` paths each, spread over `ingresses` Ingresses (each Ingress owns whole hosts, or
// when ingresses > hosts, single paths).
std::string generate(int hosts, int paths, int ingresses) {
    std::string out;
    out.reserve(static_cast<std::size_t>(hosts) * paths * 200);
    const int total = hosts * paths;
    const int perIngress = (total + ingresses - 1) / ingresses;
    int written = 0;
    for (int i = 0; i < ingresses && written < total; ++i) {
        out += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ing-" + std::to_string(i) +
               "\nspec:\n  ingressClassName: nginx\n  rules:\n";
        int lastHost = -1;
        for (int k = 0; k < perIngress && written < total; ++k, ++written) {
            const int h = written / paths, p = written % paths;
            if (h != lastHost) {
                out += "  - host: host" + std::to_string(h) + ".example.com\n    http:\n      paths:\n";
                lastHost = h;
            }
            out += "      - path: /api/v" + std::to_string(p) + "/items\n        pathType: " + (p % 3 == 0 ? "Exact" : "Prefix") +
                   "\n        backend:\n          service:\n            name: svc-" + std::to_string(h % 50) +
                   "\n            port:\n              number: 80\n";
        }
    }
    for (int s = 0; s < 50; ++s)
        out += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-" + std::to_string(s) + "\nspec:\n  ports:\n  - port: 80\n";
    return out;
}

struct Row {
    int hosts, paths, ingresses;
    double loadMs, compileMs, decisionsPerSec, intoPerSec;
    long rssKb;
    int routed;
};

Row run(int hosts, int paths, int ingresses, int decisions) {
    Row r{hosts, paths, ingresses, 0, 0, 0, 0, 0, 0};
    const long rss0 = vmRssKb();
    auto t0 = Clock::now();
    model::Workspace ws;
    yaml::readText(generate(hosts, paths, ingresses), "bench.yaml", ws);
    auto t1 = Clock::now();
    routing::EndpointMap eps;
    for (int s = 0; s < 50; ++s) eps[{"default", "svc-" + std::to_string(s), 80}] = {{"10.0.0.1", 8080, "pod-0"}};
    routing::ControllerSettings settings;
    settings.claimAllIngresses = true;
    const double c0 = threadCpuSeconds();
    auto compiled = routing::RouteTable::compile(ws, settings, &eps);
    const double c1 = threadCpuSeconds();
    r.loadMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
    r.compileMs = (c1 - c0) * 1000.0;

    // Requests: random host and path, a quarter of them below a prefix, some unknown.
    std::mt19937_64 rng(1);
    std::vector<routing::RequestView> reqs(4096);
    for (auto& q : reqs) {
        const int h = static_cast<int>(rng() % static_cast<std::uint64_t>(hosts));
        const int p = static_cast<int>(rng() % static_cast<std::uint64_t>(paths));
        q.host = "host" + std::to_string(h) + ".example.com";
        q.target = "/api/v" + std::to_string(p) + "/items" + (rng() % 4 == 0 ? "/123/detail?x=1" : "");
    }
    const auto& table = *compiled.table;
    int ok = 0;
    const double d0 = threadCpuSeconds();
    for (int i = 0; i < decisions; ++i) {
        const auto d = table.route(reqs[static_cast<std::size_t>(i) & 4095], static_cast<std::uint64_t>(i));
        ok += d.contactsBackend() ? 1 : 0;
    }
    const double d1 = threadCpuSeconds();
    r.decisionsPerSec = decisions / (d1 - d0);
    r.routed = ok;
    // As the proxy routes: into its connection's reused Decision (RouteTable::routeInto), no trace.
    routing::Decision reused;
    int okInto = 0;
    const double e0 = threadCpuSeconds();
    for (int i = 0; i < decisions; ++i) {
        table.routeInto(reqs[static_cast<std::size_t>(i) & 4095], static_cast<std::uint64_t>(i), false, reused);
        okInto += reused.contactsBackend() ? 1 : 0;
    }
    const double e1 = threadCpuSeconds();
    r.intoPerSec = decisions / (e1 - e0);
    if (okInto != ok) std::fprintf(stderr, "routeInto routed %d, route %d\n", okInto, ok);
    r.rssKb = vmRssKb() - rss0;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const int decisions = quick ? 50'000 : 300'000;
    struct Size {
        int hosts, paths, ingresses;
    };
    std::vector<Size> sizes = {{10, 10, 10}, {100, 10, 100}, {1000, 10, 1000}, {1000, 10, 10000}};
    if (quick) sizes.pop_back();
    std::printf("%8s %6s %10s %10s %12s %14s %8s %14s %8s %12s %10s\n", "hosts", "paths", "ingresses", "load ms",
                "compile ms", "route()/s", "ns", "routeInto()/s", "ns", "RSS +KiB", "routed %");
    double first = 0, firstInto = 0;
    for (const auto& s : sizes) {
        const Row r = run(s.hosts, s.paths, s.ingresses, decisions);
        if (first == 0) first = r.decisionsPerSec;
        if (firstInto == 0) firstInto = r.intoPerSec;
        std::printf("%8d %6d %10d %10.1f %12.1f %14.0f %8.0f %14.0f %8.0f %12ld %9.1f%%   (x%.2f / x%.2f of smallest)\n",
                    r.hosts, r.paths, r.ingresses, r.loadMs, r.compileMs, r.decisionsPerSec, 1e9 / r.decisionsPerSec,
                    r.intoPerSec, 1e9 / r.intoPerSec, r.rssKb, 100.0 * r.routed / decisions, r.decisionsPerSec / first,
                    r.intoPerSec / firstInto);
        std::fflush(stdout);
    }
    std::printf("route() builds a new Decision per call; routeInto() reuses one, as the proxy does per connection.\n");
    std::printf("load = YAML parse (wall time); compile and decisions/s = CPU time of this thread. Compile includes the other\n"
                "profile's table (ControllerSettings::compileOtherProfile, used by explain). RSS includes the workspace.\n");
    return 0;
}
