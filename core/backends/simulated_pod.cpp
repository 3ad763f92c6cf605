#include "core/backends/simulated_pod.h"

#include <algorithm>

#include <QHostAddress>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <llhttp.h>

#include "core/tls/certificate.h"

namespace ilab::backends {

namespace {
constexpr std::size_t MAX_HEADER_BYTES = 64 * 1024;  // a pod is more lenient than the proxy in front of it
constexpr int IDLE_TIMEOUT_MS = 120000;               // longer than the proxy's upstream keep-alive
constexpr qsizetype MAX_BUFFERED_INPUT = 4 * 1024 * 1024;

const char* reasonPhrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are not valid UTF-8.
std::size_t utf8Length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((b(i + k) & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) >= 0xA0))) return 0;  // overlong, surrogate
    if (n == 4 && ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) >= 0x90))) return 0;  // overlong, > U+10FFFF
    return n;
}

// A JSON string literal for `s`: quotes, backslashes and control characters escaped, invalid UTF-8 (header values
// may carry any byte) replaced by U+FFFD, as QJsonDocument did.
void appendJsonString(std::string& out, std::string_view s) {
    static const char* HEX = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8Length(s, i);
            if (n == 0) {
                out += "\\ufffd";
                ++i;
            } else {
                out.append(s.data() + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out += "\\u00";
                out += HEX[c >> 4];
                out += HEX[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}
}  // namespace

// One client connection of a pod. Requests are parsed by llhttp; the parser pauses after each message so a
// pipelined request is answered only after the previous answer was written (in order, one at a time).
class PodConnection {
public:
    PodConnection(SimulatedPod* pod, QTcpSocket* socket) : m_pod(pod), m_socket(socket) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        llhttp_init(&m_parser, HTTP_REQUEST, &SETTINGS);
        m_parser.data = this;
        m_idle = new QTimer(socket);
        m_idle->setSingleShot(true);
        m_idle->setInterval(IDLE_TIMEOUT_MS);
        QObject::connect(m_idle, &QTimer::timeout, socket, [socket] { socket->abort(); });
        // Callbacks that touch `this` use m_ctx as context: deleting the connection disconnects them at once,
        // even while the socket itself waits for deleteLater.
        QObject::connect(socket, &QTcpSocket::readyRead, &m_ctx, [this] { onReadyRead(); });
        QObject::connect(socket, &QTcpSocket::disconnected, &m_ctx, [this] { m_pod->connectionClosed(this); });
        m_idle->start();
    }
    ~PodConnection() {
        m_socket->disconnect();
        m_socket->abort();
        m_socket->deleteLater();
    }
    void abort() { m_socket->abort(); }

private:
    static const llhttp_settings_t SETTINGS;
    static PodConnection* self(llhttp_t* p) { return static_cast<PodConnection*>(p->data); }

    static llhttp_settings_t makeSettings() {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = [](llhttp_t* p) {
            PodConnection* c = self(p);
            c->m_req = SimulatedPod::Request{};
            c->m_headerBytes = 0;
            c->m_field.clear();
            c->m_value.clear();
            return 0;
        };
        s.on_url = [](llhttp_t* p, const char* at, size_t n) { return self(p)->grow(self(p)->m_req.url, at, n); };
        s.on_header_field = [](llhttp_t* p, const char* at, size_t n) { return self(p)->grow(self(p)->m_field, at, n); };
        s.on_header_value = [](llhttp_t* p, const char* at, size_t n) { return self(p)->grow(self(p)->m_value, at, n); };
        s.on_header_value_complete = [](llhttp_t* p) {
            PodConnection* c = self(p);
            c->m_req.headers.emplace_back(std::move(c->m_field), std::move(c->m_value));
            c->m_field.clear();
            c->m_value.clear();
            return 0;
        };
        s.on_headers_complete = [](llhttp_t* p) {
            PodConnection* c = self(p);
            c->m_req.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(p)));
            c->m_req.version = "HTTP/" + std::to_string(llhttp_get_http_major(p)) + "." + std::to_string(llhttp_get_http_minor(p));
            return 0;
        };
        s.on_body = [](llhttp_t* p, const char*, size_t n) {
            self(p)->m_req.bodyBytes += n;
            return 0;
        };
        s.on_message_complete = [](llhttp_t* p) {
            PodConnection* c = self(p);
            c->m_keepAlive = llhttp_should_keep_alive(p) != 0;
            c->m_haveRequest = true;
            return static_cast<int>(HPE_PAUSED);
        };
        return s;
    }

    int grow(std::string& s, const char* at, size_t n) {
        m_headerBytes += n;
        if (m_headerBytes > MAX_HEADER_BYTES) {
            llhttp_set_error_reason(&m_parser, "header too large");
            return HPE_USER;
        }
        s.append(at, n);
        return 0;
    }

    void onReadyRead() {
        m_in.append(m_socket->readAll());
        m_idle->start();
        if (m_in.size() > MAX_BUFFERED_INPUT && m_busy) {
            m_socket->abort();  // a client pipelining megabytes while we wait: drop it
            return;
        }
        parseMore();
    }

    void parseMore() {
        while (!m_busy && !m_closing && !m_in.isEmpty()) {
            const llhttp_errno_t err = llhttp_execute(&m_parser, m_in.constData(), static_cast<size_t>(m_in.size()));
            if (err == HPE_OK) {
                m_in.clear();
                return;
            }
            if (err == HPE_PAUSED) {
                const char* pos = llhttp_get_error_pos(&m_parser);
                const qsizetype used = pos ? pos - m_in.constData() : m_in.size();
                m_in.remove(0, used);
                llhttp_resume(&m_parser);
                if (m_haveRequest) {
                    m_haveRequest = false;
                    handleRequest();
                }
                continue;
            }
            // Malformed request: answer 400 and close, as a real server would.
            m_closing = true;
            m_in.clear();
            m_socket->write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
                            "Connection: close\r\n\r\nbad request\n");
            m_socket->disconnectFromHost();
            return;
        }
    }

    void handleRequest() {
        SimulatedPod::Response r = m_pod->answer(m_req);
        const bool keepAlive = m_keepAlive;
        if (r.latencyMs <= 0) {
            send(r, keepAlive);
            return;
        }
        m_busy = true;
        QTimer::singleShot(r.latencyMs, &m_ctx, [this, r = std::move(r), keepAlive] {
            m_busy = false;
            send(r, keepAlive);
            parseMore();
        });
    }

    void send(const SimulatedPod::Response& r, bool keepAlive) {
        const bool head = m_req.method == "HEAD";
        std::string& out = m_out;  // reused: one buffer per connection
        out.clear();
        out.reserve(256 + r.body.size());
        out += "HTTP/1.1 ";
        out += std::to_string(r.status);
        out += ' ';
        out += reasonPhrase(r.status);
        out += "\r\nContent-Type: ";
        out += r.contentType;
        out += "\r\n";
        const bool noBody = r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
        if (!noBody) {
            out += "Content-Length: ";
            out += std::to_string(r.body.size());
            out += "\r\n";
        }
        for (const auto& [k, v] : r.headers) {
            out += k;
            out += ": ";
            out += v;
            out += "\r\n";
        }
        if (!keepAlive) out += "Connection: close\r\n";
        out += "\r\n";
        if (!head && !noBody) out += r.body;
        m_socket->write(out.data(), static_cast<qint64>(out.size()));
        if (!keepAlive) {
            m_closing = true;
            m_socket->disconnectFromHost();
        }
    }

    QObject m_ctx;
    SimulatedPod* m_pod;
    QTcpSocket* m_socket;
    QTimer* m_idle = nullptr;
    llhttp_t m_parser;
    QByteArray m_in;  // bytes not yet parsed
    std::string m_out;  // the answer being written (kept for its capacity)
    SimulatedPod::Request m_req;
    std::string m_field, m_value;
    std::size_t m_headerBytes = 0;
    bool m_haveRequest = false;
    bool m_keepAlive = true;
    bool m_busy = false;     // an answer is delayed (latency): parsing waits
    bool m_closing = false;
};

const llhttp_settings_t PodConnection::SETTINGS = PodConnection::makeSettings();

SimulatedPod::SimulatedPod(PodIdentity identity, PodBehavior behavior, std::uint64_t seed, QObject* parent)
    : QObject(parent), m_identity(std::move(identity)), m_behavior(std::move(behavior)), m_rng(seed) {
    connect(&m_server, &QTcpServer::newConnection, this, &SimulatedPod::onNewConnection);
}

SimulatedPod::~SimulatedPod() { stop(); }

void PodTcpServer::incomingConnection(qintptr descriptor) {
    if (!m_tls) {
        QTcpServer::incomingConnection(descriptor);
        return;
    }
    auto* socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(*m_tls);
    // A client that is not speaking TLS (backend-protocol left at HTTP) fails the handshake: the socket closes.
    QObject::connect(socket, &QSslSocket::sslErrors, socket, [socket] { socket->abort(); });
    socket->startServerEncryption();
    addPendingConnection(socket);
}

int SimulatedPod::listen(int preferredPort, std::string* error) {
    if (m_server.isListening()) return m_server.serverPort();
    if (m_behavior.tls && !m_server.isTls()) {
        tls::SelfSignedRequest req;
        req.commonName = m_identity.podName.empty() ? "pod" : m_identity.podName;
        req.dnsNames = {req.commonName, "localhost"};
        req.keyType = tls::SelfSignedRequest::KeyType::EcP256;
        req.organization = "Ingress Lab simulated pod";
        auto pair = tls::generateSelfSigned(req);
        if (!pair) {
            if (error) *error = "cannot make the pod's TLS certificate: " + pair.message();
            return 0;
        }
        QSslConfiguration cfg = QSslConfiguration::defaultConfiguration();
        cfg.setLocalCertificate(QSslCertificate(QByteArray::fromStdString(pair.value().certPem)));
        cfg.setPrivateKey(QSslKey(QByteArray::fromStdString(pair.value().keyPem), QSsl::Ec));
        cfg.setPeerVerifyMode(QSslSocket::VerifyNone);
        cfg.setProtocol(QSsl::TlsV1_2OrLater);
        m_server.setTls(cfg);
    }
    bool ok = m_server.listen(QHostAddress::LocalHost, static_cast<quint16>(preferredPort));
    if (!ok && preferredPort != 0) ok = m_server.listen(QHostAddress::LocalHost, 0);
    if (!ok) {
        if (error) *error = m_server.errorString().toStdString();
        return 0;
    }
    m_port = m_server.serverPort();
    return m_port;
}

void SimulatedPod::stop() {
    m_server.close();
    const auto conns = m_connections;
    m_connections.clear();
    for (PodConnection* c : conns) delete c;
}

void SimulatedPod::onNewConnection() {
    while (QTcpSocket* s = m_server.nextPendingConnection()) {
        s->setParent(this);
        m_connections.insert(new PodConnection(this, s));
    }
}

void SimulatedPod::connectionClosed(PodConnection* c) {
    if (m_connections.remove(c)) delete c;
}

SimulatedPod::Response SimulatedPod::answer(const Request& req) {
    m_requests.fetch_add(1);
    Response r;
    std::string path = req.url;
    if (const auto q = path.find('?'); q != std::string::npos) path.resize(q);
    r.latencyMs = m_behavior.latencyMs;
    r.headers = m_behavior.headers;

    if (m_behavior.failureRate > 0) {
        std::uniform_real_distribution<double> d(0.0, 1.0);
        if (d(m_rng) < m_behavior.failureRate) {
            r.status = m_behavior.failureStatus;
            r.contentType = "text/plain; charset=utf-8";
            r.body = "simulated failure from pod " + m_identity.podName + "\n";
            return r;
        }
    }

    std::optional<std::string> fixedBody = m_behavior.body;
    std::string contentType = m_behavior.contentType;
    r.status = m_behavior.status.value_or(200);
    if (const PathResponse* pr = m_behavior.match(path)) {
        r.status = pr->status;
        fixedBody = pr->body;
        if (!pr->contentType.empty()) contentType = pr->contentType;
        if (pr->latencyMs >= 0) r.latencyMs = pr->latencyMs;
        for (const auto& h : pr->headers) r.headers.push_back(h);
    }
    if (fixedBody) {
        r.body = *fixedBody;
        r.contentType = contentType.empty() ? "text/plain; charset=utf-8" : contentType;
        return r;
    }
    // The echo JSON, written directly (QJsonDocument was most of a pod's CPU under load). Header names are
    // lower-cased; repeated headers are joined with ", " as HTTP allows.
    std::vector<std::pair<std::string, std::string>> headers;
    headers.reserve(req.headers.size());
    std::string host;
    for (const auto& [k, v] : req.headers) {
        std::string key = lower(k);
        if (key == "host" && host.empty()) host = v;
        auto it = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == key; });
        if (it != headers.end()) it->second += ", " + v;
        else headers.emplace_back(std::move(key), v);
    }
    std::string& b = r.body;
    b.reserve(256 + 64 * headers.size());
    auto field = [&](const char* name, std::string_view value) {
        b += "    \"";
        b += name;
        b += "\": ";
        appendJsonString(b, value);
        b += ",\n";
    };
    b += "{\n";
    field("service", m_identity.service);
    field("pod", m_identity.podName);
    field("namespace", m_identity.ns);
    field("version", m_identity.version);
    field("method", req.method);
    field("path", req.url);
    field("host", host);
    b += "    \"headers\": {";
    for (std::size_t i = 0; i < headers.size(); ++i) {
        b += i ? ",\n        " : "\n        ";
        appendJsonString(b, headers[i].first);
        b += ": ";
        appendJsonString(b, headers[i].second);
    }
    b += headers.empty() ? "}\n}\n" : "\n    }\n}\n";
    r.contentType = contentType.empty() ? "application/json" : contentType;
    return r;
}

}  // namespace ilab::backends
