#include "core/kube/rest_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <openssl/x509.h>

#include <QJsonDocument>
#include <QMetaObject>
#include <QPointer>
#include <QThread>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace ilab::kube {

CredentialSource::~CredentialSource() = default;

QJsonObject RestReply::json() const {
    return QJsonDocument::fromJson(QByteArray(body.data(), qsizetype(body.size()))).object();
}

std::string encodeQueryComponent(std::string_view s) {
    static const char* HEX = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += HEX[c >> 4];
            out += HEX[c & 15];
        }
    }
    return out;
}

namespace {

constexpr std::size_t MAX_BODY_BYTES = 512u << 20;  // a list of every Secret of a big cluster stays far below
constexpr std::size_t MAX_LINE_BYTES = 64u << 20;   // one watch event

void ensureCurlGlobal() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Splits https://host:port/prefix into its parts (enough for CURLOPT_CONNECT_TO and the Host header).
struct ServerUrl {
    std::string scheme, host, port, prefix;  // host without brackets
    bool ipv6 = false;
};

ServerUrl splitServer(const std::string& server) {
    ServerUrl u;
    std::string rest = server;
    const auto schemeEnd = rest.find("://");
    if (schemeEnd != std::string::npos) {
        u.scheme = rest.substr(0, schemeEnd);
        rest = rest.substr(schemeEnd + 3);
    } else {
        u.scheme = "https";
    }
    const auto slash = rest.find('/');
    std::string hostPort = rest.substr(0, slash);
    if (slash != std::string::npos) u.prefix = rest.substr(slash);
    while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
    if (!hostPort.empty() && hostPort.front() == '[') {
        const auto close = hostPort.find(']');
        u.host = hostPort.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        u.ipv6 = true;
        if (close != std::string::npos && close + 1 < hostPort.size() && hostPort[close + 1] == ':')
            u.port = hostPort.substr(close + 2);
    } else {
        const auto colon = hostPort.rfind(':');
        u.host = hostPort.substr(0, colon);
        if (colon != std::string::npos) u.port = hostPort.substr(colon + 1);
    }
    if (u.port.empty()) u.port = u.scheme == "http" ? "80" : "443";
    return u;
}

std::string hostForUrl(const std::string& host, bool ipv6) { return ipv6 ? "[" + host + "]" : host; }

// Relays deliveries from the I/O thread to the context's thread. It lives in the client's thread; the I/O thread
// only emits ready() (thread-safe) and finally posts deleteLater(). Receivers are the contexts, through queued
// connections, so a context destroyed meanwhile simply never gets the call.
class Relay : public QObject {
    Q_OBJECT
signals:
    void ready();
};

}  // namespace

// One request through its whole life (credential hop, attempts, retries, delivery).
struct Call {
    RestClient::RequestId id = 0;
    RestRequest request;
    bool streaming = false;
    std::function<void(const RestReply&)> done;
    StreamHandlers handlers;
    Relay* relay = nullptr;
    std::atomic<bool> cancelled{false};

    // Deliveries waiting for the context's thread (guarded by deliveryMutex).
    std::mutex deliveryMutex;
    std::deque<std::function<void()>> deliveries;

    // I/O thread state of the current attempt.
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* connectTo = nullptr;
    void* impl = nullptr;  // the RestClient::Impl running it (for the write callback)
    char errorBuffer[CURL_ERROR_SIZE] = {};
    std::optional<SecretBytes> token;
    std::optional<std::pair<SecretBytes, SecretBytes>> clientCert;  // from the CredentialSource (exec plugin)
    std::string credentialError;  // the CredentialSource failed: delivered as RestErrorKind::Credentials
    std::uint64_t tokenGeneration = 0;
    bool refreshedAfter401 = false;
    bool reject401 = false;  // the 401 could not be refreshed: deliver it
    int throttleRetriesLeft = 0;
    int attempts = 0;
    std::string body;
    std::string lineBuffer;
    bool lineTooLong = false;
    bool bodyTooLarge = false;
    std::vector<std::string> warnings;
    std::string retryAfterHeader;
    std::chrono::steady_clock::time_point started;
};

struct RestClient::Impl {
    RestClient* owner = nullptr;
    ClusterConnection conn;
    std::shared_ptr<CredentialSource> credentials;
    Options options;
    ServerUrl url;

    CURLM* multi = nullptr;
    std::thread ioThread;
    std::thread credThread;
    std::atomic<bool> stopping{false};
    std::atomic<RequestId> nextId{1};
    // Cleared first thing in ~RestClient: replies already queued to other contexts are dropped (their callbacks
    // may use the client, e.g. listAll asking for the next page).
    std::shared_ptr<std::atomic<bool>> alive = std::make_shared<std::atomic<bool>>(true);

    // Guarded by mutex: work handed to the I/O thread.
    mutable std::mutex mutex;
    std::deque<std::shared_ptr<Call>> incoming;
    std::set<RequestId> cancelRequests;
    std::map<RequestId, std::shared_ptr<Call>> all;  // every call not yet finished (any thread's view)
    // Every call whose callbacks may still be queued (expired entries are swept now and then), so that cancel()
    // also stops a reply that is complete but not yet delivered.
    std::map<RequestId, std::weak_ptr<Call>> handles;

    // I/O thread only.
    std::map<CURL*, std::shared_ptr<Call>> running;
    std::multimap<std::chrono::steady_clock::time_point, std::shared_ptr<Call>> delayed;

    // Credential thread (guarded by credMutex).
    std::mutex credMutex;
    std::condition_variable credCv;
    std::deque<std::function<void()>> credJobs;
    std::atomic<std::uint64_t> credGeneration{0};

    void startThreads();
    void stopThreads();
    void ioLoop();
    void credLoop();
    void postCredJob(std::function<void()> job);
    void enqueue(const std::shared_ptr<Call>& call);
    void fetchTokenThenEnqueue(const std::shared_ptr<Call>& call);
    void startAttempt(const std::shared_ptr<Call>& call);
    void finishAttempt(const std::shared_ptr<Call>& call, CURLcode result);
    void complete(const std::shared_ptr<Call>& call, RestReply reply);
    void deliver(const std::shared_ptr<Call>& call, std::function<void()> fn, bool final);
    void surfaceWarnings(const Call& call);
    void releaseEasy(Call& call);
    std::string buildUrl(const RestRequest& r) const;

    static size_t onHeader(char* data, size_t size, size_t n, void* user);
    static size_t onBody(char* data, size_t size, size_t n, void* user);
};

RestClient::RestClient(ClusterConnection connection, std::shared_ptr<CredentialSource> credentials, Options options,
                       QObject* parent)
    : QObject(parent), m_impl(std::make_unique<Impl>()) {
    ensureCurlGlobal();
    m_server = connection.server;
    m_defaultNamespace = connection.ns.empty() ? "default" : connection.ns;
    m_impl->owner = this;
    m_impl->url = splitServer(connection.server);
    m_impl->conn = std::move(connection);
    m_impl->credentials = std::move(credentials);
    m_impl->options = std::move(options);
    m_impl->startThreads();
}

RestClient::~RestClient() {
    *m_impl->alive = false;
    m_impl->stopThreads();
    // Relays of calls that never finished live in this thread: delete them here.
    for (auto& [id, call] : m_impl->all) {
        call->cancelled = true;
        delete call->relay;
        call->relay = nullptr;
    }
}

std::string RestClient::urlFor(const RestRequest& request) const { return m_impl->buildUrl(request); }

int RestClient::activeRequestsForTest() const {
    std::lock_guard lock(m_impl->mutex);
    return int(m_impl->all.size());
}

RestClient::RequestId RestClient::send(RestRequest request, QObject* context,
                                       std::function<void(const RestReply&)> done) {
    return submit(std::move(request), context, std::move(done), nullptr);
}

RestClient::RequestId RestClient::stream(RestRequest request, QObject* context, StreamHandlers handlers) {
    auto onDone = handlers.onDone;
    return submit(std::move(request), context, std::move(onDone), &handlers);
}

RestClient::RequestId RestClient::submit(RestRequest request, QObject* context,
                                         std::function<void(const RestReply&)> done, StreamHandlers* handlers) {
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->done = std::move(done);
    if (handlers) {
        call->handlers = std::move(*handlers);
        call->streaming = true;
    }
    call->id = m_impl->nextId++;
    call->relay = new Relay;
    call->relay->moveToThread(thread());
    // The slot holds the Call: a queued invocation already posted keeps it alive after the relay is gone.
    QObject::connect(call->relay, &Relay::ready, context ? context : this, [call, alive = m_impl->alive] {
        if (!*alive) return;
        std::deque<std::function<void()>> batch;
        {
            std::lock_guard lock(call->deliveryMutex);
            batch.swap(call->deliveries);
        }
        for (auto& fn : batch) {
            if (call->cancelled) return;
            fn();
        }
    }, Qt::QueuedConnection);
    m_impl->enqueue(call);
    return call->id;
}

void RestClient::cancel(RequestId id) {
    std::lock_guard lock(m_impl->mutex);
    auto h = m_impl->handles.find(id);
    if (h != m_impl->handles.end()) {
        if (auto call = h->second.lock()) call->cancelled = true;
        m_impl->handles.erase(h);
    }
    auto it = m_impl->all.find(id);
    if (it == m_impl->all.end()) return;
    it->second->cancelled = true;
    m_impl->cancelRequests.insert(id);
    if (m_impl->multi) curl_multi_wakeup(m_impl->multi);
}

// ----------------------------------------------------------------------------------------------------------------

void RestClient::Impl::startThreads() {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, long(CURLPIPE_MULTIPLEX));
    ioThread = std::thread([this] { ioLoop(); });
    credThread = std::thread([this] { credLoop(); });
}

void RestClient::Impl::stopThreads() {
    stopping = true;
    {
        std::lock_guard lock(credMutex);
        credCv.notify_all();
    }
    if (multi) curl_multi_wakeup(multi);
    if (ioThread.joinable()) ioThread.join();
    if (credThread.joinable()) credThread.join();
    for (auto& [easy, call] : running) {
        curl_multi_remove_handle(multi, easy);
        releaseEasy(*call);
    }
    running.clear();
    delayed.clear();
    curl_multi_cleanup(multi);
    multi = nullptr;
}

void RestClient::Impl::postCredJob(std::function<void()> job) {
    std::lock_guard lock(credMutex);
    credJobs.push_back(std::move(job));
    credCv.notify_one();
}

void RestClient::Impl::credLoop() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(credMutex);
            credCv.wait(lock, [this] { return stopping || !credJobs.empty(); });
            if (stopping) return;
            job = std::move(credJobs.front());
            credJobs.pop_front();
        }
        job();
    }
}

void RestClient::Impl::enqueue(const std::shared_ptr<Call>& call) {
    call->throttleRetriesLeft = std::max(0, call->request.throttleRetries);
    {
        std::lock_guard lock(mutex);
        all[call->id] = call;
        handles[call->id] = call;
        if (handles.size() > 256 && (call->id % 256) == 0)
            std::erase_if(handles, [](const auto& kv) { return kv.second.expired(); });
    }
    if (credentials) {
        fetchTokenThenEnqueue(call);
        return;
    }
    if (!conn.auth.token.empty()) call->token = conn.auth.token;
    std::lock_guard lock(mutex);
    incoming.push_back(call);
    curl_multi_wakeup(multi);
}

void RestClient::Impl::fetchTokenThenEnqueue(const std::shared_ptr<Call>& call) {
    postCredJob([this, call] {
        if (!call->cancelled) {
            call->tokenGeneration = credGeneration;
            call->token = credentials->bearerToken();
            call->clientCert = credentials->clientCertificate();
            call->credentialError = credentials->lastError();
        }
        std::lock_guard lock(mutex);
        incoming.push_back(call);
        curl_multi_wakeup(multi);
    });
}

std::string RestClient::Impl::buildUrl(const RestRequest& r) const {
    // With tls-server-name the URL names that host (SNI + certificate check); CURLOPT_CONNECT_TO sends the TCP
    // connection to the real host.
    const std::string host = conn.tlsServerName.empty() ? hostForUrl(url.host, url.ipv6) : conn.tlsServerName;
    // Through kubectl proxy: its own idea of the server (prefix included); it accepts Host: localhost.
    std::string s = conn.unixSocket.empty() ? url.scheme + "://" + host + ":" + url.port + url.prefix + r.path
                                            : "http://localhost" + r.path;
    char sep = r.path.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : r.query) {
        s += sep;
        s += encodeQueryComponent(k) + "=" + encodeQueryComponent(v);
        sep = '&';
    }
    return s;
}

void RestClient::Impl::startAttempt(const std::shared_ptr<Call>& call) {
    Call& c = *call;
    ++c.attempts;
    c.body.clear();
    c.lineBuffer.clear();
    c.lineTooLong = c.bodyTooLarge = false;
    c.warnings.clear();
    c.retryAfterHeader.clear();
    c.errorBuffer[0] = 0;
    c.started = std::chrono::steady_clock::now();

    CURL* e = curl_easy_init();
    c.easy = e;
    const RestRequest& r = c.request;
    const std::string u = buildUrl(r);
    curl_easy_setopt(e, CURLOPT_URL, u.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &c);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c.errorBuffer);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.userAgent.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, long(options.connectTimeout.count()));
    if (r.timeout.count() > 0) curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, long(r.timeout.count()));
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, options.http2 ? long(CURL_HTTP_VERSION_2TLS) : long(CURL_HTTP_VERSION_1_1));
    // Never the environment's proxy (client-go uses only the kubeconfig's proxy-url): "" disables proxies.
    curl_easy_setopt(e, CURLOPT_PROXY, conn.proxyUrl.c_str());
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (!conn.unixSocket.empty()) curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, conn.unixSocket.c_str());

    // TLS
    if (conn.insecureSkipTlsVerify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!conn.caPem.empty()) {
        curl_blob ca{const_cast<char*>(conn.caPem.data()), conn.caPem.size(), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
    }
    // The exec plugin's certificate wins over the kubeconfig's (client-go: the plugin's TLS config replaces it).
    const SecretBytes& certPem = c.clientCert ? c.clientCert->first : conn.auth.clientCertPem;
    const SecretBytes& keyPem = c.clientCert ? c.clientCert->second : conn.auth.clientKeyPem;
    if (!certPem.empty() && !keyPem.empty()) {
        curl_blob cert{const_cast<char*>(certPem.reveal().data()), certPem.reveal().size(), CURL_BLOB_COPY};
        curl_blob key{const_cast<char*>(keyPem.reveal().data()), keyPem.reveal().size(), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
    }
    curl_slist* connectTo = nullptr;
    if (!conn.tlsServerName.empty()) {
        const std::string rule = conn.tlsServerName + ":" + url.port + ":" + hostForUrl(url.host, url.ipv6) + ":" + url.port;
        connectTo = curl_slist_append(nullptr, rule.c_str());
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, connectTo);
    }

    // Headers
    curl_slist* h = nullptr;
    h = curl_slist_append(h, ("Accept: " + r.accept).c_str());
    if (!r.contentType.empty()) h = curl_slist_append(h, ("Content-Type: " + r.contentType).c_str());
    h = curl_slist_append(h, "Expect:");
    if (!conn.tlsServerName.empty()) {
        const bool defaultPort = (url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80");
        h = curl_slist_append(h, ("Host: " + hostForUrl(url.host, url.ipv6) + (defaultPort ? "" : ":" + url.port)).c_str());
    }
    if (c.token && !c.token->empty()) {
        std::string line = "Authorization: Bearer " + c.token->reveal();
        h = curl_slist_append(h, line.c_str());
        volatile char* p = line.data();
        for (std::size_t i = 0; i < line.size(); ++i) p[i] = 0;
    }
    if (!conn.auth.impersonate.empty()) h = curl_slist_append(h, ("Impersonate-User: " + conn.auth.impersonate).c_str());
    for (const auto& g : conn.auth.impersonateGroups) h = curl_slist_append(h, ("Impersonate-Group: " + g).c_str());
    c.connectTo = connectTo;
    c.headers = h;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);

    // Method and body
    if (r.verb == "GET") {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (r.verb == "HEAD") {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(r.body.size()));
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
        if (r.verb != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.verb.c_str());
    }
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::onHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &c);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::onBody);
    c.impl = this;
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &c);
    running[e] = call;
    curl_multi_add_handle(multi, e);
}

void RestClient::Impl::releaseEasy(Call& c) {
    if (c.easy) curl_easy_cleanup(c.easy);
    c.easy = nullptr;
    for (curl_slist* n = c.headers; n; n = n->next) {  // wipe the Authorization value before it is freed
        volatile char* p = n->data;
        for (std::size_t i = 0; p && p[i]; ++i) p[i] = 0;
    }
    curl_slist_free_all(c.headers);
    c.headers = nullptr;
    curl_slist_free_all(c.connectTo);
    c.connectTo = nullptr;
}

size_t RestClient::Impl::onHeader(char* data, size_t size, size_t n, void* user) {
    auto* c = static_cast<Call*>(user);
    const size_t len = size * n;
    std::string_view line(data, len);
    if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {  // a new response (after 100 Continue, a proxy CONNECT)
        c->warnings.clear();
        c->retryAfterHeader.clear();
        return len;
    }
    if (line == "\r\n" || line == "\n") {  // end of this response's headers: surface its warnings now (a watch
        if (!c->warnings.empty()) static_cast<Impl*>(c->impl)->surfaceWarnings(*c);  // may run for hours)
        return len;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return len;
    std::string name(line.substr(0, colon));
    for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    if (name == "warning") c->warnings.push_back(parseWarningHeader(value));
    else if (name == "retry-after") c->retryAfterHeader = std::string(value);
    return len;
}

size_t RestClient::Impl::onBody(char* data, size_t size, size_t n, void* user) {
    auto* c = static_cast<Call*>(user);
    auto* self = static_cast<Impl*>(c->impl);
    const size_t len = size * n;
    long code = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
    if (!c->streaming || code < 200 || code >= 300) {
        if (c->body.size() + len > MAX_BODY_BYTES) {
            c->bodyTooLarge = true;
            return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
        }
        c->body.append(data, len);
        return len;
    }
    c->lineBuffer.append(data, len);
    std::size_t start = 0;
    std::vector<std::string> lines;
    for (;;) {
        const auto nl = c->lineBuffer.find('\n', start);
        if (nl == std::string::npos) break;
        std::string line = c->lineBuffer.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) lines.push_back(std::move(line));
        start = nl + 1;
    }
    c->lineBuffer.erase(0, start);
    if (c->lineBuffer.size() > MAX_LINE_BYTES) {
        c->lineTooLong = true;
        return 0;
    }
    if (!lines.empty() && c->handlers.onLine) {
        auto onLine = c->handlers.onLine;
        std::shared_ptr<Call> call;
        auto it = self->running.find(c->easy);
        if (it != self->running.end()) call = it->second;
        if (call) {
            self->deliver(call, [onLine, lines = std::move(lines)] {
                for (const auto& l : lines) onLine(l);
            }, false);
        }
    }
    return len;
}

void RestClient::Impl::deliver(const std::shared_ptr<Call>& call, std::function<void()> fn, bool final) {
    {
        std::lock_guard lock(call->deliveryMutex);
        call->deliveries.push_back(std::move(fn));
    }
    Relay* relay = call->relay;
    if (!relay) return;
    emit relay->ready();
    if (final) {
        {
            std::lock_guard lock(mutex);
            all.erase(call->id);
        }
        call->relay = nullptr;
        relay->deleteLater();  // runs on the client's thread; queued calls already posted to the context stay
    }
}

void RestClient::Impl::surfaceWarnings(const Call& c) {
    const QString method = QString::fromStdString(c.request.verb);
    const QString path = QString::fromStdString(c.request.path);
    std::vector<std::string> warnings = c.warnings;
    RestClient* client = owner;
    QMetaObject::invokeMethod(owner, [client, warnings, method, path] {
        for (const auto& w : warnings) emit client->warningReceived(QString::fromStdString(w), method, path);
    }, Qt::QueuedConnection);
}

void RestClient::Impl::complete(const std::shared_ptr<Call>& call, RestReply reply) {
    reply.attempts = call->attempts;
    if (call->cancelled) {
        std::lock_guard lock(mutex);
        all.erase(call->id);
        if (call->relay) {
            call->relay->deleteLater();
            call->relay = nullptr;
        }
        return;
    }
    auto done = call->done;
    deliver(call, [done, reply = std::move(reply)] {
        if (done) done(reply);
    }, true);
}

void RestClient::Impl::finishAttempt(const std::shared_ptr<Call>& call, CURLcode result) {
    Call& c = *call;
    long code = 0;
    curl_easy_getinfo(c.easy, CURLINFO_RESPONSE_CODE, &code);
    long verify = 0;
    curl_easy_getinfo(c.easy, CURLINFO_SSL_VERIFYRESULT, &verify);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - c.started);
    if (options.trace) {
        std::string line = c.request.verb + " " + buildUrl(c.request) + " -> ";
        line += result == CURLE_OK ? std::to_string(code) : std::string("curl ") + std::to_string(int(result));
        line += " (" + std::to_string(elapsed.count()) + " ms)";
        options.trace(line);
    }
    curl_multi_remove_handle(multi, c.easy);
    running.erase(c.easy);

    RestReply reply;
    reply.http = int(code);
    reply.warnings = c.warnings;
    const bool cutStream = c.streaming && !c.lineBuffer.empty();
    reply.discardedBytes = c.streaming ? c.lineBuffer.size() : 0;
    if (result != CURLE_OK && !(c.bodyTooLarge || c.lineTooLong)) {
        RestError err;
        err.kind = RestErrorKind::Transport;
        err.transport.curlCode = int(result);
        err.transport.message = curl_easy_strerror(result);
        if (c.errorBuffer[0]) err.transport.message += std::string(": ") + c.errorBuffer;
        if (verify != 0 && verify != X509_V_OK) err.transport.tlsDetail = X509_verify_cert_error_string(verify);
        reply.error = err;
    } else if (c.bodyTooLarge || c.lineTooLong) {
        RestError err;
        err.kind = RestErrorKind::BadResponse;
        err.message = c.lineTooLong ? "a stream line is longer than 64 MiB" : "the response is larger than 512 MiB";
        reply.error = err;
    } else if (code < 200 || code >= 300) {
        RestError err;
        err.kind = RestErrorKind::Api;
        err.api = parseStatus(int(code), c.body, c.retryAfterHeader);
        err.api.http = int(code);
        reply.error = err;
    } else if (cutStream) {
        // The server ended the stream in the middle of a line: the line is dropped, the stream ended normally.
    }
    reply.body = std::move(c.body);
    releaseEasy(c);

    if (c.cancelled) {
        complete(call, std::move(reply));
        return;
    }
    // 401: refresh credentials once and retry once.
    if (reply.error && reply.error->kind == RestErrorKind::Api && code == 401 && credentials && !c.refreshedAfter401) {
        c.refreshedAfter401 = true;
        const std::uint64_t generationAtSend = c.tokenGeneration;
        postCredJob([this, call, generationAtSend] {
            bool fresh = credGeneration != generationAtSend;  // someone else refreshed meanwhile: just retry
            if (!fresh && credentials->refreshAfter401()) {
                ++credGeneration;
                fresh = true;
            }
            if (fresh && !call->cancelled) {
                call->tokenGeneration = credGeneration;
                call->token = credentials->bearerToken();
                call->clientCert = credentials->clientCertificate();
                call->credentialError = credentials->lastError();
            }
            std::lock_guard lock(mutex);
            if (fresh) {
                incoming.push_back(call);
            } else {
                call->reject401 = true;
                incoming.push_back(call);
            }
            curl_multi_wakeup(multi);
        });
        c.body = reply.body;  // kept for the final 401 when no refresh happens
        c.warnings = reply.warnings;
        return;
    }
    // 429 / 503 / 504: wait as the server asks, then retry.
    if (reply.error && reply.error->kind == RestErrorKind::Api && reply.error->api.isRetryable() &&
        c.throttleRetriesLeft > 0) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            reply.error->api.retryAfter.value_or(std::chrono::seconds(0)));
        if (wait < options.defaultRetryDelay) wait = options.defaultRetryDelay;
        if (wait <= options.maxRetryAfter) {
            --c.throttleRetriesLeft;
            delayed.emplace(std::chrono::steady_clock::now() + wait, call);
            return;
        }
    }
    complete(call, std::move(reply));
}

void RestClient::Impl::ioLoop() {
    // CURLOPT_NOSIGNAL leaves SIGPIPE to us and OpenSSL writes with write(): a TLS peer that vanished mid-request
    // would kill the process. Blocked for this thread only.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stopping) {
        std::deque<std::shared_ptr<Call>> fresh;
        std::set<RequestId> cancels;
        {
            std::lock_guard lock(mutex);
            fresh.swap(incoming);
            cancels.swap(cancelRequests);
        }
        for (auto& call : fresh) {
            if (call->cancelled) {
                complete(call, RestReply{});
                continue;
            }
            if (!call->credentialError.empty()) {
                RestReply reply;
                RestError err;
                err.kind = RestErrorKind::Credentials;
                err.message = call->credentialError;
                reply.error = err;
                complete(call, std::move(reply));
                continue;
            }
            if (call->reject401) {
                RestReply reply;
                reply.http = 401;
                reply.warnings = call->warnings;
                RestError err;
                err.kind = RestErrorKind::Api;
                err.api = parseStatus(401, call->body);
                reply.body = std::move(call->body);
                reply.error = err;
                complete(call, std::move(reply));
                continue;
            }
            startAttempt(call);
        }
        if (!cancels.empty()) {
            std::vector<std::shared_ptr<Call>> stop;
            for (auto& [easy, call] : running)
                if (cancels.count(call->id)) stop.push_back(call);
            for (auto& call : stop) {
                curl_multi_remove_handle(multi, call->easy);
                running.erase(call->easy);
                releaseEasy(*call);
                complete(call, RestReply{});
            }
            for (auto it = delayed.begin(); it != delayed.end();) {
                if (cancels.count(it->second->id)) {
                    complete(it->second, RestReply{});
                    it = delayed.erase(it);
                } else {
                    ++it;
                }
            }
        }
        const auto now = std::chrono::steady_clock::now();
        while (!delayed.empty() && delayed.begin()->first <= now) {
            auto call = delayed.begin()->second;
            delayed.erase(delayed.begin());
            startAttempt(call);
        }

        int stillRunning = 0;
        curl_multi_perform(multi, &stillRunning);
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            auto it = running.find(msg->easy_handle);
            if (it == running.end()) continue;
            auto call = it->second;
            finishAttempt(call, msg->data.result);
        }

        int timeoutMs = 1000;
        if (!delayed.empty()) {
            const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(delayed.begin()->first - now).count();
            timeoutMs = int(std::clamp<long long>(until, 0, 1000));
        }
        long curlTimeout = -1;
        curl_multi_timeout(multi, &curlTimeout);
        if (curlTimeout >= 0 && curlTimeout < timeoutMs) timeoutMs = int(curlTimeout);
        curl_multi_poll(multi, nullptr, 0, timeoutMs, nullptr);
    }
}

}  // namespace ilab::kube

#include "rest_client.moc"
