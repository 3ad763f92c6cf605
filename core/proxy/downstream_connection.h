#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/proxy/event_loop.h"
#include "core/proxy/http_parser.h"
#include "core/proxy/proxy_server.h"
#include "core/proxy/upstream_connection.h"
#include "core/routing/route_table.h"
#include "core/tls/transport.h"

namespace ilab::proxy {

class MirrorConnection;
class ProxyWorker;

// One client connection (style.md E.15): TLS handshake -> request headers -> routing and policies
// (semantics.md §16) -> local answer or proxying with streamed bodies -> next request (keep-alive, pipelining
// one request at a time: further bytes wait in a bounded buffer and reading pauses when it is full) or a raw
// tunnel after a WebSocket upgrade. Each phase has its own timeout (handshake/headers, idle, body).
// Thread: its worker's loop. Owner: ProxyWorker (deleted via EventLoop::deleteLater).
class DownstreamConnection final : public IoHandler, private HttpParserListener {
public:
    DownstreamConnection(ProxyWorker& worker, std::unique_ptr<tls::Transport> transport, std::string clientIp,
                         int clientPort, int listenPort);
    ~DownstreamConnection() override;

    void start();
    void onIoEvent(std::uint32_t events) override;
    void checkTimeout(std::int64_t nowMs);
    void flush();         // writes queued output (the worker calls it at the end of an event batch)
    void close();
    bool isClosed() const { return m_closed; }

    // From the upstream connection of the current exchange.
    int onUpstreamHeaders(UpstreamConnection* up);
    void onUpstreamBody(const char* data, std::size_t length);
    void onUpstreamComplete(UpstreamConnection* up);
    void onUpstreamFailed(UpstreamConnection* up, UpstreamFailure failure, const std::string& message);
    void onUpstreamTunnelData(const char* data, std::size_t length);
    void onUpstreamTunnelClosed();
    void onUpstreamDrained();
    // A RequestMirror copy of the current exchange ended on its own (answered early or failed).
    void onMirrorClosed(MirrorConnection* mirror);
    std::size_t pendingOutput() const { return m_out.size() - m_outPos; }

private:
    struct Exchange;
    enum class Phase { Handshake, Http, Tunnel };

    // HttpParserListener
    int onHeadersComplete() override;
    void onBody(const char* data, std::size_t length) override;
    void onMessageComplete() override;

    void onReadable();
    void doHandshake();
    void processInput();
    bool readBlocked() const;
    void updateInterest();
    void markDirty();
    void queue(const char* data, std::size_t length);
    void queue(const std::string& s) { queue(s.data(), s.size()); }

    void respondLocally(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& location, bool close);
    // `reason`/`detail`: why the controller answers this error itself (AccessRecord::errorReason).
    void respondError(int status, bool close, const char* reason = "", std::string detail = {});
    void respondBare(int status);
    void appendServerHeader(std::string& h) const;  // "Server: ...\r\n" when server-tokens asks for one
    void startProxy(bool fallback);
    bool connectToNextEndpoint();
    void buildUpstreamHead(bool fallback);  // into m_ex->upstreamHead
    void finishExchange();
    void abortUpstream();
    void sendUpstreamBody(const char* data, std::size_t length);
    void startMirrors();                                   // RequestMirror copies of the exchange's request
    void feedMirrors(const char* data, std::size_t length);  // a piece of the request body to every copy
    static void detachMirrors(Exchange& x);                // the exchange is over: the copies go on alone
    void armBodyTimeout();

    ProxyWorker& m_worker;
    std::unique_ptr<tls::Transport> m_transport;
    std::string m_clientIp;
    int m_clientPort = 0;
    int m_listenPort = 0;
    bool m_tls = false;
    Phase m_phase = Phase::Http;
    HttpParser m_parser;
    std::string m_in;                 // received, not yet parsed (pipelined requests, tunnel data)
    std::size_t m_inPos = 0;
    std::string m_out;                // queued for the client
    std::size_t m_outPos = 0;
    std::uint32_t m_interest = 0;
    bool m_closed = false;
    bool m_peerClosed = false;
    bool m_closeAfterFlush = false;
    bool m_readPaused = false;        // by the input limit or request-body backpressure
    bool m_dirty = false;             // registered for flush at the end of the batch
    bool m_processing = false;        // inside processInput() (re-entrancy guard)
    bool m_waitingIdle = false;       // between requests (keep-alive timeout applies)
    bool m_lingering = false;         // response sent, write side shut: discarding input until EOF
    std::int64_t m_deadlineMs = 0;    // current phase deadline (0 = none)
    int m_deadlineStatus = 0;         // answer when the deadline passes (408) or 0 = just close
    std::uint64_t m_requestsServed = 0;
    std::unique_ptr<Exchange> m_ex;   // the request in progress
    std::unique_ptr<Exchange> m_spareEx;  // the last one, reset, reused by the next request

    friend class ProxyWorker;
};

}  // namespace ilab::proxy
