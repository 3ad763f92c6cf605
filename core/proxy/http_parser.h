#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <llhttp.h>

namespace ilab::proxy {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Receives the events of one HttpParser. Called synchronously from inside HttpParser::execute().
class HttpParserListener {
public:
    virtual ~HttpParserListener() = default;
    // Headers of a message are complete (and validated). Return 0 to continue, 1 to parse no body (response to
    // HEAD), -1 to abort (the parser reports an error with the reason set by the listener, if any).
    virtual int onHeadersComplete() = 0;
    // A piece of the (de-chunked) body. `data` points into the caller's buffer: copy what must outlive it.
    virtual void onBody(const char* data, std::size_t length) = 0;
    // The message is complete. The parser pauses right after it (pipelining: one message at a time);
    // call resume() to parse the next one.
    virtual void onMessageComplete() = 0;
};

// llhttp wrapper for one connection direction (style.md E.16): requests from clients, responses from upstreams.
// One static llhttp_settings_t shared by every parser, member callbacks through trampolines, header fragments
// accumulated until the value is complete, limits enforced inside the callbacks with HPE_USER, and a pause
// (HPE_PAUSED) after every message so pipelined requests are handled one at a time.
// Hostile input gives an error with an HTTP status (400, 413, 414, 501, 505), never a crash.
// Thread: the owner's (a proxy worker); not thread-safe. Owner: DownstreamConnection / UpstreamConnection.
class HttpParser {
public:
    enum class Kind { Request, Response };
    enum class State {
        Ok,       // wants more bytes
        Paused,   // a message completed; call resume()
        Upgrade,  // Upgrade/CONNECT accepted: the bytes after the consumed ones are tunnel data
        Error,    // errorStatus()/errorReason() say why; the connection must be closed
    };
    // Requests follow nginx's defaults (client_header_buffer_size 1k + large_client_header_buffers 4 8k): one
    // line must fit an 8k buffer (request line: 414, header line: 400, as nginx's 494 page), the whole head four
    // of them (400). nginx 1.27.1 has no header count limit; newer ones stop at max_headers 1000 (400).
    // Responses: 502 for any of them.
    struct Limits {
        std::size_t maxHeaderBytes = 32 * 1024;  // request/status line + all header lines
        std::size_t maxHeaderCount = 1000;
        std::size_t maxLineBytes = 0;            // one line, CRLF included; 0 = only maxHeaderBytes applies
    };

    HttpParser(Kind kind, HttpParserListener* listener, Limits limits);
    HttpParser(const HttpParser&) = delete;
    HttpParser& operator=(const HttpParser&) = delete;

    // Parses up to `length` bytes and returns how many were consumed. Stops early after a complete message
    // (State::Paused), at an upgrade (State::Upgrade) or at an error (State::Error).
    std::size_t execute(const char* data, std::size_t length);
    // The peer closed the connection. Completes a message delimited by close (response without length);
    // returns false when a message was cut short (state becomes Error).
    bool finish();
    void resume();  // after State::Paused

    State state() const { return m_state; }
    int errorStatus() const { return m_errorStatus; }   // 400, 413, 414, 501, 505 (requests) or 502 (responses)
    const std::string& errorReason() const { return m_errorReason; }
    // True between the first byte of a message and its completion.
    bool inMessage() const { return m_inMessage; }
    // Header bytes of the message being parsed so far (for timeouts / access logs).
    std::size_t headerBytes() const { return m_headerBytes; }

    // The current (or last completed) message.
    const std::string& method() const { return m_method; }
    const std::string& url() const { return m_url; }
    // Requests: the origin-form target ("/path?query"): the URL itself, or its path part for an absolute-form
    // request line ("GET http://host/path"), whose host is then requestLineHost() (empty otherwise).
    const std::string& target() const { return m_absoluteForm ? m_originTarget : m_url; }
    const std::string& requestLineHost() const { return m_requestLineHost; }
    int statusCode() const { return m_statusCode; }
    int httpMajor() const { return m_httpMajor; }
    int httpMinor() const { return m_httpMinor; }
    bool keepAlive() const { return m_keepAlive; }
    bool upgrade() const { return m_upgrade; }
    bool chunked() const { return m_chunked; }
    std::optional<std::uint64_t> contentLength() const { return m_contentLength; }
    const HttpHeaders& headers() const { return m_headers; }
    // Moves the headers out (the caller keeps them for the rest of the exchange); header() then finds nothing.
    HttpHeaders takeHeaders() { return std::move(m_headers); }
    // Gives headers taken earlier back once the exchange is over, so their buffers are reused (not between
    // headers-complete and the next message: the parser must be paused or idle).
    void recycleHeaders(HttpHeaders&& old);
    std::optional<std::string> header(std::string_view name) const;  // first value, case-insensitive
    bool hasBody() const { return m_chunked || (m_contentLength && *m_contentLength > 0); }

    // Requests: the body limit (client_max_body_size) for the current message, set from onHeadersComplete();
    // 0 = none. A chunk whose declared size would cross it fails at once with 413, before its data is read.
    void setMaxBodyBytes(std::uint64_t limit) { m_maxBodyBytes = limit; }
    // Sets an error reason from inside onHeadersComplete() before returning -1.
    void setListenerError(int status, std::string reason);

    // Trampoline targets (public for the static settings table; not part of the API).
    int onMessageBegin();
    int onUrl(const char* at, std::size_t n);
    int onStatus(const char* at, std::size_t n);
    int onMethod(const char* at, std::size_t n);
    int onHeaderField(const char* at, std::size_t n);
    int onHeaderValue(const char* at, std::size_t n);
    int onHeaderValueComplete();
    int onHeadersComplete();
    int onBody(const char* at, std::size_t n);
    int onChunkHeader();
    int onMessageComplete();

private:
    int fail(int status, const char* reason);
    bool countHeaderBytes(std::size_t n);
    int headerTooLarge(const char* reason);
    int checkRequestHeader();
    int validateHeaders();
    int validateRequestTarget();

    llhttp_t m_parser;
    Kind m_kind;
    HttpParserListener* m_listener;
    Limits m_limits;
    State m_state = State::Ok;
    int m_errorStatus = 0;
    std::string m_errorReason;
    bool m_inMessage = false;
    bool m_inValue = false;
    // obs-fold detection: llhttp reports a folded line as a second, non-contiguous value span.
    int m_valueSpans = 0;
    const char* m_lastValueEnd = nullptr;
    bool m_lastValueEndedBuffer = false;
    std::uint64_t m_lastValueSerial = 0;
    const char* m_execStart = nullptr;
    const char* m_execEnd = nullptr;
    std::uint64_t m_execSerial = 0;
    std::size_t m_headerBytes = 0;
    std::uint64_t m_bodyBytes = 0;
    std::uint64_t m_maxBodyBytes = 0;
    bool m_sawTransferEncoding = false;
    bool m_absoluteForm = false;
    std::string m_originTarget, m_requestLineHost;

    std::string m_method, m_url;
    int m_statusCode = 0;
    int m_httpMajor = 1, m_httpMinor = 1;
    bool m_keepAlive = true, m_upgrade = false, m_chunked = false;
    std::optional<std::uint64_t> m_contentLength;
    HttpHeaders m_headers;
    HttpHeaders m_spare;  // cleared pairs whose buffers the next headers reuse (bounded)
};

}  // namespace ilab::proxy
