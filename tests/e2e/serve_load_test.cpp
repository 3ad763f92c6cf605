#include <QTcpSocket>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

// 2,000 client connections open at the same time through `serve`, each answered.
class ServeLoadTest : public QObject {
    Q_OBJECT
    Serve m_serve;

private slots:
    void initTestCase() {
        QByteArray ws = app("web", 2, "web:1.0");
        ws += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: app}\nspec:\n  ingressClassName: nginx\n"
              "  rules:\n  - host: app.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
              "        backend: {service: {name: web, port: {number: 80}}}\n";
        m_serve.writeFile("ws.yaml", ws);
        QVERIFY(m_serve.start({"ws.yaml"}));
    }

    void twoThousandConcurrentConnections() {
        constexpr int N = 2000;
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        int connected = 0, answered = 0;
        std::vector<QByteArray> buffers(N);
        for (int i = 0; i < N; ++i) {
            auto s = std::make_unique<QTcpSocket>();
            QTcpSocket* sp = s.get();
            connect(sp, &QTcpSocket::connected, this, [&connected] { ++connected; });
            connect(sp, &QTcpSocket::readyRead, this, [sp, i, &buffers, &answered] {
                buffers[static_cast<size_t>(i)] += sp->readAll();
                const QByteArray& b = buffers[static_cast<size_t>(i)];
                const qsizetype end = b.indexOf("\r\n\r\n");
                if (end < 0) return;
                const qsizetype cl = b.toLower().indexOf("content-length: ");
                if (cl < 0) return;
                const int len = b.mid(cl + 16, b.indexOf("\r\n", cl) - cl - 16).toInt();
                if (b.size() >= end + 4 + len && b.startsWith("HTTP/1.1 200")) {
                    ++answered;
                    buffers[static_cast<size_t>(i)].clear();
                    buffers[static_cast<size_t>(i)].append('#');  // counted once
                }
            });
            sp->connectToHost(QHostAddress::LocalHost, static_cast<quint16>(m_serve.httpPort));
            sockets.push_back(std::move(s));
        }
        QTRY_COMPARE_WITH_TIMEOUT(connected, N, 30000);
        // All 2,000 are open at once; now each sends a request.
        for (auto& s : sockets) s->write("GET /c HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(answered, N, 40000);
        for (auto& s : sockets) s->abort();
    }

    void cleanupTestCase() { QCOMPARE(m_serve.stop(), 0); }
};

QTEST_GUILESS_MAIN(ServeLoadTest)
#include "serve_load_test.moc"
