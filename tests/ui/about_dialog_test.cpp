// Help > About shows the same version text as `ingress-lab --version` (issue 16): the version and git revision,
// and the Qt, OpenSSL and libcurl versions the process runs with.
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "app/gui/gui_services.h"
#include "core/common/build_info.h"
#include "ui/main_window.h"

class AboutDialogTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aboutShowsTheVersionText() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        ilab::ui::MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        QAction* about = nullptr;
        for (QAction* a : w.allActions())
            if (a->text().remove(QLatin1Char('&')).startsWith(QLatin1String("About Ingress Lab"))) about = a;
        QVERIFY(about);
        QString text;
        QTimer::singleShot(0, this, [&text] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box) return;
            text = box->text();
            box->accept();
        });
        about->trigger();
        QVERIFY2(!text.isEmpty(), "no About message box");
        QVERIFY2(text.contains(QString::fromStdString(ilab::versionString()).toHtmlEscaped()), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))), qPrintable(text));
        QVERIFY2(text.contains(QString::fromUtf8(OpenSSL_version(OPENSSL_VERSION))), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("libcurl %1").arg(QString::fromLatin1(curl_version_info(CURLVERSION_NOW)->version))),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("yaml-cpp ")), qPrintable(text));
        // The very text --version prints, line for line.
        for (const QString& line : QString::fromStdString(ilab::buildInfoText("ingress-lab")).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            QVERIFY2(text.contains(line.toHtmlEscaped()), qPrintable(line));
    }
};

QTEST_MAIN(AboutDialogTest)
#include "about_dialog_test.moc"
