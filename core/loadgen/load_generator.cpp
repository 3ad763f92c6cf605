#include "core/loadgen/load_generator.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <future>
#include <unordered_map>

#include <curl/curl.h>

namespace ilab::loadgen {

namespace {

using Clock = std::chrono::steady_clock;

// Poll at most this long between checks of stop(), the duration end and progress publishing.
constexpr int64_t MAX_WAIT_US = 20'000;

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

ErrorKind classify(CURLcode code) {
    switch (code) {
    case CURLE_OK: return ErrorKind::None;
    case CURLE_COULDNT_CONNECT: return ErrorKind::Refused;
    case CURLE_OPERATION_TIMEDOUT: return ErrorKind::Timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return ErrorKind::Dns;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED: return ErrorKind::Tls;
    default: return ErrorKind::Other;
    }
}

void globalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

// The run itself: lives entirely on the worker thread, created and destroyed there.
class LoadGenerator::Worker {
public:
    Worker(LoadGenerator& owner, LoadConfig cfg, size_t part, Clock::time_point t0)
        : m_owner(owner), m_cfg(std::move(cfg)), m_part(part), m_results(m_cfg.recordLimit), m_t0(t0) {}
    ~Worker() { cleanup(); }

    bool init(std::string& error);
    void run();
    Results takeResults() { return std::move(m_results); }
    uint64_t started() const { return m_started; }

private:
    struct PreparedTarget {
        curl_slist* headers = nullptr;
        std::string cookie;
        std::string method;
        bool nobody = false;
    };
    struct Slot {
        CURL* easy = nullptr;
        int target = -1;  // the target whose options are set on the handle
        bool busy = false;
        int64_t startUs = 0;
        int64_t bytes = 0;
        std::string body;
        std::string upstreamHeader;
        std::string podHeader;
        std::string reasonHeader;  // X-Ingress-Lab-Reason (the controller's own error answers)
        std::string allowOrigin;   // Access-Control-Allow-Origin (CORS answers), valid when hasAllowOrigin
        bool hasAllowOrigin = false;
        char errorBuffer[CURL_ERROR_SIZE] = {};
        Worker* worker = nullptr;
    };

    static int onSocket(CURL*, curl_socket_t s, int what, void* userp, void*);
    static int onTimer(CURLM*, long timeoutMs, void* userp);
    static size_t onWrite(char* data, size_t size, size_t nmemb, void* userp);
    static size_t onHeader(char* data, size_t size, size_t nmemb, void* userp);

    int64_t nowUs() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_t0).count();
    }
    bool mayStartMore(int64_t now) const;
    int64_t nextArrivalUs() const;
    int pickTarget();
    void applyTarget(Slot& slot, int target);
    void startDue(int64_t now);
    void drainMessages();
    void complete(Slot& slot, CURLcode code);
    void recordCertificate(const Slot& slot);
    void cleanup();
    void publishMaybe(int64_t now, bool force);

    LoadGenerator& m_owner;
    const LoadConfig m_cfg;
    const size_t m_part;
    Results m_results;

    CURLM* m_multi = nullptr;
    CURLSH* m_share = nullptr;
    curl_slist* m_resolve = nullptr;
    curl_slist* m_connectTo = nullptr;
    std::vector<PreparedTarget> m_targets;
    std::vector<double> m_wrrCurrent;
    double m_wrrTotal = 0;
    std::vector<std::unique_ptr<Slot>> m_slots;
    std::vector<Slot*> m_free;

    std::vector<pollfd> m_fds;
    std::vector<int> m_fdIndex;  // socket -> index in m_fds, -1 when not watched
    std::vector<std::pair<int, int>> m_ready;
    int64_t m_timerDeadlineUs = -1;

    Clock::time_point m_t0;
    uint64_t m_started = 0;
    int m_inFlight = 0;
    int64_t m_lastCompletionUs = 0;
    int64_t m_nextPublishUs = 0;
    std::string m_keyScratch;
};

bool LoadGenerator::Worker::init(std::string& error) {
    globalInitOnce();
    m_multi = curl_multi_init();
    m_share = curl_share_init();
    if (!m_multi || !m_share) {
        error = "curl_multi_init failed";
        return false;
    }
    // One thread: TLS sessions and DNS entries are shared between handles without locking.
    curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &Worker::onSocket);
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &Worker::onTimer);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, this);
    // Keep a connection per slot and per host alive between requests (the cache default would be 4x handles,
    // but handles leave the multi between requests, so set it explicitly).
    curl_multi_setopt(m_multi, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(m_cfg.concurrency) * static_cast<long>(std::max<size_t>(1, m_cfg.targets.size())) + 8);

    for (const auto& r : m_cfg.resolve) m_resolve = curl_slist_append(m_resolve, r.c_str());
    for (const auto& c : m_cfg.connectTo) m_connectTo = curl_slist_append(m_connectTo, c.c_str());

    for (const auto& t : m_cfg.targets) {
        PreparedTarget p;
        for (const auto& h : t.headers) p.headers = curl_slist_append(p.headers, h.c_str());
        if (t.hasBody) p.headers = curl_slist_append(p.headers, "Expect:");  // no 100-continue round trip
        for (const auto& [name, value] : t.cookies) {
            if (!p.cookie.empty()) p.cookie += "; ";
            p.cookie += name + "=" + value;
        }
        p.method = t.method;
        p.nobody = t.method == "HEAD";
        m_targets.push_back(std::move(p));
        m_wrrTotal += t.share;
    }
    m_wrrCurrent.assign(m_targets.size(), 0);

    for (int i = 0; i < m_cfg.concurrency; ++i) {
        auto slot = std::make_unique<Slot>();
        slot->worker = this;
        slot->easy = curl_easy_init();
        if (!slot->easy) {
            error = "curl_easy_init failed";
            return false;
        }
        CURL* e = slot->easy;
        curl_easy_setopt(e, CURLOPT_PRIVATE, slot.get());
        curl_easy_setopt(e, CURLOPT_SHARE, m_share);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
        curl_easy_setopt(e, CURLOPT_USERAGENT, "ingress-lab-traffic/0.1");
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Worker::onWrite);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, slot.get());
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Worker::onHeader);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, slot.get());
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, slot->errorBuffer);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(m_cfg.timeout.count()));
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_cfg.connectTimeout.count()));
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        // Environment proxies (http_proxy, …) are ignored, as wrk does: a run measures the target itself, and a
        // proxy would silently bypass --resolve pinning. Also saves ~1.4k instructions of getenv per request.
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
        if (m_resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, m_resolve);
        if (m_connectTo) curl_easy_setopt(e, CURLOPT_CONNECT_TO, m_connectTo);
        if (!m_cfg.keepAlive) {
            curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
            curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        }
        if (m_cfg.tlsVerify == TlsVerify::Insecure) {
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (!m_cfg.caFile.empty()) {
            curl_easy_setopt(e, CURLOPT_CAINFO, m_cfg.caFile.c_str());
        }
        slot->body.reserve(std::min<size_t>(m_cfg.bodyCaptureBytes, 4096));
        m_free.push_back(slot.get());
        m_slots.push_back(std::move(slot));
    }
    // Slots are taken from the back; start with slot 0.
    std::reverse(m_free.begin(), m_free.end());
    return true;
}

void LoadGenerator::Worker::cleanup() {
    for (auto& slot : m_slots) {
        if (slot->busy && m_multi) curl_multi_remove_handle(m_multi, slot->easy);
        if (slot->easy) curl_easy_cleanup(slot->easy);
    }
    m_slots.clear();
    if (m_multi) curl_multi_cleanup(m_multi);
    m_multi = nullptr;
    if (m_share) curl_share_cleanup(m_share);
    m_share = nullptr;
    for (auto& t : m_targets) curl_slist_free_all(t.headers);
    m_targets.clear();
    curl_slist_free_all(m_resolve);
    m_resolve = nullptr;
    curl_slist_free_all(m_connectTo);
    m_connectTo = nullptr;
}

int LoadGenerator::Worker::onSocket(CURL*, curl_socket_t s, int what, void* userp, void*) {
    auto* self = static_cast<Worker*>(userp);
    if (s < 0) return 0;
    const auto fd = static_cast<size_t>(s);
    if (self->m_fdIndex.size() <= fd) self->m_fdIndex.resize(fd + 1, -1);
    int& index = self->m_fdIndex[fd];
    if (what == CURL_POLL_REMOVE) {
        if (index >= 0) {
            const auto last = static_cast<int>(self->m_fds.size()) - 1;
            if (index != last) {
                self->m_fds[static_cast<size_t>(index)] = self->m_fds[static_cast<size_t>(last)];
                self->m_fdIndex[static_cast<size_t>(self->m_fds[static_cast<size_t>(index)].fd)] = index;
            }
            self->m_fds.pop_back();
            index = -1;
        }
        return 0;
    }
    short events = 0;
    if (what & CURL_POLL_IN) events |= POLLIN;
    if (what & CURL_POLL_OUT) events |= POLLOUT;
    if (index < 0) {
        index = static_cast<int>(self->m_fds.size());
        self->m_fds.push_back(pollfd{s, events, 0});
    } else {
        self->m_fds[static_cast<size_t>(index)].events = events;
    }
    return 0;
}

int LoadGenerator::Worker::onTimer(CURLM*, long timeoutMs, void* userp) {
    auto* self = static_cast<Worker*>(userp);
    self->m_timerDeadlineUs = timeoutMs < 0 ? -1 : self->nowUs() + timeoutMs * 1000;
    return 0;
}

size_t LoadGenerator::Worker::onWrite(char* data, size_t size, size_t nmemb, void* userp) {
    auto* slot = static_cast<Slot*>(userp);
    const size_t n = size * nmemb;
    slot->bytes += static_cast<int64_t>(n);
    const size_t cap = slot->worker->m_cfg.bodyCaptureBytes;
    if (slot->body.size() < cap) slot->body.append(data, std::min(n, cap - slot->body.size()));
    return n;
}

size_t LoadGenerator::Worker::onHeader(char* data, size_t size, size_t nmemb, void* userp) {
    auto* slot = static_cast<Slot*>(userp);
    const size_t n = size * nmemb;
    const std::string_view line(data, n);
    if (n >= 5 && std::memcmp(data, "HTTP/", 5) == 0) {
        // A new response (after a 1xx, for instance): forget headers of the previous one.
        slot->upstreamHeader.clear();
        slot->podHeader.clear();
        slot->reasonHeader.clear();
        slot->hasAllowOrigin = false;
    } else if (n > 28 && (data[0] == 'a' || data[0] == 'A') && startsWithNoCase(line, "access-control-allow-origin:")) {
        slot->allowOrigin.assign(trim(line.substr(28)));
        slot->hasAllowOrigin = true;
    } else if (n > 14 && (data[0] == 'x' || data[0] == 'X')) {
        if (startsWithNoCase(line, "x-ingress-lab-upstream:"))
            slot->upstreamHeader.assign(trim(line.substr(23)));
        else if (startsWithNoCase(line, "x-ingress-lab-reason:"))
            slot->reasonHeader.assign(trim(line.substr(21)));
        else if (startsWithNoCase(line, "x-ingress-lab-pod:"))
            slot->podHeader.assign(trim(line.substr(18)));
    }
    return n;
}

bool LoadGenerator::Worker::mayStartMore(int64_t now) const {
    if (m_owner.m_stopRequested.load(std::memory_order_relaxed)) return false;
    if (m_cfg.requests > 0 && m_started >= m_cfg.requests) return false;
    if (m_cfg.duration.count() > 0 && now >= m_cfg.duration.count() * 1000) return false;
    return true;
}

int64_t LoadGenerator::Worker::nextArrivalUs() const {
    if (m_cfg.rate <= 0) return 0;
    return static_cast<int64_t>(std::floor(static_cast<double>(m_started) * 1e6 / m_cfg.rate));
}

int LoadGenerator::Worker::pickTarget() {
    if (m_targets.size() == 1) return 0;
    // Smooth weighted round-robin (nginx): exact shares, evenly interleaved, deterministic.
    size_t best = 0;
    for (size_t i = 0; i < m_wrrCurrent.size(); ++i) {
        m_wrrCurrent[i] += m_cfg.targets[i].share;
        if (m_wrrCurrent[i] > m_wrrCurrent[best]) best = i;
    }
    m_wrrCurrent[best] -= m_wrrTotal;
    return static_cast<int>(best);
}

void LoadGenerator::Worker::applyTarget(Slot& slot, int target) {
    if (slot.target == target) return;
    slot.target = target;
    const RequestTarget& t = m_cfg.targets[static_cast<size_t>(target)];
    const PreparedTarget& p = m_targets[static_cast<size_t>(target)];
    CURL* e = slot.easy;
    curl_easy_setopt(e, CURLOPT_URL, t.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p.headers);
    curl_easy_setopt(e, CURLOPT_COOKIE, p.cookie.empty() ? nullptr : p.cookie.c_str());
    if (t.hasBody) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.body.data());
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_NOBODY, p.nobody ? 1L : 0L);
    // The served certificate is read once per handshake (complete()); curl only collects it when asked.
    curl_easy_setopt(e, CURLOPT_CERTINFO, t.url.rfind("https://", 0) == 0 ? 1L : 0L);
    const bool plainMethod = p.method.empty() || (p.method == "GET" && !t.hasBody) ||
                             (p.method == "POST" && t.hasBody) || p.method == "HEAD";
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, plainMethod ? nullptr : p.method.c_str());
}

void LoadGenerator::Worker::startDue(int64_t now) {
    while (!m_free.empty() && mayStartMore(now)) {
        if (m_cfg.rate > 0 && now < nextArrivalUs()) break;
        Slot* slot = m_free.back();
        m_free.pop_back();
        applyTarget(*slot, pickTarget());
        slot->busy = true;
        slot->bytes = 0;
        slot->body.clear();
        slot->upstreamHeader.clear();
        slot->podHeader.clear();
        slot->reasonHeader.clear();
        slot->hasAllowOrigin = false;
        slot->errorBuffer[0] = '\0';
        slot->startUs = now;
        ++m_started;
        ++m_inFlight;
        const CURLMcode rc = curl_multi_add_handle(m_multi, slot->easy);
        if (rc != CURLM_OK) {
            // Cannot happen with a valid handle; count it as a failed request rather than losing it.
            slot->busy = false;
            --m_inFlight;
            RequestRecord rec;
            rec.offsetUs = now;
            rec.error = ErrorKind::Other;
            rec.target = static_cast<uint16_t>(slot->target);
            m_results.add(rec, now, {}, {}, {}, curl_multi_strerror(rc));
            m_free.push_back(slot);
        }
    }
}

void LoadGenerator::Worker::complete(Slot& slot, CURLcode code) {
    CURL* e = slot.easy;
    RequestRecord rec;
    rec.offsetUs = slot.startUs;
    rec.target = static_cast<uint16_t>(slot.target);
    rec.error = classify(code);
    rec.bytes = slot.bytes;
    curl_off_t dns = 0, connect = 0, appconnect = 0, pretransfer = 0, starttransfer = 0, total = 0;
    curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &appconnect);
    curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &starttransfer);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
    const int64_t now = nowUs();
    const int64_t conn = appconnect > 0 ? appconnect : connect;
    rec.totalUs = total > 0 ? total : now - slot.startUs;
    rec.dnsUs = dns;
    rec.connectUs = conn;
    rec.requestWriteUs = pretransfer > conn ? pretransfer - conn : 0;
    rec.responseDelayUs = starttransfer > pretransfer ? starttransfer - pretransfer : 0;
    rec.responseReadUs = total > starttransfer && starttransfer > 0 ? total - starttransfer : 0;
    if (rec.error == ErrorKind::None) {
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        rec.status = static_cast<int32_t>(status);
        BackendIdentity identity;
        const std::string_view key =
            backendKey(slot.body, slot.upstreamHeader, slot.podHeader, identity, m_keyScratch);
        m_results.add(rec, now, key, identity, slot.body, {}, slot.reasonHeader,
                      slot.hasAllowOrigin ? &slot.allowOrigin : nullptr);
        if (appconnect > 0) recordCertificate(slot);
    } else {
        const char* message = slot.errorBuffer[0] ? slot.errorBuffer : curl_easy_strerror(code);
        m_results.add(rec, now, {}, {}, {}, message);
    }
    m_lastCompletionUs = now;
    curl_multi_remove_handle(m_multi, e);
    slot.busy = false;
    --m_inFlight;
    m_free.push_back(&slot);
}

// The leaf certificate of the handshake this request made (CURLOPT_CERTINFO is set for https targets; a reused
// connection reports none).
void LoadGenerator::Worker::recordCertificate(const Slot& slot) {
    struct curl_certinfo* ci = nullptr;
    if (curl_easy_getinfo(slot.easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1) return;
    std::string_view subject, san;
    for (curl_slist* s = ci->certinfo[0]; s; s = s->next) {
        const std::string_view field(s->data);
        if (field.rfind("Subject:", 0) == 0) subject = field.substr(8);
        else if (field.rfind("X509v3 Subject Alternative Name:", 0) == 0) san = field.substr(32);
    }
    m_results.addCertificate(static_cast<uint16_t>(slot.target), trim(subject), trim(san));
}

void LoadGenerator::Worker::drainMessages() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m_multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Slot* slot = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
        const CURLcode code = msg->data.result;  // read before remove_handle invalidates msg
        if (slot) complete(*slot, code);
    }
}

void LoadGenerator::Worker::publishMaybe(int64_t now, bool force) {
    if (!force && now < m_nextPublishUs) return;
    m_nextPublishUs = now + std::max<int64_t>(1, m_cfg.progressInterval.count()) * 1000;
    m_owner.publish(m_part, m_results, m_started, static_cast<double>(now) / 1e6, false);
}

void LoadGenerator::Worker::run() {
    int running = 0;
    for (;;) {
        int64_t now = nowUs();
        startDue(now);
        if (m_owner.m_stopRequested.load(std::memory_order_relaxed)) break;
        if (m_inFlight == 0 && !mayStartMore(now)) break;

        if (m_timerDeadlineUs >= 0 && now >= m_timerDeadlineUs) {
            m_timerDeadlineUs = -1;
            curl_multi_socket_action(m_multi, CURL_SOCKET_TIMEOUT, 0, &running);
            drainMessages();
            publishMaybe(now, false);
            continue;
        }

        int64_t wait = MAX_WAIT_US;
        if (m_timerDeadlineUs >= 0) wait = std::min(wait, m_timerDeadlineUs - now);
        if (m_cfg.rate > 0 && !m_free.empty() && mayStartMore(now)) wait = std::min(wait, nextArrivalUs() - now);
        if (m_cfg.duration.count() > 0 && mayStartMore(now))
            wait = std::min(wait, m_cfg.duration.count() * 1000 - now);
        wait = std::max<int64_t>(0, wait);

#ifdef __linux__
        timespec ts{static_cast<time_t>(wait / 1'000'000), static_cast<long>((wait % 1'000'000) * 1000)};
        const int n = ::ppoll(m_fds.data(), m_fds.size(), &ts, nullptr);
#else
        const int n = ::poll(m_fds.data(), m_fds.size(), static_cast<int>((wait + 999) / 1000));
#endif
        if (n > 0) {
            // Copy first: socket_action may add or remove watched sockets while we iterate.
            m_ready.clear();
            for (const auto& p : m_fds) {
                if (!p.revents) continue;
                int mask = 0;
                if (p.revents & (POLLIN | POLLHUP)) mask |= CURL_CSELECT_IN;
                if (p.revents & POLLOUT) mask |= CURL_CSELECT_OUT;
                if (p.revents & (POLLERR | POLLNVAL)) mask |= CURL_CSELECT_ERR;
                m_ready.emplace_back(p.fd, mask);
            }
            for (const auto& [fd, mask] : m_ready) curl_multi_socket_action(m_multi, fd, mask, &running);
            drainMessages();
        }
        publishMaybe(nowUs(), false);
    }

    uint64_t cancelled = 0;
    for (auto& slot : m_slots) {
        if (!slot->busy) continue;
        curl_multi_remove_handle(m_multi, slot->easy);
        slot->busy = false;
        ++cancelled;
    }
    m_inFlight = 0;
    const int64_t end = m_results.total() > 0 ? m_lastCompletionUs : nowUs();
    m_results.finish(end, cancelled);
}

LoadGenerator::LoadGenerator(LoadConfig config) : m_config(std::move(config)) {}

LoadGenerator::~LoadGenerator() {
    stop();
    wait();
}

Result<bool, LoadError> LoadGenerator::validate(const LoadConfig& c) {
    using R = Result<bool, LoadError>;
    if (c.targets.empty()) return R::fail(LoadError::InvalidConfig, "no target URL");
    if (c.targets.size() > 65535) return R::fail(LoadError::InvalidConfig, "too many targets (at most 65535)");
    for (const auto& t : c.targets) {
        if (!(t.url.rfind("http://", 0) == 0 || t.url.rfind("https://", 0) == 0) || t.url.size() < 8)
            return R::fail(LoadError::InvalidConfig, "URL must start with http:// or https://: '" + t.url + "'");
        if (!(t.share > 0) || !std::isfinite(t.share))
            return R::fail(LoadError::InvalidConfig, "share must be a positive number for '" + t.url + "'");
        for (char ch : t.method)
            if (!std::isalpha(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
                return R::fail(LoadError::InvalidConfig, "invalid method '" + t.method + "'");
        for (const auto& h : t.headers)
            if (h.find(':') == std::string::npos || h.find_first_of("\r\n") != std::string::npos)
                return R::fail(LoadError::InvalidConfig, "header must be 'Name: value': '" + h + "'");
        for (const auto& [name, value] : t.cookies)
            if (name.empty() || (name + value).find_first_of(";\r\n") != std::string::npos)
                return R::fail(LoadError::InvalidConfig, "invalid cookie '" + name + "=" + value + "'");
    }
    if (c.requests == 0 && c.duration.count() <= 0)
        return R::fail(LoadError::InvalidConfig, "give a request count or a duration");
    if (c.threads < 1 || c.threads > 64) return R::fail(LoadError::InvalidConfig, "threads must be between 1 and 64");
    if (c.concurrency < 1 || c.concurrency > 10000)
        return R::fail(LoadError::InvalidConfig, "concurrency must be between 1 and 10000");
    if (c.rate < 0 || !std::isfinite(c.rate)) return R::fail(LoadError::InvalidConfig, "rate must be >= 0");
    if (c.timeout.count() <= 0 || c.connectTimeout.count() <= 0)
        return R::fail(LoadError::InvalidConfig, "timeouts must be positive");
    for (const auto& r : c.resolve) {
        // HOST:PORT:ADDR[,ADDR…]; ADDR may be an IPv6 literal in brackets.
        const size_t first = r.find(':');
        const size_t second = first == std::string::npos ? first : r.find(':', first + 1);
        if (first == 0 || second == std::string::npos || second + 1 >= r.size())
            return R::fail(LoadError::InvalidConfig, "--resolve must be HOST:PORT:ADDR: '" + r + "'");
        const std::string port = r.substr(first + 1, second - first - 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
            std::stoi(port) > 65535)
            return R::fail(LoadError::InvalidConfig, "--resolve port must be a number: '" + r + "'");
    }
    for (const auto& ct : c.connectTo) {
        // HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT (curl --connect-to); the connect-to host may be [IPv6].
        const size_t last = ct.rfind(':');
        const std::string port = last == std::string::npos ? std::string() : ct.substr(last + 1);
        if (std::count(ct.begin(), ct.end(), ':') < 3 || port.empty() ||
            port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) > 65535)
            return R::fail(LoadError::InvalidConfig, "connect-to must be HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT: '" + ct + "'");
    }
    return true;
}

Result<bool, LoadError> LoadGenerator::start(std::function<void()> onFinished) {
    using R = Result<bool, LoadError>;
    if (m_started) return R::fail(LoadError::AlreadyStarted, "the run was already started");
    auto valid = validate(m_config);
    if (!valid) return valid;
    m_started = true;
    m_onFinished = std::move(onFinished);

    // Split the run between the threads: concurrency, count and rate in equal parts (the first ones take the
    // remainders). Never more threads than slots or requests.
    size_t threads = static_cast<size_t>(std::min(m_config.threads, m_config.concurrency));
    if (m_config.requests > 0) threads = std::min<size_t>(threads, m_config.requests);
    std::vector<LoadConfig> parts(threads, m_config);
    for (size_t i = 0; i < threads; ++i) {
        LoadConfig& p = parts[i];
        p.threads = 1;
        p.concurrency = m_config.concurrency / static_cast<int>(threads) +
                        (i < static_cast<size_t>(m_config.concurrency) % threads ? 1 : 0);
        if (m_config.requests > 0) p.requests = m_config.requests / threads + (i < m_config.requests % threads ? 1 : 0);
        p.rate = m_config.rate / static_cast<double>(threads);
    }
    {
        std::lock_guard lock(m_mutex);
        m_parts.resize(threads);
        for (auto& part : m_parts) {
            part.progress.planned = m_config.requests;
            part.progress.durationSeconds = static_cast<double>(m_config.duration.count()) / 1000.0;
        }
        m_running = static_cast<int>(threads);
    }
    // Handles are created on the worker threads, but init errors are reported here, synchronously.
    const auto t0 = Clock::now();
    std::vector<std::future<std::string>> inits;
    for (size_t i = 0; i < threads; ++i) {
        std::promise<std::string> initResult;
        inits.push_back(initResult.get_future());
        m_threads.emplace_back([this, i, t0, cfg = std::move(parts[i]), p = std::move(initResult)]() mutable {
            // CURLOPT_NOSIGNAL stops libcurl from touching signal handlers, so a TLS write to a peer that has
            // gone away would raise SIGPIPE and kill the process. Block it for this thread only.
            sigset_t pipe;
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
            Worker worker(*this, std::move(cfg), i, t0);
            std::string error;
            const bool ok = worker.init(error);
            p.set_value(ok ? std::string() : error);
            if (ok) worker.run();
            Results results = ok ? worker.takeResults() : Results();
            if (!ok) results.finish(0, 0);
            publish(i, results, worker.started(), results.elapsedSeconds(), true);
            workerFinished(i, std::move(results));
        });
    }
    std::string error;
    for (auto& f : inits) {
        std::string e = f.get();
        if (error.empty()) error = std::move(e);
    }
    if (!error.empty()) {
        stop();
        wait();
        return R::fail(LoadError::CurlInit, error);
    }
    return true;
}

void LoadGenerator::workerFinished(size_t part, Results results) {
    bool last = false;
    {
        std::lock_guard lock(m_mutex);
        m_parts[part].results = std::move(results);
        m_parts[part].done = true;
        last = --m_running == 0;
        if (last) {
            m_results = std::move(m_parts[0].results);
            for (size_t i = 1; i < m_parts.size(); ++i) {
                m_results.merge(m_parts[i].results);
                m_parts[i].results = Results(0);
            }
        }
    }
    if (!last) return;
    if (m_onFinished) m_onFinished();  // before the flag: once waitFor() says "ended", the callback has run
    {
        std::lock_guard lock(m_mutex);
        m_finished.store(true, std::memory_order_release);
    }
    m_finishedCv.notify_all();
}

void LoadGenerator::publish(size_t index, const Results& results, uint64_t started, double elapsedSeconds,
                            bool finished) {
    // Build the bulky parts outside the lock, then swap them in.
    std::vector<NamedCount> backends = results.backends();
    const auto& series = results.series();
    std::lock_guard lock(m_mutex);
    Part& part = m_parts[index];
    Progress& p = part.progress;
    p.started = std::max(started, results.total());
    p.completed = results.total();
    p.responses = results.responses();
    p.errors = results.errors();
    p.errorResponses = results.errorResponses();
    p.errorResponseGroups = results.errorResponseGroups();
    p.elapsedSeconds = elapsedSeconds;
    p.backends = std::move(backends);
    for (int k = 0; k < ERROR_KIND_COUNT; ++k)
        p.errorsByKind[static_cast<size_t>(k)] = results.errorCount(static_cast<ErrorKind>(k));
    for (size_t i = p.backendNames.size(); i < results.backendNameCount(); ++i)
        p.backendNames.emplace_back(results.backendName(static_cast<uint32_t>(i)));
    // Closed seconds never change: copy only what is new, and replace the open one.
    p.series.resize(part.publishedClosed);
    for (size_t i = part.publishedClosed; i < series.size(); ++i) {
        p.series.push_back(series[i]);
        if (series[i].closed && i == part.publishedClosed) ++part.publishedClosed;
    }
    p.seriesSize = p.series.size();
    p.finished = finished;
}

void LoadGenerator::stop() { m_stopRequested.store(true, std::memory_order_relaxed); }

bool LoadGenerator::waitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    if (!m_started) return true;
    return m_finishedCv.wait_for(lock, timeout, [this] { return m_finished.load(std::memory_order_acquire); });
}

void LoadGenerator::wait() {
    for (auto& t : m_threads)
        if (t.joinable()) t.join();
}

Progress LoadGenerator::progress(size_t seriesFrom) const {
    std::lock_guard lock(m_mutex);
    Progress out;
    out.planned = m_config.requests;
    out.durationSeconds = static_cast<double>(m_config.duration.count()) / 1000.0;
    if (m_parts.empty()) return out;
    if (m_parts.size() == 1) {
        const Progress& p = m_parts[0].progress;
        out = p;
        out.series.clear();
        out.seriesSize = p.series.size();
        if (seriesFrom < p.series.size())
            out.series.assign(p.series.begin() + static_cast<std::ptrdiff_t>(seriesFrom), p.series.end());
        out.finished = m_finished.load(std::memory_order_acquire) || (p.finished && m_running == 0);
        return out;
    }
    return mergedProgress(seriesFrom);
}

// Caller holds m_mutex. Several workers: sum their snapshots, map backend names onto one stable index.
Progress LoadGenerator::mergedProgress(size_t seriesFrom) const {
    Progress out;
    out.planned = m_config.requests;
    out.durationSeconds = static_cast<double>(m_config.duration.count()) / 1000.0;
    std::unordered_map<std::string_view, size_t> index;
    for (size_t i = 0; i < m_mergedNames.size(); ++i) index.emplace(m_mergedNames[i], i);
    auto mergedIndex = [&](const std::string& name) {
        auto it = index.find(name);
        if (it != index.end()) return it->second;
        m_mergedNames.push_back(name);
        index.clear();  // m_mergedNames may have reallocated: rebuild the views
        for (size_t i = 0; i < m_mergedNames.size(); ++i) index.emplace(m_mergedNames[i], i);
        return m_mergedNames.size() - 1;
    };
    std::vector<uint64_t> backendCounts;
    size_t seriesSize = 0;
    bool allDone = true;
    for (const Part& part : m_parts) {
        const Progress& p = part.progress;
        out.started += p.started;
        out.completed += p.completed;
        out.responses += p.responses;
        out.errors += p.errors;
        out.errorResponses += p.errorResponses;
        for (const auto& e : p.errorResponseGroups) {
            auto same = std::find_if(out.errorResponseGroups.begin(), out.errorResponseGroups.end(), [&](const auto& o) {
                return o.status == e.status && o.reason == e.reason && o.detail == e.detail;
            });
            if (same == out.errorResponseGroups.end()) out.errorResponseGroups.push_back(e);
            else same->count += e.count;
        }
        out.elapsedSeconds = std::max(out.elapsedSeconds, p.elapsedSeconds);
        for (size_t k = 0; k < out.errorsByKind.size(); ++k) out.errorsByKind[k] += p.errorsByKind[k];
        for (const auto& b : p.backends) {
            const size_t id = mergedIndex(b.name);
            if (backendCounts.size() <= id) backendCounts.resize(id + 1, 0);
            backendCounts[id] += b.count;
        }
        seriesSize = std::max(seriesSize, p.series.size());
        allDone = allDone && part.done;
    }
    for (size_t i = 0; i < backendCounts.size(); ++i)
        if (backendCounts[i]) out.backends.push_back({m_mergedNames[i], backendCounts[i]});
    std::sort(out.backends.begin(), out.backends.end(), [](const NamedCount& a, const NamedCount& b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
    });
    std::stable_sort(out.errorResponseGroups.begin(), out.errorResponseGroups.end(),
                     [](const ErrorResponseCount& a, const ErrorResponseCount& b) { return a.count > b.count; });
    for (size_t s = seriesFrom; s < seriesSize; ++s) {
        SecondStats merged;
        merged.second = static_cast<int64_t>(s);
        merged.closed = true;
        for (const Part& part : m_parts) {
            const Progress& p = part.progress;
            if (s >= p.series.size()) {
                merged.closed = merged.closed && part.done;
                continue;
            }
            merged.add(p.series[s], [&](size_t b) {
                return b < p.backendNames.size() ? size_t(mergedIndex(p.backendNames[b])) : SecondStats::SKIP_BACKEND;
            });
        }
        out.series.push_back(std::move(merged));
    }
    out.seriesSize = seriesSize;
    out.backendNames = m_mergedNames;
    out.finished = allDone && m_finished.load(std::memory_order_acquire);
    return out;
}

Results LoadGenerator::takeResults() {
    wait();
    std::lock_guard lock(m_mutex);
    return std::move(m_results);
}

}  // namespace ilab::loadgen
