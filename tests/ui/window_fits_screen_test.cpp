// Issue 15 must-fix 3: the window opens at a size that fits the screen's available geometry (a 1280x720
// projector, or the offscreen platform's 800x600), instead of a fixed 1500x940.
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/main_window.h"

using namespace ilab::ui;

class WindowFitsScreenTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
        QSettings().clear();  // no saved geometry: the first start
    }
    void opensInsideTheAvailableGeometry() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        const QRect avail = QGuiApplication::primaryScreen()->availableGeometry();
        QVERIFY2(w.width() <= avail.width() && w.height() <= avail.height(),
                 qPrintable(QStringLiteral("%1x%2 on %3x%4").arg(w.width()).arg(w.height()).arg(avail.width()).arg(avail.height())));
    }
};

QTEST_MAIN(WindowFitsScreenTest)
#include "window_fits_screen_test.moc"
