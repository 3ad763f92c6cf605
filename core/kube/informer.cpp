#include "core/kube/informer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTimer>

namespace ilab::kube {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

std::string metaString(const QJsonObject& o, const char* key) {
    return o.value(QLatin1String("metadata")).toObject().value(QLatin1String(key)).toString().toStdString();
}

struct ListState {
    ResourceRef ref;
    std::string ns;
    ListOptions options;
    ListResult result;
    RestClient* client = nullptr;
    QObject* context = nullptr;
    std::function<void(const ListResult&)> done;
};

void requestPage(const std::shared_ptr<ListState>& st, const std::string& continueToken) {
    RestRequest r;
    r.path = st->ref.collectionPath(st->ns);
    if (st->options.limit > 0) r.query.emplace_back("limit", std::to_string(st->options.limit));
    if (!continueToken.empty()) r.query.emplace_back("continue", continueToken);
    if (!st->options.labelSelector.empty()) r.query.emplace_back("labelSelector", st->options.labelSelector);
    if (!st->options.fieldSelector.empty()) r.query.emplace_back("fieldSelector", st->options.fieldSelector);
    st->client->send(r, st->context, [st, continued = !continueToken.empty()](const RestReply& reply) {
        if (!reply.ok()) {
            if (continued && reply.error->kind == RestErrorKind::Api && reply.error->api.http == 410 &&
                st->result.restarts < st->options.maxRestarts) {
                ++st->result.restarts;
                st->result.items.clear();
                st->result.resourceVersion.clear();
                requestPage(st, {});
                return;
            }
            st->result.error = reply.error;
            st->done(st->result);
            return;
        }
        const QJsonObject body = reply.json();
        if (!body.value(QLatin1String("items")).isArray()) {
            RestError e;
            e.kind = RestErrorKind::BadResponse;
            e.message = "a list response without items (kind " + body.value(QLatin1String("kind")).toString().toStdString() + ")";
            st->result.error = e;
            st->done(st->result);
            return;
        }
        ++st->result.pages;
        if (!continued) st->result.resourceVersion = metaString(body, "resourceVersion");
        const QString apiVersion = q(st->ref.apiVersion()), kind = q(st->ref.kind);
        for (const QJsonValue& v : body.value(QLatin1String("items")).toArray()) {
            QJsonObject item = v.toObject();
            if (!item.contains(QLatin1String("apiVersion"))) item.insert(QLatin1String("apiVersion"), apiVersion);
            if (!item.contains(QLatin1String("kind")) && !kind.isEmpty()) item.insert(QLatin1String("kind"), kind);
            st->result.items.push_back(std::move(item));
        }
        const std::string next = metaString(body, "continue");
        if (!next.empty()) {
            requestPage(st, next);
            return;
        }
        st->done(st->result);
    });
}

}  // namespace

void listAll(RestClient& client, const ResourceRef& ref, const std::string& ns, const ListOptions& options,
             QObject* context, std::function<void(const ListResult&)> done) {
    auto st = std::make_shared<ListState>();
    st->ref = ref;
    st->ns = ns;
    st->options = options;
    st->client = &client;
    st->context = context;
    st->done = std::move(done);
    requestPage(st, {});
}

std::optional<WatchEvent> parseWatchEvent(std::string_view line, std::string* error) {
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(line.data(), qsizetype(line.size())), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error) *error = "watch event is not a JSON object: " + perr.errorString().toStdString();
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    const QString type = o.value(QLatin1String("type")).toString();
    WatchEvent e;
    if (type == QLatin1String("ADDED")) e.type = WatchEvent::Type::Added;
    else if (type == QLatin1String("MODIFIED")) e.type = WatchEvent::Type::Modified;
    else if (type == QLatin1String("DELETED")) e.type = WatchEvent::Type::Deleted;
    else if (type == QLatin1String("BOOKMARK")) e.type = WatchEvent::Type::Bookmark;
    else if (type == QLatin1String("ERROR")) e.type = WatchEvent::Type::Error;
    else {
        if (error) *error = "unknown watch event type \"" + type.left(40).toStdString() + "\"";
        return std::nullopt;
    }
    if (!o.value(QLatin1String("object")).isObject()) {
        if (error) *error = "watch event without an object";
        return std::nullopt;
    }
    e.object = o.value(QLatin1String("object")).toObject();
    return e;
}

std::string Store::keyOf(const QJsonObject& object) {
    const std::string ns = metaString(object, "namespace"), name = metaString(object, "name");
    return ns.empty() ? name : ns + "/" + name;
}

const QJsonObject* Store::find(const std::string& ns, const std::string& name) const {
    auto it = objects.find(ns.empty() ? name : ns + "/" + name);
    return it == objects.end() ? nullptr : &it->second;
}

// ----------------------------------------------------------------------------------------------------------------

Informer::Informer(RestClient& client, ResourceRef resource, std::string ns, InformerOptions options, QObject* parent)
    : QObject(parent), m_client(client), m_resource(std::move(resource)), m_ns(std::move(ns)),
      m_options(std::move(options)), m_published(std::make_shared<const Store>()) {
    static const int registered = qRegisterMetaType<StoreConstSharedPtr>("ilab::kube::StoreConstSharedPtr");
    (void)registered;
}

Informer::~Informer() { stop(); }

void Informer::start() {
    if (m_running) return;
    m_running = true;
    m_failures = 0;
    list();
}

void Informer::stop() {
    m_running = false;
    ++m_generation;
    if (m_watchId) m_client.cancel(*m_watchId);
    m_watchId.reset();
}

void Informer::list() {
    if (!m_running) return;
    const std::uint64_t gen = ++m_generation;
    ++m_lists;
    listAll(m_client, m_resource, m_ns, m_options.list, this, [this, gen](const ListResult& result) {
        if (gen != m_generation || !m_running) return;
        if (result.error) {
            const auto& e = *result.error;
            emit errorOccurred(q(e.describe()), e.kind == RestErrorKind::Api ? e.api.http : 0, true);
            retryLater(true, e.kind == RestErrorKind::Api ? e.api.retryAfter : std::nullopt);
            return;
        }
        m_failures = 0;
        m_working.objects.clear();
        for (const auto& item : result.items) m_working.objects[Store::keyOf(item)] = item;
        m_working.resourceVersion = result.resourceVersion;
        publish();
        if (!m_synced) {
            m_synced = true;
            emit synced();
        }
        watch();
    });
}

void Informer::watch() {
    if (!m_running) return;
    const std::uint64_t gen = m_generation;
    ++m_watches;
    RestRequest r;
    r.path = m_resource.collectionPath(m_ns);
    r.query = {{"watch", "1"},
               {"resourceVersion", m_working.resourceVersion},
               {"allowWatchBookmarks", "true"},
               {"timeoutSeconds", std::to_string(m_options.watchTimeoutSeconds)}};
    if (!m_options.list.labelSelector.empty()) r.query.emplace_back("labelSelector", m_options.list.labelSelector);
    if (!m_options.list.fieldSelector.empty()) r.query.emplace_back("fieldSelector", m_options.list.fieldSelector);
    r.timeout = std::chrono::milliseconds(0);
    r.throttleRetries = 0;  // the informer backs off itself
    m_watchDeliveredEvents = false;
    m_watchStarted = std::chrono::steady_clock::now();
    StreamHandlers h;
    h.onLine = [this, gen](std::string line) { onLine(gen, line); };
    h.onDone = [this, gen](const RestReply& reply) { onWatchDone(gen, reply); };
    m_watchId = m_client.stream(std::move(r), this, std::move(h));
}

void Informer::onLine(std::uint64_t gen, const std::string& line) {
    if (gen != m_generation || !m_running) return;
    std::string err;
    auto event = parseWatchEvent(line, &err);
    if (!event) {
        // A complete line that is not an event: the stream is not trustworthy any more; start over.
        emit errorOccurred(q("bad watch event: " + err), 0, true);
        if (m_watchId) m_client.cancel(*m_watchId);
        m_watchId.reset();
        ++m_generation;
        retryLater(true, std::nullopt);
        return;
    }
    if (event->type == WatchEvent::Type::Error) {
        const QByteArray json = QJsonDocument(event->object).toJson(QJsonDocument::Compact);
        const ApiError e = parseStatus(200, std::string_view(json.constData(), std::size_t(json.size())));
        if (m_watchId) m_client.cancel(*m_watchId);
        m_watchId.reset();
        ++m_generation;
        RestError re;
        re.api = e;
        if (e.http == 410) {
            emit errorOccurred(q(re.describe()), 410, true);
            relistNow(q(e.message));
        } else {
            emit errorOccurred(q(re.describe()), e.http, true);
            retryLater(true, e.retryAfter);
        }
        return;
    }
    const std::string rv = metaString(event->object, "resourceVersion");
    if (!rv.empty()) m_working.resourceVersion = rv;
    if (event->type == WatchEvent::Type::Bookmark) return;
    m_watchDeliveredEvents = true;
    m_failures = 0;
    const std::string key = Store::keyOf(event->object);
    if (event->type == WatchEvent::Type::Deleted) m_working.objects.erase(key);
    else m_working.objects[key] = event->object;
    schedulePublish();
}

void Informer::onWatchDone(std::uint64_t gen, const RestReply& reply) {
    if (gen != m_generation || !m_running) return;
    m_watchId.reset();
    if (reply.ok()) {
        // The server ended the watch (timeoutSeconds): normal, go on from the newest RV. A server that ends
        // watches at once without anything in them gets a back-off instead of a busy loop.
        const bool lived = std::chrono::steady_clock::now() - m_watchStarted >= std::chrono::seconds(1);
        if (lived || m_watchDeliveredEvents) {
            m_failures = 0;
            watch();
        } else {
            retryLater(false, std::nullopt);
        }
        return;
    }
    const RestError& e = *reply.error;
    if (e.kind == RestErrorKind::Api && e.api.http == 410) {
        emit errorOccurred(q(e.describe()), 410, true);
        relistNow(q(e.api.message));
        return;
    }
    if (e.kind == RestErrorKind::Transport) {
        emit errorOccurred(q(e.describe()), 0, false);
        retryLater(false, std::nullopt);  // re-watch from the last RV: nothing was missed
        return;
    }
    const bool throttled = e.kind == RestErrorKind::Api && e.api.isRetryable();
    emit errorOccurred(q(e.describe()), e.kind == RestErrorKind::Api ? e.api.http : 0, !throttled);
    retryLater(!throttled, e.kind == RestErrorKind::Api ? e.api.retryAfter : std::nullopt);
}

void Informer::relistNow(const QString&) {
    ++m_generation;
    list();
}

void Informer::retryLater(bool relist, std::optional<std::chrono::seconds> retryAfter) {
    ++m_failures;
    const double base = double(m_options.minBackoff.count()) * double(1 << std::min(m_failures - 1, 16));
    double delay = std::min(base, double(m_options.maxBackoff.count()));
    delay *= 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();  // jitter
    if (retryAfter) delay = std::max(delay, double(std::chrono::milliseconds(*retryAfter).count()));
    const std::uint64_t gen = ++m_generation;
    QTimer::singleShot(int(delay), this, [this, gen, relist] {
        if (gen != m_generation || !m_running) return;
        if (relist) list();
        else watch();
    });
}

void Informer::schedulePublish() {
    if (m_publishPending) return;
    m_publishPending = true;
    QTimer::singleShot(0, this, [this] {
        m_publishPending = false;
        if (m_running) publish();
    });
}

void Informer::publish() {
    m_published = std::make_shared<const Store>(m_working);
    emit snapshotChanged(m_published);
}

}  // namespace ilab::kube
