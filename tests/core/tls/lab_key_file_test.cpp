// The lab key's file is private: its folder ($XDG_CACHE_HOME/ingress-lab) is created 0700 whatever the umask,
// a symbolic link at the key path is refused (nothing is read or written through it), and an existing key that
// group or others can read is refused with the file's name and the fix, never used and never overwritten.
// Each case uses its own cache folder (the process keeps the key in memory per path).
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QTemporaryDir>

#include "core/tls/certificate.h"

using namespace ilab;

namespace {

mode_t modeOf(const QString& path) {
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeFile(const QString& path, const QByteArray& data, QFileDevice::Permissions perms) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(data), data.size());
    f.close();
    QVERIFY(QFile::setPermissions(path, perms));
}

// A valid RSA 2048 PKCS#8 key, as the lab writes it (a user certificate's fresh key).
std::string someRsaKeyPem() {
    tls::SelfSignedRequest req;
    req.commonName = "key.example.com";
    auto pair = tls::generateSelfSigned(req);
    return pair ? pair->keyPem : std::string();
}

}  // namespace

class LabKeyFileTest : public QObject {
    Q_OBJECT

    // A fresh cache root for one case; XDG_CACHE_HOME is read by QStandardPaths at every call.
    static QString useCache(const QTemporaryDir& root) {
        qputenv("XDG_CACHE_HOME", (root.path() + "/cache").toUtf8());
        return root.path() + "/cache/ingress-lab";
    }

private slots:
    void freshFolderIs0700WhateverTheUmask() {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString dir = useCache(root);
        const mode_t old = ::umask(0);
        auto cert = tls::generateFakeControllerCertificate();
        ::umask(old);
        QVERIFY2(cert, cert ? "" : cert.message().c_str());
        QCOMPARE(modeOf(dir), mode_t(0700));
        QCOMPARE(modeOf(root.path() + "/cache"), mode_t(0700));  // a missing cache root too (XDG: 0700)
        QCOMPARE(modeOf(dir + "/lab-rsa-key.pem"), mode_t(0600));
        // no temporary file left next to the key
        QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void symlinkAtTheKeyPathIsRefused() {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString dir = useCache(root);
        QVERIFY(QDir().mkpath(dir));
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        // The link points at a file the attacker wants the key in (or wants the lab to use): both must not happen.
        const QString target = root.path() + "/elsewhere.pem";
        writeFile(target, "precious\n", QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QString keyPath = dir + "/lab-rsa-key.pem";
        QVERIFY(QFile::link(target, keyPath));
        auto cert = tls::generateFakeControllerCertificate();
        QVERIFY(!cert);
        QVERIFY2(cert.message().find(keyPath.toStdString()) != std::string::npos, cert.message().c_str());
        QVERIFY2(cert.message().find("symbolic link") != std::string::npos, cert.message().c_str());
        QCOMPARE(readAll(target), QByteArray("precious\n"));
        QVERIFY(QFileInfo(keyPath).isSymLink());
        // A dangling link (nothing at the target yet) is refused too, and nothing is created through it.
        QVERIFY(QFile::remove(keyPath));
        const QString missing = root.path() + "/created-through-link.pem";
        QVERIFY(QFile::link(missing, keyPath));
        QVERIFY(!tls::generateFakeControllerCertificate());
        QVERIFY(!QFileInfo::exists(missing));
        // A user certificate never touches the lab key, so it still works.
        QVERIFY(!someRsaKeyPem().empty());
    }

    void groupReadableKeyIsRefusedNotUsedNotOverwritten() {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString dir = useCache(root);
        QVERIFY(QDir().mkpath(dir));
        const QString keyPath = dir + "/lab-rsa-key.pem";
        const std::string key = someRsaKeyPem();
        QVERIFY(!key.empty());
        writeFile(keyPath, QByteArray::fromStdString(key),
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        QCOMPARE(modeOf(keyPath), mode_t(0644));
        auto cert = tls::generateFakeControllerCertificate();
        QVERIFY(!cert);
        QVERIFY2(cert.message().find(keyPath.toStdString()) != std::string::npos, cert.message().c_str());
        QVERIFY2(cert.message().find("chmod 600") != std::string::npos, cert.message().c_str());
        QCOMPARE(readAll(keyPath), QByteArray::fromStdString(key));
        QCOMPARE(modeOf(keyPath), mode_t(0644));
        // The fix the message names works: the same key is then used.
        QVERIFY(QFile::setPermissions(keyPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        auto fixed = tls::generateFakeControllerCertificate();
        QVERIFY2(fixed, fixed ? "" : fixed.message().c_str());
        QCOMPARE(fixed->keyPem, key);
    }
};

QTEST_GUILESS_MAIN(LabKeyFileTest)
#include "lab_key_file_test.moc"
