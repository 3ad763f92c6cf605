#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/common/result.h"
#include "core/loadgen/load_config.h"
#include "core/loadgen/results.h"

// Sends a LoadConfig's requests with libcurl's multi interface (socket-action API driven by poll) on its own
// std::thread (or LoadConfig::threads of them, each with its own multi handle), and collects Results. Owned by whoever starts the run (the CLI's traffic command, later the GUI's
// traffic panel). Public methods are thread-safe: start/stop/wait from the owner's thread, progress() from any
// thread (the GUI polls it every 100–500 ms). The worker thread owns every curl handle; nothing curl-related
// crosses threads. The destructor stops the run and joins the thread.
namespace ilab::loadgen {

enum class LoadError {
    InvalidConfig,   // a config value out of range or a malformed URL / --resolve entry
    AlreadyStarted,
    CurlInit,        // libcurl could not create a handle
};

// A snapshot published by the worker every LoadConfig::progressInterval (and once more at the end).
struct Progress {
    uint64_t planned = 0;      // LoadConfig::requests (0: duration-bound)
    uint64_t started = 0;
    uint64_t completed = 0;    // responses + errors
    uint64_t responses = 0;
    uint64_t errors = 0;           // transport errors
    uint64_t errorResponses = 0;   // the controller's own error answers (Results::errorResponses)
    std::vector<ErrorResponseCount> errorResponseGroups;  // by count, descending
    double elapsedSeconds = 0;
    double durationSeconds = 0;  // LoadConfig::duration in seconds (0: count-bound)
    std::vector<NamedCount> backends;  // by count, descending
    std::array<uint64_t, ERROR_KIND_COUNT> errorsByKind{};
    std::vector<std::string> backendNames;  // index -> name, for SecondStats::perBackend
    std::vector<SecondStats> series;  // entries from the `seriesFrom` index passed to progress()
    size_t seriesSize = 0;            // total number of entries in the full series
    bool finished = false;
};

class LoadGenerator {
public:
    explicit LoadGenerator(LoadConfig config);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator&) = delete;
    LoadGenerator& operator=(const LoadGenerator&) = delete;

    // Checks a config without running it; the message names the offending value.
    static Result<bool, LoadError> validate(const LoadConfig& config);

    // Validates, then starts the worker thread. `onFinished` (optional) runs on the worker thread once the
    // results are final, just before isFinished() turns true (the GUI forwards it with a queued invokeMethod; it
    // must not call wait() or takeResults() itself, which would join the calling thread).
    Result<bool, LoadError> start(std::function<void()> onFinished = {});
    // Asks the run to end now: no new requests, in-flight ones are abandoned (counted as cancelled). Returns at once.
    void stop();
    // Blocks until the run has ended (or the timeout passed); true when it has ended.
    bool waitFor(std::chrono::milliseconds timeout);
    void wait();
    bool isFinished() const { return m_finished.load(std::memory_order_acquire); }

    // Thread-safe snapshot; only series entries with index >= seriesFrom are copied.
    Progress progress(size_t seriesFrom = 0) const;
    // The final results; valid once isFinished(). The generator keeps its copy (call once, moves it out).
    Results takeResults();

    const LoadConfig& config() const { return m_config; }

private:
    class Worker;
    friend class Worker;
    // One worker thread's share of the run and its latest snapshot.
    struct Part {
        Progress progress;
        size_t publishedClosed = 0;  // leading series entries already copied (closed, immutable)
        Results results;
        bool done = false;
    };
    void publish(size_t part, const Results& results, uint64_t started, double elapsedSeconds, bool finished);
    void workerFinished(size_t part, Results results);
    Progress mergedProgress(size_t seriesFrom) const;

    LoadConfig m_config;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stopRequested{false};
    std::atomic<bool> m_finished{false};
    bool m_started = false;
    std::function<void()> m_onFinished;

    mutable std::mutex m_mutex;  // guards m_parts, m_running, m_mergedNames, m_results
    std::condition_variable m_finishedCv;
    std::vector<Part> m_parts;
    int m_running = 0;
    mutable std::vector<std::string> m_mergedNames;  // stable backend indexes across merged progress snapshots
    Results m_results;
};

}  // namespace ilab::loadgen
