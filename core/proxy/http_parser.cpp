#include "core/proxy/http_parser.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/proxy/http_util.h"

namespace ilab::proxy {

namespace {

template <int (HttpParser::*M)()>
int trampoline(llhttp_t* p) {
    return (static_cast<HttpParser*>(p->data)->*M)();
}

template <int (HttpParser::*M)(const char*, std::size_t)>
int dataTrampoline(llhttp_t* p, const char* at, std::size_t n) {
    return (static_cast<HttpParser*>(p->data)->*M)(at, n);
}

// llhttp keeps a pointer to its settings: one table, built once, shared by every parser.
const llhttp_settings_t& settings() {
    static const llhttp_settings_t s = [] {
        llhttp_settings_t t;
        llhttp_settings_init(&t);
        t.on_message_begin = trampoline<&HttpParser::onMessageBegin>;
        t.on_url = dataTrampoline<&HttpParser::onUrl>;
        t.on_status = dataTrampoline<&HttpParser::onStatus>;
        t.on_header_field = dataTrampoline<&HttpParser::onHeaderField>;
        t.on_header_value = dataTrampoline<&HttpParser::onHeaderValue>;
        t.on_header_value_complete = trampoline<&HttpParser::onHeaderValueComplete>;
        t.on_headers_complete = trampoline<&HttpParser::onHeadersComplete>;
        t.on_body = dataTrampoline<&HttpParser::onBody>;
        t.on_chunk_header = trampoline<&HttpParser::onChunkHeader>;
        t.on_message_complete = trampoline<&HttpParser::onMessageComplete>;
        return t;
    }();
    return s;
}

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

}  // namespace

HttpParser::HttpParser(Kind kind, HttpParserListener* listener, Limits limits)
    : m_kind(kind), m_listener(listener), m_limits(limits) {
    llhttp_init(&m_parser, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &settings());
    m_parser.data = this;
    // llhttp would answer "Transfer-Encoding: chunked, identity" itself (an error, so 400) before the header line is
    // complete; checkRequestHeader() accepts nothing but "chunked" and answers the rest 501, as nginx does.
    if (kind == Kind::Request) llhttp_set_lenient_transfer_encoding(&m_parser, 1);
}

std::size_t HttpParser::execute(const char* data, std::size_t length) {
    if (m_state != State::Ok || length == 0) return 0;
    m_execStart = data;
    m_execEnd = data + length;
    ++m_execSerial;
    llhttp_errno_t err = llhttp_execute(&m_parser, data, length);
    switch (err) {
    case HPE_OK:
        return length;
    case HPE_PAUSED: {
        m_state = State::Paused;
        return static_cast<std::size_t>(llhttp_get_error_pos(&m_parser) - data);
    }
    case HPE_PAUSED_UPGRADE: {
        m_state = State::Upgrade;
        return static_cast<std::size_t>(llhttp_get_error_pos(&m_parser) - data);
    }
    default:
        if (m_state != State::Error) {
            // An llhttp protocol error (malformed line, bad chunk size, CL+TE, duplicate Content-Length, ...).
            m_state = State::Error;
            m_errorStatus = m_kind == Kind::Request ? 400 : 502;
            const char* reason = llhttp_get_error_reason(&m_parser);
            m_errorReason = std::string(llhttp_errno_name(err)) + ": " + (reason ? reason : "");
        }
        return static_cast<std::size_t>(llhttp_get_error_pos(&m_parser) ? llhttp_get_error_pos(&m_parser) - data
                                                                         : 0);
    }
}

bool HttpParser::finish() {
    if (m_state == State::Error) return false;
    if (m_state != State::Ok) return true;
    llhttp_errno_t err = llhttp_finish(&m_parser);
    if (err == HPE_OK || err == HPE_PAUSED) {
        if (err == HPE_PAUSED) m_state = State::Paused;
        return true;
    }
    m_state = State::Error;
    m_errorStatus = m_kind == Kind::Request ? 400 : 502;
    m_errorReason = "connection closed in the middle of a message";
    return false;
}

void HttpParser::resume() {
    if (m_state == State::Paused) {
        llhttp_resume(&m_parser);
        m_state = State::Ok;
    }
}

std::optional<std::string> HttpParser::header(std::string_view name) const {
    for (const auto& [k, v] : m_headers)
        if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    return std::nullopt;
}

void HttpParser::setListenerError(int status, std::string reason) {
    m_errorStatus = status;
    m_errorReason = std::move(reason);
}

int HttpParser::fail(int status, const char* reason) {
    m_state = State::Error;
    m_errorStatus = status;
    m_errorReason = reason;
    llhttp_set_error_reason(&m_parser, reason);
    return HPE_USER;
}

bool HttpParser::countHeaderBytes(std::size_t n) {
    m_headerBytes += n;
    return m_headerBytes <= m_limits.maxHeaderBytes;
}

int HttpParser::headerTooLarge(const char* reason) {
    // nginx answers its 494 "Request Header Or Cookie Too Large" page with status 400 (ngx_http_special_response.c).
    return fail(m_kind == Kind::Request ? 400 : 502, reason);
}

int HttpParser::onMessageBegin() {
    m_inMessage = true;
    m_inValue = false;
    m_headerBytes = 0;
    m_method.clear();
    m_url.clear();
    m_statusCode = 0;
    m_keepAlive = true;
    m_upgrade = false;
    m_chunked = false;
    m_contentLength.reset();
    m_bodyBytes = 0;
    m_maxBodyBytes = 0;
    m_sawTransferEncoding = false;
    m_absoluteForm = false;
    m_requestLineHost.clear();
    recycleHeaders(std::move(m_headers));
    return 0;
}

void HttpParser::recycleHeaders(HttpHeaders&& old) {
    // Keeps the strings' buffers for the next message's headers: parsing a keep-alive connection's requests
    // then allocates nothing once the first few have been seen.
    constexpr std::size_t MAX_SPARE = 32;
    for (auto& kv : old)
        if (m_spare.size() < MAX_SPARE && (kv.first.capacity() > 15 || kv.second.capacity() > 15))
            m_spare.push_back(std::move(kv));
    old.clear();
    if (&old != &m_headers && m_headers.empty() && m_headers.capacity() < old.capacity()) m_headers.swap(old);
}

int HttpParser::onUrl(const char* at, std::size_t n) {
    m_url.append(at, n);
    // "METHOD SP target SP HTTP/1.1 CRLF" must fit one large header buffer, else 414 (ngx_http_process_request_line).
    const std::size_t lineBytes =
        std::strlen(llhttp_method_name(static_cast<llhttp_method_t>(m_parser.method))) + m_url.size() + 12;
    if (!countHeaderBytes(n) || (m_limits.maxLineBytes && lineBytes > m_limits.maxLineBytes))
        return fail(414, "request line too long");
    return 0;
}

int HttpParser::onStatus(const char* at, std::size_t n) {
    if (!countHeaderBytes(n)) return fail(502, "status line too large");
    return 0;
}

int HttpParser::onMethod(const char*, std::size_t) { return 0; }

int HttpParser::onHeaderField(const char* at, std::size_t n) {
    if (!countHeaderBytes(n + 4)) return headerTooLarge("request headers too large");
    if (m_headers.empty() || m_inValue) {
        if (m_headers.size() >= m_limits.maxHeaderCount) return headerTooLarge("too many header fields");
        if (!m_spare.empty()) {
            m_headers.push_back(std::move(m_spare.back()));
            m_spare.pop_back();
            m_headers.back().first.clear();
            m_headers.back().second.clear();
        } else {
            m_headers.emplace_back();
        }
        m_inValue = false;
        m_valueSpans = 0;
    }
    m_headers.back().first.append(at, n);
    // "name: value CRLF" must fit one large header buffer.
    if (m_limits.maxLineBytes && m_headers.back().first.size() + 4 > m_limits.maxLineBytes)
        return headerTooLarge("header line too long");
    return 0;
}

int HttpParser::onHeaderValue(const char* at, std::size_t n) {
    if (!countHeaderBytes(n)) return headerTooLarge("request headers too large");
    if (m_headers.empty()) return fail(400, "header value without a name");
    if (m_valueSpans > 0) {
        // A value continues in a second span only across execute() calls with nothing skipped in between.
        bool contiguous = m_lastValueSerial == m_execSerial ? at == m_lastValueEnd
                                                            : (m_lastValueEndedBuffer && at == m_execStart);
        if (!contiguous) return fail(400, "obs-fold (line folding) in header");
    }
    ++m_valueSpans;
    m_lastValueEnd = at + n;
    m_lastValueEndedBuffer = at + n == m_execEnd;
    m_lastValueSerial = m_execSerial;
    m_inValue = true;
    m_headers.back().second.append(at, n);
    if (m_limits.maxLineBytes && m_headers.back().first.size() + m_headers.back().second.size() + 4 > m_limits.maxLineBytes)
        return headerTooLarge("header line too long");
    return 0;
}

int HttpParser::onHeaderValueComplete() {
    if (m_headers.empty()) return 0;
    m_inValue = true;  // the next field fragment starts a new header, even for an empty value
    auto& value = m_headers.back().second;
    // obs-fold (a line starting with SP/HT continuing the previous value) is rejected by llhttp in strict
    // mode; a bare CR or LF inside a value is never acceptable either.
    // One pass over the value (string::find_first_of calls memchr once per character here).
    for (char c : value)
        if (c == '\r' || c == '\n') return fail(400, "line folding or bare CR/LF in header");
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    return m_kind == Kind::Request ? checkRequestHeader() : 0;
}

// One complete request header line, checked as nginx does while it reads the header (ngx_http_parse_header_line,
// ngx_http_process_request_headers, ngx_http_process_request_header).
int HttpParser::checkRequestHeader() {
    const std::string& name = m_headers.back().first;
    switch (checkHeaderName(name)) {
    case HeaderNameCheck::Invalid:
        // llhttp (loose mode) lets "Host : x" through as a name with a trailing space; nginx answers 400.
        return fail(400, "invalid character in header name");
    case HeaderNameCheck::Ignored:
        // ignore_invalid_headers on, underscores_in_headers off (ingress-nginx defaults): the line is dropped.
        if (m_spare.size() < 32) m_spare.push_back(std::move(m_headers.back()));
        m_headers.pop_back();
        return 0;
    case HeaderNameCheck::Valid:
        break;
    }
    if (iequals(name, "transfer-encoding")) {
        // Checked here, before llhttp judges the value itself (it would say 400 where nginx says 501).
        if (m_sawTransferEncoding) return fail(400, "repeated Transfer-Encoding");
        m_sawTransferEncoding = true;
        if (m_parser.http_major == 1 && m_parser.http_minor == 0)
            return fail(400, "HTTP/1.0 request with Transfer-Encoding");
        // Only exactly "chunked" (any case); nginx answers 501 to any other transfer-coding or list of them.
        if (!iequals(m_headers.back().second, "chunked")) return fail(501, "unsupported Transfer-Encoding");
    }
    return 0;
}

// Rules llhttp does not apply by itself, plus the request-smuggling checks made explicit (RFC 9112 §6.3).
int HttpParser::validateHeaders() {
    int contentLengths = 0;
    int hosts = 0;
    std::optional<std::string> firstLength;
    std::optional<std::string> transferEncoding;
    for (const auto& [name, value] : m_headers) {
        if (name.empty()) return fail(400, "empty header name");
        if (iequals(name, "content-length")) {
            ++contentLengths;
            if (firstLength && *firstLength != value) return fail(400, "differing Content-Length headers");
            firstLength = value;
        } else if (iequals(name, "transfer-encoding")) {
            if (transferEncoding) return fail(m_kind == Kind::Request ? 400 : 502, "repeated Transfer-Encoding");
            transferEncoding = value;
        } else if (iequals(name, "host")) {
            ++hosts;
        }
    }
    if (contentLengths > 1) return fail(m_kind == Kind::Request ? 400 : 502, "duplicate Content-Length");
    if (contentLengths && transferEncoding)
        return fail(m_kind == Kind::Request ? 400 : 502, "Content-Length together with Transfer-Encoding");
    if (transferEncoding) {
        std::string te = trimmed(*transferEncoding);
        std::transform(te.begin(), te.end(), te.begin(), [](unsigned char c) { return std::tolower(c); });
        // Only "chunked" is supported (the body is re-framed on the way through); nginx answers 501 as well.
        if (te != "chunked") return fail(m_kind == Kind::Request ? 501 : 502, "unsupported Transfer-Encoding");
        m_chunked = true;
    }
    if (m_kind == Kind::Request) {
        if (hosts > 1) return fail(400, "duplicate Host header");
        if (hosts == 0 && m_httpMajor == 1 && m_httpMinor >= 1) return fail(400, "HTTP/1.1 request without Host");
        for (const auto& [name, value] : m_headers)
            if (iequals(name, "host") && !validHost(value)) return fail(400, "invalid Host header");
    }
    if (firstLength) m_contentLength = m_parser.content_length;
    return 0;
}

int HttpParser::onHeadersComplete() {
    m_httpMajor = m_parser.http_major;
    m_httpMinor = m_parser.http_minor;
    if (m_kind == Kind::Request) {
        m_method = llhttp_method_name(static_cast<llhttp_method_t>(m_parser.method));
        if (m_httpMajor != 1) return fail(505, "HTTP version not supported");
    } else {
        m_statusCode = m_parser.status_code;
    }
    m_keepAlive = llhttp_should_keep_alive(&m_parser) != 0;
    m_upgrade = m_parser.upgrade != 0;
    if (m_kind == Kind::Request)
        if (int rc = validateRequestTarget(); rc != 0) return rc;
    if (int rc = validateHeaders(); rc != 0) return rc;
    int rc = m_listener->onHeadersComplete();
    if (rc < 0) {
        if (m_errorStatus == 0) m_errorStatus = m_kind == Kind::Request ? 400 : 502;
        if (m_errorReason.empty()) m_errorReason = "rejected";
        m_state = State::Error;
        llhttp_set_error_reason(&m_parser, "rejected by the proxy");
        return HPE_USER;
    }
    // An upgrade we will tunnel: return 2 so llhttp stops after the headers (HPE_PAUSED_UPGRADE).
    if (m_upgrade && rc == 0 && m_kind == Kind::Response) return 2;
    return rc;
}

// The request line, as ngx_http_process_request_line / ngx_http_process_request_uri check it.
int HttpParser::validateRequestTarget() {
    std::string_view authority;
    m_absoluteForm = splitAbsoluteForm(m_url, &authority, &m_originTarget);
    if (m_absoluteForm) {
        // The request line's host chooses the server, not the Host header (nginx: headers_in.server).
        if (!validHost(authority)) return fail(400, "invalid host in request line");
        m_requestLineHost.assign(authority);
    }
    if (!validRequestPath(target())) return fail(400, "invalid request path");
    return 0;
}

int HttpParser::onChunkHeader() {
    // m_parser.content_length is the size this chunk declares (client_max_body_size, ngx_http_request_body.c).
    if (m_kind == Kind::Request && m_maxBodyBytes && m_parser.content_length > m_maxBodyBytes - std::min(m_bodyBytes, m_maxBodyBytes))
        return fail(413, "chunk larger than the request body limit");
    return 0;
}

int HttpParser::onBody(const char* at, std::size_t n) {
    m_bodyBytes += n;
    m_listener->onBody(at, n);
    return m_state == State::Error ? HPE_USER : 0;
}

int HttpParser::onMessageComplete() {
    m_inMessage = false;
    m_listener->onMessageComplete();
    if (m_state == State::Error) return HPE_USER;
    // An upgrade request: let llhttp report HPE_PAUSED_UPGRADE (the rest of the stream is tunnel data).
    if (m_upgrade) return 0;
    return HPE_PAUSED;
}

}  // namespace ilab::proxy
