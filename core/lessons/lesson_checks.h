#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"

namespace ilab::lessons {

// "Check my work" (issue 15 item 6): a lesson's checks.yaml, the requests a step expects to work and what
// must come back. Written by the lesson's author next to guide.md and workspace.yaml; parsed here, run by
// check_runner.h against the lab's real controller. The format (also in README.md "Lesson folders"):
//
//   steps:
//   - step: 3                              # the guide's step number (shown as "Step 3")
//     title: Force the canary with a header
//     checks:
//     - name: "X-Canary: always reaches agent-test"
//       request:
//         method: GET                      # optional, GET by default
//         url: http://api.example.com/version   # host and path as the guide writes them; the check sends it to
//                                          # the lab's HTTP or HTTPS listener (the URL's port is ignored)
//         headers: {X-Canary: always}      # optional
//       repeat: 20                         # optional, 1..2000: send the request this many times
//       expect:                            # every key optional, at least one
//         status: 200                      # every answer has this status
//         service: agent-test              # every answer comes from a pod of this Service
//         share: {service: agent-test, min: 4, max: 18}   # percent of the answers (or {status: 503, ...})
//         location: https://agent.example.com/            # the Location header (redirects)
//         headers: {Access-Control-Allow-Origin: https://dashboard.example.com}  # present, with this value
//                                          # ("*any*" accepts any value)
//         absentHeaders: [Access-Control-Allow-Origin]
//         certificate: agent.example.com   # https: the served certificate's subject contains this text;
//                                          # "fake": the controller's Fake Certificate must be served
//
// Values are plain data, copied freely between threads.
struct CheckRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
};

struct CheckShare {
    std::string service;       // share of the answers from this Service ...
    std::optional<int> status; // ... or with this status
    double min = 0, max = 100; // percent, inclusive
};

struct CheckExpect {
    std::optional<int> status;
    std::optional<std::string> service;
    std::optional<CheckShare> share;
    std::optional<std::string> location;
    std::vector<std::pair<std::string, std::string>> headers;  // value "*any*": present with any value
    std::vector<std::string> absentHeaders;
    std::optional<std::string> certificate;  // "fake" or text of the subject
};

struct Check {
    std::string name;
    CheckRequest request;
    int repeat = 1;
    CheckExpect expect;
    int line = 0;  // 1-based line in checks.yaml
};

struct CheckStep {
    int step = 0;
    std::string title;
    std::vector<Check> checks;
};

struct LessonChecks {
    std::vector<CheckStep> steps;
    int count() const;
};

enum class ChecksError { Syntax, Invalid };

constexpr int MAX_REPEAT = 2000;  // a share check needs a few hundred answers; more only slows the room down

// Parses checks.yaml. Every problem is reported with the file name and line ("checks.yaml:12: ..."); the
// first problem fails the whole file (an author fixes one at a time, and a half-understood check must not run).
Result<LessonChecks, ChecksError> parseChecks(const std::string& text, const std::string& fileName = "checks.yaml");

}  // namespace ilab::lessons
