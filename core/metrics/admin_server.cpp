#include "core/metrics/admin_server.h"

#include <QHostAddress>
#include <QTcpSocket>
#include <QTimer>

namespace ilab::metrics {

namespace {
constexpr int MAX_REQUEST_BYTES = 8192;
constexpr int IDLE_TIMEOUT_MS = 10000;
}  // namespace

AdminServer::AdminServer(TextProvider metricsText, QObject* parent)
    : QObject(parent), m_metricsText(std::move(metricsText)) {
    connect(&m_server, &QTcpServer::newConnection, this, &AdminServer::onNewConnection);
}

AdminServer::~AdminServer() { close(); }

Result<bool, AdminError> AdminServer::listen(const std::string& address, int port) {
    QHostAddress addr;
    if (!addr.setAddress(QString::fromStdString(address)))
        return Result<bool, AdminError>::fail(AdminError::ListenFailed, "invalid admin address '" + address + "'");
    if (!m_server.listen(addr, static_cast<quint16>(port)))
        return Result<bool, AdminError>::fail(AdminError::ListenFailed,
                                              "cannot listen on " + address + ":" + std::to_string(port) + ": " +
                                                  m_server.errorString().toStdString());
    return true;
}

void AdminServer::close() {
    m_server.close();
    for (auto it = m_buffers.begin(); it != m_buffers.end(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
        it.key()->deleteLater();
    }
    m_buffers.clear();
}

int AdminServer::port() const { return m_server.serverPort(); }
std::string AdminServer::address() const { return m_server.serverAddress().toString().toStdString(); }

void AdminServer::onNewConnection() {
    while (QTcpSocket* s = m_server.nextPendingConnection()) {
        m_buffers.insert(s, QByteArray());
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onReadyRead(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s] {
            m_buffers.remove(s);
            s->deleteLater();
        });
        QTimer::singleShot(IDLE_TIMEOUT_MS, s, [s] { s->abort(); });
    }
}

void AdminServer::onReadyRead(QTcpSocket* s) {
    auto it = m_buffers.find(s);
    if (it == m_buffers.end()) return;
    it->append(s->readAll());
    const qsizetype end = it->indexOf("\r\n\r\n");
    if (end < 0) {
        if (it->size() > MAX_REQUEST_BYTES) respond(s, 431, "Request Header Fields Too Large", "text/plain", "too large\n", false);
        return;
    }
    const QByteArray head = it->left(end);
    m_buffers.erase(it);
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n") < 0 ? head.size() : head.indexOf("\r\n")).split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        respond(s, 400, "Bad Request", "text/plain", "bad request\n", false);
        return;
    }
    const QByteArray method = requestLine[0];
    QByteArray path = requestLine[1];
    if (const qsizetype q = path.indexOf('?'); q >= 0) path.truncate(q);
    const bool head_ = method == "HEAD";
    if (method != "GET" && !head_) {
        respond(s, 405, "Method Not Allowed", "text/plain", "method not allowed\n", false);
        return;
    }
    if (path == "/metrics")
        respond(s, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", m_metricsText ? m_metricsText() : std::string(), head_);
    else if (path == "/healthz")
        respond(s, 200, "OK", "text/plain; charset=utf-8", "ok", head_);
    else
        respond(s, 404, "Not Found", "text/plain; charset=utf-8", "404 page not found\n", head_);
}

void AdminServer::respond(QTcpSocket* s, int status, const char* reason, const std::string& contentType,
                          const std::string& body, bool head) {
    m_buffers.remove(s);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " " + reason + "\r\nContent-Type: " +
                     QByteArray::fromStdString(contentType) + "\r\nContent-Length: " +
                     QByteArray::number(static_cast<qsizetype>(body.size())) + "\r\nConnection: close\r\n\r\n";
    if (!head) out += QByteArray::fromStdString(body);
    s->write(out);
    s->disconnectFromHost();
}

}  // namespace ilab::metrics
