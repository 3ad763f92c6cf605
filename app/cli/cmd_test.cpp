// ingress-lab-cli test FILE|DIR... --cases F: golden requests -> expected status/backend/location.
// F is a YAML list of {name, request: {method, url, headers, cookies, clientIp, sni}, expect: {status, backend
// "svc:port" | null, location}}. Prints PASS/FAIL per case; exit 1 when one fails, 2 on bad usage.

#include <cstdio>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/routing/route_table.h"

namespace ilab::cli {

// cmd_route.cpp
std::string buildRequest(const std::string& url, const std::string& method, const std::vector<std::string>& headers,
                         const std::vector<std::string>& cookies, const std::string& clientIp, const std::string& sni,
                         routing::RequestView& req);

namespace {

const char* TEST_USAGE =
    "usage: ingress-lab-cli test FILE|DIR... --cases CASES.yaml [--profile ingress-nginx|kubernetes|gateway] [--controller-arg ARG]...\n"
    "CASES.yaml: a list of {name, request: {method, url, headers, cookies, clientIp, sni}, expect: {status, backend, location}}\n"
    "            backend is \"service:port\" (or \"namespace/service:port\"), null when no backend may be contacted.\n"
    "Exit codes: 0 all cases pass, 1 a case fails, 2 bad usage or unreadable input.\n";

int usageError(const std::string& msg) {
    std::fprintf(stderr, "ingress-lab-cli test: %s\n\n%s", msg.c_str(), TEST_USAGE);
    return 2;
}

std::string scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

}  // namespace

int runTest(const QStringList& args) {
    QStringList paths;
    std::string casesPath, profileText;
    std::vector<std::string> controllerArgs;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args[i];
        auto take = [&](const char* flag, std::string* out) {
            const QString f = QLatin1String(flag);
            if (a.startsWith(f + QLatin1Char('='))) {
                *out = a.mid(f.size() + 1).toStdString();
                return 1;
            }
            if (a == f) {
                if (i + 1 >= args.size()) return -1;
                *out = args[++i].toStdString();
                return 1;
            }
            return 0;
        };
        std::string v;
        int r = 0;
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(TEST_USAGE, stdout);
            return 0;
        } else if ((r = take("--cases", &casesPath)) != 0) {
            if (r < 0) return usageError("--cases needs a file");
        } else if ((r = take("--profile", &profileText)) != 0) {
            if (r < 0) return usageError("--profile needs a value");
        } else if ((r = take("--controller-arg", &v)) != 0) {
            if (r < 0) return usageError("--controller-arg needs a flag");
            controllerArgs.push_back(v);
        } else if (a.startsWith(QLatin1Char('-'))) {
            return usageError("unknown option " + a.toStdString());
        } else {
            paths << a;
        }
    }
    if (casesPath.empty()) return usageError("--cases is required");
    routing::ControllerSettings settings;
    if (!profileText.empty()) {
        auto p = routing::parseProfile(profileText);
        if (!p) return usageError("unknown profile '" + profileText + "'");
        settings.profile = *p;
    }
    settings.compileOtherProfile = false;
    for (const auto& ca : controllerArgs) {
        std::string err;
        if (!settings.applyControllerArg(ca, &err)) return usageError(err);
    }
    YAML::Node cases;
    try {
        cases = YAML::LoadFile(casesPath);
    } catch (const YAML::Exception& e) {
        std::fprintf(stderr, "ingress-lab-cli test: cannot read %s: %s\n", casesPath.c_str(), e.what());
        return 2;
    }
    if (!cases.IsSequence()) {
        std::fprintf(stderr, "ingress-lab-cli test: %s must be a YAML list of cases\n", casesPath.c_str());
        return 2;
    }
    model::Workspace ws;
    if (!loadWorkspace(paths, ws, "test")) return 2;
    const auto compiled = routing::RouteTable::compile(ws, settings);

    int failed = 0, passed = 0, index = 0;
    for (const auto& c : cases) {
        ++index;
        const std::string name = c["name"] ? scalar(c["name"]) : "case " + std::to_string(index);
        const YAML::Node r = c["request"];
        const YAML::Node e = c["expect"];
        if (!c.IsMap() || !r || !r.IsMap() || !e || !e.IsMap()) {
            std::fprintf(stderr, "ingress-lab-cli test: %s: needs request and expect maps\n", name.c_str());
            return 2;
        }
        std::vector<std::string> headers, cookies;
        if (const auto h = r["headers"]) {
            if (h.IsMap())
                for (auto it = h.begin(); it != h.end(); ++it) headers.push_back(it->first.Scalar() + ": " + scalar(it->second));
            else if (h.IsSequence())
                for (const auto& x : h) headers.push_back(scalar(x));
        }
        if (const auto ck = r["cookies"]; ck && ck.IsMap())
            for (auto it = ck.begin(); it != ck.end(); ++it) cookies.push_back(it->first.Scalar() + "=" + scalar(it->second));
        routing::RequestView req;
        const std::string err = buildRequest(scalar(r["url"]), r["method"] ? scalar(r["method"]) : "GET", headers, cookies,
                                             scalar(r["clientIp"]), scalar(r["sni"]), req);
        if (!err.empty()) {
            std::fprintf(stderr, "ingress-lab-cli test: %s: %s\n", name.c_str(), err.c_str());
            return 2;
        }
        const routing::Decision d = compiled.table->route(req, static_cast<std::uint64_t>(index), true);
        std::vector<std::string> problems;
        if (e["status"]) {
            int want = 0;
            try {
                want = e["status"].as<int>();
            } catch (const YAML::Exception&) {
                std::fprintf(stderr, "ingress-lab-cli test: %s: expect.status must be a number\n", name.c_str());
                return 2;
            }
            if (d.clientStatus() != want) problems.push_back("status " + std::to_string(d.clientStatus()) + ", expected " + std::to_string(want));
        }
        if (e["backend"]) {
            std::string got = "null";
            if (d.contactsBackend() && d.backend) {
                const auto& b = (d.endpoints && d.endpoints->empty() && d.fallbackBackend) ? *d.fallbackBackend : *d.backend;
                got = b.service + ":" + b.port;
                const std::string want = scalar(e["backend"]);
                if (want.find('/') != std::string::npos) got = b.ns + "/" + got;
            }
            const std::string want = e["backend"].IsNull() ? "null" : scalar(e["backend"]);
            if (got != want) problems.push_back("backend " + got + ", expected " + want);
        }
        if (e["location"] && d.location != scalar(e["location"]))
            problems.push_back("location '" + d.location + "', expected '" + scalar(e["location"]) + "'");
        if (problems.empty()) {
            ++passed;
            std::printf("PASS %s\n", name.c_str());
        } else {
            ++failed;
            std::string msg;
            for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
            std::printf("FAIL %s: %s\n", name.c_str(), msg.c_str());
            for (const auto& t : d.trace) std::printf("       %s\n", t.c_str());
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

}  // namespace ilab::cli
