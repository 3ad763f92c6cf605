#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/kube/resource.h"
#include "core/kube/rest_client.h"

namespace ilab::kube {

// ---- paged list (cluster.md §2.3) -------------------------------------------------------------------------------

struct ListOptions {
    std::string labelSelector, fieldSelector;
    int limit = 500;       // page size (limit=...); 0: one unpaged request
    int maxRestarts = 3;   // a 410 on a continue token restarts the list from scratch, at most this often
};

struct ListResult {
    std::string resourceVersion;     // of the list (the first page's; every page of one list shares it)
    std::vector<QJsonObject> items;  // with kind and apiVersion filled in (list items come without them)
    int pages = 0;
    int restarts = 0;                // lists restarted after a 410 Expired continue token
    std::optional<RestError> error;
};

// GET the whole collection page by page (limit/continue). When a continue request answers 410 Expired, the list
// starts again without a continue token (client-go's pager does the same), at most maxRestarts times.
void listAll(RestClient& client, const ResourceRef& ref, const std::string& ns, const ListOptions& options,
             QObject* context, std::function<void(const ListResult&)> done);

// ---- watch (cluster.md §2.4) ------------------------------------------------------------------------------------

struct WatchEvent {
    enum class Type { Added, Modified, Deleted, Bookmark, Error };
    Type type = Type::Added;
    QJsonObject object;  // the object, or for Error the Status
};

// Parses one line of a watch stream. nullopt (and `error` set) for a line that is not a JSON object with a known
// type and an object.
std::optional<WatchEvent> parseWatchEvent(std::string_view line, std::string* error = nullptr);

// ---- informer ---------------------------------------------------------------------------------------------------

// An immutable view of a collection at one resourceVersion. Keys: "namespace/name" (or "name" when cluster-scoped).
struct Store {
    std::string resourceVersion;
    std::map<std::string, QJsonObject> objects;

    static std::string keyOf(const QJsonObject& object);
    const QJsonObject* find(const std::string& ns, const std::string& name) const;
    std::size_t size() const { return objects.size(); }
};
using StoreConstSharedPtr = std::shared_ptr<const Store>;

struct InformerOptions {
    ListOptions list;
    int watchTimeoutSeconds = 300;  // timeoutSeconds of each watch; the informer reconnects at once after it
    std::chrono::milliseconds minBackoff{500};
    std::chrono::milliseconds maxBackoff{30000};
};

// The reflector of cluster.md §2.4 for one (resource, namespace[, selectors]): paged LIST -> replace the store ->
// WATCH from the list's resourceVersion with allowWatchBookmarks -> apply events, remember the newest RV (events
// and bookmarks) -> on a clean end of the watch re-watch from that RV at once; on a transport error (also a watch
// cut mid-line, whose partial event is dropped) back off with jitter and re-watch from that RV; on 410 Expired (an
// HTTP 410 or an ERROR event with code 410 inside the 200 stream) re-LIST at once; on other ERROR events or errors
// back off and re-LIST.
//
// Lives on the thread that created it (it needs that thread's event loop) and talks to the RestClient from there.
// Publishes every change as a new immutable Store (several events delivered together give one snapshot).
class Informer : public QObject {
    Q_OBJECT
public:
    Informer(RestClient& client, ResourceRef resource, std::string ns, InformerOptions options = {},
             QObject* parent = nullptr);
    ~Informer() override;

    void start();
    void stop();  // cancels the watch; no further requests or signals until start()

    StoreConstSharedPtr snapshot() const { return m_published; }
    bool hasSynced() const { return m_synced; }
    bool isRunning() const { return m_running; }
    const ResourceRef& resource() const { return m_resource; }
    const std::string& ns() const { return m_ns; }

    int listsForTest() const { return m_lists; }
    int watchesForTest() const { return m_watches; }

signals:
    void snapshotChanged(ilab::kube::StoreConstSharedPtr snapshot);
    void synced();  // the first complete list
    // A list or watch failed (the informer keeps trying); `relisting` says whether it starts over with a LIST.
    void errorOccurred(const QString& message, int http, bool relisting);

private:
    void list();
    void watch();
    void onLine(std::uint64_t generation, const std::string& line);
    void onWatchDone(std::uint64_t generation, const RestReply& reply);
    void relistNow(const QString& why);
    void retryLater(bool relist, std::optional<std::chrono::seconds> retryAfter);
    void schedulePublish();
    void publish();

    RestClient& m_client;
    ResourceRef m_resource;
    std::string m_ns;
    InformerOptions m_options;

    bool m_running = false;
    bool m_synced = false;
    std::uint64_t m_generation = 0;  // bumped on stop/relist: results of older requests are ignored
    std::optional<RestClient::RequestId> m_watchId;
    Store m_working;
    StoreConstSharedPtr m_published;
    bool m_publishPending = false;
    bool m_watchDeliveredEvents = false;
    std::chrono::steady_clock::time_point m_watchStarted;
    int m_failures = 0;
    int m_lists = 0, m_watches = 0;
};

}  // namespace ilab::kube

Q_DECLARE_METATYPE(ilab::kube::StoreConstSharedPtr)
