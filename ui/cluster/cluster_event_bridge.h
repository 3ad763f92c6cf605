#pragma once

#include <QHash>
#include <QObject>

#include <memory>

namespace ilab::events {
class EventLog;
}

namespace ilab::ui {

class ClusterSession;

// Copies the connected namespace's Kubernetes Events (the session's Event informer snapshots) into an
// events::EventLog that the lab's events panel shows next to its own, marked Source "cluster" (EventFeed).
// Each Event is added when it first appears and again when its count goes up (the log then bumps its row).
// GUI thread.
class ClusterEventBridge : public QObject {
    Q_OBJECT
public:
    explicit ClusterEventBridge(ClusterSession* session, QObject* parent = nullptr);
    const std::shared_ptr<events::EventLog>& log() const { return m_log; }

private:
    void onEvents();

    ClusterSession* m_session;
    std::shared_ptr<events::EventLog> m_log;
    QHash<QString, int> m_seenCount;  // Event uid -> count already copied
};

}  // namespace ilab::ui
