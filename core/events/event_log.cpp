#include "core/events/event_log.h"

#include <chrono>

namespace ilab::events {

namespace {
std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

EventLog::EventLog(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

std::string EventLog::keyOf(const Event& e) {
    std::string k;
    k.reserve(e.type.size() + e.object.size() + e.reason.size() + e.message.size() + 3);
    k.append(e.type).push_back('\x1f');
    k.append(e.object).push_back('\x1f');
    k.append(e.reason).push_back('\x1f');
    k.append(e.message);
    return k;
}

std::uint64_t EventLog::add(const std::string& type, const std::string& reason, const std::string& object,
                            const std::string& message, std::int64_t timeMs) {
    if (timeMs == 0) timeMs = nowMs();
    Event e;
    e.type = type;
    e.reason = reason;
    e.object = object;
    e.message = message;
    e.firstSeenMs = e.lastSeenMs = timeMs;
    const std::string key = keyOf(e);

    std::lock_guard lock(m_mutex);
    e.id = m_nextId++;
    auto it = m_live.find(key);
    if (it != m_live.end() && !m_slots.empty()) {
        const std::uint64_t firstId = m_slots.front().event.id;
        Slot& old = m_slots[it->second - firstId];
        e.replacesId = old.event.id;
        e.count = old.event.count + 1;
        e.firstSeenMs = old.event.firstSeenMs;
        old.superseded = true;
        // The superseded copy is never returned again: drop its strings, keep the slot so ids stay contiguous.
        Event hollow;
        hollow.id = old.event.id;
        old.event = std::move(hollow);
        --m_liveCount;
        it->second = e.id;
    } else {
        m_live.emplace(key, e.id);
    }
    m_slots.push_back(Slot{std::move(e), false});
    ++m_liveCount;
    trimLocked();
    return m_nextId - 1;
}

void EventLog::trimLocked() {
    while (m_slots.size() > m_capacity) {
        Slot& s = m_slots.front();
        if (!s.superseded) {
            m_live.erase(keyOf(s.event));
            --m_liveCount;
        }
        m_slots.pop_front();
    }
}

std::vector<Event> EventLog::eventsSince(std::uint64_t lastId, std::size_t maxCount) const {
    std::vector<Event> out;
    std::lock_guard lock(m_mutex);
    if (m_slots.empty()) return out;
    const std::uint64_t firstId = m_slots.front().event.id;
    std::size_t i = lastId < firstId ? 0 : static_cast<std::size_t>(lastId - firstId + 1);
    for (; i < m_slots.size() && out.size() < maxCount; ++i)
        if (!m_slots[i].superseded) out.push_back(m_slots[i].event);
    return out;
}

std::vector<Event> EventLog::eventsFor(const std::string& object) const {
    std::vector<Event> out;
    std::lock_guard lock(m_mutex);
    for (const auto& s : m_slots)
        if (!s.superseded && s.event.object == object) out.push_back(s.event);
    return out;
}

std::uint64_t EventLog::lastId() const {
    std::lock_guard lock(m_mutex);
    return m_nextId - 1;
}

std::size_t EventLog::size() const {
    std::lock_guard lock(m_mutex);
    return m_liveCount;
}

void EventLog::clear() {
    std::lock_guard lock(m_mutex);
    m_slots.clear();
    m_live.clear();
    m_liveCount = 0;
}

}  // namespace ilab::events
