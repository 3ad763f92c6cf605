#include "core/lessons/check_runner.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include <curl/curl.h>

#include "core/loadgen/backend_identity.h"
#include "core/routing/decision_text.h"
#include "core/routing/route_table.h"
#include "core/tls/certificate.h"

namespace ilab::lessons {

namespace {

constexpr long REQUEST_TIMEOUT_MS = 10000;  // a simulated pod answers in about a millisecond
constexpr long CONNECT_TIMEOUT_MS = 5000;
constexpr std::size_t BODY_CAPTURE = 8192;  // enough for the pods' JSON identity

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct ParsedUrl {
    std::string scheme, host, target = "/";
    int port = 0;
    bool hasPort = false;
};

ParsedUrl parseUrl(const std::string& url) {
    ParsedUrl u;
    const std::size_t schemeEnd = url.find("://");
    u.scheme = lower(url.substr(0, schemeEnd));
    std::string rest = schemeEnd == std::string::npos ? url : url.substr(schemeEnd + 3);
    const std::size_t slash = rest.find_first_of("/?");
    std::string authority = rest.substr(0, slash);
    if (slash != std::string::npos) u.target = rest[slash] == '/' ? rest.substr(slash) : "/" + rest.substr(slash);
    const std::size_t colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']') == std::string::npos) {
        u.port = std::atoi(authority.c_str() + colon + 1);
        u.hasPort = u.port > 0;
        authority = authority.substr(0, colon);
    }
    u.host = authority;
    if (!u.hasPort) u.port = u.scheme == "https" ? 443 : 80;
    return u;
}

// One answer as curl saw it.
struct Answer {
    int status = 0;
    std::string error;    // transport error ("" when a response arrived)
    std::string service;  // the Service that answered (the simulated pod's JSON), "" for the controller itself
    std::map<std::string, std::string> headers;  // lower-case name -> value (last wins)
    std::string certSubject;
};

struct Capture {
    std::string body;
    std::map<std::string, std::string> headers;
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
    auto* c = static_cast<Capture*>(user);
    const size_t len = size * n;
    if (c->body.size() < BODY_CAPTURE) c->body.append(data, std::min(len, BODY_CAPTURE - c->body.size()));
    return len;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
    auto* c = static_cast<Capture*>(user);
    const size_t len = size * n;
    std::string line(data, len);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
        c->headers.clear();  // a new response (after 100 Continue)
        return len;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return len;
    std::string value = line.substr(colon + 1);
    const std::size_t start = value.find_first_not_of(" \t");
    value = start == std::string::npos ? std::string() : value.substr(start);
    c->headers[lower(line.substr(0, colon))] = value;
    return len;
}

// One libcurl easy handle per check: keep-alive across its repeats, like `curl` in a loop with one connection.
class Sender {
public:
    Sender(const Check& check, const LabAddress& lab) : m_h(curl_easy_init()) {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        if (!m_h) return;
        const ParsedUrl u = parseUrl(check.request.url);
        const bool https = u.scheme == "https";
        m_labPort = https ? lab.httpsPort : lab.httpPort;
        m_connectTo = u.host + ":" + std::to_string(u.port) + ":" + lab.address + ":" + std::to_string(m_labPort);
        m_connect = curl_slist_append(nullptr, m_connectTo.c_str());
        for (const auto& [name, value] : check.request.headers) m_headers = curl_slist_append(m_headers, (name + ": " + value).c_str());
        curl_easy_setopt(m_h, CURLOPT_URL, check.request.url.c_str());
        curl_easy_setopt(m_h, CURLOPT_CONNECT_TO, m_connect);
        if (m_headers) curl_easy_setopt(m_h, CURLOPT_HTTPHEADER, m_headers);
        if (check.request.method != "GET") curl_easy_setopt(m_h, CURLOPT_CUSTOMREQUEST, check.request.method.c_str());
        if (check.request.method == "HEAD") curl_easy_setopt(m_h, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(m_h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(m_h, CURLOPT_PROXY, "");  // never an http_proxy from the environment
        curl_easy_setopt(m_h, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
        curl_easy_setopt(m_h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
        curl_easy_setopt(m_h, CURLOPT_SSL_VERIFYPEER, 0L);  // the lab's certificates are self-signed (curl -k)
        curl_easy_setopt(m_h, CURLOPT_SSL_VERIFYHOST, 0L);
        if (check.expect.certificate) {
            curl_easy_setopt(m_h, CURLOPT_CERTINFO, 1L);
            curl_easy_setopt(m_h, CURLOPT_FRESH_CONNECT, 1L);  // a reused connection reports no certificate
        }
        curl_easy_setopt(m_h, CURLOPT_WRITEFUNCTION, onBody);
        curl_easy_setopt(m_h, CURLOPT_HEADERFUNCTION, onHeader);
    }
    ~Sender() {
        if (m_h) curl_easy_cleanup(m_h);
        curl_slist_free_all(m_connect);
        curl_slist_free_all(m_headers);
    }
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    int labPort() const { return m_labPort; }

    Answer send() {
        Answer a;
        if (!m_h) {
            a.error = "libcurl could not create a handle";
            return a;
        }
        if (m_labPort <= 0) {
            a.error = "the lab has no HTTPS listener";
            return a;
        }
        Capture c;
        curl_easy_setopt(m_h, CURLOPT_WRITEDATA, &c);
        curl_easy_setopt(m_h, CURLOPT_HEADERDATA, &c);
        const CURLcode rc = curl_easy_perform(m_h);
        if (rc != CURLE_OK) {
            a.error = curl_easy_strerror(rc);
            return a;
        }
        long status = 0;
        curl_easy_getinfo(m_h, CURLINFO_RESPONSE_CODE, &status);
        a.status = static_cast<int>(status);
        a.headers = std::move(c.headers);
        loadgen::BackendIdentity id;
        if (loadgen::parseIdentityJson(c.body, id)) a.service = std::string(id.service);
        struct curl_certinfo* ci = nullptr;
        if (curl_easy_getinfo(m_h, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci && ci->num_of_certs > 0)
            for (curl_slist* s = ci->certinfo[0]; s; s = s->next)
                if (std::string(s->data).rfind("Subject:", 0) == 0) a.certSubject = std::string(s->data).substr(8);
        return a;
    }

private:
    CURL* m_h = nullptr;
    curl_slist* m_connect = nullptr;
    curl_slist* m_headers = nullptr;
    std::string m_connectTo;
    int m_labPort = 0;
};

std::string answerLabel(const Answer& a) {
    if (!a.error.empty()) return "no answer (" + a.error + ")";
    return std::to_string(a.status) + " from " + (a.service.empty() ? std::string("the controller") : a.service);
}

// "200 from agent-stable ×362, 200 from agent-test ×38", most frequent first.
std::string tally(const std::vector<Answer>& answers, std::string (*label)(const Answer&)) {
    std::map<std::string, int> counts;
    for (const auto& a : answers) ++counts[label(a)];
    std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    std::string out;
    for (const auto& [text, n] : sorted) out += (out.empty() ? "" : ", ") + text + (answers.size() > 1 ? " ×" + std::to_string(n) : "");
    return out;
}

std::string fmtPercent(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", v);
    return buf;
}

std::string fmtBound(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

bool isFake(const std::string& subject) { return subject.find(tls::FAKE_CERTIFICATE_CN) != std::string::npos; }

std::vector<std::string> evaluate(const CheckExpect& e, const std::vector<Answer>& answers) {
    std::vector<std::string> problems;
    const auto every = [&](auto pred) { return std::all_of(answers.begin(), answers.end(), pred); };
    int transport = 0;
    for (const auto& a : answers) transport += a.error.empty() ? 0 : 1;
    if (transport > 0) problems.push_back(std::to_string(transport) + " of " + std::to_string(answers.size()) + " requests got no answer: " +
                                          answers[0].error);
    const bool statusOk = !e.status || every([&](const Answer& a) { return a.status == *e.status; });
    if (!statusOk)
        problems.push_back("expected status " + std::to_string(*e.status) + ", got " +
                           tally(answers, [](const Answer& a) { return a.error.empty() ? std::to_string(a.status) : std::string("no answer"); }));
    const bool statusFailed = !statusOk;
    const bool noPodAnswered = every([](const Answer& a) { return a.service.empty(); });
    // "expected 200, got 503" already says it when no pod answered at all
    if (e.service && !(statusFailed && noPodAnswered) && !every([&](const Answer& a) { return a.service == *e.service; }))
        problems.push_back("expected every answer from " + *e.service + ", got " + tally(answers, answerLabel));
    if (e.share) {
        int hits = 0;
        for (const auto& a : answers)
            hits += (e.share->status ? a.error.empty() && a.status == *e.share->status : a.service == e.share->service) ? 1 : 0;
        const double pct = answers.empty() ? 0 : 100.0 * hits / static_cast<double>(answers.size());
        if (pct < e.share->min || pct > e.share->max) {
            const std::string what = e.share->status ? "status " + std::to_string(*e.share->status) : e.share->service;
            problems.push_back(what + " got " + fmtPercent(pct) + " of the answers (" + std::to_string(hits) + " of " +
                               std::to_string(answers.size()) + "), expected " + fmtBound(e.share->min) + "–" + fmtBound(e.share->max) + " %");
        }
    }
    const auto headerOf = [](const Answer& a, const std::string& name) -> std::optional<std::string> {
        const auto it = a.headers.find(lower(name));
        if (it == a.headers.end()) return std::nullopt;
        return it->second;
    };
    if (e.location) {
        for (const auto& a : answers) {
            if (!a.error.empty()) continue;
            const auto loc = headerOf(a, "Location");
            if (loc != e.location) {
                problems.push_back("expected Location: " + *e.location + ", got " + (loc ? "Location: " + *loc : std::string("no Location header")) +
                                   " (status " + std::to_string(a.status) + ")");
                break;
            }
        }
    }
    for (const auto& [name, value] : e.headers) {
        for (const auto& a : answers) {
            if (!a.error.empty()) continue;
            const auto got = headerOf(a, name);
            if (!got) {
                problems.push_back("expected header " + name + (value == "*any*" ? "" : ": " + value) + ", but the answer (" + answerLabel(a) +
                                   ") has no " + name + " header");
                break;
            }
            if (value != "*any*" && *got != value) {
                problems.push_back("expected " + name + ": " + value + ", got " + name + ": " + *got);
                break;
            }
        }
    }
    for (const auto& name : e.absentHeaders) {
        for (const auto& a : answers) {
            if (const auto got = headerOf(a, name)) {
                problems.push_back("expected no " + name + " header, got " + name + ": " + *got);
                break;
            }
        }
    }
    if (e.certificate) {
        const bool wantFake = lower(*e.certificate) == "fake";
        for (const auto& a : answers) {
            if (!a.error.empty()) continue;
            if (a.certSubject.empty()) {
                problems.push_back("could not read the certificate the controller served");
            } else if (wantFake && !isFake(a.certSubject)) {
                problems.push_back("expected the controller's Fake Certificate, got " + a.certSubject);
            } else if (!wantFake && isFake(a.certSubject)) {
                problems.push_back("the controller served its Fake Certificate (" + a.certSubject + "), not a certificate for " + *e.certificate);
            } else if (!wantFake && a.certSubject.find(*e.certificate) == std::string::npos) {
                problems.push_back("expected a certificate for " + *e.certificate + ", got " + a.certSubject);
            }
            break;
        }
    }
    return problems;
}

// The explainer's words for the check's request (compiled from the workspace the lab serves).
std::vector<std::string> explain(const Check& check, const routing::RouteTable& table) {
    const ParsedUrl u = parseUrl(check.request.url);
    routing::RequestView rv;
    rv.method = check.request.method;
    rv.scheme = u.scheme == "https" ? "https" : "http";
    rv.host = u.host + (u.hasPort ? ":" + std::to_string(u.port) : std::string());
    rv.target = u.target;
    rv.listenPort = u.port;
    if (rv.scheme == "https" && !u.host.empty() && !std::isdigit(static_cast<unsigned char>(u.host[0]))) rv.sni = u.host;
    for (const auto& h : check.request.headers) rv.headers.push_back(h);
    std::vector<std::string> why;
    const CheckExpect& e = check.expect;
    const bool onlyCertificate = e.certificate && !e.status && !e.service && !e.share && !e.location && e.headers.empty() && e.absentHeaders.empty();
    if (onlyCertificate) {  // the handshake is the question: its certificate choice, not the route
        const routing::TlsChoice tc = table.certificateFor(rv.sni.value_or(""));
        why.push_back("Certificate: " + (tc.certificate == "default" ? std::string("the controller's default (Fake Certificate)") : "Secret " + tc.certificate));
        for (const auto& t : tc.trace) why.push_back(t);
        return why;
    }
    const routing::Decision d = table.route(rv, 50, true);  // a mid draw: a 10 % canary weight is not taken
    std::string first = routing::describeAction(d);
    if (!d.ingress.empty()) first += " — Ingress " + d.ingress;
    why.push_back(first);
    for (const auto& t : d.trace) why.push_back(t);
    for (const auto& [name, value] : check.request.headers) {
        const std::string want = lower(name);
        const bool mentioned = std::any_of(d.trace.begin(), d.trace.end(), [&](const std::string& t) { return lower(t).find(want) != std::string::npos; });
        if (!mentioned) why.push_back("nothing in the route looks at the " + name + " header");
    }
    if (check.expect.certificate) {
        const routing::TlsChoice tc = table.certificateFor(rv.sni.value_or(""));
        for (const auto& t : tc.trace) why.push_back(t);
    }
    return why;
}

}  // namespace

CheckReport runChecks(const LessonChecks& checks, const LabAddress& lab, const model::Workspace& ws, const std::atomic<bool>* cancel) {
    CheckReport report;
    std::optional<routing::CompileResult> compiled;  // only when a check fails
    for (const CheckStep& step : checks.steps) {
        for (const Check& check : step.checks) {
            if (cancel && cancel->load()) {
                report.cancelled = true;
                return report;
            }
            CheckOutcome out;
            out.step = step.step;
            out.stepTitle = step.title;
            out.name = check.name;
            std::vector<Answer> answers;
            Sender sender(check, lab);
            for (int i = 0; i < check.repeat; ++i) {
                if (cancel && cancel->load()) {
                    report.cancelled = true;
                    return report;
                }
                answers.push_back(sender.send());
                if (!answers.back().error.empty() && answers.size() >= 3) break;  // the lab is gone: do not wait 2000 times
            }
            out.got = tally(answers, answerLabel);
            out.problems = evaluate(check.expect, answers);
            out.passed = out.problems.empty();
            if (!out.passed) {
                if (!compiled) compiled = routing::RouteTable::compile(ws, routing::ControllerSettings{});
                out.why = explain(check, *compiled->table);
            }
            (out.passed ? report.passed : report.failed) += 1;
            report.outcomes.push_back(std::move(out));
        }
    }
    return report;
}

std::string formatReport(const CheckReport& report) {
    std::string s;
    for (const auto& o : report.outcomes) {
        s += std::string(o.passed ? "PASS" : "FAIL") + " Step " + std::to_string(o.step) + " · " + o.name + "\n";
        s += "     got: " + o.got + "\n";
        for (const auto& p : o.problems) s += "     ✗ " + p + "\n";
        if (!o.why.empty()) {
            s += "     why: " + o.why.front() + "\n";
            for (std::size_t i = 1; i < o.why.size(); ++i) s += "          " + o.why[i] + "\n";
        }
    }
    if (report.cancelled) s += "cancelled\n";
    s += std::to_string(report.passed) + " passed, " + std::to_string(report.failed) + " failed\n";
    return s;
}

}  // namespace ilab::lessons
