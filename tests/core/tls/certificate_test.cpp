// Certificate toolkit: generation, inspection, host coverage, hostile input, and agreement with the
// real `openssl` command line (skipped only when the openssl binary is absent).
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <ctime>

#include "core/tls/certificate.h"

using namespace ilab::tls;

namespace {

CertificateInfo makeInfo(std::vector<std::string> dns, std::string cn = {}, std::vector<std::string> ips = {}) {
    CertificateInfo i;
    i.dnsNames = std::move(dns);
    i.commonName = std::move(cn);
    i.ipAddresses = std::move(ips);
    return i;
}

bool writeFile(const QString& path, const std::string& data) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    return f.write(data.data(), static_cast<qint64>(data.size())) == static_cast<qint64>(data.size());
}

QString runOpenssl(const QStringList& args, int* exitCode = nullptr) {
    QProcess p;
    p.start(QStringLiteral("openssl"), args);
    p.waitForFinished(30000);
    if (exitCode) *exitCode = p.exitCode();
    return QString::fromUtf8(p.readAllStandardOutput());
}

QString field(const QString& output, const QString& prefix) {
    for (const QString& line : output.split('\n'))
        if (line.startsWith(prefix)) return line.mid(prefix.size()).trimmed();
    return {};
}

}  // namespace

class CertificateTest : public QObject {
    Q_OBJECT

private slots:
    void generateRsaAndInspect() {
        const std::int64_t now = std::time(nullptr);
        SelfSignedRequest req;
        req.commonName = "agent.example.com";
        req.dnsNames = {"agent.example.com", "*.agent.example.com"};
        req.keyType = SelfSignedRequest::KeyType::Rsa2048;
        req.validityDays = 30;
        req.organization = "Ingress Lab";
        auto pair = generateSelfSigned(req);
        QVERIFY2(pair.ok(), pair.ok() ? "" : pair.message().c_str());
        QVERIFY(pair->certPem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
        QVERIFY(pair->keyPem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);

        auto info = inspectCertificate(pair->certPem, pair->keyPem);
        QVERIFY(info.ok());
        QCOMPARE(info->commonName, std::string("agent.example.com"));
        QCOMPARE(info->subject, std::string("O = Ingress Lab, CN = agent.example.com"));
        QCOMPARE(info->issuer, info->subject);
        QVERIFY(info->isSelfSigned);
        QCOMPARE(info->keyType, std::string("RSA"));
        QCOMPARE(info->keyBits, 2048);
        QCOMPARE(info->dnsNames, (std::vector<std::string>{"agent.example.com", "*.agent.example.com"}));
        QVERIFY(info->ipAddresses.empty());
        QVERIFY(info->keyMatches.has_value());
        QVERIFY(*info->keyMatches);
        QCOMPARE(info->notAfter - info->notBefore, std::int64_t(30) * 86400);
        QVERIFY(std::llabs(info->notBefore - now) < 120);
        QCOMPARE(info->sha256Fingerprint.size(), std::size_t(32 * 3 - 1));
        QVERIFY(!info->serial.empty());
        QVERIFY(!info->isExpiredAt(now));
        QVERIFY(info->isExpiredAt(now + 31 * 86400));
    }

    void generateEcAndInspect() {
        SelfSignedRequest req;
        req.commonName = "ec.example.com";  // no dnsNames: the CN becomes the SAN
        req.keyType = SelfSignedRequest::KeyType::EcP256;
        auto pair = generateSelfSigned(req);
        QVERIFY(pair.ok());
        auto info = inspectCertificate(pair->certPem, pair->keyPem);
        QVERIFY(info.ok());
        QCOMPARE(info->keyType, std::string("EC"));
        QCOMPARE(info->keyBits, 256);
        QCOMPARE(info->dnsNames, std::vector<std::string>{"ec.example.com"});
        QCOMPARE(info->notAfter - info->notBefore, std::int64_t(365) * 86400);
        QVERIFY(*info->keyMatches);
        QVERIFY(info->isSelfSigned);
    }

    void ipSubjectAltNames() {
        SelfSignedRequest req;
        req.commonName = "local";
        req.dnsNames = {"localhost", "127.0.0.1", "::1"};
        auto pair = generateSelfSigned(req);
        QVERIFY(pair.ok());
        auto info = inspectCertificate(pair->certPem);
        QVERIFY(info.ok());
        QCOMPARE(info->dnsNames, std::vector<std::string>{"localhost"});
        QCOMPARE(info->ipAddresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
        QVERIFY(!info->keyMatches.has_value());
        QVERIFY(certificateCovers(*info, "127.0.0.1"));
        QVERIFY(certificateCovers(*info, "0:0:0:0:0:0:0:1"));
        QVERIFY(!certificateCovers(*info, "127.0.0.2"));
        QVERIFY(certificateCovers(*info, "LOCALHOST"));
    }

    void expiredCertificate() {
        const std::int64_t now = std::time(nullptr);
        SelfSignedRequest req;
        req.commonName = "old.example.com";
        req.keyType = SelfSignedRequest::KeyType::EcP256;
        req.notBefore = now - 10 * 86400;
        req.validityDays = 2;
        auto pair = generateSelfSigned(req);
        QVERIFY(pair.ok());
        auto info = inspectCertificate(pair->certPem);
        QVERIFY(info.ok());
        QCOMPARE(info->notBefore, now - 10 * 86400);
        QCOMPARE(info->notAfter, now - 8 * 86400);
        QVERIFY(info->isExpiredAt(now));
        QVERIFY(!info->isNotYetValidAt(now));
    }

    void keyMismatch() {
        SelfSignedRequest a;
        a.commonName = "a.example.com";
        SelfSignedRequest b = a;
        b.commonName = "b.example.com";
        auto pa = generateSelfSigned(a);
        auto pb = generateSelfSigned(b);
        QVERIFY(pa.ok() && pb.ok());
        auto info = inspectCertificate(pa->certPem, pb->keyPem);
        QVERIFY(info.ok());
        QVERIFY(info->keyMatches.has_value());
        QVERIFY(!*info->keyMatches);

        // An EC key against an RSA certificate: a mismatch, not an error.
        SelfSignedRequest ec = a;
        ec.keyType = SelfSignedRequest::KeyType::EcP256;
        auto pe = generateSelfSigned(ec);
        QVERIFY(pe.ok());
        auto cross = inspectCertificate(pa->certPem, pe->keyPem);
        QVERIFY(cross.ok());
        QVERIFY(!*cross->keyMatches);
    }

    void fakeControllerCertificate() {
        auto pair = generateFakeControllerCertificate();
        QVERIFY(pair.ok());
        auto info = inspectCertificate(pair->certPem, pair->keyPem);
        QVERIFY(info.ok());
        QCOMPARE(info->commonName, std::string("Kubernetes Ingress Controller Fake Certificate"));
        QCOMPARE(info->subject, std::string("O = Acme Co, CN = Kubernetes Ingress Controller Fake Certificate"));
        QCOMPARE(info->dnsNames, std::vector<std::string>{"ingress.local"});
        QCOMPARE(info->keyType, std::string("RSA"));
        QCOMPARE(info->keyBits, 2048);
        QVERIFY(*info->keyMatches);
        QVERIFY(certificateCovers(*info, "ingress.local"));
        QVERIFY(!certificateCovers(*info, "agent.example.com"));
    }

    void covers_data() {
        QTest::addColumn<QStringList>("dns");
        QTest::addColumn<QString>("cn");
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("expected");
        QTest::newRow("exact") << QStringList{"foo.bar.com"} << "" << "foo.bar.com" << true;
        QTest::newRow("case-insensitive host") << QStringList{"foo.bar.com"} << "" << "FOO.Bar.com" << true;
        QTest::newRow("case-insensitive SAN") << QStringList{"Foo.BAR.com"} << "" << "foo.bar.com" << true;
        QTest::newRow("trailing dot") << QStringList{"foo.bar.com"} << "" << "foo.bar.com." << true;
        QTest::newRow("other host") << QStringList{"foo.bar.com"} << "" << "bar.com" << false;
        QTest::newRow("wildcard one label") << QStringList{"*.bar.com"} << "" << "foo.bar.com" << true;
        QTest::newRow("wildcard not apex") << QStringList{"*.bar.com"} << "" << "bar.com" << false;
        QTest::newRow("wildcard not two labels") << QStringList{"*.bar.com"} << "" << "a.foo.bar.com" << false;
        QTest::newRow("wildcard empty label") << QStringList{"*.bar.com"} << "" << ".bar.com" << false;
        QTest::newRow("partial wildcard refused") << QStringList{"f*.bar.com"} << "" << "foo.bar.com" << false;
        QTest::newRow("inner wildcard refused") << QStringList{"foo.*.com"} << "" << "foo.bar.com" << false;
        QTest::newRow("bare star refused") << QStringList{"*"} << "" << "localhost" << false;
        QTest::newRow("star tld refused") << QStringList{"*.com"} << "" << "bar.com" << false;
        QTest::newRow("second SAN") << QStringList{"a.com", "b.com"} << "" << "b.com" << true;
        QTest::newRow("CN fallback without SAN") << QStringList{} << "foo.bar.com" << "foo.bar.com" << true;
        QTest::newRow("CN wildcard fallback") << QStringList{} << "*.bar.com" << "x.bar.com" << true;
        QTest::newRow("CN ignored with SAN") << QStringList{"a.com"} << "foo.bar.com" << "foo.bar.com" << false;
        QTest::newRow("empty host") << QStringList{"a.com"} << "" << "" << false;
        QTest::newRow("IP host needs IP SAN") << QStringList{"127.0.0.1"} << "" << "127.0.0.1" << false;
    }
    void covers() {
        QFETCH(QStringList, dns);
        QFETCH(QString, cn);
        QFETCH(QString, host);
        QFETCH(bool, expected);
        std::vector<std::string> names;
        for (const auto& d : dns) names.push_back(d.toStdString());
        QCOMPARE(certificateCovers(makeInfo(names, cn.toStdString()), host.toStdString()), expected);
    }

    void garbage_data() {
        QTest::addColumn<QByteArray>("cert");
        QTest::addColumn<int>("error");
        QTest::newRow("empty") << QByteArray() << int(CertError::NoCertificate);
        QTest::newRow("text") << QByteArray("hello world") << int(CertError::NoCertificate);
        QTest::newRow("key only") << QByteArray("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                                  << int(CertError::NoCertificate);
        QTest::newRow("bad base64") << QByteArray("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n")
                                    << int(CertError::BadPem);
        QTest::newRow("valid base64, not DER") << QByteArray("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n")
                                               << int(CertError::BadPem);
        QTest::newRow("no end line") << QByteArray("-----BEGIN CERTIFICATE-----\nMIIB\n") << int(CertError::BadPem);
        QByteArray binary;
        for (int i = 0; i < 4096; ++i) binary.append(char((i * 131) & 0xFF));
        QTest::newRow("binary with header") << (QByteArray("-----BEGIN CERTIFICATE-----\n") + binary) << int(CertError::BadPem);
    }
    void garbage() {
        QFETCH(QByteArray, cert);
        QFETCH(int, error);
        auto r = inspectCertificate(cert.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(int(r.error().code), error);
        QVERIFY(!r.message().empty());
    }

    void truncatedCertificate() {
        auto pair = generateSelfSigned({"t.example.com", {}, SelfSignedRequest::KeyType::EcP256, 10, {}, {}});
        QVERIFY(pair.ok());
        const std::string& pem = pair->certPem;
        // Cut the body at many points (keeping the armour): always an error, never a crash.
        const std::string end = "-----END CERTIFICATE-----\n";
        for (std::size_t cut = 30; cut + end.size() < pem.size(); cut += 7) {
            std::string broken = pem.substr(0, cut) + "\n" + end;
            auto r = inspectCertificate(broken);
            QVERIFY2(!r.ok(), qPrintable(QString("cut at %1 parsed").arg(cut)));
        }
    }

    void badKeyNeverLeaksIntoMessage() {
        auto pair = generateSelfSigned({"k.example.com", {}, SelfSignedRequest::KeyType::Rsa2048, 10, {}, {}});
        QVERIFY(pair.ok());
        // A corrupted key: the body's characters must not appear in the error message.
        std::string key = pair->keyPem;
        const std::string secretChunk = key.substr(60, 40);
        key[100] = '#';
        key[101] = '#';
        auto r = inspectCertificate(pair->certPem, key);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, CertError::BadKey);
        QVERIFY(r.message().find(secretChunk) == std::string::npos);
        QVERIFY(r.message().find("PRIVATE") == std::string::npos || r.message().find(secretChunk) == std::string::npos);

        auto r2 = inspectCertificate(pair->certPem, "not a key");
        QVERIFY(!r2.ok());
        QCOMPARE(r2.error().code, CertError::BadKey);
    }

    void generationRejectsBadRequests() {
        SelfSignedRequest empty;
        QCOMPARE(generateSelfSigned(empty).error().code, CertError::GenerationFailed);
        SelfSignedRequest days;
        days.commonName = "x.example.com";
        days.validityDays = 0;
        QCOMPARE(generateSelfSigned(days).error().code, CertError::GenerationFailed);
        SelfSignedRequest longCn;
        longCn.commonName = std::string(80, 'a');  // X.520 ub-common-name is 64
        longCn.dnsNames = {"x.example.com"};
        QCOMPARE(generateSelfSigned(longCn).error().code, CertError::GenerationFailed);
        SelfSignedRequest commaName;  // SANs are built structurally: a comma cannot inject another SAN type
        commaName.commonName = "x";
        commaName.dnsNames = {"a.example.com,IP:1.2.3.4"};
        auto r = generateSelfSigned(commaName);
        QVERIFY(r.ok());
        auto info = inspectCertificate(r->certPem);
        QVERIFY(info.ok());
        QVERIFY(info->ipAddresses.empty());
        QCOMPARE(info->dnsNames.size(), std::size_t(1));
    }

    // Our reading of a certificate must agree with what `openssl x509` prints for the same file, both for
    // certificates we generate and for one made by `openssl req -x509` (the lesson's command).
    void agreesWithOpensslCli() {
        if (QStandardPaths::findExecutable("openssl").isEmpty()) QSKIP("openssl binary not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString ours = dir.filePath("ours.pem");
        SelfSignedRequest req;
        req.commonName = "agent.example.com";
        req.dnsNames = {"agent.example.com", "127.0.0.1"};
        req.organization = "Acme Co";
        auto pair = generateSelfSigned(req);
        QVERIFY(pair.ok());
        QVERIFY(writeFile(ours, pair->certPem));

        const QString theirs = dir.filePath("theirs.pem");
        const QString theirsKey = dir.filePath("theirs.key");
        int rc = -1;
        runOpenssl({"req", "-x509", "-nodes", "-newkey", "rsa:2048", "-keyout", theirsKey, "-out", theirs, "-days", "90",
                    "-subj", "/CN=lesson.example.com/O=Lesson"},
                   &rc);
        QCOMPARE(rc, 0);

        for (const QString& path : {ours, theirs}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            auto info = inspectCertificate(f.readAll().toStdString());
            QVERIFY(info.ok());
            const QString out = runOpenssl({"x509", "-in", path, "-noout", "-subject", "-issuer", "-serial", "-fingerprint",
                                            "-sha256", "-startdate", "-enddate", "-text"},
                                           &rc);
            QCOMPARE(rc, 0);
            QCOMPARE(QString::fromStdString(info->subject), field(out, "subject="));
            QCOMPARE(QString::fromStdString(info->issuer), field(out, "issuer="));
            QCOMPARE(QString::fromStdString(info->serial), field(out, "serial="));
            QCOMPARE(QString::fromStdString(info->sha256Fingerprint), field(out, "sha256 Fingerprint="));
            const QString notAfter = field(out, "notAfter=");  // "Dec 26 22:27:26 2026 GMT"
            QDateTime expected = QLocale::c().toDateTime(notAfter.left(notAfter.size() - 4).simplified(), "MMM d HH:mm:ss yyyy");
            expected.setTimeZone(QTimeZone::utc());
            QVERIFY(expected.isValid());
            QCOMPARE(info->notAfter, std::int64_t(expected.toSecsSinceEpoch()));
            QVERIFY(out.contains(QString("Public-Key: (%1 bit)").arg(info->keyBits)));
            for (const auto& dns : info->dnsNames) QVERIFY(out.contains(QString("DNS:%1").arg(QString::fromStdString(dns))));
            for (const auto& ip : info->ipAddresses) QVERIFY(out.contains(QString("IP Address:%1").arg(QString::fromStdString(ip))));
        }

        // The lesson's certificate has no SAN: ingress-nginx's CN fallback makes it cover its CN.
        QFile f(theirs);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QFile k(theirsKey);
        QVERIFY(k.open(QIODevice::ReadOnly));
        auto info = inspectCertificate(f.readAll().toStdString(), k.readAll().toStdString());
        QVERIFY(info.ok());
        QVERIFY(*info->keyMatches);
        QVERIFY(info->isSelfSigned);
        QCOMPARE(info->commonName, std::string("lesson.example.com"));
        QVERIFY(certificateCovers(*info, "lesson.example.com"));

        // Our key is accepted by openssl and matches our certificate's public key.
        const QString ourKey = dir.filePath("ours.key");
        QVERIFY(writeFile(ourKey, pair->keyPem));
        const QString pubFromKey = runOpenssl({"pkey", "-in", ourKey, "-pubout"}, &rc);
        QCOMPARE(rc, 0);
        const QString pubFromCert = runOpenssl({"x509", "-in", ours, "-noout", "-pubkey"}, &rc);
        QCOMPARE(pubFromKey, pubFromCert);
        // openssl verifies the self-signature.
        runOpenssl({"verify", "-CAfile", ours, ours}, &rc);
        QCOMPARE(rc, 0);
    }

    void encryptedKeyIsBadKeyWithoutPrompt() {
        if (QStandardPaths::findExecutable("openssl").isEmpty()) QSKIP("openssl binary not installed");
        QTemporaryDir dir;
        auto pair = generateSelfSigned({"e.example.com", {}, SelfSignedRequest::KeyType::EcP256, 10, {}, {}});
        QVERIFY(pair.ok());
        const QString plain = dir.filePath("k.pem");
        QVERIFY(writeFile(plain, pair->keyPem));
        int rc = -1;
        const QString enc = runOpenssl({"pkey", "-in", plain, "-aes256", "-passout", "pass:secret"}, &rc);
        QCOMPARE(rc, 0);
        QVERIFY(enc.contains("ENCRYPTED PRIVATE KEY"));
        auto r = inspectCertificate(pair->certPem, enc.toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, CertError::BadKey);
    }
};

QTEST_GUILESS_MAIN(CertificateTest)
#include "certificate_test.moc"
