// ingress-lab-cli route FILE|DIR... --url URL [options]: one routing decision with its trace, no traffic.
// The --json object is a stable contract (issue 3): status, backend, ingress, upstreamPath, location,
// responseHeaders, upstreamHeaders, tls, trace, distribution (with --samples).

#include <cstdio>
#include <map>
#include <random>
#include <regex>
#include <string>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/routing/route_table.h"

namespace ilab::cli {

namespace {

const char* ROUTE_USAGE =
    "usage: ingress-lab-cli route FILE|DIR... --url URL [-X METHOD] [-H 'Name: value']... [--cookie name=value]...\n"
    "                             [--client-ip IP] [--sni NAME] [--profile ingress-nginx|kubernetes|gateway]\n"
    "                             [--controller-arg ARG]... [--samples N] [--seed S] [--content-length N] [--json]\n"
    "One routing decision for a request, with the trace that explains it. No traffic is sent.\n"
    "  --controller-arg  a controller flag, e.g. --controller-arg=--default-backend-service=ns/name\n"
    "  --samples N       decide N times with seeded random values and print the backend distribution\n"
    "Exit codes: 0 decided, 2 bad usage or unreadable input.\n";

int usageError(const std::string& msg) {
    std::fprintf(stderr, "ingress-lab-cli route: %s\n\n%s", msg.c_str(), ROUTE_USAGE);
    return 2;
}

QJsonObject headersObject(const std::vector<std::pair<std::string, std::string>>& hs) {
    QJsonObject o;
    for (const auto& [k, v] : hs) o.insert(QString::fromStdString(k), QString::fromStdString(v));
    return o;
}

std::string backendKey(const routing::Decision& d) {
    if (!d.contactsBackend() || !d.backend) return "";
    const auto& b = (d.endpoints && d.endpoints->empty() && d.fallbackBackend) ? *d.fallbackBackend : *d.backend;
    return b.ns + "/" + b.service + ":" + b.port;
}

}  // namespace

// Shared with `test`: parse one --url etc. into a RequestView. Returns "" on success, else the error.
std::string buildRequest(const std::string& url, const std::string& method, const std::vector<std::string>& headers,
                         const std::vector<std::string>& cookies, const std::string& clientIp, const std::string& sni,
                         routing::RequestView& req) {
    QUrl u(QString::fromStdString(url), QUrl::StrictMode);
    // A host QUrl refuses but a client still sends in Host (an empty label "foo..bar.com", a leading "-"): the
    // controller answers it (nginx's ngx_http_validate_host: 400), so it is a request, not a usage error.
    std::string rawHost;
    if (!u.isValid() || u.host().isEmpty()) {
        static const std::regex lenient(R"(^(https?)://([A-Za-z0-9._~!$&'()*+,;=%-]+)(:[0-9]{1,5})?([/?#].*)?$)");
        std::smatch m;
        if (std::regex_match(url, m, lenient)) {
            const QUrl stand(QString::fromStdString(m[1].str() + "://host.invalid" + m[3].str() + m[4].str()), QUrl::StrictMode);
            if (stand.isValid()) {
                u = stand;
                rawHost = m[2].str();
            }
        }
    }
    if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) || u.host().isEmpty())
        return "--url must be an absolute http:// or https:// URL, got '" + url + "'";
    req.scheme = u.scheme().toStdString();
    req.method = method.empty() ? "GET" : method;
    const int port = u.port(-1);
    req.listenPort = port > 0 ? port : (req.scheme == "https" ? 443 : 80);
    std::string host = rawHost.empty() ? u.host(QUrl::FullyEncoded).toStdString() : rawHost;
    if (rawHost.empty() && u.host().contains(QLatin1Char(':'))) host = "[" + host + "]";
    req.host = port > 0 ? host + ":" + std::to_string(port) : host;
    std::string target = u.path(QUrl::FullyEncoded).toStdString();
    if (target.empty()) target = "/";
    if (u.hasQuery()) target += "?" + u.query(QUrl::FullyEncoded).toStdString();
    req.target = target;
    for (const auto& h : headers) {
        const auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0) return "-H takes 'Name: value', got '" + h + "'";
        std::string v = h.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(v.begin());
        const std::string name = h.substr(0, colon);
        if (name == "Host" || name == "host") req.host = v;
        else req.headers.emplace_back(name, v);
        if (name == "Content-Length" || name == "content-length") {
            try {
                req.contentLength = std::stoull(v);
            } catch (...) {
                return "Content-Length must be a number";
            }
        }
    }
    if (!cookies.empty()) {
        std::string c;
        for (const auto& ck : cookies) {
            if (ck.find('=') == std::string::npos) return "--cookie takes name=value, got '" + ck + "'";
            c += (c.empty() ? "" : "; ") + ck;
        }
        req.headers.emplace_back("Cookie", c);
    }
    if (!clientIp.empty()) req.clientIp = clientIp;
    if (req.scheme == "https") req.sni = sni.empty() ? (rawHost.empty() ? u.host().toStdString() : rawHost) : sni;
    return "";
}

int runRoute(const QStringList& args) {
    QStringList paths;
    std::string url, method = "GET", clientIp, sni, profileText;
    std::vector<std::string> headers, cookies, controllerArgs;
    long long samples = 0;
    unsigned long long seed = 1;
    std::optional<unsigned long long> contentLength;
    bool json = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args[i];
        auto value = [&](const char* flag) -> std::optional<std::string> {
            const QString f = QLatin1String(flag);
            if (a.startsWith(f + QLatin1Char('='))) return a.mid(f.size() + 1).toStdString();
            if (a == f) {
                if (i + 1 >= args.size()) return std::nullopt;
                return args[++i].toStdString();
            }
            return std::nullopt;
        };
        auto isFlag = [&](const char* flag) {
            const QString f = QLatin1String(flag);
            return a == f || a.startsWith(f + QLatin1Char('='));
        };
        std::optional<std::string> v;
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(ROUTE_USAGE, stdout);
            return 0;
        } else if (a == QLatin1String("--json")) {
            json = true;
        } else if (isFlag("--url")) {
            if (!(v = value("--url"))) return usageError("--url needs a value");
            url = *v;
        } else if (a == QLatin1String("-X") || isFlag("--method")) {
            if (a == QLatin1String("-X")) {
                if (i + 1 >= args.size()) return usageError("-X needs a method");
                method = args[++i].toStdString();
            } else if (!(v = value("--method"))) {
                return usageError("--method needs a value");
            } else {
                method = *v;
            }
        } else if (a == QLatin1String("-H") || isFlag("--header")) {
            if (a == QLatin1String("-H")) {
                if (i + 1 >= args.size()) return usageError("-H needs 'Name: value'");
                headers.push_back(args[++i].toStdString());
            } else if (!(v = value("--header"))) {
                return usageError("--header needs a value");
            } else {
                headers.push_back(*v);
            }
        } else if (isFlag("--cookie")) {
            if (!(v = value("--cookie"))) return usageError("--cookie needs name=value");
            cookies.push_back(*v);
        } else if (isFlag("--client-ip")) {
            if (!(v = value("--client-ip"))) return usageError("--client-ip needs an address");
            clientIp = *v;
        } else if (isFlag("--sni")) {
            if (!(v = value("--sni"))) return usageError("--sni needs a name");
            sni = *v;
        } else if (isFlag("--profile")) {
            if (!(v = value("--profile"))) return usageError("--profile needs ingress-nginx, kubernetes or gateway");
            profileText = *v;
        } else if (isFlag("--controller-arg")) {
            if (!(v = value("--controller-arg"))) return usageError("--controller-arg needs a flag");
            controllerArgs.push_back(*v);
        } else if (isFlag("--samples")) {
            if (!(v = value("--samples"))) return usageError("--samples needs a number");
            try {
                samples = std::stoll(*v);
            } catch (...) {
                samples = -1;
            }
            if (samples < 1 || samples > 10'000'000) return usageError("--samples takes 1..10000000");
        } else if (isFlag("--seed")) {
            if (!(v = value("--seed"))) return usageError("--seed needs a number");
            try {
                seed = std::stoull(*v);
            } catch (...) {
                return usageError("--seed takes a non-negative integer");
            }
        } else if (isFlag("--content-length")) {
            if (!(v = value("--content-length"))) return usageError("--content-length needs a number");
            try {
                contentLength = std::stoull(*v);
            } catch (...) {
                return usageError("--content-length takes a number");
            }
        } else if (a.startsWith(QLatin1Char('-')) && a != QLatin1String("-")) {
            return usageError("unknown option " + a.toStdString());
        } else {
            paths << a;
        }
    }
    if (url.empty()) return usageError("--url is required");
    routing::ControllerSettings settings;
    if (!profileText.empty()) {
        auto p = routing::parseProfile(profileText);
        if (!p) return usageError("unknown profile '" + profileText + "' (ingress-nginx, kubernetes or gateway)");
        settings.profile = *p;
    }
    for (const auto& ca : controllerArgs) {
        std::string err;
        if (!settings.applyControllerArg(ca, &err)) return usageError(err);
    }
    routing::RequestView req;
    if (auto err = buildRequest(url, method, headers, cookies, clientIp, sni, req); !err.empty()) return usageError(err);
    if (contentLength) req.contentLength = *contentLength;

    model::Workspace ws;
    if (!loadWorkspace(paths, ws, "route")) return 2;
    const auto compiled = routing::RouteTable::compile(ws, settings);
    const auto& table = *compiled.table;

    std::mt19937_64 rng(seed);
    const routing::Decision d = table.route(req, rng(), true);
    std::map<std::string, long long> distribution;
    if (samples > 0) {
        std::mt19937_64 srng(seed);
        for (long long n = 0; n < samples; ++n) {
            const routing::Decision x = table.route(req, srng(), false);
            const std::string k = backendKey(x);
            distribution[k.empty() ? "status " + std::to_string(x.clientStatus()) : k]++;
        }
    }

    if (json) {
        QJsonObject o;
        o.insert(QStringLiteral("status"), d.clientStatus());
        if (d.contactsBackend() && d.backend) {
            const auto& b = (d.endpoints && d.endpoints->empty() && d.fallbackBackend) ? *d.fallbackBackend : *d.backend;
            QJsonObject bo;
            bo.insert(QStringLiteral("namespace"), QString::fromStdString(b.ns));
            bo.insert(QStringLiteral("service"), QString::fromStdString(b.service));
            const bool numeric = !b.port.empty() && b.port.find_first_not_of("0123456789") == std::string::npos;
            if (numeric) bo.insert(QStringLiteral("port"), std::stoi(b.port));
            else bo.insert(QStringLiteral("port"), QString::fromStdString(b.port));
            o.insert(QStringLiteral("backend"), bo);
        } else {
            o.insert(QStringLiteral("backend"), QJsonValue::Null);
        }
        o.insert(QStringLiteral("ingress"), d.ingress.empty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromStdString(d.ingress)));
        o.insert(QStringLiteral("upstreamPath"), QString::fromStdString(d.upstreamPath));
        o.insert(QStringLiteral("location"), QString::fromStdString(d.location));
        o.insert(QStringLiteral("responseHeaders"), headersObject(d.responseHeaders));
        o.insert(QStringLiteral("upstreamHeaders"), d.contactsBackend() ? headersObject(d.upstreamHeaders) : QJsonObject());
        if (req.scheme == "https") {
            QJsonObject t;
            t.insert(QStringLiteral("certificate"), QString::fromStdString(d.tlsCertificate.value_or("default")));
            o.insert(QStringLiteral("tls"), t);
        }
        if (!d.canary.empty()) o.insert(QStringLiteral("canary"), QString::fromStdString(d.canary));
        if (d.contactsBackend() && !d.mirrors.empty()) {  // RequestMirror copies (gateway profile)
            QJsonArray mirrors;
            for (const auto& m : d.mirrors) {
                QJsonObject mo;
                mo.insert(QStringLiteral("namespace"), QString::fromStdString(m.backend.ns));
                mo.insert(QStringLiteral("service"), QString::fromStdString(m.backend.service));
                mo.insert(QStringLiteral("port"), m.backend.servicePort);
                mo.insert(QStringLiteral("endpoints"), m.endpoints ? static_cast<int>(m.endpoints->size()) : 0);
                mo.insert(QStringLiteral("numerator"), static_cast<int>(m.numerator));
                mo.insert(QStringLiteral("denominator"), static_cast<int>(m.denominator));
                mirrors.append(mo);
            }
            o.insert(QStringLiteral("mirrors"), mirrors);
        }
        o.insert(QStringLiteral("profile"), QString::fromLatin1(routing::toString(settings.profile)));
        if (!d.otherProfileDiffers.empty()) o.insert(QStringLiteral("otherProfileDiffers"), QString::fromStdString(d.otherProfileDiffers));
        QJsonArray trace;
        for (const auto& t : d.trace) trace.append(QString::fromStdString(t));
        o.insert(QStringLiteral("trace"), trace);
        if (samples > 0) {
            QJsonObject dist;
            for (const auto& [k, n] : distribution) dist.insert(QString::fromStdString(k), static_cast<double>(n));
            o.insert(QStringLiteral("distribution"), dist);
        }
        printText(stdout, QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString());
    } else {
        std::string out = req.method + " " + url + "\n";
        out += "  status:   " + std::to_string(d.clientStatus()) + (d.contactsBackend() ? " (from the backend; simulated pods answer 200)" : "") + "\n";
        const std::string bk = backendKey(d);
        out += "  backend:  " + (bk.empty() ? std::string("(none)") : bk) + "\n";
        if (!d.ingress.empty()) out += "  ingress:  " + d.ingress + "\n";
        if (!d.location.empty()) out += "  location: " + d.location + "\n";
        if (d.contactsBackend()) out += "  upstream path: " + d.upstreamPath + "\n";
        if (d.tlsCertificate) out += "  certificate: " + *d.tlsCertificate + "\n";
        if (!d.canary.empty()) out += "  canary:   " + d.canary + "\n";
        if (d.contactsBackend())
            for (const auto& m : d.mirrors)
                out += "  mirror:   " + m.backend.ns + "/" + m.backend.service + ":" + m.backend.port +
                       (m.numerator == m.denominator ? std::string()
                                                     : " (" + std::to_string(m.numerator) + "/" + std::to_string(m.denominator) + " of requests)") +
                       "\n";
        for (const auto& [k, v] : d.responseHeaders) out += "  response header " + k + ": " + v + "\n";
        out += "why:\n";
        for (const auto& t : d.trace) out += "  " + t + "\n";
        if (samples > 0) {
            out += "distribution over " + std::to_string(samples) + " decisions (seed " + std::to_string(seed) + "):\n";
            for (const auto& [k, n] : distribution) {
                char pct[32];
                std::snprintf(pct, sizeof pct, "%6.2f%%", 100.0 * static_cast<double>(n) / static_cast<double>(samples));
                out += "  " + std::string(pct) + "  " + std::to_string(n) + "  " + k + "\n";
            }
        }
        printText(stdout, out);
    }
    if (!compiled.diagnostics.empty() && !json) {
        std::fprintf(stderr, "compile diagnostics:\n");
        printDiagnostics(compiled.diagnostics, stderr);
    }
    return 0;
}

}  // namespace ilab::cli
