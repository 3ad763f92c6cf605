#pragma once

// GapTally: holds the outcomes of a conformance run up against its known-gaps list (tests/conformance/KNOWN_GAPS.md,
// GATEWAY_KNOWN_GAPS.md), for the four runners (routing and serve, Ingress and Gateway API). A case is looked up as
// "id@profile", then as "id" (a gap for every profile). It sorts each outcome into
//   unexpected: a failure the list does not name (the run must fail);
//   stale:      a listed case that passes, or a list entry that matches no case (the list must stay honest);
//   known gap:  a listed case that fails, printed as "known gap id (profile): failure".
// and counts passed/total per group ("category/profile"). Header-only so that it adds nothing to
// ilab_test_support and changing it relinks only these four runners. Single thread: record() after the run.

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ilab::testing {

class GapTally {
public:
    enum class Run { Routed, Served };  // wording only: "passes" / "passes through serve", "routed" / "serve case"

    // gaps: the parsed list (parseKnownGaps / parseServeKnownGaps); file: its name as messages show it
    // ("KNOWN_GAPS.md"); suite: what the cases are called in the summary ("conformance", "gateway").
    GapTally(std::map<std::string, std::string> gaps, std::string file, std::string suite, Run run = Run::Routed)
        : m_gaps(std::move(gaps)), m_file(std::move(file)), m_suite(std::move(suite)), m_run(run) {}

    // Self-tests of this class turn the printing off (their FAIL lines are not the run's).
    void setPrinting(bool on) { m_print = on; }

    // One outcome. An empty profile names the case by its id alone (both in the lookup and in messages).
    void record(const std::string& group, const std::string& id, const std::string& profile, bool passed,
                const std::string& failure) {
        auto& count = m_counts[group];
        ++count.second;
        std::string key = profile.empty() ? id : id + "@" + profile;
        auto gap = m_gaps.find(key);
        if (gap == m_gaps.end() && !profile.empty()) gap = m_gaps.find(key = id);
        const bool listed = gap != m_gaps.end();
        if (listed) m_used.insert(key);
        const std::string label = profile.empty() ? id : id + " (" + profile + ")";
        if (passed) {
            ++count.first;
            if (listed)
                m_stale.push_back(label + (m_run == Run::Served ? " passes through serve" : " passes") +
                                  " but is listed in " + m_file);
        } else if (!listed) {
            m_unexpected.push_back(label + ": " + failure);
        } else if (m_print) {
            std::printf("known gap %s: %s\n", label.c_str(), failure.c_str());
        }
    }

    // Prints "group: passed/total" per group; returns {passed, total} over all of them.
    std::pair<int, int> printCounts() const {
        int passed = 0, total = 0;
        for (const auto& [group, count] : m_counts) {
            if (m_print) std::printf("%s: %d/%d\n", group.c_str(), count.first, count.second);
            passed += count.first;
            total += count.second;
        }
        return {passed, total};
    }

    // Once, after the last record(): list entries that matched no case become stale; prints every FAIL and STALE line.
    void finish() {
        for (const auto& [key, reason] : m_gaps)
            if (!m_used.count(key))
                m_stale.push_back(key + " is listed in " + m_file + " but is not a " +
                                  (m_run == Run::Served ? "serve" : "routed") + " case");
        if (!m_print) return;
        for (const auto& f : m_unexpected) std::printf("FAIL %s\n", f.c_str());
        for (const auto& s : m_stale) std::printf("STALE %s\n", s.c_str());
        std::fflush(stdout);
    }

    const std::vector<std::string>& unexpected() const { return m_unexpected; }
    const std::vector<std::string>& stale() const { return m_stale; }

    // The messages of the two closing checks: QVERIFY2(t.unexpected().empty(), t.unexpectedSummary().c_str()).
    std::string unexpectedSummary() const {
        return m_suite + " cases failed" + (m_run == Run::Served ? " through serve" : "") + " that " + m_file +
               " does not list";
    }
    std::string staleSummary() const {
        return m_file + " lists " + (m_run == Run::Served ? "serve cases" : "cases") + " that pass (or do not exist)";
    }

private:
    std::map<std::string, std::string> m_gaps;
    std::string m_file, m_suite;
    Run m_run;
    bool m_print = true;
    std::map<std::string, std::pair<int, int>> m_counts;  // group -> passed, total
    std::set<std::string> m_used;                         // list keys that matched an outcome
    std::vector<std::string> m_unexpected, m_stale;
};

}  // namespace ilab::testing
