#include "core/lessons/lesson_checks.h"

#include <set>

#include <yaml-cpp/yaml.h>

namespace ilab::lessons {

int LessonChecks::count() const {
    int n = 0;
    for (const auto& s : steps) n += static_cast<int>(s.checks.size());
    return n;
}

namespace {

// Thrown inside the parser only; turned into a Result at the boundary below.
struct ParseProblem {
    int line;
    std::string message;
};

int lineOf(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

[[noreturn]] void fail(const YAML::Node& n, const std::string& message) { throw ParseProblem{lineOf(n), message}; }

std::string scalar(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) fail(n, what + " must be a text value");
    return n.Scalar();
}

int integer(const YAML::Node& n, const std::string& what, int min, int max) {
    if (!n.IsScalar()) fail(n, what + " must be a number");
    std::size_t used = 0;
    int v = 0;
    try {
        v = std::stoi(n.Scalar(), &used);
    } catch (const std::exception&) {
        fail(n, what + " must be a number, not \"" + n.Scalar() + "\"");
    }
    if (used != n.Scalar().size()) fail(n, what + " must be a number, not \"" + n.Scalar() + "\"");
    if (v < min || v > max) fail(n, what + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return v;
}

double percent(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) fail(n, what + " must be a number (percent)");
    try {
        std::size_t used = 0;
        const double v = std::stod(n.Scalar(), &used);
        if (used == n.Scalar().size() && v >= 0 && v <= 100) return v;
    } catch (const std::exception&) {
    }
    fail(n, what + " must be a percentage between 0 and 100, not \"" + n.Scalar() + "\"");
}

void onlyKeys(const YAML::Node& map, const std::string& what, const std::set<std::string>& allowed) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        if (!allowed.count(key)) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            fail(it->first, "unknown key \"" + key + "\" in " + what + " (known: " + list + ")");
        }
    }
}

void requireMap(const YAML::Node& n, const std::string& what) {
    if (!n.IsMap()) fail(n, what + " must be a map (key: value)");
}

std::vector<std::pair<std::string, std::string>> headerMap(const YAML::Node& n, const std::string& what) {
    requireMap(n, what);
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = n.begin(); it != n.end(); ++it) out.emplace_back(scalar(it->first, what + " name"), scalar(it->second, what + " value"));
    return out;
}

CheckRequest parseRequest(const YAML::Node& n) {
    requireMap(n, "request");
    onlyKeys(n, "request", {"method", "url", "headers"});
    CheckRequest r;
    if (n["method"]) r.method = scalar(n["method"], "request.method");
    if (!n["url"]) fail(n, "request needs a url (http://host/path or https://host/path)");
    r.url = scalar(n["url"], "request.url");
    if (r.url.rfind("http://", 0) != 0 && r.url.rfind("https://", 0) != 0)
        fail(n["url"], "request.url must start with http:// or https://, not \"" + r.url + "\"");
    if (n["headers"]) r.headers = headerMap(n["headers"], "request.headers");
    return r;
}

CheckExpect parseExpect(const YAML::Node& n) {
    requireMap(n, "expect");
    onlyKeys(n, "expect", {"status", "service", "share", "location", "headers", "absentHeaders", "certificate"});
    if (n.size() == 0) fail(n, "expect needs at least one of status, service, share, location, headers, absentHeaders, certificate");
    CheckExpect e;
    if (n["status"]) e.status = integer(n["status"], "expect.status", 100, 599);
    if (n["service"]) e.service = scalar(n["service"], "expect.service");
    if (const YAML::Node s = n["share"]) {
        requireMap(s, "expect.share");
        onlyKeys(s, "expect.share", {"service", "status", "min", "max"});
        CheckShare share;
        if (s["service"]) share.service = scalar(s["service"], "expect.share.service");
        if (s["status"]) share.status = integer(s["status"], "expect.share.status", 100, 599);
        if (share.service.empty() == !share.status) fail(s, "expect.share needs exactly one of service or status");
        if (s["min"]) share.min = percent(s["min"], "expect.share.min");
        if (s["max"]) share.max = percent(s["max"], "expect.share.max");
        if (share.min > share.max) fail(s, "expect.share.min is larger than expect.share.max");
        e.share = share;
    }
    if (n["location"]) e.location = scalar(n["location"], "expect.location");
    if (n["headers"]) e.headers = headerMap(n["headers"], "expect.headers");
    if (const YAML::Node a = n["absentHeaders"]) {
        if (!a.IsSequence()) fail(a, "expect.absentHeaders must be a list of header names");
        for (const auto& h : a) e.absentHeaders.push_back(scalar(h, "expect.absentHeaders entry"));
    }
    if (n["certificate"]) e.certificate = scalar(n["certificate"], "expect.certificate");
    return e;
}

Check parseCheck(const YAML::Node& n, int index) {
    requireMap(n, "a check");
    onlyKeys(n, "a check", {"name", "request", "repeat", "expect"});
    Check c;
    c.line = lineOf(n);
    c.name = n["name"] ? scalar(n["name"], "name") : "check " + std::to_string(index);
    if (!n["request"]) fail(n, "check \"" + c.name + "\" needs a request");
    if (!n["expect"]) fail(n, "check \"" + c.name + "\" needs an expect");
    c.request = parseRequest(n["request"]);
    if (n["repeat"]) c.repeat = integer(n["repeat"], "repeat", 1, MAX_REPEAT);
    c.expect = parseExpect(n["expect"]);
    if (c.expect.certificate && c.request.url.rfind("https://", 0) != 0)
        fail(n["expect"]["certificate"], "expect.certificate needs an https:// request");
    return c;
}

}  // namespace

Result<LessonChecks, ChecksError> parseChecks(const std::string& text, const std::string& fileName) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        return Result<LessonChecks, ChecksError>::fail(ChecksError::Syntax, fileName + ":" + std::to_string(line) + ": " + e.msg);
    }
    try {
        LessonChecks out;
        if (!root || root.IsNull()) return out;  // an empty file: no checks
        requireMap(root, "the file");
        onlyKeys(root, "the file", {"steps"});
        const YAML::Node steps = root["steps"];
        if (!steps || !steps.IsSequence()) fail(root, "the file needs \"steps:\", a list of steps");
        int index = 0;
        for (const auto& s : steps) {
            requireMap(s, "a step");
            onlyKeys(s, "a step", {"step", "title", "checks"});
            CheckStep step;
            step.step = s["step"] ? integer(s["step"], "step", 1, 999) : static_cast<int>(out.steps.size()) + 1;
            if (s["title"]) step.title = scalar(s["title"], "title");
            const YAML::Node checks = s["checks"];
            if (!checks || !checks.IsSequence() || checks.size() == 0) fail(s, "step " + std::to_string(step.step) + " needs \"checks:\", a list of checks");
            for (const auto& c : checks) step.checks.push_back(parseCheck(c, ++index));
            out.steps.push_back(std::move(step));
        }
        return out;
    } catch (const ParseProblem& p) {
        return Result<LessonChecks, ChecksError>::fail(ChecksError::Invalid, fileName + ":" + std::to_string(p.line) + ": " + p.message);
    } catch (const YAML::Exception& e) {
        return Result<LessonChecks, ChecksError>::fail(ChecksError::Invalid, fileName + ": " + e.what());
    }
}

}  // namespace ilab::lessons
