// `ingress-lab-cli traffic`: the lesson's `for i in {1..100}; do curl …; done | sort | uniq -c`, as a load
// generator with a per-backend summary, confidence intervals and verdicts. Runs loadgen::LoadGenerator on its
// worker thread; this (main) thread only parses arguments, draws the progress bar and prints the summary.
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/cli/traffic_target.h"
#include "core/loadgen/error_response.h"
#include "core/loadgen/load_generator.h"

namespace ilab::cli {

namespace {

using namespace std::chrono_literals;
using loadgen::ErrorKind;

const char* const TRAFFIC_USAGE =
    "usage: ingress-lab-cli traffic URL [-w WEIGHT] [URL [-w WEIGHT]]... [options]\n"
    "\n"
    "Sends HTTP(S) requests and counts who answered (the simulated pod's JSON, the controller's\n"
    "X-Ingress-Lab-Upstream header, or else the body), like `curl … | sort | uniq -c`.\n"
    "\n"
    "  -n N                 total requests (default 100 unless -d is given)\n"
    "  -d DURATION          run for a time instead: 10s, 500ms, 2m (with -n: whichever ends first)\n"
    "  -c C                 concurrency: requests in flight (default 10)\n"
    "  --rate R             open model: start R requests per second (default: as fast as possible)\n"
    "  -t THREADS           worker threads sharing -c, -n and --rate (default: one per core, at most 4)\n"
    "  -w, --weight W       relative weight of the preceding URL in the mix (default 1)\n"
    "  --resolve H:P:ADDR   pin host H port P to ADDR (like curl; HTTPS keeps SNI and Host)\n"
    "  -X METHOD            request method (default GET, or POST with --data)\n"
    "  -H 'Name: value'     request header (repeatable)\n"
    "  --cookie name=value  cookie (repeatable)\n"
    "  --data BODY          request body\n"
    "  -k, --insecure       do not verify TLS certificates\n"
    "  --cacert FILE        verify TLS certificates against this CA bundle\n"
    "  --timeout DURATION   per-request timeout (default 10s)\n"
    "  --no-keepalive       a fresh connection for every request\n"
    "  --expect B=SHARE     expected share of backend B: 10%, 10 or 0.1 (repeatable); exit 1 if not met\n"
    "  --json               print the summary as JSON\n"
    "  --csv FILE           write one row per request (hey's columns plus backend, error)\n"
    "  --uniq               print the `sort | uniq -c` view of the response bodies\n"
    "\n"
    "Exit codes: 0 the run completed, 1 an --expect verdict failed, 2 bad usage.\n";

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int) { g_interrupted.store(true); }

int usageError(const std::string& message) {
    std::fprintf(stderr, "ingress-lab-cli traffic: %s\n(see 'ingress-lab-cli traffic --help')\n", message.c_str());
    return 2;
}

// "10s", "1.5s", "500ms", "2m", "1h", or a plain number of seconds.
std::optional<std::chrono::milliseconds> parseDuration(const QString& text) {
    QString s = text.trimmed();
    double factor = 1000;
    if (s.endsWith("ms")) {
        factor = 1;
        s.chop(2);
    } else if (s.endsWith('s')) {
        s.chop(1);
    } else if (s.endsWith('m')) {
        factor = 60'000;
        s.chop(1);
    } else if (s.endsWith('h')) {
        factor = 3'600'000;
        s.chop(1);
    }
    bool ok = false;
    const double v = s.toDouble(&ok);
    if (!ok || !(v > 0) || v * factor > 1e12) return std::nullopt;
    return std::chrono::milliseconds(static_cast<int64_t>(std::llround(v * factor)));
}

// "10%", "10" (percent, since > 1) or "0.1" (fraction).
std::optional<double> parseShare(QString s) {
    bool percent = false;
    s = s.trimmed();
    if (s.endsWith('%')) {
        percent = true;
        s.chop(1);
    }
    bool ok = false;
    double v = s.trimmed().toDouble(&ok);
    if (!ok || v < 0) return std::nullopt;
    if (percent || v > 1) v /= 100;
    if (v > 1) return std::nullopt;
    return v;
}

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string ms(int64_t us) { return fmt("%.2f", static_cast<double>(us) / 1000.0); }

void drawProgress(const loadgen::Progress& p, bool final) {
    double fraction = 0;
    if (p.planned > 0) fraction = static_cast<double>(p.completed) / static_cast<double>(p.planned);
    if (p.durationSeconds > 0) fraction = std::max(fraction, p.elapsedSeconds / p.durationSeconds);
    fraction = std::clamp(fraction, 0.0, 1.0);
    constexpr int WIDTH = 30;
    const int filled = static_cast<int>(fraction * WIDTH);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < WIDTH) bar += '>';
    bar.resize(WIDTH, ' ');
    const double rps = p.elapsedSeconds > 0 ? static_cast<double>(p.completed) / p.elapsedSeconds : 0;
    std::fprintf(stderr, "\r[%s] %llu done  %.0f req/s  %llu errors ", bar.c_str(),
                 static_cast<unsigned long long>(p.completed), rps, static_cast<unsigned long long>(p.errors));
    if (final) std::fprintf(stderr, "\r%*s\r", WIDTH + 60, "");
    std::fflush(stderr);
}

// The smallest shift from p0 that a run with n responses detects (95 % confidence, 80 % power), by bisection
// over requestsToDetect.
double detectableShift(double p0, uint64_t n) {
    if (n == 0 || p0 <= 0 || p0 >= 1) return 0;
    double lo = 0, hi = (1 - p0) * 0.999;
    if (loadgen::requestsToDetect(p0, p0 + hi) > n) return 0;  // not even the largest shift is detectable
    for (int i = 0; i < 60; ++i) {
        const double mid = (lo + hi) / 2;
        if (mid <= 0) break;
        if (loadgen::requestsToDetect(p0, p0 + mid) <= n)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

void printSummary(const loadgen::LoadConfig& cfg, const loadgen::Results& r,
                  const std::vector<loadgen::ShareExpectation>& expectations, bool& expectationsFailed) {
    std::string out;
    auto line = [&out](const std::string& s) { out += s + "\n"; };
    char buf[512];
    std::snprintf(buf, sizeof buf, "%llu requests in %.2f s: %.1f req/s, concurrency %d, %s", 
                  static_cast<unsigned long long>(r.total()), r.elapsedSeconds(), r.requestsPerSecond(),
                  cfg.concurrency, cfg.rate > 0 ? fmt("open model at %.1f req/s", cfg.rate).c_str() : "closed model");
    line(buf);
    if (r.cancelled() > 0)
        line("  (" + std::to_string(r.cancelled()) + " in-flight requests cancelled by interrupt)");

    const auto backends = r.backends();
    line("");
    std::snprintf(buf, sizeof buf, "Backends (%llu responses):", static_cast<unsigned long long>(r.backendResponses()));
    line(buf);
    if (backends.empty())
        line(r.responses() ? "  (none: every response was the controller's own error answer)"
                           : "  (none: no request got a response)");
    size_t width = 8;
    for (const auto& b : backends) width = std::max(width, std::min<size_t>(b.name.size(), 60));
    for (const auto& b : backends) {
        const loadgen::ShareInterval ci = loadgen::wilsonInterval(b.count, r.responses());
        std::snprintf(buf, sizeof buf, "  %-*s %8llu  %5.1f %% ± %.1f %%  (95 %% CI %.1f–%.1f %%)",
                      static_cast<int>(width), b.name.substr(0, 60).c_str(), static_cast<unsigned long long>(b.count),
                      ci.observed * 100, ci.halfWidth() * 100, ci.low * 100, ci.high * 100);
        line(buf);
    }
    const auto pods = r.pods();
    if (pods.size() > backends.size()) {
        line("  pods:");
        for (const auto& p : pods) {
            std::snprintf(buf, sizeof buf, "    %-*s %8llu  %s/%s%s", static_cast<int>(width), p.backend.substr(0, 60).c_str(),
                          static_cast<unsigned long long>(p.count), p.ns.c_str(), p.pod.c_str(),
                          p.version.empty() ? "" : (" (" + p.version + ")").c_str());
            line(buf);
        }
    }

    if (!expectations.empty()) {
        line("");
        line("Expected shares (95 % confidence):");
        for (const auto& e : expectations) {
            const loadgen::ShareCheck c = r.checkShare(e);
            if (!c.consistent) expectationsFailed = true;
            line("  " + e.backend + ": " + c.verdict);
            const uint64_t need = loadgen::requestsToDetect(e.share, std::min(0.999, e.share * 1.2));
            const double shift = detectableShift(e.share, r.responses());
            if (need > 0) {
                std::string detail = "    telling " + loadgen::formatPercent(e.share) + " from " +
                                     loadgen::formatPercent(std::min(0.999, e.share * 1.2)) + " needs " +
                                     std::to_string(need) + " responses (80 % power)";
                if (shift > 0)
                    detail += "; this run detects a shift of ±" + fmt("%.1f", shift * 100) + " points";
                line(detail);
            }
        }
    } else if (backends.size() == 2 && r.responses() > 0) {
        // Two backends answered: a canary split. Compare with the nearest 5 % step, and say that it is a guess.
        const auto& minor = backends[1];
        const double observed = static_cast<double>(minor.count) / static_cast<double>(r.responses());
        double step = std::round(observed * 20) / 20;
        if (step <= 0) step = 0.05;
        const loadgen::ShareCheck c = loadgen::checkShare(minor.count, r.responses(), step);
        line("");
        line("Split: " + backends[0].name + " / " + minor.name + " = " +
             loadgen::formatPercent(1 - c.interval.observed) + " / " + loadgen::formatPercent(c.interval.observed));
        line("  " + minor.name + ": " + c.verdict + " (nearest 5 % step; --expect " + minor.name +
             "=SHARE tests a given weight)");
    }

    line("");
    line("Status codes:");
    if (r.statuses().empty()) line("  (none)");
    for (const auto& [code, count] : r.statuses()) {
        std::snprintf(buf, sizeof buf, "  %3d %8llu", code, static_cast<unsigned long long>(count));
        line(buf);
    }

    line("");
    if (r.errors() == 0 && r.errorResponses() == 0) {
        line("Errors: none");
    } else {
        std::string kinds;
        if (r.errorResponses() > 0) kinds = "error responses " + std::to_string(r.errorResponses());
        for (int k = 1; k < loadgen::ERROR_KIND_COUNT; ++k) {
            const uint64_t n = r.errorCount(static_cast<ErrorKind>(k));
            if (n == 0) continue;
            if (!kinds.empty()) kinds += ", ";
            kinds += std::string(loadgen::errorKindName(static_cast<ErrorKind>(k))) + " " + std::to_string(n);
        }
        line("Errors: " + std::to_string(r.errors() + r.errorResponses()) + " (" + kinds + ")");
        // The controller's own answers, by status and cause (the lab's summary uses the same labels).
        for (const auto& e : r.errorResponseGroups()) {
            const loadgen::ShareInterval ci = loadgen::wilsonInterval(e.count, r.responses());
            std::snprintf(buf, sizeof buf, "  %-34s %8llu  %5.1f %%", 
                          loadgen::errorGroupLabel(e.status, e.reason, {}, false).c_str(),
                          static_cast<unsigned long long>(e.count), ci.observed * 100);
            line(buf + (e.detail.empty() ? std::string() : "  " + e.detail));
        }
        size_t shown = 0;
        for (const auto& e : r.errorMessages()) {
            if (++shown > 10) break;
            std::snprintf(buf, sizeof buf, "  %-8s %8llu  ", std::string(loadgen::errorKindName(e.kind)).c_str(),
                          static_cast<unsigned long long>(e.count));
            line(buf + e.message);
        }
    }

    line("");
    const auto& h = r.latency();
    if (h.count() == 0) {
        line("Latency: no responses");
    } else {
        line("Latency (ms): min " + ms(h.min()) + "  p50 " + ms(h.percentile(0.5)) + "  p90 " + ms(h.percentile(0.9)) +
             "  p99 " + ms(h.percentile(0.99)) + "  max " + ms(h.max()) + "  mean " + fmt("%.2f", h.mean() / 1000));
    }
    printText(stdout, out);
}

}  // namespace

int runTraffic(const QStringList& args) {
    loadgen::LoadConfig cfg;
    cfg.concurrency = 10;
    // libcurl costs ~40 us of CPU per request, several times wrk: one thread per core (like wrk's and hey's
    // defaults) is what lets the generator keep up with the proxy. The generator caps threads at -c.
    cfg.threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    std::vector<loadgen::ShareExpectation> expectations;
    std::vector<std::string> headers;
    std::vector<std::pair<std::string, std::string>> cookies;
    std::string method, body, csvPath;
    bool hasBody = false, json = false, uniq = false, haveCount = false;
    TargetOptions targetOptions;

    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        auto value = [&](QString& out) {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        QString v;
        if (a == "--help" || a == "-h") {
            std::fputs(TRAFFIC_USAGE, stdout);
            std::fputs("\n", stdout);
            std::fputs(TARGET_USAGE, stdout);
            return 0;
        }
        std::string targetError;
        if (parseTargetOption(args, i, targetOptions, targetError)) {
            if (!targetError.empty()) return usageError(targetError);
            continue;
        }
        if (a == "-n") {
            if (!value(v)) return usageError("-n needs a number");
            bool ok = false;
            cfg.requests = v.toULongLong(&ok);
            if (!ok || cfg.requests == 0) return usageError("-n must be a positive number, not '" + v.toStdString() + "'");
            haveCount = true;
        } else if (a == "-d") {
            if (!value(v)) return usageError("-d needs a duration");
            const auto d = parseDuration(v);
            if (!d) return usageError("-d: cannot read duration '" + v.toStdString() + "' (10s, 500ms, 2m)");
            cfg.duration = *d;
        } else if (a == "-c") {
            if (!value(v)) return usageError("-c needs a number");
            bool ok = false;
            cfg.concurrency = v.toInt(&ok);
            if (!ok || cfg.concurrency < 1 || cfg.concurrency > 10000)
                return usageError("-c must be between 1 and 10000");
        } else if (a == "-t" || a == "--threads") {
            if (!value(v)) return usageError("-t needs a number");
            bool ok = false;
            cfg.threads = v.toInt(&ok);
            if (!ok || cfg.threads < 1 || cfg.threads > 64) return usageError("-t must be between 1 and 64");
        } else if (a == "--rate") {
            if (!value(v)) return usageError("--rate needs a number");
            bool ok = false;
            cfg.rate = v.toDouble(&ok);
            if (!ok || !(cfg.rate > 0)) return usageError("--rate must be a positive number of requests per second");
        } else if (a == "-w" || a == "--weight") {
            if (!value(v)) return usageError(a.toStdString() + " needs a number");
            if (cfg.targets.empty()) return usageError(a.toStdString() + " must follow a URL");
            bool ok = false;
            cfg.targets.back().share = v.toDouble(&ok);
            if (!ok || !(cfg.targets.back().share > 0)) return usageError("weight must be a positive number");
        } else if (a == "--resolve") {
            if (!value(v)) return usageError("--resolve needs HOST:PORT:ADDR");
            cfg.resolve.push_back(v.toStdString());
        } else if (a == "-X" || a == "--request") {
            if (!value(v)) return usageError("-X needs a method");
            method = v.toUpper().toStdString();
        } else if (a == "-H" || a == "--header") {
            if (!value(v)) return usageError("-H needs 'Name: value'");
            headers.push_back(v.toStdString());
        } else if (a == "--cookie" || a == "-b") {
            if (!value(v)) return usageError("--cookie needs name=value");
            for (const QString& part : v.split(';', Qt::SkipEmptyParts)) {
                const qsizetype eq = part.indexOf('=');
                if (eq <= 0) return usageError("--cookie must be name=value, not '" + part.toStdString() + "'");
                cookies.emplace_back(part.left(eq).trimmed().toStdString(), part.mid(eq + 1).trimmed().toStdString());
            }
        } else if (a == "--data" || a == "--data-raw") {
            if (!value(v)) return usageError("--data needs a body");
            body = v.toStdString();
            hasBody = true;
        } else if (a == "-k" || a == "--insecure") {
            cfg.tlsVerify = loadgen::TlsVerify::Insecure;
        } else if (a == "--cacert") {
            if (!value(v)) return usageError("--cacert needs a file");
            if (!QFileInfo(v).isReadable()) return usageError("--cacert: cannot read '" + v.toStdString() + "'");
            cfg.caFile = v.toStdString();
        } else if (a == "--timeout") {
            if (!value(v)) return usageError("--timeout needs a duration");
            const auto d = parseDuration(v);
            if (!d) return usageError("--timeout: cannot read duration '" + v.toStdString() + "'");
            cfg.timeout = *d;
            cfg.connectTimeout = std::min(cfg.connectTimeout, *d);
        } else if (a == "--no-keepalive") {
            cfg.keepAlive = false;
        } else if (a == "--expect") {
            if (!value(v)) return usageError("--expect needs BACKEND=SHARE");
            const qsizetype eq = v.lastIndexOf('=');
            const auto share = eq > 0 ? parseShare(v.mid(eq + 1)) : std::nullopt;
            if (!share) return usageError("--expect must be BACKEND=SHARE (10%, 10 or 0.1), not '" + v.toStdString() + "'");
            expectations.push_back({v.left(eq).toStdString(), *share});
        } else if (a == "--json") {
            json = true;
        } else if (a == "--csv") {
            if (!value(v)) return usageError("--csv needs a file");
            csvPath = v.toStdString();
        } else if (a == "--uniq") {
            uniq = true;
        } else if (a.startsWith('-') && a.size() > 1) {
            return usageError("unknown option '" + a.toStdString() + "'");
        } else {
            loadgen::RequestTarget t;
            t.url = a.toStdString();
            if (!a.contains("://")) t.url = "http://" + t.url;
            cfg.targets.push_back(std::move(t));
        }
    }
    if (cfg.targets.empty()) return usageError("no URL given");
    if (!haveCount && cfg.duration.count() == 0) cfg.requests = 100;
    for (auto& t : cfg.targets) {
        t.method = method;
        t.headers = headers;
        t.cookies = cookies;
        t.body = body;
        t.hasBody = hasBody;
    }
    // Per-request records only when they will be written; aggregates are always complete.
    cfg.recordLimit = csvPath.empty() ? 0 : (cfg.requests > 0 ? cfg.requests : 20'000'000);

    if (targetOptions.compare) {
        if (!targetOptions.target.empty()) return usageError("--compare runs both targets; leave out --target");
        if (!csvPath.empty() || !expectations.empty() || uniq)
            return usageError("--compare does not combine with --csv, --expect or --uniq");
        if (!cfg.resolve.empty()) return usageError("--compare chooses the addresses itself; leave out --resolve");
        return runComparison(cfg, targetOptions, json);
    }
    std::unique_ptr<ControllerEndpoint> endpoint;
    if (!targetOptions.target.empty()) {
        if (!cfg.resolve.empty()) return usageError("--target chooses the address itself; leave out --resolve");
        endpoint = targetOptions.target == "local" ? openLocalController(targetOptions)
                                                   : openClusterController(targetOptions, cfg.targets);
        if (!endpoint) return 2;
        cfg.connectTo = endpoint->connectTo(cfg.targets);
        if (!json) std::fprintf(stdout, "Target: %s\n\n", endpoint->label().c_str());
    }

    std::FILE* csv = nullptr;
    if (!csvPath.empty()) {
        csv = std::fopen(csvPath.c_str(), "w");
        if (!csv) return usageError("--csv: cannot write '" + csvPath + "': " + std::strerror(errno));
    }

    loadgen::LoadGenerator gen(cfg);
    auto started = gen.start();
    if (!started) {
        if (csv) std::fclose(csv);
        return usageError(started.message());
    }
    auto previousInt = std::signal(SIGINT, onInterrupt);
    auto previousTerm = std::signal(SIGTERM, onInterrupt);
    const bool showProgress = ::isatty(STDOUT_FILENO) && !json;
    while (!gen.waitFor(200ms)) {
        if (g_interrupted.load()) gen.stop();
        if (showProgress) drawProgress(gen.progress(), false);
    }
    if (showProgress) drawProgress(gen.progress(), true);
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);
    const loadgen::Results results = gen.takeResults();

    if (csv) {
        results.writeCsv(csv);
        std::fclose(csv);
    }
    bool failed = false;
    if (json) {
        std::vector<std::string> labels;
        for (const auto& t : cfg.targets) labels.push_back(t.url);
        QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(results.toJson(expectations, labels))).object();
        if (endpoint)
            o["target"] = QJsonObject{{"rule", QString::fromStdString(endpoint->ruleId())},
                                      {"description", QString::fromStdString(endpoint->label())}};
        for (const auto& e : expectations) failed |= !results.checkShare(e).consistent;
        if (uniq) {
            QJsonArray bodies;
            for (const auto& b : results.bodies())
                bodies.append(QJsonObject{{"count", static_cast<qint64>(b.count)}, {"body", QString::fromStdString(b.name)}});
            o["uniq"] = bodies;
        }
        printText(stdout, QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString());
    } else {
        if (uniq) {
            printText(stdout, results.uniqSummary());
            std::fputs("\n", stdout);
        }
        printSummary(cfg, results, expectations, failed);
    }
    return failed ? 1 : 0;
}

}  // namespace ilab::cli
