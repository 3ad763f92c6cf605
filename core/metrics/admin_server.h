#pragma once

#include <functional>
#include <string>

#include <QHash>
#include <QObject>
#include <QTcpServer>

#include "core/common/result.h"

class QTcpSocket;

namespace ilab::metrics {

enum class AdminError { ListenFailed };

// The controller's admin port (ingress-nginx serves it on :10254): GET /metrics (Prometheus text from the
// provider), GET /healthz ("ok"). One request per connection, answered with Connection: close; requests
// larger than 8 KiB or not GET/HEAD are refused. Lives on the thread that creates it (the control thread);
// owned by the LocalController.
class AdminServer : public QObject {
    Q_OBJECT
public:
    using TextProvider = std::function<std::string()>;
    explicit AdminServer(TextProvider metricsText, QObject* parent = nullptr);
    ~AdminServer() override;

    Result<bool, AdminError> listen(const std::string& address, int port);  // port 0 = free port
    void close();
    int port() const;
    std::string address() const;

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket* socket);
    void respond(QTcpSocket* socket, int status, const char* reason, const std::string& contentType,
                 const std::string& body, bool head);

    TextProvider m_metricsText;
    QTcpServer m_server;
    QHash<QTcpSocket*, QByteArray> m_buffers;  // request bytes read so far, per connection
};

}  // namespace ilab::metrics
