#include "core/proxy/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ilab::proxy {

namespace {
std::uint32_t toEpoll(std::uint32_t ev) {
    std::uint32_t e = 0;
    if (ev & EventLoop::Readable) e |= EPOLLIN | EPOLLRDHUP;
    if (ev & EventLoop::Writable) e |= EPOLLOUT;
    return e;
}
}  // namespace

EventLoop::EventLoop() {
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll >= 0 && m_wakeFd >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = nullptr;  // nullptr marks the wake-up descriptor
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev);
    }
    m_nowMs = monotonicMs();
}

EventLoop::~EventLoop() {
    if (m_wakeFd >= 0) ::close(m_wakeFd);
    if (m_epoll >= 0) ::close(m_epoll);
}

std::int64_t EventLoop::monotonicMs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

bool EventLoop::add(int fd, std::uint32_t events, IoHandler* handler, bool exclusive) {
    epoll_event ev{};
    // EPOLLEXCLUSIVE (a listener shared by the workers: one wakes per connection) allows no EPOLLRDHUP.
    ev.events = exclusive ? std::uint32_t(EPOLLIN | EPOLLEXCLUSIVE) : toEpoll(events);
    ev.data.ptr = handler;
    return epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) {
    epoll_event ev{};
    ev.events = toEpoll(events);
    ev.data.ptr = handler;
    return epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) { epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::post(std::function<void()> task) {
    {
        std::lock_guard lock(m_postMutex);
        m_posted.push_back(std::move(task));
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_wakeFd, &one, sizeof one);
}

void EventLoop::stop() {
    {
        std::lock_guard lock(m_postMutex);
        m_stopRequested = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_wakeFd, &one, sizeof one);
}

void EventLoop::drainPosted() {
    std::uint64_t v;
    while (::read(m_wakeFd, &v, sizeof v) > 0) {
    }
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(m_postMutex);
        tasks.swap(m_posted);
        if (m_stopRequested) m_running = false;
    }
    for (auto& t : tasks) t();
}

void EventLoop::run(const std::function<void(std::int64_t)>& onTick, const std::function<void()>& onBatchEnd) {
    m_running = true;
    drainPosted();
    constexpr int MAX_EVENTS = 256;
    epoll_event events[MAX_EVENTS];
    std::int64_t nextTick = monotonicMs() + TICK_MS;
    while (m_running) {
        m_nowMs = monotonicMs();
        int timeout = int(std::max<std::int64_t>(0, nextTick - m_nowMs));
        int n = epoll_wait(m_epoll, events, MAX_EVENTS, timeout);
        m_nowMs = monotonicMs();
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < n; ++i) {
            auto* h = static_cast<IoHandler*>(events[i].data.ptr);
            if (!h) {
                drainPosted();
                if (!m_running) break;
                continue;
            }
            std::uint32_t e = 0;
            if (events[i].events & (EPOLLIN | EPOLLRDHUP)) e |= Readable;
            if (events[i].events & EPOLLOUT) e |= Writable;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) e |= Error | Readable;
            h->onIoEvent(e);
        }
        onBatchEnd();
        collectGarbage();
        if (m_nowMs >= nextTick) {
            nextTick = m_nowMs + TICK_MS;
            onTick(m_nowMs);
            onBatchEnd();
            collectGarbage();
        }
    }
    collectGarbage();
}

void EventLoop::collectGarbage() {
    while (!m_graveyard.empty()) {
        std::vector<IoHandler*> dead;
        dead.swap(m_graveyard);
        for (IoHandler* h : dead) delete h;
    }
}

}  // namespace ilab::proxy
