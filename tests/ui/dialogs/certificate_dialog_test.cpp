// The certificate dialog generates what it shows (CN/SANs prefilled from the hosts, key type, validity),
// and the certificate view reports coverage, expiry and key match without ever showing key material.
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>

#include "ui/dialogs/certificate_dialog.h"

using namespace ilab;
using namespace ilab::ui;

class CertificateDialogTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void prefilledFromHosts() {
        GenerateCertificateDialog dlg(QStringLiteral("shop"), QStringLiteral("api-tls"), {QStringLiteral("a.example.com"), QStringLiteral("b.example.com")});
        QCOMPARE(dlg.secretName(), QStringLiteral("api-tls"));
        QCOMPARE(dlg.secretNamespace(), QStringLiteral("shop"));
        QCOMPARE(dlg.commonNameEdit()->text(), QStringLiteral("a.example.com"));
        const auto req = dlg.request();
        QCOMPARE(req.dnsNames.size(), std::size_t(2));
        QCOMPARE(req.dnsNames[1], std::string("b.example.com"));
        QCOMPARE(req.validityDays, 365);
    }

    void generatesWhatTheFieldsSay_data() {
        QTest::addColumn<int>("keyIndex");
        QTest::addColumn<QString>("keyType");
        QTest::newRow("rsa") << 0 << "RSA";
        QTest::newRow("ec") << 1 << "EC";
    }
    void generatesWhatTheFieldsSay() {
        QFETCH(int, keyIndex);
        QFETCH(QString, keyType);
        GenerateCertificateDialog dlg(QStringLiteral("default"), QStringLiteral("web-tls"), {QStringLiteral("web.example.com")});
        dlg.sansEdit()->setText(QStringLiteral("web.example.com, *.web.example.com"));
        dlg.keyTypeCombo()->setCurrentIndex(keyIndex);
        dlg.daysSpin()->setValue(30);
        dlg.accept();
        QCOMPARE(dlg.result().has_value(), true);
        QVERIFY(dlg.result()->keyPem.find("PRIVATE KEY") != std::string::npos);
        auto info = tls::inspectCertificate(dlg.result()->certPem, dlg.result()->keyPem);
        QVERIFY(info.ok());
        QCOMPARE(QString::fromStdString(info->keyType), keyType);
        QCOMPARE(info->commonName, std::string("web.example.com"));
        QVERIFY(tls::certificateCovers(*info, "web.example.com"));
        QVERIFY(tls::certificateCovers(*info, "api.web.example.com"));
        QVERIFY(!tls::certificateCovers(*info, "other.example.com"));
        QCOMPARE(info->keyMatches, std::optional<bool>(true));
        const auto days = (info->notAfter - info->notBefore) / 86400;
        QVERIFY(days >= 29 && days <= 31);
        QVERIFY(info->isSelfSigned);
    }

    void refusesEmptyName() {
        GenerateCertificateDialog dlg(QStringLiteral("default"), QString(), {});
        dlg.accept();
        QVERIFY(!dlg.result().has_value());
    }

    void viewReportsCoverageExpiryAndKeyMismatch() {
        tls::SelfSignedRequest req;
        req.commonName = "a.example.com";
        req.keyType = tls::SelfSignedRequest::KeyType::EcP256;
        auto good = tls::generateSelfSigned(req);
        QVERIFY(good.ok());
        CertificateView view;
        view.setCertificate(good->certPem, good->keyPem, {QStringLiteral("a.example.com")});
        QVERIFY(view.warningsText().startsWith(QStringLiteral("✓")));
        view.setCertificate(good->certPem, good->keyPem, {QStringLiteral("a.example.com"), QStringLiteral("b.example.com")});
        QVERIFY(view.warningsText().contains(QLatin1String("does not cover b.example.com")));
        auto other = tls::generateSelfSigned(req);
        view.setCertificate(good->certPem, other->keyPem, {});
        QVERIFY(view.warningsText().contains(QLatin1String("another certificate")));
        req.notBefore = 1000000000;  // 2001
        req.validityDays = 10;
        auto old = tls::generateSelfSigned(req);
        view.setCertificate(old->certPem, old->keyPem, {});
        QVERIFY(view.warningsText().contains(QLatin1String("expired")));
        view.setCertificate("garbage", "", {});
        QVERIFY(view.warningsText().contains(QLatin1String("Unreadable")));
        // key material never appears in the view
        for (QLabel* l : view.findChildren<QLabel*>()) QVERIFY(!l->text().contains(QLatin1String("PRIVATE")));
    }
};

QTEST_MAIN(CertificateDialogTest)
#include "certificate_dialog_test.moc"
