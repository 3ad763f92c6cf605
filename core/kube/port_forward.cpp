#include "core/kube/port_forward.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QUrl>

#include <curl/curl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "core/kube/rest_client.h"
#include "core/kube/websocket.h"

namespace ilab::kube {

namespace {

constexpr int POLL_MS = 200;               // how often a tunnel looks at the closing flag
constexpr long CONNECT_TIMEOUT_MS = 10000;
constexpr int UPGRADE_TIMEOUT_MS = 30000;  // the API server dials the kubelet before answering
constexpr std::size_t MAX_HEADER = 64 * 1024;

bool writeAllFd(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, POLL_MS);
                continue;
            }
            return false;
        }
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

}  // namespace

class PortForward::Listener : public QTcpServer {
public:
    explicit Listener(PortForward* owner) : QTcpServer(owner), m_owner(owner) {}

protected:
    void incomingConnection(qintptr descriptor) override { m_owner->onIncoming(descriptor); }

private:
    PortForward* m_owner;
};

struct PortForward::Tunnel {
    int fd = -1;  // the accepted local connection (owned)
    std::thread thread;
    std::atomic<bool> done{false};
};

PortForward::PortForward(ClusterConnection connection, PortForwardTarget target,
                         std::shared_ptr<CredentialProvider> credentials, QObject* parent)
    : QObject(parent), m_connection(std::move(connection)), m_target(std::move(target)),
      m_credentials(std::move(credentials)) {
    if (!m_credentials) m_credentials = std::make_shared<CredentialProvider>(m_connection, CredentialOptions{});
}

PortForward::~PortForward() { close(); }

Result<int, PortForwardError> PortForward::listen() {
    if (m_listener) return m_localPort;
    m_closing = false;
    m_listener = new Listener(this);
    if (!m_listener->listen(QHostAddress::LocalHost, 0)) {
        std::string e = "cannot listen on 127.0.0.1: " + m_listener->errorString().toStdString();
        delete m_listener;
        m_listener = nullptr;
        return Result<int, PortForwardError>::fail(PortForwardError::ListenFailed, e);
    }
    m_localPort = m_listener->serverPort();
    return m_localPort;
}

void PortForward::close() {
    m_closing = true;
    if (m_listener) {
        m_listener->close();
        delete m_listener;
        m_listener = nullptr;
    }
    std::vector<std::shared_ptr<Tunnel>> tunnels;
    {
        std::lock_guard lock(m_mutex);
        tunnels.swap(m_tunnels);
    }
    for (auto& t : tunnels) {
        if (t->thread.joinable()) t->thread.join();
    }
}

std::string PortForward::lastError() const {
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void PortForward::fail(const std::string& message) {
    {
        std::lock_guard lock(m_mutex);
        m_lastError = message;
    }
    QMetaObject::invokeMethod(this, [this, m = QString::fromStdString(message)] { emit tunnelFailed(m); },
                              Qt::QueuedConnection);
}

void PortForward::reapFinished() {
    std::vector<std::shared_ptr<Tunnel>> finished;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_tunnels.begin(); it != m_tunnels.end();) {
            if ((*it)->done) {
                finished.push_back(*it);
                it = m_tunnels.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& t : finished) t->thread.join();
}

void PortForward::onIncoming(qintptr descriptor) {
    reapFinished();
    auto tunnel = std::make_shared<Tunnel>();
    tunnel->fd = int(descriptor);
    ++m_open;
    ++m_opened;
    {
        std::lock_guard lock(m_mutex);
        m_tunnels.push_back(tunnel);
    }
    tunnel->thread = std::thread([this, tunnel] {
        runTunnel(tunnel);
        ::close(tunnel->fd);
        --m_open;
        tunnel->done = true;
    });
}

// One TCP connection <-> one WebSocket. Blocking I/O on this tunnel's own thread.
void PortForward::runTunnel(const std::shared_ptr<Tunnel>& tunnel) {
    // Through kubectl proxy (unixSocket): plain HTTP to localhost, which kubectl proxy accepts as Host.
    const bool viaKubectl = !m_connection.unixSocket.empty();
    const QUrl server(viaKubectl ? QStringLiteral("http://localhost:80") : QString::fromStdString(m_connection.server));
    const std::string host = server.host().toStdString();
    const int port = server.port(server.scheme() == QLatin1String("http") ? 80 : 443);
    const std::string hostForUrl = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    const std::string urlHost = m_connection.tlsServerName.empty() ? hostForUrl : m_connection.tlsServerName;
    std::string prefix = server.path().toStdString();
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    const std::string path = prefix + "/api/v1/namespaces/" + encodeQueryComponent(m_target.ns) + "/pods/" +
                             encodeQueryComponent(m_target.pod) + "/portforward?ports=" + std::to_string(m_target.port);
    const std::string what = "port-forward " + m_target.ns + "/" + m_target.pod + ":" + std::to_string(m_target.port);

    auto credentials = m_credentials->credentials();
    if (!credentials) {
        fail(what + ": no credentials (" + m_credentials->describe() + ")");
        return;
    }

    CURL* e = curl_easy_init();
    if (!e) {
        fail(what + ": curl_easy_init failed");
        return;
    }
    const std::string url = server.scheme().toStdString() + "://" + urlHost + ":" + std::to_string(port) + "/";
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(e, CURLOPT_SSL_ENABLE_ALPN, 0L);  // HTTP/1.1 for the upgrade
    curl_easy_setopt(e, CURLOPT_PROXY, m_connection.proxyUrl.c_str());
    if (viaKubectl) curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, m_connection.unixSocket.c_str());
    if (m_connection.insecureSkipTlsVerify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!m_connection.caPem.empty()) {
        curl_blob ca{const_cast<char*>(m_connection.caPem.data()), m_connection.caPem.size(), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
    }
    const SecretBytes& certPem =
        credentials->hasClientCertificate() ? credentials->clientCertPem : m_connection.auth.clientCertPem;
    const SecretBytes& keyPem =
        credentials->hasClientCertificate() ? credentials->clientKeyPem : m_connection.auth.clientKeyPem;
    if (!certPem.empty() && !keyPem.empty()) {
        curl_blob cert{const_cast<char*>(certPem.reveal().data()), certPem.reveal().size(), CURL_BLOB_COPY};
        curl_blob key{const_cast<char*>(keyPem.reveal().data()), keyPem.reveal().size(), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
    }
    curl_slist* connectTo = nullptr;
    if (!m_connection.tlsServerName.empty()) {
        const std::string rule = m_connection.tlsServerName + ":" + std::to_string(port) + ":" + hostForUrl + ":" +
                                 std::to_string(port);
        connectTo = curl_slist_append(nullptr, rule.c_str());
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, connectTo);
    }
    struct Cleanup {
        CURL* e;
        curl_slist* l;
        ~Cleanup() {
            curl_easy_cleanup(e);
            curl_slist_free_all(l);
        }
    } cleanup{e, connectTo};

    CURLcode rc = curl_easy_perform(e);
    if (rc != CURLE_OK) {
        fail(what + ": cannot reach the API server: " + curl_easy_strerror(rc));
        return;
    }
    curl_socket_t remote = CURL_SOCKET_BAD;
    curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, &remote);
    if (remote == CURL_SOCKET_BAD) {
        fail(what + ": no socket after connect");
        return;
    }

    auto sendAll = [&](const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            std::size_t n = 0;
            const CURLcode r = curl_easy_send(e, data.data() + off, data.size() - off, &n);
            if (r == CURLE_AGAIN) {
                pollfd p{int(remote), POLLOUT, 0};
                ::poll(&p, 1, POLL_MS);
                if (m_closing) return false;
                continue;
            }
            if (r != CURLE_OK) return false;
            off += n;
        }
        return true;
    };
    // Reads what is there (TLS may hold decrypted bytes that poll() does not see, so read until CURLE_AGAIN).
    // Returns false on EOF or error.
    auto recvSome = [&](std::string* out) {
        char buf[16384];
        for (;;) {
            std::size_t n = 0;
            const CURLcode r = curl_easy_recv(e, buf, sizeof buf, &n);
            if (r == CURLE_AGAIN) return true;
            if (r != CURLE_OK || n == 0) return false;
            out->append(buf, n);
        }
    };

    const std::string key = websocket::newKey();
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + urlHost + ":" + std::to_string(port) +
                          "\r\nUser-Agent: ingress-lab/0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n"
                          "Sec-WebSocket-Key: " + key + "\r\n";
    if (credentials->hasToken()) request += "Authorization: Bearer " + credentials->bearerToken.reveal() + "\r\n";
    if (!m_connection.auth.impersonate.empty()) request += "Impersonate-User: " + m_connection.auth.impersonate + "\r\n";
    for (const auto& g : m_connection.auth.impersonateGroups) request += "Impersonate-Group: " + g + "\r\n";
    request += "\r\n";
    const bool sent = sendAll(request);
    std::fill(request.begin(), request.end(), '\0');  // held the token
    if (!sent) {
        fail(what + ": the API server closed the connection");
        return;
    }

    std::string in;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(UPGRADE_TIMEOUT_MS);
    std::size_t headerEnd = std::string::npos;
    while ((headerEnd = in.find("\r\n\r\n")) == std::string::npos) {
        if (in.size() > MAX_HEADER || m_closing || std::chrono::steady_clock::now() > deadline) {
            fail(what + ": no upgrade response from the API server");
            return;
        }
        pollfd p{int(remote), POLLIN, 0};
        ::poll(&p, 1, POLL_MS);
        if (!recvSome(&in) && in.find("\r\n\r\n") == std::string::npos) {
            fail(what + ": the API server closed the connection during the upgrade");
            return;
        }
    }
    const std::string head = in.substr(0, headerEnd);
    in.erase(0, headerEnd + 4);
    if (head.rfind("HTTP/1.1 101", 0) != 0) {
        // A Status JSON usually follows the header; read a little of it for the message.
        for (int i = 0; i < 10 && in.size() < 4096; ++i) {
            pollfd p{int(remote), POLLIN, 0};
            ::poll(&p, 1, 50);
            if (!recvSome(&in)) break;
        }
        const std::string status = head.substr(0, head.find("\r\n"));
        // The body is a Status object (api_error.h); fall back to its first bytes when it is not JSON.
        const QJsonObject statusJson = QJsonDocument::fromJson(QByteArray::fromStdString(in)).object();
        std::string detail = statusJson.contains(QLatin1String("message"))
                                 ? statusJson.value(QLatin1String("message")).toString().toStdString()
                                 : in.substr(0, 300);
        fail(what + ": upgrade refused: " + status + (detail.empty() ? "" : ": " + detail));
        return;
    }
    std::string lowerHead = head;
    for (char& c : lowerHead) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lowerHead.find("sec-websocket-accept: " + [&] {
            std::string a = websocket::acceptFor(key);
            for (char& c : a) c = char(std::tolower(static_cast<unsigned char>(c)));
            return a;
        }()) == std::string::npos) {
        fail(what + ": the upgrade response has a wrong Sec-WebSocket-Accept");
        return;
    }

    websocket::FrameDecoder decoder;
    decoder.feed(in);
    bool firstData = true, firstError = true;
    std::string errorText;
    bool localOpen = true;
    auto mask = [] { return QRandomGenerator::global()->generate(); };
    char buf[16384];
    for (;;) {
        // Frames already received.
        std::string decodeError;
        bool remoteClosed = false;
        while (auto frame = decoder.next(&decodeError)) {
            if (frame->opcode == websocket::Opcode::Close) {
                remoteClosed = true;
                break;
            }
            if (frame->opcode == websocket::Opcode::Ping) {
                sendAll(websocket::encodeFrame(websocket::Opcode::Pong, frame->payload, true, mask()));
                continue;
            }
            if (frame->opcode != websocket::Opcode::Binary || frame->payload.empty()) continue;
            const int channel = static_cast<unsigned char>(frame->payload[0]);
            std::string_view data(frame->payload);
            data.remove_prefix(1);
            bool& first = channel == 0 ? firstData : firstError;
            if ((channel == 0 || channel == 1) && first) {
                first = false;
                const int announced = data.size() >= 2 ? (static_cast<unsigned char>(data[0]) |
                                                           (static_cast<unsigned char>(data[1]) << 8))
                                                        : -1;
                if (announced != m_target.port) {
                    fail(what + ": the kubelet announced port " + std::to_string(announced));
                    return;
                }
                data.remove_prefix(2);
            }
            if (channel == 0 && !data.empty() && localOpen) {
                if (!writeAllFd(tunnel->fd, data.data(), data.size())) localOpen = false;
            } else if (channel == 1) {
                errorText.append(data);
            }
        }
        if (!decodeError.empty()) {
            fail(what + ": " + decodeError);
            return;
        }
        if (remoteClosed) break;
        if (m_closing) {
            sendAll(websocket::encodeFrame(websocket::Opcode::Close, std::string("\x03\xe8", 2), true, mask()));
            return;
        }
        pollfd fds[2] = {{int(remote), POLLIN, 0}, {tunnel->fd, short(localOpen ? POLLIN : 0), 0}};
        ::poll(fds, 2, POLL_MS);
        std::string more;
        const bool alive = recvSome(&more);
        if (!more.empty()) decoder.feed(more);
        if (!alive && more.empty() && decoder.buffered() == 0) break;  // the API server closed
        if (localOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t n = ::recv(tunnel->fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                if (!sendAll(websocket::encodeChannelMessage(0, std::string_view(buf, std::size_t(n)), true, mask()))) break;
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                // The local client is done: the v4 protocol has no half-close, so end the WebSocket.
                localOpen = false;
                sendAll(websocket::encodeFrame(websocket::Opcode::Close, std::string("\x03\xe8", 2), true, mask()));
                break;
            }
        }
    }
    if (!errorText.empty()) fail(what + ": " + errorText);
}

}  // namespace ilab::kube
