#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace ilab::proxy {

// Something that waits for readiness of one file descriptor.
class IoHandler {
public:
    virtual ~IoHandler() = default;
    // `events` is a mask of EventLoop::Readable / Writable / Error.
    virtual void onIoEvent(std::uint32_t events) = 0;
};

// A minimal epoll loop, one per proxy worker thread. Chosen over a Qt event loop per worker because the
// data plane then does one epoll_wait per batch of events and no signal/slot or QIODevice buffering per
// read (toolchain.md: Qt's glib dispatcher costs ~20 % throughput). Level-triggered; a coarse tick
// (TICK_MS) drives timeouts, which are all >= 100 ms.
// Thread: run() on the worker thread; post() and stop() from any thread; everything else on the loop thread.
// Owner: ProxyWorker.
class EventLoop {
public:
    static constexpr std::uint32_t Readable = 1, Writable = 4, Error = 8;
    static constexpr int TICK_MS = 50;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool add(int fd, std::uint32_t events, IoHandler* handler, bool exclusive = false);
    bool modify(int fd, std::uint32_t events, IoHandler* handler);
    void remove(int fd);

    // Runs until stop(). `onTick` is called every TICK_MS (timeouts, pool trimming); `onBatchEnd` after every
    // batch of events (connections flush what they queued during the batch: one write per connection).
    void run(const std::function<void(std::int64_t nowMs)>& onTick, const std::function<void()>& onBatchEnd);
    void stop();                               // any thread
    void post(std::function<void()> task);     // any thread; runs on the loop thread
    // Deletes `handler` after the current batch of events (other events of the batch may still name it:
    // a closed handler must ignore them).
    void deleteLater(IoHandler* handler) { m_graveyard.push_back(handler); }

    // Cached monotonic milliseconds, refreshed once per wake-up.
    std::int64_t nowMs() const { return m_nowMs; }
    static std::int64_t monotonicMs();

private:
    void drainPosted();
    void collectGarbage();

    int m_epoll = -1;
    int m_wakeFd = -1;
    bool m_running = false;
    std::int64_t m_nowMs = 0;
    std::mutex m_postMutex;                     // guards m_posted and m_stopRequested
    std::vector<std::function<void()>> m_posted;
    bool m_stopRequested = false;
    std::vector<IoHandler*> m_graveyard;
};

}  // namespace ilab::proxy
