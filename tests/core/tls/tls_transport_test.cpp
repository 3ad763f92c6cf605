// TLS termination in the proxy with real OpenSSL clients and the real curl/openssl tools: certificate chosen by
// SNI (exact, wildcard, unknown -> default fake certificate, no SNI -> default), TLS 1.2 and 1.3, ALPN
// http/1.1, HSTS, and handshake garbage that is counted and logged but never fatal.
#include <QProcess>
#include <QTest>

#include <openssl/ssl.h>
#include <signal.h>
#include <openssl/x509.h>

#include "core/proxy/proxy_server.h"
#include "core/tls/certificate.h"
#include "../proxy/proxy_test_support.h"

using namespace ilab;
using namespace ilab::testing;

namespace {

struct ClientHandshake {
    bool ok = false;
    std::string commonName, alpn, version;
};

// A real OpenSSL client: connects, sends SNI (if any) and ALPN "h2,http/1.1", reads the peer certificate.
ClientHandshake handshake(int port, const std::string& sni, int maxVersion = TLS1_3_VERSION) {
    ClientHandshake out;
    int fd = connectTo(port);
    if (fd < 0) return out;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(ctx, maxVersion);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (!sni.empty()) SSL_set_tlsext_host_name(ssl, sni.c_str());
    static const unsigned char ALPN[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_set_alpn_protos(ssl, ALPN, sizeof ALPN);
    if (SSL_connect(ssl) == 1) {
        out.ok = true;
        if (X509* cert = SSL_get1_peer_certificate(ssl)) {
            char cn[256] = "";
            X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
            out.commonName = cn;
            X509_free(cert);
        }
        const unsigned char* proto = nullptr;
        unsigned len = 0;
        SSL_get0_alpn_selected(ssl, &proto, &len);
        out.alpn.assign(reinterpret_cast<const char*>(proto), len);
        out.version = SSL_get_version(ssl);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::close(fd);
    return out;
}

struct Run {
    int exitCode = -1;
    QString out, err;
};

Run run(const QString& program, const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(program, args);
    p.waitForStarted();
    if (!input.isEmpty()) p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TlsTransportTest : public QObject {
    Q_OBJECT
private:
    tls::KeyPairPem m_exact, m_wild;
    std::unique_ptr<TestUpstream> m_up;
    std::shared_ptr<RecordingSink> m_sink;
    std::unique_ptr<proxy::ProxyServer> m_server;
    int m_port = 0;

private slots:
    void initTestCase() {
        signal(SIGPIPE, SIG_IGN);  // the test's own OpenSSL client writes with write()
        tls::SelfSignedRequest a;
        a.commonName = "a.example.com";
        a.keyType = tls::SelfSignedRequest::KeyType::EcP256;
        auto ra = tls::generateSelfSigned(a);
        QVERIFY(ra);
        m_exact = ra.value();
        tls::SelfSignedRequest w;
        w.commonName = "*.wild.example";
        auto rw = tls::generateSelfSigned(w);
        QVERIFY(rw);
        m_wild = rw.value();

        m_up = std::make_unique<TestUpstream>();
        m_sink = std::make_shared<RecordingSink>();
        proxy::ProxyConfig cfg;
        cfg.httpPort = 0;
        cfg.httpsPort = 0;
        m_server = std::make_unique<proxy::ProxyServer>(cfg, m_sink);
        int upPort = m_up->port();
        proxy::RouterOverride router;
        router.route = [upPort](const routing::RequestView& rv) {
            routing::Decision d;
            d.action = routing::Decision::Action::Proxy;
            d.backend = routing::BackendRef{"default", "web", "80", 80, "default-web-80"};
            d.endpoints = std::make_shared<std::vector<routing::Endpoint>>(
                std::vector<routing::Endpoint>{{"127.0.0.1", upPort, "web-0"}});
            (void)rv;
            return d;
        };
        router.certificateFor = [this](const std::string& sni) {
            routing::TlsChoice c;
            c.certificate = "default";
            if (sni == "a.example.com") {
                c = {"default/a-tls", m_exact.certPem, m_exact.keyPem, {}};
            } else if (sni.size() > 13 && sni.substr(sni.size() - 13) == ".wild.example") {
                c = {"default/wild-tls", m_wild.certPem, m_wild.keyPem, {}};
            } else if (sni == "broken.example") {
                c = {"default/broken", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "x", {}};
            }
            return c;
        };
        m_server->setRouterForTest(router);
        auto r = m_server->start();
        QVERIFY2(r, r ? "" : r.message().c_str());
        m_port = m_server->httpsPort();
        QVERIFY(m_port > 0);
    }

    void cleanupTestCase() {
        m_server.reset();
        m_up.reset();
    }

    void certificateBySni_data() {
        QTest::addColumn<QString>("sni");
        QTest::addColumn<QString>("cn");
        QTest::newRow("exact") << "a.example.com" << "a.example.com";
        QTest::newRow("exact, upper case") << "A.Example.COM" << "a.example.com";
        QTest::newRow("wildcard") << "x.wild.example" << "*.wild.example";
        QTest::newRow("unknown") << "nobody.example" << QString(tls::FAKE_CERTIFICATE_CN);
        QTest::newRow("no sni") << "" << QString(tls::FAKE_CERTIFICATE_CN);
        QTest::newRow("broken secret") << "broken.example" << QString(tls::FAKE_CERTIFICATE_CN);
    }
    void certificateBySni() {
        QFETCH(QString, sni);
        QFETCH(QString, cn);
        ClientHandshake h = handshake(m_port, sni.toStdString());
        QVERIFY(h.ok);
        QCOMPARE(QString::fromStdString(h.commonName), cn);
        QCOMPARE(h.alpn, std::string("http/1.1"));  // offered h2 + http/1.1: the proxy speaks HTTP/1.1
    }

    void tls12And13() {
        ClientHandshake h12 = handshake(m_port, "a.example.com", TLS1_2_VERSION);
        QVERIFY(h12.ok);
        QCOMPARE(h12.version, std::string("TLSv1.2"));
        QCOMPARE(h12.commonName, std::string("a.example.com"));
        ClientHandshake h13 = handshake(m_port, "a.example.com");
        QCOMPARE(h13.version, std::string("TLSv1.3"));
    }

    void curlThroughHttps() {
        QString port = QString::number(m_port);
        Run r = run("curl", {"-sk", "-D", "-", "--resolve", "a.example.com:" + port + ":127.0.0.1",
                             "https://a.example.com:" + port + "/hello?x=1"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith("HTTP/1.1 200"), qPrintable(r.out));
        QVERIFY(r.out.contains("Strict-Transport-Security: max-age=31536000; includeSubDomains"));
        QVERIFY(r.out.contains("GET /hello?x=1"));
        QVERIFY(r.out.contains("X-Forwarded-Proto: https"));
        // The access record knows the scheme.
        QTRY_VERIFY(!m_sink->recordsCopy().empty());
        QCOMPARE(m_sink->recordsCopy().back().scheme, std::string("https"));
    }

    void opensslSClientSeesCertificate() {
        QString port = QString::number(m_port);
        Run r = run("openssl", {"s_client", "-connect", "127.0.0.1:" + port, "-servername", "x.wild.example"},
                    QByteArray("Q\n"));
        QVERIFY2(r.out.contains("CN = *.wild.example") || r.out.contains("CN=*.wild.example"), qPrintable(r.out));
    }

    void handshakeGarbageIsNotFatal() {
        std::uint64_t before = m_server->stats().tlsHandshakeFailures;
        for (int i = 0; i < 3; ++i) {
            RawClient c(m_port);
            c.send(std::string("\x16\x03\x01\x00\x05garbagegarbage", 19));
            QVERIFY(c.waitClosed());
        }
        {
            RawClient plain(m_port);
            plain.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");  // HTTP on the HTTPS port
            QVERIFY(plain.waitClosed());
        }
        QTRY_VERIFY(m_server->stats().tlsHandshakeFailures >= before + 4);
        QVERIFY(m_sink->handshakeFailureCount() >= 4);
        {
            std::lock_guard l(m_sink->m);
            bool logged = false;
            for (const auto& e : m_sink->events) logged |= e.find("TLSHandshakeFailed") != std::string::npos;
            QVERIFY(logged);
        }
        // Still serving.
        ClientHandshake h = handshake(m_port, "a.example.com");
        QVERIFY(h.ok);
    }
};

QTEST_GUILESS_MAIN(TlsTransportTest)
#include "tls_transport_test.moc"
