#include "core/loadgen/comparison.h"

#include <cctype>

#include <curl/curl.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace ilab::loadgen {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pText(double p) {
    if (p < 0.0001) return "p < 0.0001";
    return "p = " + fixed(p, p < 0.01 ? 4 : 3);
}

std::string shareText(const ShareInterval& i, uint64_t k, uint64_t n) {
    return fixed(i.observed * 100, 1) + " % [" + fixed(i.low * 100, 1) + "–" + fixed(i.high * 100, 1) + "] (" +
           std::to_string(k) + "/" + std::to_string(n) + ")";
}

std::string shellQuote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:=@,%+") ==
                          std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string methodOf(const RequestTarget& t) { return !t.method.empty() ? t.method : (t.hasBody ? "POST" : "GET"); }

int64_t percentile(std::vector<int64_t>& v, double q) {
    if (v.empty()) return 0;
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - (q > 0 ? 1 : 0));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return v[i];
}

size_t onHeader(char* data, size_t size, size_t n, void* userp) {
    auto* w = static_cast<Witness*>(userp);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) w->location.clear();  // a new response (after 1xx)
    if (line.size() > 9 && (line.compare(0, 9, "Location:") == 0 || line.compare(0, 9, "location:") == 0)) {
        std::string v = line.substr(9);
        const size_t b = v.find_first_not_of(" \t");
        const size_t e = v.find_last_not_of(" \t\r\n");
        w->location = b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
    }
    return size * n;
}

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

QJsonObject rowJson(const ShareRow& r) {
    auto side = [](uint64_t k, const ShareInterval& i) {
        return QJsonObject{{"count", static_cast<qint64>(k)}, {"share", i.observed}, {"ciLow", i.low}, {"ciHigh", i.high}};
    };
    return QJsonObject{{"name", qs(r.name)},
                       {"predicted", side(r.predicted, r.predictedShare)},
                       {"observed", side(r.observed, r.observedShare)},
                       {"pValue", r.pValue},
                       {"disagrees", r.disagrees}};
}

}  // namespace

const char* disagreementKindId(Disagreement::Kind kind) {
    switch (kind) {
    case Disagreement::Kind::Share: return "share";
    case Disagreement::Kind::Backend: return "backend";
    case Disagreement::Kind::Status: return "status";
    case Disagreement::Kind::Redirect: return "redirect";
    case Disagreement::Kind::Errors: return "errors";
    }
    return "unknown";
}

Witness sendWitness(const RequestTarget& t, const SideConnection& side) {
    Witness w;
    CURL* e = curl_easy_init();
    if (!e) {
        w.error = "curl_easy_init failed";
        return w;
    }
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    curl_slist* connectTo = nullptr;
    for (const auto& h : t.headers) headers = curl_slist_append(headers, h.c_str());
    for (const auto& c : side.connectTo) connectTo = curl_slist_append(connectTo, c.c_str());
    std::string cookie;
    for (const auto& [name, value] : t.cookies) cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    curl_easy_setopt(e, CURLOPT_URL, t.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &w);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "ingress-lab-traffic/0.1");
    if (headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    if (connectTo) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connectTo);
    if (!cookie.empty()) curl_easy_setopt(e, CURLOPT_COOKIE, cookie.c_str());
    if (t.hasBody) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.body.c_str());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t.body.size()));
    }
    if (!t.method.empty()) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
    if (t.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (side.tlsVerify == TlsVerify::Insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!side.caFile.empty()) {
        curl_easy_setopt(e, CURLOPT_CAINFO, side.caFile.c_str());
    }
    const CURLcode rc = curl_easy_perform(e);
    if (rc == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        w.status = static_cast<int>(code);
    } else {
        w.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        w.location.clear();
    }
    curl_slist_free_all(headers);
    curl_slist_free_all(connectTo);
    curl_easy_cleanup(e);
    return w;
}

std::string curlCommand(const RequestTarget& t, const SideConnection& side) {
    std::string cmd = "curl -sS -i";
    if (side.tlsVerify == TlsVerify::Insecure) cmd += " -k";
    else if (!side.caFile.empty()) cmd += " --cacert " + shellQuote(side.caFile);
    // Only the entry for this URL's host and port (the others are for the run's other routes).
    const QUrl url(QString::fromStdString(t.url));
    const bool https = url.scheme() == QLatin1String("https");
    const std::string prefix = url.host().toStdString() + ":" + std::to_string(url.port(https ? 443 : 80)) + ":";
    for (const auto& c : side.connectTo)
        if (c.rfind(prefix, 0) == 0) cmd += " --connect-to " + shellQuote(c);
    if (!t.method.empty() && t.method != (t.hasBody ? "POST" : "GET")) cmd += " -X " + shellQuote(t.method);
    for (const auto& h : t.headers) cmd += " -H " + shellQuote(h);
    std::string cookie;
    for (const auto& [name, value] : t.cookies) cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    if (!cookie.empty()) cmd += " -b " + shellQuote(cookie);
    std::string feed;  // what pipes a long body of one repeated byte into curl (a 1 MiB argument helps nobody)
    const bool uniform = t.body.size() > 256 && t.body.find_first_not_of(t.body[0]) == std::string::npos &&
                         std::isalnum(static_cast<unsigned char>(t.body[0]));
    if (t.hasBody && uniform) {
        feed = "head -c " + std::to_string(t.body.size()) + " /dev/zero | tr '\\0' " + std::string(1, t.body[0]) + " | ";
        cmd += " --data-binary @-";
    } else if (t.hasBody) {
        cmd += " --data-raw " + shellQuote(t.body);
    }
    return feed + cmd + " " + shellQuote(t.url);
}

std::vector<SideStats> perRoute(const LoadConfig& config, const Results& results) {
    std::vector<SideStats> out(config.targets.size());
    std::vector<std::vector<int64_t>> latencies(config.targets.size());
    for (const RequestRecord& r : results.records()) {
        if (r.target >= out.size()) continue;
        SideStats& s = out[r.target];
        ++s.requests;
        if (r.error != ErrorKind::None) {
            ++s.errors;
            continue;
        }
        ++s.responses;
        ++s.statuses[r.status];
        // Shares among the 2xx answers: a redirect or an error page is the controller speaking, not a backend
        // (its body would otherwise become a "backend"); the status rows compare those.
        if (r.backend != NO_ID && r.status >= 200 && r.status < 300) {
            ++s.backends[std::string(results.backendName(r.backend))];
            ++s.backendResponses;
        }
        latencies[r.target].push_back(r.totalUs);
    }
    for (size_t i = 0; i < out.size(); ++i) {
        out[i].p50Us = percentile(latencies[i], 0.5);
        out[i].p90Us = percentile(latencies[i], 0.9);
        out[i].p99Us = percentile(latencies[i], 0.99);
    }
    return out;
}

double twoProportionP(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2) {
    if (n1 == 0 || n2 == 0) return 1;
    const double p1 = static_cast<double>(k1) / static_cast<double>(n1);
    const double p2 = static_cast<double>(k2) / static_cast<double>(n2);
    const double pooled = static_cast<double>(k1 + k2) / static_cast<double>(n1 + n2);
    const double se = std::sqrt(pooled * (1 - pooled) * (1.0 / static_cast<double>(n1) + 1.0 / static_cast<double>(n2)));
    if (!(se > 0)) return 1;  // both 0 % or both 100 %: nothing differs
    return twoSidedNormalP((p1 - p2) / se);
}

Comparison compareRuns(const LoadConfig& config, const Results& predicted, const Results& observed,
                       const SideConnection& predictedSide, const SideConnection& observedSide,
                       const std::vector<Witness>& predictedWitness, const std::vector<Witness>& observedWitness,
                       double confidence) {
    const std::string pn = predictedSide.name.empty() ? "predicted" : predictedSide.name;
    const std::string on = observedSide.name.empty() ? "observed" : observedSide.name;
    const std::string where = observedSide.name.empty() ? "in the cluster" : "with " + observedSide.name;
    Comparison c;
    c.confidence = confidence;
    c.predictedLabel = predictedSide.label;
    c.observedLabel = observedSide.label;
    const double alpha = 1 - confidence;
    const std::vector<SideStats> pr = perRoute(config, predicted), ob = perRoute(config, observed);
    for (size_t i = 0; i < config.targets.size(); ++i) {
        const RequestTarget& t = config.targets[i];
        RouteComparison rc;
        rc.label = t.label.empty() ? methodOf(t) + " " + t.url : t.label;
        rc.predicted = pr[i];
        rc.observed = ob[i];
        if (i < predictedWitness.size()) rc.predicted.witness = predictedWitness[i];
        if (i < observedWitness.size()) rc.observed.witness = observedWitness[i];
        auto disagree = [&](Disagreement::Kind kind, std::string subject, std::string detail) {
            c.disagreements.push_back({kind, i, std::move(subject), rc.label + ": " + detail, curlCommand(t, observedSide),
                                       curlCommand(t, predictedSide)});
        };

        // Backends among responses.
        std::set<std::string> names;
        for (const auto& [n, k] : rc.predicted.backends) names.insert(n);
        for (const auto& [n, k] : rc.observed.backends) names.insert(n);
        for (const auto& n : names) {
            ShareRow row;
            row.name = n;
            auto get = [&n](const std::map<std::string, uint64_t>& m) {
                const auto it = m.find(n);
                return it == m.end() ? uint64_t(0) : it->second;
            };
            row.predicted = get(rc.predicted.backends);
            row.observed = get(rc.observed.backends);
            row.predictedShare = wilsonInterval(row.predicted, rc.predicted.backendResponses, confidence);
            row.observedShare = wilsonInterval(row.observed, rc.observed.backendResponses, confidence);
            row.pValue = twoProportionP(row.predicted, rc.predicted.backendResponses, row.observed, rc.observed.backendResponses);
            row.disagrees = row.pValue < alpha;
            rc.backends.push_back(row);
        }
        std::stable_sort(rc.backends.begin(), rc.backends.end(),
                         [](const ShareRow& a, const ShareRow& b) { return a.predicted + a.observed > b.predicted + b.observed; });
        for (const auto& row : rc.backends) {
            if (!row.disagrees) continue;
            const bool oneSide = row.predicted == 0 || row.observed == 0;
            std::string detail = (oneSide ? "backend " + row.name + (row.predicted == 0 ? " answered only " + where
                                                                                        : " never answered " + where)
                                          : "share of " + row.name) +
                                 ": " + on + " " + shareText(row.observedShare, row.observed, rc.observed.backendResponses) +
                                 " vs " + pn + " " + shareText(row.predictedShare, row.predicted, rc.predicted.backendResponses) +
                                 ", " + pText(row.pValue);
            disagree(oneSide ? Disagreement::Kind::Backend : Disagreement::Kind::Share, row.name, detail);
        }

        // Status codes among all requests (transport errors as their own row).
        std::set<int> codes;
        for (const auto& [code, k] : rc.predicted.statuses) codes.insert(code);
        for (const auto& [code, k] : rc.observed.statuses) codes.insert(code);
        auto statusRow = [&](const std::string& name, uint64_t kp, uint64_t ko) {
            ShareRow row;
            row.name = name;
            row.predicted = kp;
            row.observed = ko;
            row.predictedShare = wilsonInterval(kp, rc.predicted.requests, confidence);
            row.observedShare = wilsonInterval(ko, rc.observed.requests, confidence);
            row.pValue = twoProportionP(kp, rc.predicted.requests, ko, rc.observed.requests);
            row.disagrees = row.pValue < alpha;
            return row;
        };
        for (int code : codes) {
            auto get = [code](const std::map<int, uint64_t>& m) {
                const auto it = m.find(code);
                return it == m.end() ? uint64_t(0) : it->second;
            };
            ShareRow row = statusRow(std::to_string(code), get(rc.predicted.statuses), get(rc.observed.statuses));
            if (row.disagrees)
                disagree(Disagreement::Kind::Status, row.name,
                         "status " + row.name + ": " + on + " " + shareText(row.observedShare, row.observed, rc.observed.requests) +
                             " vs " + pn + " " + shareText(row.predictedShare, row.predicted, rc.predicted.requests) + ", " +
                             pText(row.pValue));
            rc.statuses.push_back(row);
        }
        if (rc.predicted.errors || rc.observed.errors) {
            ShareRow row = statusRow("transport errors", rc.predicted.errors, rc.observed.errors);
            if (row.disagrees)
                disagree(Disagreement::Kind::Errors, row.name,
                         "transport errors: " + on + " " + shareText(row.observedShare, row.observed, rc.observed.requests) +
                             " vs " + pn + " " + shareText(row.predictedShare, row.predicted, rc.predicted.requests) + ", " +
                             pText(row.pValue));
            rc.statuses.push_back(row);
        }

        // Redirects: one witness request per side.
        if (i < predictedWitness.size() && i < observedWitness.size()) {
            const Witness& p = predictedWitness[i];
            const Witness& o = observedWitness[i];
            const bool redirect = (p.status >= 300 && p.status < 400) || (o.status >= 300 && o.status < 400);
            if (redirect && (p.status != o.status || p.location != o.location)) {
                auto text = [](const Witness& w) {
                    if (w.status == 0) return "no response (" + w.error + ")";
                    return std::to_string(w.status) + (w.location.empty() ? std::string(" without Location")
                                                                          : " Location: " + w.location);
                };
                disagree(Disagreement::Kind::Redirect, "redirect",
                         "redirect differs: " + on + " " + text(o) + " vs " + pn + " " + text(p));
            }
        }
        c.routes.push_back(std::move(rc));
    }
    return c;
}

std::string Comparison::toText() const {
    std::string out;
    auto line = [&out](const std::string& s) { out += s + "\n"; };
    auto ms = [](int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 2); };
    char buf[512];
    line("Predicted: " + predictedLabel);
    line("Observed:  " + observedLabel);
    line("A difference is a disagreement when chance does not explain it (p < " + fixed(1 - confidence, 4) + "); intervals: " +
         fixed(confidence * 100, 2) + " % confidence.");
    for (size_t i = 0; i < routes.size(); ++i) {
        const RouteComparison& r = routes[i];
        line("");
        line("Route " + std::to_string(i + 1) + ": " + r.label + "  (" + std::to_string(r.predicted.requests) +
             " predicted, " + std::to_string(r.observed.requests) + " observed)");
        size_t width = 18;
        for (const auto& b : r.backends) width = std::max(width, std::min<size_t>(b.name.size() + 2, 40));
        std::snprintf(buf, sizeof buf, "  %-*s %-36s %-36s", static_cast<int>(width), "", "predicted", "observed");
        line(buf);
        auto row = [&](const std::string& name, const ShareRow& s, uint64_t np, uint64_t no) {
            std::snprintf(buf, sizeof buf, "  %-*s %-36s %-36s%s", static_cast<int>(width), name.substr(0, 40).c_str(),
                          shareText(s.predictedShare, s.predicted, np).c_str(),
                          shareText(s.observedShare, s.observed, no).c_str(), s.disagrees ? "  << DISAGREES" : "");
            line(buf);
        };
        for (const auto& b : r.backends) row(b.name, b, r.predicted.backendResponses, r.observed.backendResponses);
        if (r.backends.empty()) line("  (no 2xx answer from a backend)");
        for (const auto& s : r.statuses)
            row(s.name == "transport errors" ? s.name : "status " + s.name, s, r.predicted.requests, r.observed.requests);
        std::snprintf(buf, sizeof buf, "  %-*s %-36s %-36s", static_cast<int>(width), "latency p50/p90/p99",
                      (ms(r.predicted.p50Us) + " / " + ms(r.predicted.p90Us) + " / " + ms(r.predicted.p99Us) + " ms").c_str(),
                      (ms(r.observed.p50Us) + " / " + ms(r.observed.p90Us) + " / " + ms(r.observed.p99Us) + " ms").c_str());
        line(buf);
        auto witness = [](const Witness& w) {
            if (w.status == 0) return std::string(w.error.empty() ? "-" : "no response");
            return std::to_string(w.status) + (w.location.empty() ? "" : " -> " + w.location);
        };
        if (r.predicted.witness.status || r.observed.witness.status) {
            std::snprintf(buf, sizeof buf, "  %-*s %-36s %-36s", static_cast<int>(width), "one request",
                          witness(r.predicted.witness).c_str(), witness(r.observed.witness).c_str());
            line(buf);
        }
    }
    line("");
    if (disagreements.empty()) {
        line("Disagreements: none. The cluster's controller did what the design predicts.");
    } else {
        line("Disagreements (" + std::to_string(disagreements.size()) + "):");
        for (size_t i = 0; i < disagreements.size(); ++i) {
            const Disagreement& d = disagreements[i];
            line("  " + std::to_string(i + 1) + ". [" + disagreementKindId(d.kind) + "] " + d.detail);
            line("     observed:  " + d.observedRequest);
            line("     predicted: " + d.predictedRequest);
        }
    }
    return out;
}

std::string Comparison::toJson() const {
    QJsonObject root;
    root["predicted"] = qs(predictedLabel);
    root["observed"] = qs(observedLabel);
    root["confidence"] = confidence;
    root["agrees"] = agrees();
    auto side = [](const SideStats& s) {
        QJsonObject o{{"requests", static_cast<qint64>(s.requests)},
                      {"responses", static_cast<qint64>(s.responses)},
                      {"backendResponses", static_cast<qint64>(s.backendResponses)},
                      {"errors", static_cast<qint64>(s.errors)},
                      {"latencyMs", QJsonObject{{"p50", static_cast<double>(s.p50Us) / 1000},
                                                {"p90", static_cast<double>(s.p90Us) / 1000},
                                                {"p99", static_cast<double>(s.p99Us) / 1000}}}};
        if (s.witness.status || !s.witness.error.empty())
            o["witness"] = QJsonObject{{"status", s.witness.status},
                                       {"location", qs(s.witness.location)},
                                       {"error", qs(s.witness.error)}};
        return o;
    };
    QJsonArray routesJson;
    for (const auto& r : routes) {
        QJsonArray backends, statuses;
        for (const auto& b : r.backends) backends.append(rowJson(b));
        for (const auto& s : r.statuses) statuses.append(rowJson(s));
        routesJson.append(QJsonObject{{"route", qs(r.label)},
                                      {"predicted", side(r.predicted)},
                                      {"observed", side(r.observed)},
                                      {"backends", backends},
                                      {"statuses", statuses}});
    }
    root["routes"] = routesJson;
    QJsonArray ds;
    for (const auto& d : disagreements)
        ds.append(QJsonObject{{"kind", disagreementKindId(d.kind)},
                              {"route", static_cast<qint64>(d.route)},
                              {"subject", qs(d.subject)},
                              {"detail", qs(d.detail)},
                              {"observedRequest", qs(d.observedRequest)},
                              {"predictedRequest", qs(d.predictedRequest)}});
    root["disagreements"] = ds;
    return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

std::set<TargetHost> targetHosts(const std::vector<RequestTarget>& targets) {
    std::set<TargetHost> out;
    for (const auto& t : targets) {
        const QUrl u(QString::fromStdString(t.url));
        const bool https = u.scheme() == QLatin1String("https");
        out.insert({u.host().toStdString(), u.port(https ? 443 : 80), https});
    }
    return out;
}

}  // namespace ilab::loadgen
