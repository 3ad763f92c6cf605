#pragma once

#include <cstdint>
#include <string>

#include "core/proxy/access_record.h"
#include "core/proxy/event_loop.h"
#include "core/proxy/http_parser.h"
#include "core/routing/decision.h"

namespace ilab::proxy {

class ProxyWorker;
class DownstreamConnection;

// One copy of a proxied request for a Gateway API RequestMirror target (../shared/gateway.md §4), fire-and-forget:
// its own plain HTTP/1.1 connection to one endpoint of the mirror backend, never pooled (the copy says
// "Connection: close"). The client's exchange hands it the request head at once and the body pieces as they
// arrive, and never waits for it: the client is never slowed by it, and its response never depends on it. The
// copy's answer is parsed to its end and discarded. Anything that goes wrong ends only this copy, with one
// MirrorFailed event and a MirrorRecord: refused, reset, connect/send/read timeout (Decision::timeouts), more than
// MAX_PENDING bytes the backend does not read, or a client request that ended before its body was complete.
// Thread: its worker's loop. Owner: ProxyWorker (deleted via the loop). The DownstreamConnection that feeds it
// holds a plain pointer until detach(); a copy that ends earlier tells it through onMirrorClosed().
class MirrorConnection final : public IoHandler, private HttpParserListener {
public:
    // Body bytes waiting for a backend that does not read: above this the copy is dropped rather than buffered
    // (a slow mirror must cost the proxy bounded memory, and never backpressure on the client).
    static constexpr std::size_t MAX_PENDING = 1024 * 1024;

    MirrorConnection(ProxyWorker& worker, DownstreamConnection* source, routing::Endpoint endpoint,
                     MirrorRecord record, std::string requestLine, const routing::UpstreamTimeouts& timeouts,
                     bool headRequest);
    ~MirrorConnection() override;

    // Starts the non-blocking connect and queues `head`. False (+ error) when no socket could be made.
    bool start(const std::string& head, std::string* error);
    void send(const char* data, std::size_t length);
    void send(const std::string& s) { send(s.data(), s.size()); }
    void setRequestComplete();
    // The feeding exchange is over: the copy goes on alone if its request is complete, else it is dropped.
    void detach(bool requestComplete);
    bool isClosed() const { return m_state == State::Closed; }

    void onIoEvent(std::uint32_t events) override;
    void checkTimeout(std::int64_t nowMs);

private:
    enum class State { Connecting, Active, Closed };
    int onHeadersComplete() override;
    void onBody(const char*, std::size_t) override {}
    void onMessageComplete() override;

    void onConnected();
    void flush();
    void onReadable();
    void updateInterest();
    void finish(MirrorRecord::Result result, const std::string& detail);

    ProxyWorker& m_worker;
    DownstreamConnection* m_source;  // null once detached
    routing::Endpoint m_endpoint;
    MirrorRecord m_record;
    std::string m_requestLine;       // "GET /path" for the event text
    routing::UpstreamTimeouts m_timeouts;
    bool m_headRequest = false;
    int m_fd = -1;
    State m_state = State::Connecting;
    HttpParser m_parser;
    std::string m_out;
    std::size_t m_outPos = 0;
    std::uint32_t m_interest = 0;
    bool m_requestComplete = false;
    bool m_messageDone = false;
    std::int64_t m_connectStartMs = 0;
    std::int64_t m_lastActivityMs = 0;
};

}  // namespace ilab::proxy
