#include "core/proxy/downstream_connection.h"

#include <algorithm>
#include <chrono>

#include "core/proxy/http_util.h"
#include "core/proxy/load_balancer.h"
#include "core/proxy/mirror_connection.h"
#include "core/proxy/proxy_worker.h"

namespace ilab::proxy {

namespace {
// AccessRecord::errorReason of an upstream failure (the 502/504 nginx answers for it).
const char* reasonFor(UpstreamFailure f) {
    switch (f) {
    case UpstreamFailure::ConnectRefused: return "upstream-refused";
    case UpstreamFailure::ConnectTimeout:
    case UpstreamFailure::ReadTimeout:
    case UpstreamFailure::SendTimeout: return "upstream-timeout";
    case UpstreamFailure::Reset: return "upstream-reset";
    case UpstreamFailure::InvalidResponse: return "upstream-invalid";
    case UpstreamFailure::TlsHandshake: return "upstream-tls";
    }
    return "upstream-error";
}

// For a local error answer nobody gave a reason for (the gateway profile's router, request rules).
const char* defaultErrorReason(int status) {
    switch (status) {
    case 400: return "bad-request";
    case 404: return "no-route";
    case 408: return "client-timeout";
    case 413: return "body-too-large";
    case 414: return "bad-request";
    case 501: return "bad-request";
    default: return "controller";
    }
}

// Output above HIGH_WATER pauses the producer (upstream reads, client body reads); below LOW_WATER resumes.
constexpr std::size_t HIGH_WATER = 256 * 1024;
constexpr std::size_t LOW_WATER = 64 * 1024;
// Pipelined bytes kept while a response is in progress; reading pauses above this (bounded queue).
constexpr std::size_t MAX_PENDING_INPUT = 64 * 1024;
// How long to keep reading (and discarding) after an error response before closing, so the kernel does not
// reset the connection under an unread request body and destroy the response (nginx lingering_close).
constexpr std::int64_t LINGER_MS = 2000;

thread_local char t_scratch[64 * 1024];

// Monotonic microseconds for request timings: the loop's millisecond clock is cached per batch, which made
// every fast request 0 or 1 ms in the access log and the latency charts.
std::int64_t monoUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

struct DownstreamConnection::Exchange {
    std::int64_t startMs = 0;          // loop clock (timeouts)
    std::int64_t startUs = 0;          // monotonic, for the request time
    std::int64_t upstreamStartUs = 0;
    routing::RouteTableConstSharedPtr table;  // pinned for the whole exchange (style.md B.7)
    routing::RequestView request;
    routing::Decision decision;
    AccessRecord record;
    bool keepAlive = true;
    bool headRequest = false;
    bool hasBody = false;
    bool upgrade = false;
    bool requestComplete = false;
    bool responseStarted = false;
    bool responseComplete = false;
    bool discardBody = false;
    bool closeAfter = false;
    bool chunkedToClient = false;
    bool proxying = false;
    bool fallback = false;
    bool retryable = false;
    bool connSlot = false;
    std::uint64_t bodyBytesIn = 0;
    UpstreamConnection* upstream = nullptr;
    std::shared_ptr<const std::vector<routing::Endpoint>> endpoints;
    std::string upstreamName;
    std::vector<std::string> tried;
    int tries = 0;
    std::string upstreamHead;
    std::string setCookie;
    // RequestMirror copies being fed this request's body; a slot is null once its copy ended on its own.
    std::vector<MirrorConnection*> mirrors;

    // Ready for the next request on the same connection. Containers are cleared, not freed, so their buffers
    // are reused; `decision` and `request` are overwritten field by field in onHeadersComplete().
    void reset() {
        startMs = startUs = upstreamStartUs = 0;
        table.reset();
        request.headers.clear();
        request.sni.reset();
        record = AccessRecord{};
        keepAlive = true;
        headRequest = hasBody = upgrade = requestComplete = responseStarted = responseComplete = false;
        discardBody = closeAfter = chunkedToClient = proxying = fallback = retryable = connSlot = false;
        bodyBytesIn = 0;
        upstream = nullptr;
        endpoints.reset();
        upstreamName.clear();
        tried.clear();
        tries = 0;
        upstreamHead.clear();
        setCookie.clear();
        mirrors.clear();
    }
};

DownstreamConnection::DownstreamConnection(ProxyWorker& worker, std::unique_ptr<tls::Transport> transport,
                                           std::string clientIp, int clientPort, int listenPort)
    : m_worker(worker),
      m_transport(std::move(transport)),
      m_clientIp(std::move(clientIp)),
      m_clientPort(clientPort),
      m_listenPort(listenPort),
      m_tls(m_transport->isTls()),
      // large_client_header_buffers 4 8k: maxHeaderBytes is all four buffers, one line must fit one of them.
      m_parser(HttpParser::Kind::Request, this,
               {std::size_t(std::max(1024, worker.shared().config.maxHeaderBytes)), 1000,
                std::size_t(std::max(1024, worker.shared().config.maxHeaderBytes)) / 4}) {}

DownstreamConnection::~DownstreamConnection() = default;

void DownstreamConnection::start() {
    m_phase = m_tls ? Phase::Handshake : Phase::Http;
    m_deadlineMs = m_worker.nowMs() + m_worker.shared().config.headerTimeoutMs;
    m_deadlineStatus = m_tls ? 0 : 408;
    m_interest = EventLoop::Readable;
    if (!m_worker.loop().add(m_transport->fd(), m_interest, this)) {
        close();
        return;
    }
    // A client often sends its first bytes together with the handshake completion: try at once.
    onReadable();
}

void DownstreamConnection::onIoEvent(std::uint32_t events) {
    if (m_closed) return;
    if (events & EventLoop::Writable) {
        if (m_phase == Phase::Handshake) {
            onReadable();
            return;
        }
        flush();
        if (m_closed) return;
    }
    if (events & EventLoop::Readable) onReadable();
}

void DownstreamConnection::doHandshake() {
    tls::IoStatus s = m_transport->handshake();
    if (s == tls::IoStatus::Ok) {
        m_phase = Phase::Http;
        m_deadlineStatus = 408;
        return;
    }
    if (s == tls::IoStatus::WouldBlock) {
        updateInterest();
        return;
    }
    auto& shared = m_worker.shared();
    shared.tlsHandshakeFailures.fetch_add(1, std::memory_order_relaxed);
    std::string reason = m_transport->lastError();
    if (shared.telemetry) {
        shared.telemetry->onTlsHandshakeFailed(reason);
        shared.telemetry->onEvent("Warning", "TLSHandshakeFailed", "",
                                  "TLS handshake from " + m_clientIp + ":" + std::to_string(m_clientPort) +
                                      " failed: " + reason);
    }
    close();
}

bool DownstreamConnection::readBlocked() const {
    if (m_peerClosed || m_lingering) return m_peerClosed;
    if (m_phase == Phase::Tunnel) return m_ex && m_ex->upstream && m_ex->upstream->pendingOutput() > HIGH_WATER;
    if (m_in.size() - m_inPos > MAX_PENDING_INPUT) return true;
    if (m_ex && m_ex->upstream && m_ex->upstream->pendingOutput() > HIGH_WATER) return true;
    return false;
}

void DownstreamConnection::onReadable() {
    if (m_closed) return;
    if (m_phase == Phase::Handshake) {
        doHandshake();
        if (m_closed || m_phase == Phase::Handshake) return;
    }
    bool got = false;
    while (!readBlocked()) {
        tls::IoResult r = m_transport->read(t_scratch, sizeof t_scratch);
        if (r.status == tls::IoStatus::Ok) {
            if (m_lingering) continue;  // discard
            got = true;
            m_in.append(t_scratch, r.bytes);
            // A short read drained the socket: stop here instead of paying one more read() for EAGAIN
            // (level-triggered epoll reports the rest; TLS may still hold decrypted bytes, checked first).
            if (r.bytes < sizeof t_scratch && !m_transport->hasBufferedInput()) break;
            continue;
        }
        if (r.status == tls::IoStatus::WouldBlock) break;
        if (r.status == tls::IoStatus::Closed) {
            m_peerClosed = true;
            break;
        }
        close();
        return;
    }
    if (m_lingering) {
        if (m_peerClosed) close();
        else updateInterest();
        return;
    }
    if (got && !m_ex && m_waitingIdle) {
        // First bytes of the next request: the header timeout starts now.
        m_waitingIdle = false;
        m_deadlineMs = m_worker.nowMs() + m_worker.shared().config.headerTimeoutMs;
        m_deadlineStatus = 408;
    }
    processInput();
    if (m_closed) return;
    if (m_peerClosed) {
        if (m_phase == Phase::Tunnel) {
            if (m_ex && m_ex->upstream) {
                m_ex->upstream->closeAfterFlush();  // it no longer reports to us
                m_ex->upstream = nullptr;
            }
            m_closeAfterFlush = true;
            markDirty();
        } else if (!m_ex) {
            close();  // between requests, or a partial request: nothing to answer
            return;
        } else if (m_ex->hasBody && !m_ex->requestComplete && m_inPos >= m_in.size() && !m_ex->discardBody) {
            // The client went away in the middle of its request body, which can never be completed now: nginx
            // logs "client prematurely closed connection" and finalizes the request. Waiting would hold the
            // exchange, its upstream connection and its RequestMirror copies forever (the body timeout does not
            // run while the client cannot be read from).
            close();
            return;
        } else {
            m_ex->closeAfter = true;  // half-closed client: finish this response, then close
        }
    }
    updateInterest();
}

void DownstreamConnection::processInput() {
    if (m_processing || m_closed) return;
    m_processing = true;
    while (!m_closed && !m_closeAfterFlush && !m_lingering) {
        if (m_phase == Phase::Tunnel) {
            if (m_inPos < m_in.size() && m_ex && m_ex->upstream) {
                m_ex->upstream->send(m_in.data() + m_inPos, m_in.size() - m_inPos);
                m_inPos = m_in.size();
            }
            break;
        }
        HttpParser::State st = m_parser.state();
        if (st == HttpParser::State::Paused) {
            if (m_ex) break;  // the response to this request is still in progress
            m_parser.resume();
            continue;
        }
        if (st == HttpParser::State::Upgrade) break;  // tunnel data waits for the upstream's 101
        if (st == HttpParser::State::Error) {
            int status = m_parser.errorStatus() ? m_parser.errorStatus() : 400;
            if (m_ex) {
                if (m_ex->responseStarted) {
                    m_ex->closeAfter = true;
                    if (m_ex->responseComplete) finishExchange();
                    else close();
                } else {
                    abortUpstream();
                    respondError(status, true);
                }
            } else {
                respondBare(status);
            }
            break;
        }
        if (m_inPos >= m_in.size()) break;
        std::size_t used = m_parser.execute(m_in.data() + m_inPos, m_in.size() - m_inPos);
        m_inPos += used;
    }
    if (m_inPos == m_in.size()) {
        m_in.clear();
        m_inPos = 0;
    } else if (m_inPos > 32 * 1024) {
        m_in.erase(0, m_inPos);
        m_inPos = 0;
    }
    m_processing = false;
}

int DownstreamConnection::onHeadersComplete() {
    auto& shared = m_worker.shared();
    m_deadlineMs = 0;
    m_waitingIdle = false;
    // The previous exchange's object is reused: it is large (decision, record), and allocating it per request
    // sent glibc into its slow path (malloc_consolidate) on every request.
    std::unique_ptr<Exchange> ex = m_spareEx ? std::move(m_spareEx) : std::make_unique<Exchange>();
    ex->startMs = m_worker.nowMs();
    ex->startUs = monoUs();
    ex->table = m_worker.table();
    auto& rv = ex->request;
    rv.method = m_parser.method();
    rv.scheme = m_tls ? "https" : "http";
    // An absolute-form request line ("GET http://host/path") names the server itself; nginx then ignores Host
    // for server selection (ngx_http_process_request_line sets headers_in.server first).
    if (m_parser.requestLineHost().empty()) {
        rv.host = m_parser.header("host").value_or("");
        rv.hostHeader.clear();
    } else {
        rv.host = m_parser.requestLineHost();
        rv.hostHeader = m_parser.header("host").value_or("");  // still what goes upstream ($best_http_host)
    }
    rv.target = m_parser.target();
    rv.clientIp = m_clientIp;
    if (m_tls) rv.sni = m_transport->serverName();
    rv.contentLength = m_parser.contentLength();
    rv.chunked = m_parser.chunked();
    rv.listenPort = m_listenPort;
    ex->keepAlive = m_parser.keepAlive();
    ex->headRequest = rv.method == "HEAD";
    ex->hasBody = m_parser.hasBody();
    ex->upgrade = m_parser.upgrade();

    auto clientId = m_parser.header("x-request-id");
    // One $req_id: the upstream's X-Request-ID and the access log agree.
    rv.requestId = clientId && !clientId->empty() ? std::move(*clientId)
                                                  : hex32(m_worker.random().next(), m_worker.random().next());
    auto& rec = ex->record;
    rec.requestLength = m_parser.headerBytes();
    rec.upstreamAddr = "-";
    if (shared.telemetry) {
        // The access record's strings are built only when someone reads them (nginx with access_log off
        // formats nothing either).
        rec.clientIp = m_clientIp;
        rec.method = rv.method;
        rec.target = m_parser.url();  // as sent, like nginx's $request
        rec.host = rv.host;
        if (m_parser.httpMajor() != 1 || m_parser.httpMinor() != 1)
            rec.protocol = "HTTP/" + std::to_string(m_parser.httpMajor()) + "." + std::to_string(m_parser.httpMinor());
        rec.scheme = rv.scheme;
        rec.userAgent = m_parser.header("user-agent").value_or("");
        rec.referer = m_parser.header("referer").value_or("");
        rec.requestId = rv.requestId;
    }
    rv.headers = m_parser.takeHeaders();  // no copy: header lookups below go through the RequestView

    if (shared.routerForTest.route) {
        ex->decision = shared.routerForTest.route(rv);
    } else if (ex->table) {
        ex->table->routeInto(rv, m_worker.random().next(), false, ex->decision);  // no Decision built and moved
    } else {
        ex->decision.clear();
        ex->decision.action = routing::Decision::Action::Respond;
        ex->decision.status = 404;
    }
    const auto& d = ex->decision;
    if (d.maxBodyBytes && *d.maxBodyBytes > 0) m_parser.setMaxBodyBytes(*d.maxBodyBytes);
    rec.ingress = d.ingress;
    rec.canary = d.canary;
    if (d.backend) rec.upstreamName = d.backend->upstreamName;
    m_ex = std::move(ex);
    Exchange& x = *m_ex;

    // semantics.md §16: 413 first, then the router's own answers (CORS preflight, redirects, 404/503),
    // then limit_req / limit_conn, then the allow/deny lists, then the upstream.
    if (d.maxBodyBytes && *d.maxBodyBytes > 0 && rv.contentLength && *rv.contentLength > *d.maxBodyBytes) {
        respondError(413, true, "body-too-large", "Content-Length exceeds proxy-body-size");
        return 0;
    }
    bool useFallback = d.fallbackBackend && d.fallbackEndpoints && !d.fallbackEndpoints->empty() &&
                       (!d.endpoints || d.endpoints->empty()) &&
                       (d.action == routing::Decision::Action::Proxy || d.status == 503);
    if (d.action == routing::Decision::Action::Redirect) {
        respondLocally(d.status, d.responseHeaders, d.location, false);
        return 0;
    }
    if (d.action == routing::Decision::Action::Respond && !useFallback) {
        if (d.status >= 400) {
            x.record.errorReason = d.respondCode;
            x.record.errorDetail = d.respondReason;
        }
        respondLocally(d.status, d.responseHeaders, {}, false);
        return 0;
    }
    if (d.rateLimit) {
        if (shared.rateLimiter.checkRequest(*d.rateLimit, m_clientIp) == RateLimiter::Verdict::Rejected) {
            respondError(d.rateLimit->rejectStatus, false, "rate-limited", "limit-rps / limit-rpm of " + d.ingress);
            return 0;
        }
        if (shared.rateLimiter.acquireConnection(*d.rateLimit, m_clientIp, &x.connSlot) ==
            RateLimiter::Verdict::Rejected) {
            respondError(d.rateLimit->connRejectStatus, false, "connection-limit", "limit-connections of " + d.ingress);
            return 0;
        }
    }
    if (d.accessDeniedStatus) {
        respondError(d.accessDeniedStatus, false, "denied", "allowlist / denylist of " + d.ingress);
        return 0;
    }
    startProxy(useFallback);
    return 0;
}

void DownstreamConnection::startProxy(bool fallback) {
    Exchange& x = *m_ex;
    const auto& d = x.decision;
    x.fallback = fallback;
    x.endpoints = fallback ? d.fallbackEndpoints : d.endpoints;
    if (fallback) x.upstreamName = d.fallbackBackend->upstreamName;
    else if (d.backend) x.upstreamName = d.backend->upstreamName;
    x.record.upstreamName = x.upstreamName;
    if (!x.endpoints || x.endpoints->empty()) {
        respondError(503, false, "no-endpoints", x.upstreamName + " has no ready endpoints");
        return;
    }
    const std::string& protocol = d.backendProtocol;
    if (protocol != "HTTP" && protocol != "HTTPS" && !protocol.empty()) {
        // GRPC/GRPCS need HTTP/2 to the upstream and FCGI the FastCGI protocol: not simulated. Answering as if
        // HTTP/1.1 had worked would hide that, so the request fails visibly, with the reason in an event.
        m_worker.emitEvent("Warning", "BackendProtocolUnsupported",
                           x.record.ingress.empty() ? "" : "Ingress " + x.record.ingress,
                           "backend-protocol " + protocol + " is not supported by the local controller (it speaks "
                           "HTTP/1.1 and HTTPS to upstreams); " + x.upstreamName + " answered 502");
        respondError(502, false, "backend-protocol", "backend-protocol " + protocol + " is not supported by the local controller");
        return;
    }
    x.proxying = true;
    x.retryable = !x.hasBody && !x.upgrade;
    buildUpstreamHead(fallback);
    // An upgrade (WebSocket) is not copied: a tunnel cannot be mirrored, and the annotation fallback is not the
    // route's backend.
    if (!d.mirrors.empty() && !fallback && !x.upgrade) startMirrors();
    x.upstreamStartUs = monoUs();
    if (x.hasBody) {
        if (auto expect = x.request.header("expect"); expect && iequals(*expect, "100-continue"))
            queue("HTTP/1.1 100 Continue\r\n\r\n");
    }
    if (!connectToNextEndpoint()) {
        respondError(502, false, "upstream-refused", "connect() to every endpoint of " + x.upstreamName + " failed");
        return;
    }
    armBodyTimeout();
}

void DownstreamConnection::startMirrors() {
    Exchange& x = *m_ex;
    const auto& d = x.decision;
    // The copy is the upstream request as built for the backend (after every filter of the rule: header
    // modifiers, URLRewrite path and hostname), on a connection of its own that closes after the answer.
    std::string head = x.upstreamHead;
    head.insert(head.size() - 2, "Connection: close\r\n");
    const std::string requestLine = x.request.method + " " + (d.upstreamPath.empty() ? x.request.target : d.upstreamPath);
    for (const auto& target : d.mirrors) {
        MirrorConnection* m = m_worker.startMirror(this, target, d.ingress, head, requestLine, d.timeouts, x.headRequest);
        if (!m) continue;
        if (!x.hasBody) m->setRequestComplete();
        x.mirrors.push_back(m);
    }
}

void DownstreamConnection::feedMirrors(const char* data, std::size_t length) {
    Exchange& x = *m_ex;
    // Index loop: a copy that fails while being fed nulls its own slot (onMirrorClosed).
    for (std::size_t i = 0; i < x.mirrors.size(); ++i) {
        if (!x.mirrors[i]) continue;
        if (x.request.chunked) {
            std::string frame;
            appendHex(frame, length);
            frame += "\r\n";
            x.mirrors[i]->send(frame);
            if (x.mirrors[i]) x.mirrors[i]->send(data, length);
            if (x.mirrors[i]) x.mirrors[i]->send("\r\n", 2);
        } else {
            x.mirrors[i]->send(data, length);
        }
    }
}

void DownstreamConnection::detachMirrors(Exchange& x) {
    for (MirrorConnection* m : x.mirrors)
        if (m) m->detach(x.requestComplete || !x.hasBody);
    x.mirrors.clear();
}

void DownstreamConnection::onMirrorClosed(MirrorConnection* mirror) {
    if (!m_ex) return;
    for (auto& m : m_ex->mirrors)
        if (m == mirror) m = nullptr;
}

void DownstreamConnection::armBodyTimeout() {
    // client_body_timeout: runs while the request body is still expected from the client.
    if (!m_ex || !m_ex->hasBody || m_ex->requestComplete || m_ex->responseComplete) return;
    m_deadlineMs = m_worker.nowMs() + m_worker.shared().config.bodyTimeoutMs;
    m_deadlineStatus = 408;
}

bool DownstreamConnection::connectToNextEndpoint() {
    Exchange& x = *m_ex;
    auto& worker = m_worker;
    int maxTries = std::max(1, x.decision.timeouts.nextUpstreamTries);
    while (x.tries < maxTries) {
        auto pick = worker.balancer().pick(x.decision, *x.endpoints, x.upstreamName, x.request, x.tried,
                                           worker.nowMs());
        if (!pick.endpoint) return false;
        std::string key = LoadBalancer::endpointKey(*pick.endpoint);
        x.tried.push_back(key);
        ++x.tries;
        x.record.upstreamAddr = x.record.upstreamAddr == "-" ? key : x.record.upstreamAddr + ", " + key;
        x.record.podName = pick.endpoint->podName;
        std::string error;
        UpstreamConnection* up = worker.acquireUpstream(*pick.endpoint, &error, x.decision.backendProtocol == "HTTPS");
        if (!up) {
            worker.balancer().markFailed(key, worker.nowMs());
            worker.emitEvent("Warning", "UpstreamConnectFailed", x.record.ingress.empty() ? "" : "Ingress " + x.record.ingress,
                             "connect() to " + key + " failed (" + error + ") while connecting to upstream " +
                                 x.upstreamName);
            x.record.upstreamStatus = 502;
            if (!x.retryable) return false;
            continue;
        }
        x.setCookie = pick.setCookie;
        x.upstream = up;
        up->attach(this, x.headRequest, x.decision.timeouts);
        // The backend may have switched its side of the connection to upgrade mode even when it answers normally:
        // such a connection never serves another request.
        if (x.upgrade) up->forbidReuse();
        up->send(x.upstreamHead);
        if (!x.hasBody || x.requestComplete) up->setRequestComplete();
        return true;
    }
    return false;
}

void DownstreamConnection::buildUpstreamHead(bool fallback) {
    Exchange& x = *m_ex;
    const auto& d = x.decision;
    const auto& rv = x.request;
    std::string& h = x.upstreamHead;  // kept for retries; its buffer is reused across requests
    h.clear();
    h.reserve(768);
    h += rv.method;
    h += ' ';
    h += d.upstreamPath.empty() ? rv.target : d.upstreamPath;
    h += " HTTP/1.1\r\n";

    const std::string connectionHeader = rv.header("connection").value_or(std::string());
    auto replacedByDecision = [&](std::string_view name) {
        for (const auto& [k, v] : d.upstreamHeaders)
            if (iequals(k, name)) return true;
        for (const auto& k : d.upstreamHeadersRemoved)
            if (iequals(k, name)) return true;
        return false;
    };
    auto add = [&](std::string_view name, std::string_view value) {
        if (replacedByDecision(name)) return;
        h += name;
        h += ": ";
        h += value;
        h += "\r\n";
    };
    add("Host", d.upstreamHost.empty() ? rv.host : d.upstreamHost);
    std::optional<std::string> clientXff, clientXfh;
    for (const auto& [name, value] : rv.headers) {
        if (iequals(name, "x-forwarded-for")) {
            if (!clientXff) clientXff = value;
            else *clientXff += ", " + value;
            continue;
        }
        if (iequals(name, "x-forwarded-host")) {
            if (!clientXfh) clientXfh = value;
            continue;
        }
        if (iequals(name, "host") || isHopByHop(name) || iequals(name, "content-length") ||
            iequals(name, "x-real-ip") || iequals(name, "x-request-id") || iequals(name, "proxy") ||
            iequals(name, "expect") || iequals(name, "x-forwarded-port") || iequals(name, "x-forwarded-proto") ||
            iequals(name, "x-forwarded-scheme") || iequals(name, "x-scheme") ||
            iequals(name, "x-original-forwarded-for") || iequals(name, "x-original-forwarded-host"))
            continue;
        if (!connectionHeader.empty() && headerHasToken(connectionHeader, name)) continue;
        if (replacedByDecision(name)) continue;
        h += name;
        h += ": ";
        h += value;
        h += "\r\n";
    }
    // semantics.md §15 (defaults: untrusted forwarded headers, so the client's are replaced).
    add("X-Request-ID", rv.requestId);
    add("X-Real-IP", m_clientIp);
    add("X-Forwarded-For", m_clientIp);
    add("X-Forwarded-Host", rv.host);
    add("X-Forwarded-Port", std::to_string(m_listenPort));
    add("X-Forwarded-Proto", rv.scheme);
    add("X-Forwarded-Scheme", rv.scheme);
    add("X-Scheme", rv.scheme);
    if (clientXff) add("X-Original-Forwarded-For", *clientXff);
    if (clientXfh) add("X-Original-Forwarded-Host", *clientXfh);
    if (fallback) {
        add("X-Code", "503");
        add("X-Format", rv.header("accept").value_or("text/html"));
        if (d.backend) {
            add("X-Namespace", d.backend->ns);
            add("X-Service-Name", d.backend->service);
            add("X-Service-Port", d.backend->port);
        }
        auto slash = d.ingress.find('/');
        add("X-Ingress-Name", slash == std::string::npos ? d.ingress : d.ingress.substr(slash + 1));
    }
    for (const auto& [k, v] : d.upstreamHeaders) {
        bool removed = false;
        for (const auto& r : d.upstreamHeadersRemoved)
            if (iequals(r, k)) removed = true;
        if (removed) continue;
        h += k;
        h += ": ";
        h += v;
        h += "\r\n";
    }
    if (x.upgrade) {
        h += "Upgrade: " + rv.header("upgrade").value_or("websocket") + "\r\nConnection: upgrade\r\n";
    }
    if (rv.chunked) h += "Transfer-Encoding: chunked\r\n";
    else if (rv.contentLength) h += "Content-Length: " + std::to_string(*rv.contentLength) + "\r\n";
    h += "\r\n";
}

void DownstreamConnection::onBody(const char* data, std::size_t length) {
    if (!m_ex) return;
    Exchange& x = *m_ex;
    x.bodyBytesIn += length;
    x.record.requestLength += length;
    const auto& maxBody = x.decision.maxBodyBytes;
    if (maxBody && *maxBody > 0 && x.bodyBytesIn > *maxBody && !x.discardBody) {
        // A chunked (or lying) body crossed proxy-body-size while streaming.
        if (!x.responseStarted) {
            abortUpstream();
            respondError(413, true);
        } else {
            x.closeAfter = true;
            x.discardBody = true;
            abortUpstream();
            close();
        }
        return;
    }
    armBodyTimeout();
    // The copies get the whole body even when the client's own answer no longer needs it (e.g. a 502 already sent).
    if (!x.mirrors.empty()) feedMirrors(data, length);
    if (x.discardBody || !x.upstream) return;
    sendUpstreamBody(data, length);
}

void DownstreamConnection::sendUpstreamBody(const char* data, std::size_t length) {
    UpstreamConnection* up = m_ex->upstream;
    if (m_ex->request.chunked) {
        std::string frame;
        appendHex(frame, length);
        frame += "\r\n";
        up->send(frame);
        up->send(data, length);
        up->send("\r\n", 2);
    } else {
        up->send(data, length);
    }
}

void DownstreamConnection::onMessageComplete() {
    if (!m_ex) return;
    Exchange& x = *m_ex;
    x.requestComplete = true;
    if (m_deadlineStatus == 408) m_deadlineMs = 0;  // the body is in: no client_body_timeout any more
    if (x.upstream && !x.discardBody) {
        if (x.request.chunked) x.upstream->send("0\r\n\r\n", 5);
        x.upstream->setRequestComplete();
    }
    for (std::size_t i = 0; i < x.mirrors.size(); ++i) {
        if (x.mirrors[i] && x.request.chunked) x.mirrors[i]->send("0\r\n\r\n", 5);
        if (x.mirrors[i]) x.mirrors[i]->setRequestComplete();
    }
    if (x.responseComplete) finishExchange();
}

// ---- responses generated by the proxy ----

void DownstreamConnection::respondLocally(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                                          const std::string& location, bool close) {
    Exchange& x = *m_ex;
    x.responseStarted = true;
    x.responseComplete = true;
    // nginx ends keep-alive after these answers, whoever produced them (ngx_http_special_response_handler).
    const bool endsKeepAlive = status == 400 || status == 413 || status == 414 || status == 500 || status == 501;
    if (close || !x.keepAlive || endsKeepAlive) x.closeAfter = true;
    bool noBody = status == 204 || status == 304 || (status >= 100 && status < 200);
    std::string body = noBody ? std::string() : errorPage(status);
    bool customType = false;
    for (const auto& [k, v] : headers)
        if (iequals(k, "content-type")) customType = true;
    std::string h;
    h.reserve(512 + body.size());
    h += "HTTP/1.1 " + std::to_string(status) + " " + statusText(status) + "\r\n";
    appendServerHeader(h);
    h += m_worker.dateHeader();
    if (!customType && !noBody) h += "Content-Type: text/html\r\n";
    if (!noBody) h += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (!location.empty()) h += "Location: " + location + "\r\n";
    h += x.closeAfter ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    bool hasHsts = false;
    for (const auto& [k, v] : headers) {
        if (iequals(k, "content-length") || iequals(k, "connection") || iequals(k, "server") ||
            iequals(k, "date") || (!location.empty() && iequals(k, "location")))
            continue;
        if (iequals(k, "strict-transport-security")) hasHsts = true;
        h += k + ": " + v + "\r\n";
    }
    if (noBody) {
        for (const auto& [k, v] : headers)
            if (iequals(k, "content-length")) h += "Content-Length: " + v + "\r\n";
    }
    if (m_tls && !hasHsts) h += "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
    if (status >= 400) {
        if (x.record.errorReason.empty()) x.record.errorReason = defaultErrorReason(status);
        if (m_worker.shared().config.exposeErrorReason) {
            h += "X-Ingress-Lab-Reason: ";
            h += x.record.errorReason;
            if (!x.record.errorDetail.empty()) {
                h += "; ";
                for (char c : x.record.errorDetail) h += (c == '\r' || c == '\n') ? ' ' : c;
            }
            h += "\r\n";
        }
    }
    h += "\r\n";
    if (!x.headRequest) h += body;
    queue(h);
    x.record.status = status;
    x.record.bytesSent = x.headRequest ? 0 : body.size();
    if (x.closeAfter) {
        finishExchange();
        return;
    }
    if (x.hasBody && !x.requestComplete) x.discardBody = true;
    if (x.requestComplete) finishExchange();
}

void DownstreamConnection::respondError(int status, bool close, const char* reason, std::string detail) {
    if (m_ex && *reason) {
        m_ex->record.errorReason = reason;
        m_ex->record.errorDetail = std::move(detail);
    }
    std::vector<std::pair<std::string, std::string>> headers;
    // CORS and other response headers the controller adds also apply to its own error pages.
    if (m_ex && status != 413) headers = m_ex->decision.responseHeaders;
    respondLocally(status, headers, {}, close);
}

void DownstreamConnection::appendServerHeader(std::string& h) const {
    // The exchange's pinned table decides (server-tokens); before routing, the worker's current one.
    const routing::RouteTable* t = m_ex && m_ex->table ? m_ex->table.get() : m_worker.table().get();
    if (!t || t->serverHeader().empty()) return;  // ingress-nginx's default: no Server header at all
    h += "Server: ";
    h += t->serverHeader();
    h += "\r\n";
}

void DownstreamConnection::respondBare(int status) {
    // A request that never got as far as an exchange (malformed, too large, header timeout).
    std::string body = errorPage(status);
    std::string h = "HTTP/1.1 " + std::to_string(status) + " " + statusText(status) + "\r\n";
    appendServerHeader(h);
    h += m_worker.dateHeader() + "Content-Type: text/html\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    queue(h);
    m_closeAfterFlush = true;
    auto& shared = m_worker.shared();
    shared.requests.fetch_add(1, std::memory_order_relaxed);
    if (shared.telemetry) {
        AccessRecord rec;
        rec.timeMs = wallMs();
        rec.clientIp = m_clientIp;
        rec.method = m_parser.method();
        rec.target = m_parser.url();
        rec.scheme = m_tls ? "https" : "http";
        rec.status = status;
        rec.bytesSent = body.size();
        rec.requestLength = m_parser.headerBytes();
        rec.upstreamAddr = "-";
        rec.requestId = hex32(m_worker.random().next(), m_worker.random().next());
        shared.telemetry->onRequest(rec);
    }
}

// ---- the upstream side of the exchange ----

int DownstreamConnection::onUpstreamHeaders(UpstreamConnection* up) {
    if (!m_ex || m_ex->upstream != up) return -1;
    Exchange& x = *m_ex;
    const HttpParser& p = up->parser();
    int status = p.statusCode();
    if (status >= 100 && status < 200 && status != 101) return 0;  // interim response: swallowed
    x.responseStarted = true;
    x.record.upstreamStatus = status;
    x.record.status = status;
    bool switching = status == 101 && x.upgrade;
    bool noBody = x.headRequest || status == 204 || status == 304 || (status < 200 && !switching);
    if (x.upgrade && !switching) x.closeAfter = true;
    if (!x.keepAlive) x.closeAfter = true;

    if (m_closed) return -1;
    // Written straight into the output buffer (no temporary head string per response).
    std::string& h = m_out;
    h += "HTTP/1.1 ";
    appendDecimal(h, status);
    h += ' ';
    const char* text = statusText(status);
    h += *text ? text : "Unknown";
    h += "\r\n";
    appendServerHeader(h);
    h += m_worker.dateHeader();
    const std::string connection = p.header("connection").value_or(std::string());
    for (const auto& [name, value] : p.headers()) {
        if (isHopByHop(name) || iequals(name, "server") || iequals(name, "date") || iequals(name, "content-length"))
            continue;
        if (!connection.empty() && headerHasToken(connection, name)) continue;
        if (std::any_of(x.decision.responseHeadersRemoved.begin(), x.decision.responseHeadersRemoved.end(),
                        [&](const std::string& r) { return iequals(r, name); }))
            continue;
        h += name;
        h += ": ";
        h += value;
        h += "\r\n";
    }
    if (switching) {
        h += "Connection: upgrade\r\nUpgrade: " + p.header("upgrade").value_or("websocket") + "\r\n";
    } else {
        if (noBody) {
            if (auto cl = p.header("content-length")) h += "Content-Length: " + *cl + "\r\n";
        } else if (p.contentLength()) {
            h += "Content-Length: ";
            appendDecimal(h, *p.contentLength());
            h += "\r\n";
        } else if (m_parser.httpMinor() >= 1) {
            h += "Transfer-Encoding: chunked\r\n";
            x.chunkedToClient = true;
        } else {
            x.closeAfter = true;  // HTTP/1.0 client: the body ends when the connection closes
        }
        h += x.closeAfter ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    }
    bool hasHsts = false;
    for (const auto& [k, v] : x.decision.responseHeaders) {
        // Server and Date are the proxy's own, written above (the upstream's are hidden: proxy_hide_header).
        if (iequals(k, "server") || iequals(k, "date")) continue;
        if (iequals(k, "strict-transport-security")) hasHsts = true;
        h += k;
        h += ": ";
        h += v;
        h += "\r\n";
    }
    if (m_tls && !hasHsts) h += "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
    if (!x.setCookie.empty()) {
        h += "Set-Cookie: ";
        h += x.setCookie;
        h += "\r\n";
    }
    if (m_worker.shared().config.exposeUpstreamHeader) {
        h += "X-Ingress-Lab-Upstream: ";
        h += x.upstreamName;
        h += "\r\n";
    }
    h += "\r\n";
    markDirty();
    if (switching) {
        m_phase = Phase::Tunnel;
        m_deadlineMs = 0;
        processInput();  // bytes the client sent after its upgrade request
        updateInterest();
    }
    return x.headRequest ? 1 : 0;
}

void DownstreamConnection::onUpstreamBody(const char* data, std::size_t length) {
    if (!m_ex || m_closed) return;
    Exchange& x = *m_ex;
    x.record.bytesSent += length;
    if (x.chunkedToClient) {
        std::string frame;
        appendHex(frame, length);
        frame += "\r\n";
        queue(frame);
        queue(data, length);
        queue("\r\n", 2);
    } else {
        queue(data, length);
    }
}

void DownstreamConnection::onUpstreamComplete(UpstreamConnection* up) {
    if (!m_ex || m_ex->upstream != up) return;
    Exchange& x = *m_ex;
    x.upstream = nullptr;
    m_worker.balancer().markSucceeded(up->key());
    if (x.chunkedToClient) queue("0\r\n\r\n", 5);
    x.responseComplete = true;
    if (!x.requestComplete) {
        // The upstream answered before reading the whole body: the rest of the body cannot be framed any more.
        x.closeAfter = true;
    }
    finishExchange();
}

void DownstreamConnection::onUpstreamFailed(UpstreamConnection* up, UpstreamFailure failure,
                                            const std::string& message) {
    if (!m_ex || m_ex->upstream != up) return;
    Exchange& x = *m_ex;
    x.upstream = nullptr;
    auto& worker = m_worker;
    worker.shared().upstreamFailures.fetch_add(1, std::memory_order_relaxed);
    int status = statusFor(failure);
    x.record.upstreamStatus = status;
    bool staleKeepAlive = up->isReused() && !up->hasResponseStarted() && failure == UpstreamFailure::Reset;
    if (!staleKeepAlive) worker.balancer().markFailed(up->key(), worker.nowMs());
    worker.emitEvent("Warning", "UpstreamFailed", x.record.ingress.empty() ? "" : "Ingress " + x.record.ingress,
                     std::string(toString(failure)) + " (" + message + ") while talking to upstream " +
                         x.upstreamName + " at " + up->key() + ", request \"" + x.request.method + " " +
                         x.request.target + "\"");
    if (x.responseStarted) {
        x.closeAfter = true;
        close();  // headers already sent: the client sees a truncated response, as with nginx
        return;
    }
    if (staleKeepAlive && x.retryable) {
        // The upstream closed a pooled connection just as we reused it: try again, not counted as a try.
        x.tried.pop_back();
        --x.tries;
        if (connectToNextEndpoint()) return;
    } else {
        bool idempotent = isIdempotentMethod(x.request.method);
        if (x.retryable && idempotent && connectToNextEndpoint()) return;
    }
    if (x.hasBody && !x.requestComplete) x.discardBody = true;
    respondError(status, false, reasonFor(failure), std::string(toString(failure)) + " (" + x.upstreamName + ")");
}

void DownstreamConnection::onUpstreamTunnelData(const char* data, std::size_t length) {
    if (m_closed) return;
    if (m_ex) m_ex->record.bytesSent += length;
    queue(data, length);
}

void DownstreamConnection::onUpstreamTunnelClosed() {
    if (m_closed) return;
    if (m_ex) m_ex->upstream = nullptr;
    m_closeAfterFlush = true;
    markDirty();
}

void DownstreamConnection::onUpstreamDrained() {
    if (m_closed || !readBlocked()) {
        // Reading was paused for request-body backpressure: resume (TLS may hold decrypted bytes already).
        if (!m_closed && m_interest != 0 && !(m_interest & EventLoop::Readable)) onReadable();
        else updateInterest();
    }
}

void DownstreamConnection::abortUpstream() {
    if (m_ex && m_ex->upstream) {
        m_ex->upstream->abandon();
        m_ex->upstream = nullptr;
    }
}

void DownstreamConnection::finishExchange() {
    if (!m_ex) return;
    std::unique_ptr<Exchange> ex = std::move(m_ex);
    detachMirrors(*ex);
    auto& shared = m_worker.shared();
    if (ex->connSlot && ex->decision.rateLimit)
        shared.rateLimiter.releaseConnection(ex->decision.rateLimit->zone, m_clientIp);
    ex->connSlot = false;
    std::int64_t now = m_worker.nowMs();
    ex->record.timeMs = wallMs();
    const std::int64_t nowUs = monoUs();
    ex->record.requestTimeSec = double(nowUs - ex->startUs) / 1e6;
    if (ex->record.upstreamStatus) ex->record.upstreamResponseTimeSec = double(nowUs - ex->upstreamStartUs) / 1e6;
    shared.requests.fetch_add(1, std::memory_order_relaxed);
    ++m_requestsServed;
    if (shared.telemetry) shared.telemetry->onRequest(ex->record);
    if (m_phase == Phase::Tunnel) {
        m_ex = std::move(ex);  // keep the upstream pointer for the tunnel
        m_ex->record = AccessRecord{};
        return;
    }
    if (ex->closeAfter || m_peerClosed) {
        m_closeAfterFlush = true;
        markDirty();
        return;
    }
    m_parser.recycleHeaders(std::move(ex->request.headers));
    ex->reset();
    m_spareEx = std::move(ex);
    // Keep-alive: wait for the next request.
    m_waitingIdle = true;
    m_deadlineMs = now + shared.config.keepaliveTimeoutMs;
    m_deadlineStatus = 0;
    if (!m_processing) {
        processInput();
        updateInterest();
    }
}

// ---- I/O ----

void DownstreamConnection::queue(const char* data, std::size_t length) {
    if (m_closed) return;
    m_out.append(data, length);
    markDirty();
}

void DownstreamConnection::markDirty() {
    if (!m_dirty) {
        m_dirty = true;
        m_worker.markDirty(this);
    }
}

void DownstreamConnection::flush() {
    m_dirty = false;
    if (m_closed) return;
    while (m_outPos < m_out.size()) {
        tls::IoResult r = m_transport->write(m_out.data() + m_outPos, m_out.size() - m_outPos);
        if (r.status == tls::IoStatus::Ok) {
            m_outPos += r.bytes;
            continue;
        }
        if (r.status == tls::IoStatus::WouldBlock) break;
        close();
        return;
    }
    if (m_outPos == m_out.size()) {
        m_out.clear();
        m_outPos = 0;
        if (m_closeAfterFlush && !m_lingering) {
            if (m_ex) abortUpstream();
            m_transport->shutdown();
            if (m_peerClosed || m_phase == Phase::Tunnel) {
                close();
                return;
            }
            m_lingering = true;  // read and discard until EOF or LINGER_MS
            m_deadlineMs = m_worker.nowMs() + LINGER_MS;
            m_deadlineStatus = 0;
        }
    } else if (m_outPos > 256 * 1024) {
        m_out.erase(0, m_outPos);
        m_outPos = 0;
    }
    // The client reads again: let a paused upstream continue.
    if (m_ex && m_ex->upstream && pendingOutput() < LOW_WATER) m_ex->upstream->setReadPaused(false);
    updateInterest();
}

void DownstreamConnection::updateInterest() {
    if (m_closed) return;
    std::uint32_t want = 0;
    if (m_phase == Phase::Handshake) {
        want = m_transport->wantsWrite() ? EventLoop::Writable : EventLoop::Readable;
    } else {
        if (!readBlocked()) want |= EventLoop::Readable;
        // Output queued during this batch is flushed at its end (ProxyWorker::onBatchEnd): ask epoll for
        // writability only when a flush actually blocked. Saves two epoll_ctl calls per request.
        if ((pendingOutput() > 0 && !m_dirty) || m_transport->wantsWrite()) want |= EventLoop::Writable;
    }
    if (want != m_interest) {
        m_worker.loop().modify(m_transport->fd(), want, this);
        m_interest = want;
    }
}

void DownstreamConnection::checkTimeout(std::int64_t nowMs) {
    if (m_closed || m_deadlineMs == 0 || nowMs < m_deadlineMs) return;
    m_deadlineMs = 0;
    if (m_ex && !m_lingering && m_phase == Phase::Http && m_deadlineStatus == 408 && m_ex->hasBody &&
        !m_ex->requestComplete) {
        if (readBlocked()) {
            // We stopped reading (the upstream is slow to take the body): not the client's fault.
            armBodyTimeout();
            return;
        }
        // client_body_timeout: nginx answers 408 and closes; the upstream exchange is abandoned.
        m_worker.emitEvent("Warning", "ClientBodyTimeout", m_ex->record.ingress.empty() ? "" : "Ingress " + m_ex->record.ingress,
                           "client timed out (" + std::to_string(m_worker.shared().config.bodyTimeoutMs) +
                               " ms) while reading the request body of \"" + m_ex->request.method + " " +
                               m_ex->request.target + "\" from " + m_clientIp);
        if (m_ex->responseStarted) {
            close();
            return;
        }
        abortUpstream();
        respondError(408, true);
        flush();
        return;
    }
    if (m_lingering || m_phase != Phase::Http || m_deadlineStatus == 0 || m_ex) {
        close();
        return;
    }
    respondBare(m_deadlineStatus);  // 408: client_header_timeout
    flush();
}

void DownstreamConnection::close() {
    if (m_closed) return;
    m_closed = true;
    if (m_ex) {
        std::unique_ptr<Exchange> ex = std::move(m_ex);
        if (ex->upstream) ex->upstream->abandon();
        detachMirrors(*ex);
        auto& shared = m_worker.shared();
        if (ex->connSlot && ex->decision.rateLimit)
            shared.rateLimiter.releaseConnection(ex->decision.rateLimit->zone, m_clientIp);
        if (!ex->responseComplete) {
            // Client went away (or the response was cut): logged like nginx's 499 / truncated response.
            if (!ex->responseStarted) ex->record.status = 499;
            ex->record.timeMs = wallMs();
            ex->record.requestTimeSec = double(monoUs() - ex->startUs) / 1e6;
            shared.requests.fetch_add(1, std::memory_order_relaxed);
            if (shared.telemetry) shared.telemetry->onRequest(ex->record);
        }
    }
    m_worker.loop().remove(m_transport->fd());
    m_worker.downstreamClosed(this);
}

}  // namespace ilab::proxy
