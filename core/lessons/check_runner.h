#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "core/lessons/lesson_checks.h"
#include "core/model/workspace.h"

namespace ilab::lessons {

// Where the lab's controller listens (LocalController's ReadyInfo): checks send http:// requests to httpPort and
// https:// ones to httpsPort, keeping the URL's host (Host header and SNI), like curl --connect-to.
struct LabAddress {
    std::string address = "127.0.0.1";
    int httpPort = 0;
    int httpsPort = -1;  // -1: no HTTPS listener
};

// The result of one check.
struct CheckOutcome {
    int step = 0;
    std::string stepTitle;
    std::string name;
    bool passed = false;
    std::string got;                    // what came back, one line ("200 from agent-stable", "20 answers: 404 ×20")
    std::vector<std::string> problems;  // why it failed, one line each ("expected 200 from agent-test, got 503")
    std::vector<std::string> why;       // the explainer's words for the request: decision + route trace
};

struct CheckReport {
    std::vector<CheckOutcome> outcomes;
    int passed = 0, failed = 0;
    bool cancelled = false;
    bool allPassed() const { return failed == 0 && !cancelled && !outcomes.empty(); }
};

// Runs every check against the running lab with real HTTP(S) requests (libcurl; TLS not verified, like
// curl -k, but the served certificate is read). For each failed check, the request is also routed through the
// route table compiled from `ws` (the workspace the lab serves) with a trace, so the student reads why: the
// explainer's one-line decision ("The controller answers 503") and the trace ("Service default/agnt-stable not
// found"), plus the certificate choice for https requests.
// Blocking (a share check sends hundreds of requests): call it off the GUI thread. Any thread; no shared
// state. `cancel` (optional) stops between requests.
CheckReport runChecks(const LessonChecks& checks, const LabAddress& lab, const model::Workspace& ws,
                      const std::atomic<bool>* cancel = nullptr);

// Plain text for the CLI: "PASS Step 3 · name" / "FAIL ... " with the problems and the why lines indented,
// then "N passed, M failed".
std::string formatReport(const CheckReport& report);

}  // namespace ilab::lessons
