#include "support/fake_kubelet.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QMetaObject>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

namespace ilab::testing {

namespace {

constexpr int kMaxHeaderBytes = 64 * 1024;

QString podKey(const QString& ns, const QString& pod) { return ns + QLatin1Char('/') + pod; }

// One line of a container's log, stamped when it was written, as the container runtime does.
struct LogLine {
    qint64 nanos = 0;  // since the epoch, UTC
    QByteArray text;   // ends in '\n'
};

qint64 nowNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The kubelet's timestamps=true prefix: RFC 3339 with nine fraction digits (kuberuntime/logs timeFormatOut).
QByteArray stamp(qint64 nanos) {
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(nanos / 1000000, Qt::UTC);
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")).toLatin1() + '.' +
           QByteArray::number(nanos % 1000000000).rightJustified(9, '0') + "Z ";
}

// sinceTime as the API server forwards it (RFC 3339, seconds); -1 when absent or unreadable.
qint64 parseSince(const QString& text) {
    if (text.isEmpty()) return -1;
    const QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    return t.isValid() ? t.toMSecsSinceEpoch() * 1000000 : -1;
}

QList<QByteArray> splitLines(const QByteArray& lines) {
    QList<QByteArray> out;
    qsizetype from = 0;
    while (from < lines.size()) {
        qsizetype nl = lines.indexOf('\n', from);
        if (nl < 0) nl = lines.size() - 1;
        out.append(lines.mid(from, nl - from + 1));
        from = nl + 1;
    }
    return out;
}

// One server-side WebSocket frame (unmasked, FIN set).
QByteArray wsFrame(quint8 opcode, const QByteArray& payload) {
    QByteArray f;
    f.append(char(0x80 | opcode));
    const qint64 n = payload.size();
    if (n < 126) {
        f.append(char(n));
    } else if (n < 65536) {
        f.append(char(126));
        f.append(char((n >> 8) & 0xff));
        f.append(char(n & 0xff));
    } else {
        f.append(char(127));
        for (int i = 7; i >= 0; --i) f.append(char((n >> (8 * i)) & 0xff));
    }
    f.append(payload);
    return f;
}

QByteArray channelMessage(int channel, const QByteArray& data) {
    QByteArray m;
    m.reserve(data.size() + 1);
    m.append(char(channel));
    m.append(data);
    return wsFrame(0x2, m);
}

}  // namespace

class KubeletWorker;

// One accepted TLS connection from the API server. Lives on the kubelet thread.
class KubeletConnection : public QObject {
public:
    KubeletConnection(KubeletWorker* worker, QSslSocket* socket);
    ~KubeletConnection() override;

    void closeNow();
    void writeLogLines(const std::vector<LogLine>& lines);
    void endLog();
    const QString& podKeyForForward() const { return m_forwardPod; }
    const QString& logKey() const { return m_logKey; }

private:
    struct PortStream {
        int port = 0;
        QTcpSocket* pod = nullptr;
        QByteArray pending;  // client bytes that arrived before the pod connection was up
        bool connected = false;
    };

    void onReadyRead();
    void handleRequest(const QByteArray& head);
    void respond(int status, const QByteArray& reason, const QByteArray& body);
    void startForward(const QString& ns, const QString& pod, const QUrlQuery& query, const QByteArray& key,
                      const QByteArray& protocol, FakeKubelet::Request request);
    void startLogs(const QString& ns, const QString& pod, const QString& container, const QUrlQuery& query);
    void onFrames();
    void onPodData(int index);
    void onPodClosed(int index);
    void closeWebSocket(quint16 code);

    KubeletWorker* m_worker;
    QSslSocket* m_socket;
    QByteArray m_buffer;
    enum class Mode { Headers, Forward, Log, Done } m_mode = Mode::Headers;
    std::vector<PortStream> m_ports;
    QString m_forwardPod;
    QString m_logKey;
    bool m_logTimestamps = false;
    bool m_counted = false;
    bool m_closeSent = false;
};

class KubeletServer : public QTcpServer {
public:
    explicit KubeletServer(KubeletWorker* worker);
    QSslConfiguration tls;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    KubeletWorker* m_worker;
};

struct FakeKubelet::Impl {
    QThread thread;
    KubeletWorker* worker = nullptr;
    std::atomic<int> port{0};
    QString error;

    mutable std::mutex mutex;  // guards pods, logs, requests
    std::map<QString, std::map<int, int>> pods;  // "ns/pod" -> pod port -> 127.0.0.1 port
    std::map<QString, std::vector<LogLine>> logs;      // "ns/pod/container" -> the running container's lines
    std::map<QString, std::vector<LogLine>> previous;  // the container before the last restartContainer()
    QList<FakeKubelet::Request> requests;
    std::atomic<int> openForwards{0};
    std::atomic<int> forwardsServed{0};
    std::atomic<int> openLogStreams{0};
};

// Owns the server and the connections; lives on the kubelet thread.
class KubeletWorker : public QObject {
public:
    explicit KubeletWorker(FakeKubelet::Impl* impl) : impl(impl) {}
    FakeKubelet::Impl* impl;
    KubeletServer* server = nullptr;  // child, created on the kubelet thread
    std::set<KubeletConnection*> connections;

    void record(const FakeKubelet::Request& r) {
        std::lock_guard lock(impl->mutex);
        impl->requests.append(r);
    }
};

KubeletServer::KubeletServer(KubeletWorker* worker) : QTcpServer(worker), m_worker(worker) {}

void KubeletServer::incomingConnection(qintptr descriptor) {
    auto* socket = new QSslSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(tls);
    auto* connection = new KubeletConnection(m_worker, socket);
    m_worker->connections.insert(connection);
    socket->startServerEncryption();
}

KubeletConnection::KubeletConnection(KubeletWorker* worker, QSslSocket* socket)
    : QObject(worker), m_worker(worker), m_socket(socket) {
    socket->setParent(this);
    connect(socket, &QSslSocket::readyRead, this, &KubeletConnection::onReadyRead);
    connect(socket, &QSslSocket::disconnected, this, [this] { closeNow(); });
    connect(socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) { closeNow(); });
}

KubeletConnection::~KubeletConnection() {
    if (m_counted) m_worker->impl->openForwards--;
    if (m_mode == Mode::Log) m_worker->impl->openLogStreams--;
}

void KubeletConnection::closeNow() {
    if (m_mode == Mode::Done && !m_socket) return;
    const Mode was = m_mode;
    m_mode = Mode::Done;
    if (was == Mode::Log) m_worker->impl->openLogStreams--;
    if (m_counted) {
        m_worker->impl->openForwards--;
        m_counted = false;
    }
    for (auto& p : m_ports) {
        if (p.pod) {
            p.pod->disconnect(this);
            p.pod->abort();
        }
    }
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->disconnectFromHost();
    }
    m_worker->connections.erase(this);
    deleteLater();
}

void KubeletConnection::onReadyRead() {
    m_buffer.append(m_socket->readAll());
    if (m_mode == Mode::Headers) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_buffer.size() > kMaxHeaderBytes) respond(431, "Request Header Fields Too Large", "too large\n");
            return;
        }
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        handleRequest(head);
    }
    if (m_mode == Mode::Forward) onFrames();
}

void KubeletConnection::respond(int status, const QByteArray& reason, const QByteArray& body) {
    QByteArray r = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                   "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + QByteArray::number(body.size()) +
                   "\r\nConnection: close\r\n\r\n" + body;
    m_socket->write(r);
    m_socket->flush();
    m_mode = Mode::Done;
    m_socket->disconnectFromHost();
}

void KubeletConnection::handleRequest(const QByteArray& head) {
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    FakeKubelet::Request rec;
    rec.method = QString::fromLatin1(requestLine.value(0));
    rec.target = QString::fromLatin1(requestLine.value(1));
    const QList<QSslCertificate> chain = m_socket->peerCertificateChain();
    if (!chain.isEmpty()) rec.clientCn = chain.first().subjectInfo(QSslCertificate::CommonName).value(0);
    std::map<QByteArray, QByteArray> headers;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) continue;
        headers[line.left(colon).trimmed().toLower()] = line.mid(colon + 1).trimmed();
    }
    const bool websocket = headers["upgrade"].toLower() == "websocket";
    rec.protocol = QString::fromLatin1(websocket ? headers["sec-websocket-protocol"] : headers["upgrade"]);

    const QUrl url(rec.target);
    const QStringList parts = url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const QUrlQuery query(url);
    auto finish = [&](int status, const QByteArray& reason, const QByteArray& body) {
        rec.status = status;
        m_worker->record(rec);
        respond(status, reason, body);
    };
    if (parts.value(0) == QLatin1String("portForward") && parts.size() == 3) {
        if (!headers["upgrade"].isEmpty() && !websocket) {
            // SPDY/3.1 (POST, X-Stream-Protocol-Version: portforward.k8s.io): not spoken by this stand-in.
            return finish(501, "Not Implemented", "spdy port-forward is not implemented by the stand-in kubelet\n");
        }
        if (!websocket) return finish(400, "Bad Request", "Upgrade request required\n");
        QByteArray chosen;
        const QList<QByteArray> offered = headers["sec-websocket-protocol"].split(',');
        bool offeredAny = false;
        for (const QByteArray& o : offered) {
            const QByteArray p = o.trimmed();
            if (p.isEmpty()) continue;
            offeredAny = true;
            if (p == "v4.channel.k8s.io" || p == "channel.k8s.io") {
                chosen = p;
                break;
            }
        }
        if (offeredAny && chosen.isEmpty()) {
            // wsstream: none of the client's protocols is supported -> the handshake fails.
            return finish(400, "Bad Request",
                          "unable to upgrade: unsupported subprotocol: " + headers["sec-websocket-protocol"] + "\n");
        }
        if (headers["sec-websocket-key"].isEmpty()) return finish(400, "Bad Request", "missing Sec-WebSocket-Key\n");
        return startForward(parts[1], parts[2], query, headers["sec-websocket-key"], chosen, rec);
    }
    if (parts.value(0) == QLatin1String("containerLogs") && parts.size() == 4 && rec.method == QLatin1String("GET")) {
        rec.status = 200;
        m_worker->record(rec);
        return startLogs(parts[1], parts[2], parts[3], query);
    }
    finish(404, "Not Found", "404 page not found\n");
}

void KubeletConnection::startForward(const QString& ns, const QString& pod, const QUrlQuery& query,
                                     const QByteArray& key, const QByteArray& protocol, FakeKubelet::Request rec) {
    std::map<int, int> podPorts;
    {
        std::lock_guard lock(m_worker->impl->mutex);
        auto it = m_worker->impl->pods.find(podKey(ns, pod));
        if (it != m_worker->impl->pods.end()) podPorts = it->second;
    }
    const QStringList portValues = query.allQueryItemValues(QStringLiteral("port"));
    if (portValues.isEmpty()) {
        rec.status = 400;
        m_worker->record(rec);
        return respond(400, "Bad Request", "query parameter \"port\" is required\n");
    }
    std::vector<int> ports;
    for (const QString& v : portValues) {
        bool ok = false;
        const int p = v.toInt(&ok);
        if (!ok || p <= 0 || p > 65535) {
            rec.status = 400;
            m_worker->record(rec);
            return respond(400, "Bad Request", "unable to parse \"" + v.toUtf8() + "\" as a port\n");
        }
        ports.push_back(p);
    }
    if (podPorts.empty()) {
        rec.status = 404;
        m_worker->record(rec);
        return respond(404, "Not Found", "pod not found (\"" + pod.toUtf8() + "_" + ns.toUtf8() + "\")\n");
    }
    rec.status = 101;
    m_worker->record(rec);
    const QByteArray accept =
        QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1).toBase64();
    QByteArray r = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " + accept + "\r\n";
    if (!protocol.isEmpty()) r += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
    r += "\r\n";
    m_socket->write(r);
    m_mode = Mode::Forward;
    m_forwardPod = podKey(ns, pod);
    m_counted = true;
    m_worker->impl->openForwards++;
    m_worker->impl->forwardsServed++;
    m_ports.resize(ports.size());
    for (std::size_t i = 0; i < ports.size(); ++i) {
        QByteArray le;
        le.append(char(ports[i] & 0xff));
        le.append(char((ports[i] >> 8) & 0xff));
        m_socket->write(channelMessage(int(2 * i), le));
        m_socket->write(channelMessage(int(2 * i + 1), le));
    }
    for (std::size_t i = 0; i < ports.size(); ++i) {
        PortStream& ps = m_ports[i];
        ps.port = ports[i];
        auto target = podPorts.find(ports[i]);
        if (target == podPorts.end()) {
            // The container does not listen there: the kubelet reports the failed dial on the error channel.
            m_socket->write(channelMessage(int(2 * i + 1),
                                           "error forwarding port " + QByteArray::number(ports[i]) + " to pod " +
                                               pod.toUtf8() + ": dial tcp4 127.0.0.1:" + QByteArray::number(ports[i]) +
                                               ": connect: connection refused"));
            closeWebSocket(1000);
            return;
        }
        ps.pod = new QTcpSocket(this);
        const int index = int(i);
        connect(ps.pod, &QTcpSocket::connected, this, [this, index] {
            PortStream& p = m_ports[index];
            p.connected = true;
            if (!p.pending.isEmpty()) p.pod->write(p.pending);
            p.pending.clear();
        });
        connect(ps.pod, &QTcpSocket::readyRead, this, [this, index] { onPodData(index); });
        connect(ps.pod, &QTcpSocket::disconnected, this, [this, index] { onPodClosed(index); });
        connect(ps.pod, &QTcpSocket::errorOccurred, this, [this, index](QAbstractSocket::SocketError e) {
            PortStream& p = m_ports[index];
            if (e == QAbstractSocket::RemoteHostClosedError) return;  // disconnected() follows
            if (!p.connected && m_mode == Mode::Forward) {
                m_socket->write(channelMessage(2 * index + 1,
                                               "error forwarding port " + QByteArray::number(p.port) +
                                                   ": dial tcp4 127.0.0.1: " + p.pod->errorString().toUtf8()));
            }
            onPodClosed(index);
        });
        ps.pod->connectToHost(QStringLiteral("127.0.0.1"), quint16(target->second));
    }
    if (!m_buffer.isEmpty()) onFrames();
}

void KubeletConnection::onFrames() {
    while (m_mode == Mode::Forward) {
        if (m_buffer.size() < 2) return;
        const auto* b = reinterpret_cast<const unsigned char*>(m_buffer.constData());
        const quint8 opcode = b[0] & 0x0f;
        const bool masked = b[1] & 0x80;
        quint64 len = b[1] & 0x7f;
        qsizetype pos = 2;
        if (len == 126) {
            if (m_buffer.size() < 4) return;
            len = (quint64(b[2]) << 8) | b[3];
            pos = 4;
        } else if (len == 127) {
            if (m_buffer.size() < 10) return;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
            pos = 10;
        }
        if (!masked) {  // RFC 6455 5.1: a server must close on an unmasked client frame
            closeWebSocket(1002);
            return;
        }
        if (quint64(m_buffer.size()) < pos + 4 + len) return;
        const unsigned char* mask = b + pos;
        QByteArray payload = m_buffer.mid(pos + 4, qsizetype(len));
        for (qsizetype i = 0; i < payload.size(); ++i) payload[i] = char(payload[i] ^ mask[i % 4]);
        m_buffer.remove(0, pos + 4 + qsizetype(len));
        switch (opcode) {
        case 0x8:  // close: answer and end
            closeWebSocket(1000);
            return;
        case 0x9:
            m_socket->write(wsFrame(0xA, payload));
            break;
        case 0x1:
        case 0x2:
        case 0x0: {
            if (payload.isEmpty()) break;
            const int channel = quint8(payload[0]);
            if (channel % 2 != 0 || channel / 2 >= int(m_ports.size())) break;  // error channels are write-only
            PortStream& p = m_ports[channel / 2];
            const QByteArray data = payload.mid(1);
            if (!p.pod) break;
            if (p.connected) {
                p.pod->write(data);
            } else {
                p.pending.append(data);
            }
            break;
        }
        default:
            break;
        }
    }
}

void KubeletConnection::onPodData(int index) {
    PortStream& p = m_ports[index];
    if (m_mode != Mode::Forward) return;
    const QByteArray data = p.pod->readAll();
    if (!data.isEmpty()) m_socket->write(channelMessage(2 * index, data));
}

void KubeletConnection::onPodClosed(int index) {
    if (m_mode != Mode::Forward) return;
    onPodData(index);
    // The kubelet closes both streams of the pair; with every pair done, the connection closes.
    closeWebSocket(1000);
}

void KubeletConnection::closeWebSocket(quint16 code) {
    if (m_closeSent) return;
    m_closeSent = true;
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xff));
    m_socket->write(wsFrame(0x8, payload));
    m_socket->flush();
    for (auto& p : m_ports) {
        if (p.pod) {
            p.pod->disconnect(this);
            p.pod->abort();
        }
    }
    if (m_counted) {
        m_worker->impl->openForwards--;
        m_counted = false;
    }
    m_mode = Mode::Done;
    m_socket->disconnectFromHost();
}

void KubeletConnection::startLogs(const QString& ns, const QString& pod, const QString& container,
                                  const QUrlQuery& query) {
    m_logKey = podKey(ns, pod) + QLatin1Char('/') + container;
    m_logTimestamps = query.queryItemValue(QStringLiteral("timestamps")) == QLatin1String("true");
    const bool previous = query.queryItemValue(QStringLiteral("previous")) == QLatin1String("true");
    std::vector<LogLine> all;
    {
        // Read on the kubelet thread, where appendLog() also writes: a line is either in this snapshot or pushed
        // to the open stream afterwards, never both.
        std::lock_guard lock(m_worker->impl->mutex);
        const auto& source = previous ? m_worker->impl->previous : m_worker->impl->logs;
        auto it = source.find(m_logKey);
        if (it != source.end()) all = it->second;
    }
    const qint64 since = parseSince(query.queryItemValue(QStringLiteral("sinceTime")));
    if (since >= 0)  // the kubelet keeps lines at or after sinceTime
        all.erase(std::remove_if(all.begin(), all.end(), [since](const LogLine& l) { return l.nanos < since; }),
                  all.end());
    if (query.hasQueryItem(QStringLiteral("tailLines"))) {
        const size_t n = size_t(qMax(0, query.queryItemValue(QStringLiteral("tailLines")).toInt()));
        if (all.size() > n) all.erase(all.begin(), all.end() - qsizetype(n));
    }
    m_socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
    m_mode = Mode::Log;
    m_worker->impl->openLogStreams++;
    writeLogLines(all);
    if (previous || query.queryItemValue(QStringLiteral("follow")) != QLatin1String("true")) endLog();
}

void KubeletConnection::writeLogLines(const std::vector<LogLine>& lines) {
    if (m_mode != Mode::Log || lines.empty()) return;
    QByteArray data;
    for (const LogLine& l : lines) data += (m_logTimestamps ? stamp(l.nanos) : QByteArray()) + l.text;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void KubeletConnection::endLog() {
    if (m_mode != Mode::Log) return;
    m_socket->write("0\r\n\r\n");
    m_socket->flush();
    m_mode = Mode::Done;
    m_worker->impl->openLogStreams--;
    m_socket->disconnectFromHost();
}

// ---------------------------------------------------------------------------------------------------------------

FakeKubelet::FakeKubelet() : m(std::make_unique<Impl>()) {}

FakeKubelet::~FakeKubelet() { stop(); }

bool FakeKubelet::start(const QString& pkiDir) {
    auto readFile = [](const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QList<QSslCertificate> certs = QSslCertificate::fromData(readFile(pkiDir + "/kubelet.crt"));
    const QSslKey key(readFile(pkiDir + "/kubelet.key"), QSsl::Rsa);
    const QList<QSslCertificate> ca = QSslCertificate::fromData(readFile(pkiDir + "/ca.crt"));
    if (certs.isEmpty() || key.isNull() || ca.isEmpty()) {
        m->error = QStringLiteral("kubelet.crt/kubelet.key/ca.crt missing or unreadable in %1 (start-apiserver.sh "
                                  "makes them)")
                       .arg(pkiDir);
        return false;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(certs.first());
    tls.setPrivateKey(key);
    tls.setCaCertificates(ca);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);  // the API server must present its kubelet client certificate
    tls.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});

    m->worker = new KubeletWorker(m.get());
    m->worker->moveToThread(&m->thread);
    m->thread.setObjectName(QStringLiteral("fake-kubelet"));
    m->thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(
        m->worker,
        [this, &ok, &tls] {
            // created here so that the server and its socket notifiers belong to the kubelet thread
            m->worker->server = new KubeletServer(m->worker);
            m->worker->server->tls = tls;
            ok = m->worker->server->listen(QHostAddress::LocalHost, 0);
            if (ok) {
                m->port = m->worker->server->serverPort();
            } else {
                m->error = m->worker->server->errorString();
            }
        },
        Qt::BlockingQueuedConnection);
    if (!ok) stop();
    return ok;
}

void FakeKubelet::stop() {
    if (!m->worker) return;
    QMetaObject::invokeMethod(
        m->worker,
        [this] {
            m->worker->server->close();
            const auto connections = m->worker->connections;
            for (KubeletConnection* c : connections) c->closeNow();
            delete m->worker;
            m->worker = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m->thread.quit();
    m->thread.wait();
    m->worker = nullptr;
}

int FakeKubelet::port() const { return m->port.load(); }
QString FakeKubelet::errorString() const { return m->error; }

void FakeKubelet::setPodPort(const QString& ns, const QString& pod, int podPort, int targetPort) {
    std::lock_guard lock(m->mutex);
    m->pods[podKey(ns, pod)][podPort] = targetPort;
}

void FakeKubelet::removePod(const QString& ns, const QString& pod) {
    const QString key = podKey(ns, pod);
    {
        std::lock_guard lock(m->mutex);
        m->pods.erase(key);
    }
    if (!m->worker) return;
    QMetaObject::invokeMethod(
        m->worker,
        [this, key] {
            const auto connections = m->worker->connections;
            for (KubeletConnection* c : connections) {
                if (c->podKeyForForward() == key) c->closeNow();
            }
        },
        Qt::BlockingQueuedConnection);
}

void FakeKubelet::appendLog(const QString& ns, const QString& pod, const QString& container,
                            const QByteArray& lines) {
    const QString key = podKey(ns, pod) + QLatin1Char('/') + container;
    // One write stamps its lines with one time, as a runtime may: readers must cope with equal timestamps.
    std::vector<LogLine> added;
    const qint64 at = nowNanos();
    for (const QByteArray& l : splitLines(lines)) added.push_back({at, l});
    auto store = [this, key, added] {
        std::lock_guard lock(m->mutex);
        auto& log = m->logs[key];
        log.insert(log.end(), added.begin(), added.end());
    };
    if (!m->worker) return store();
    QMetaObject::invokeMethod(
        m->worker,
        [this, key, added, store] {
            store();
            for (KubeletConnection* c : m->worker->connections) {
                if (c->logKey() == key) c->writeLogLines(added);
            }
        },
        Qt::BlockingQueuedConnection);
}

void FakeKubelet::endLogStreams(const QString& ns, const QString& pod, const QString& container) {
    const QString key = podKey(ns, pod) + QLatin1Char('/') + container;
    if (!m->worker) return;
    QMetaObject::invokeMethod(
        m->worker,
        [this, key] {
            const auto connections = m->worker->connections;
            for (KubeletConnection* c : connections) {
                if (c->logKey() == key) c->endLog();
            }
        },
        Qt::BlockingQueuedConnection);
}

void FakeKubelet::restartContainer(const QString& ns, const QString& pod, const QString& container) {
    const QString key = podKey(ns, pod) + QLatin1Char('/') + container;
    auto rotate = [this, key] {
        std::lock_guard lock(m->mutex);
        m->previous[key] = std::move(m->logs[key]);
        m->logs[key].clear();
    };
    if (!m->worker) return rotate();
    QMetaObject::invokeMethod(
        m->worker,
        [this, key, rotate] {
            rotate();
            const auto connections = m->worker->connections;
            for (KubeletConnection* c : connections) {
                if (c->logKey() == key) c->endLog();
            }
        },
        Qt::BlockingQueuedConnection);
}

QList<FakeKubelet::Request> FakeKubelet::requests() const {
    std::lock_guard lock(m->mutex);
    return m->requests;
}

int FakeKubelet::openForwards() const { return m->openForwards.load(); }
int FakeKubelet::forwardsServed() const { return m->forwardsServed.load(); }
int FakeKubelet::openLogStreams() const { return m->openLogStreams.load(); }

}  // namespace ilab::testing
