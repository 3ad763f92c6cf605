// The lab's cached RSA key: the fake controller certificate and lesson Secrets reuse one RSA 2048 key kept on
// disk (0600) instead of paying for a new prime search at every start; certificates a user asks for always get
// a fresh key; a corrupt cache file is replaced.
#include <QTest>

#include <QFile>
#include <QTemporaryDir>

#include "core/tls/certificate.h"

using namespace ilab;

class LabKeyTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_cache;
    QString keyFile() const { return m_cache.path() + "/ingress-lab/lab-rsa-key.pem"; }

private slots:
    void initTestCase() {
        QVERIFY(m_cache.isValid());
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());  // read by QStandardPaths on first use
        // A corrupt cache file must not be used (nor crash): it is replaced by a real key. (Private, as the lab
        // writes it: a key file others can read is refused instead, see lab_key_file_test.)
        QDir().mkpath(m_cache.path() + "/ingress-lab");
        QFile junk(keyFile());
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        junk.close();
        QVERIFY(junk.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    }

    void fakeCertificatesShareTheCachedKey() {
        auto a = tls::generateFakeControllerCertificate();
        auto b = tls::generateFakeControllerCertificate();
        QVERIFY(a);
        QVERIFY(b);
        QCOMPARE(a->keyPem, b->keyPem);
        QVERIFY(a->certPem != b->certPem);  // fresh certificates (serials), one key
        auto info = tls::inspectCertificate(a->certPem);
        QVERIFY(info);
        QCOMPARE(info->keyType, std::string("RSA"));
        QCOMPARE(info->keyBits, 2048);
        // Cached on disk, readable by the owner only, and no longer the junk written above.
        QFile f(keyFile());
        QVERIFY(f.exists());
        QCOMPARE(f.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains("not a key"));
    }

    void lessonSecretsUseItUserCertificatesDoNot() {
        tls::SelfSignedRequest lab;
        lab.commonName = "agent.example.com";
        lab.labKey = true;
        auto l1 = tls::generateSelfSigned(lab);
        auto fake = tls::generateFakeControllerCertificate();
        QVERIFY(l1 && fake);
        QCOMPARE(l1->keyPem, fake->keyPem);
        tls::SelfSignedRequest user;
        user.commonName = "shop.example.com";
        auto u1 = tls::generateSelfSigned(user);
        auto u2 = tls::generateSelfSigned(user);
        QVERIFY(u1 && u2);
        QVERIFY(u1->keyPem != u2->keyPem);
        QVERIFY(u1->keyPem != fake->keyPem);
    }
};

QTEST_GUILESS_MAIN(LabKeyTest)
#include "lab_key_test.moc"
