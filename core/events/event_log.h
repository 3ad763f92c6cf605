#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ilab::events {

// One Kubernetes-style event (what `kubectl describe` shows under "Events:"). A repeated event
// (same type, object, reason and message) is not stored twice: its count goes up and lastSeen moves,
// as kubectl shows "(x3 over 2m)". The repeat is re-published under a new id; `replacesId` names the
// id it supersedes so a view can drop the old row.
struct Event {
    std::uint64_t id = 0;
    std::uint64_t replacesId = 0;  // 0 = first occurrence
    std::string type;              // "Normal" | "Warning"
    std::string reason;            // "Sync", "ServiceNotFound", ...
    std::string object;            // "Ingress default/web"
    std::string message;
    int count = 1;
    std::int64_t firstSeenMs = 0;  // ms since epoch
    std::int64_t lastSeenMs = 0;
};

// Bounded ring buffer of events (style.md F.19). Ids start at 1 and only increase; eventsSince(lastId)
// returns what a puller has not seen yet, oldest first. Capacity is fixed: the oldest events fall out.
// Thread-safe (one mutex, held only for the copy); writers are the control thread and proxy workers,
// readers the GUI timer and the CLI printer. Owned by the LocalController (shared_ptr).
class EventLog {
public:
    static constexpr std::size_t DEFAULT_CAPACITY = 10000;
    explicit EventLog(std::size_t capacity = DEFAULT_CAPACITY);

    // Records an event (or bumps the count of its earlier occurrence). timeMs 0 = now. Returns the id.
    std::uint64_t add(const std::string& type, const std::string& reason, const std::string& object,
                      const std::string& message, std::int64_t timeMs = 0);

    // Events with id > lastId, oldest first, at most maxCount. Superseded occurrences are not returned.
    std::vector<Event> eventsSince(std::uint64_t lastId, std::size_t maxCount = SIZE_MAX) const;
    // Live events about one object ("Ingress default/web"), oldest first — the `describe` view.
    std::vector<Event> eventsFor(const std::string& object) const;
    std::uint64_t lastId() const;
    std::size_t size() const;  // live (not superseded) events held
    std::size_t capacity() const { return m_capacity; }
    void clear();

private:
    struct Slot {
        Event event;
        bool superseded = false;
    };
    static std::string keyOf(const Event& e);
    void trimLocked();

    const std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::deque<Slot> m_slots;                              // guarded by m_mutex; ids strictly increasing
    std::unordered_map<std::string, std::uint64_t> m_live;  // guarded by m_mutex; dedup key -> current id
    std::uint64_t m_nextId = 1;                             // guarded by m_mutex
    std::size_t m_liveCount = 0;                            // guarded by m_mutex
};

}  // namespace ilab::events
