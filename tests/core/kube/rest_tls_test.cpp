// The REST client over real TLS (OpenSSL server on 127.0.0.1): the CA, client certificate and key handed to
// libcurl as in-memory blobs, tls-server-name through CURLOPT_CONNECT_TO (SNI and verification name, TCP to the
// server's address, Host header unchanged), insecure-skip-tls-verify, and TLS failures reported as transport
// errors with the verification detail.
#include <QTest>

#include <openssl/pem.h>

#include "core/kube/rest_client.h"
#include "core/tls/certificate.h"
#include "fake_api_server.h"

using namespace ilab;
using namespace ilab::kube;
using namespace ilab::testing;

namespace {

X509* readCert(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return x;
}

EVP_PKEY* readKey(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return k;
}

// A server context like kube-apiserver's: its certificate for kube.test, client certificates required and
// verified against `clientCa`.
SSL_CTX* serverContext(const tls::KeyPairPem& serverPair, const std::string& clientCaPem) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    X509* cert = readCert(serverPair.certPem);
    EVP_PKEY* key = readKey(serverPair.keyPem);
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    X509* ca = readCert(clientCaPem);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
    X509_free(ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return ctx;
}

RestReply sendAndWait(RestClient& client, const std::string& path) {
    RestRequest r;
    r.path = path;
    RestReply out;
    bool done = false;
    client.send(r, nullptr, [&](const RestReply& reply) {
        out = reply;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 20000)) {
        RestError e;
        e.kind = RestErrorKind::Cancelled;
        e.message = "test timed out";
        out.error = e;
    }
    return out;
}

const char* describe(const RestReply& r) {
    static std::string s;
    s = r.error ? r.error->describe() : "ok";
    return s.c_str();
}

}  // namespace

class RestTlsTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void caAndClientCertBlobsWithServerName();
    void withoutServerNameTheAddressDoesNotMatch();
    void wrongCaIsATransportErrorWithDetail();
    void insecureSkipsVerification();
    void missingClientCertificateIsRefused();

private:
    tls::KeyPairPem m_server, m_client, m_other;
    SSL_CTX* m_ctx = nullptr;
    std::unique_ptr<FakeApiServer> m_api;

    ClusterConnection connection() const {
        ClusterConnection c;
        c.server = "https://127.0.0.1:" + std::to_string(m_api->port());
        c.caPem = m_server.certPem;
        c.auth.clientCertPem = SecretBytes(m_client.certPem);
        c.auth.clientKeyPem = SecretBytes(m_client.keyPem);
        return c;
    }
};

void RestTlsTest::initTestCase() {
    tls::SelfSignedRequest s;
    s.commonName = "kube-apiserver";
    s.dnsNames = {"kube.test"};  // not 127.0.0.1: reaching it by address needs tls-server-name
    s.keyType = tls::SelfSignedRequest::KeyType::EcP256;
    auto server = tls::generateSelfSigned(s);
    QVERIFY(server.ok());
    m_server = *server;
    tls::SelfSignedRequest c;
    c.commonName = "admin";
    c.organization = "system:masters";
    c.keyType = tls::SelfSignedRequest::KeyType::EcP256;
    auto client = tls::generateSelfSigned(c);
    QVERIFY(client.ok());
    m_client = *client;
    s.commonName = "someone-else";
    auto other = tls::generateSelfSigned(s);
    QVERIFY(other.ok());
    m_other = *other;
    m_ctx = serverContext(m_server, m_client.certPem);
    m_api = std::make_unique<FakeApiServer>(
        [](const FakeRequest&, FakeConnection& conn) { conn.respond(200, R"({"kind":"APIVersions","versions":["v1"]})"); },
        m_ctx);
}

void RestTlsTest::cleanupTestCase() {
    m_api.reset();
    SSL_CTX_free(m_ctx);
}

void RestTlsTest::caAndClientCertBlobsWithServerName() {
    ClusterConnection c = connection();
    c.tlsServerName = "kube.test";
    RestClient client(c);
    const std::size_t before = m_api->requests().size();
    const RestReply reply = sendAndWait(client, "/api");
    QVERIFY2(reply.ok(), describe(reply));
    QCOMPARE(reply.json().value("kind").toString(), QString("APIVersions"));
    const FakeRequest req = m_api->requests().at(before);
    QCOMPARE(req.sni, std::string("kube.test"));  // SNI = tls-server-name
    QVERIFY2(req.clientSubject.find("CN = admin") != std::string::npos || req.clientSubject.find("CN=admin") != std::string::npos,
             req.clientSubject.c_str());
    // client-go keeps the Host of the server URL; only TLS uses the server name
    QCOMPARE(req.header("host"), "127.0.0.1:" + std::to_string(m_api->port()));
}

void RestTlsTest::withoutServerNameTheAddressDoesNotMatch() {
    RestClient client(connection());
    const RestReply reply = sendAndWait(client, "/api");
    QVERIFY(reply.error);
    QCOMPARE(reply.error->kind, RestErrorKind::Transport);
    QCOMPARE(reply.error->transport.curlCode, 60);  // CURLE_PEER_FAILED_VERIFICATION: 127.0.0.1 is not in the SAN
}

void RestTlsTest::wrongCaIsATransportErrorWithDetail() {
    ClusterConnection c = connection();
    c.tlsServerName = "kube.test";
    c.caPem = m_other.certPem;
    RestClient client(c);
    const RestReply reply = sendAndWait(client, "/api");
    QVERIFY(reply.error);
    QCOMPARE(reply.error->kind, RestErrorKind::Transport);
    QCOMPARE(reply.error->transport.curlCode, 60);
    QVERIFY2(!reply.error->transport.tlsDetail.empty(), describe(reply));
    QVERIFY2(reply.error->describe().find("[TLS: ") != std::string::npos, describe(reply));
}

void RestTlsTest::insecureSkipsVerification() {
    ClusterConnection c = connection();
    c.caPem.clear();
    c.insecureSkipTlsVerify = true;
    RestClient client(c);
    const RestReply reply = sendAndWait(client, "/api");
    QVERIFY2(reply.ok(), describe(reply));
}

void RestTlsTest::missingClientCertificateIsRefused() {
    ClusterConnection c = connection();
    c.tlsServerName = "kube.test";
    c.auth.clientCertPem = SecretBytes();
    c.auth.clientKeyPem = SecretBytes();
    RestClient client(c);
    const RestReply reply = sendAndWait(client, "/api");
    QVERIFY(reply.error);
    QCOMPARE(reply.error->kind, RestErrorKind::Transport);
}

QTEST_GUILESS_MAIN(RestTlsTest)
#include "rest_tls_test.moc"
