// Offline help (issue 16 item 5): every registered annotation has a page made from its registry entry (and the
// test fails when an entry has no description), the contents link to lessons, annotations and the CLI reference,
// and F1 on the designer's canary-weight field opens the canary-weight entry.
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include "app/gui/gui_services.h"
#include "core/annotations/registry.h"
#include "ui/dialogs/lesson_picker.h"
#include "ui/help/help_content.h"
#include "ui/help/help_window.h"
#include "ui/main_window.h"
#include "ui/settings.h"

using namespace ilab;
using namespace ilab::ui;

class HelpTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabHelpTest"));
        settings::redirectForTest(m_tmp.filePath(QStringLiteral("settings")));
    }

    void everyAnnotationHasADescribedPage() {
        const auto& specs = annotations::allSpecs();
        QVERIFY(specs.size() > 50);
        QCOMPARE(help::annotationTopics().size(), qsizetype(specs.size()));
        const QString index = help::pageHtml(QStringLiteral("annotations"));
        for (const auto& s : specs) {
            const QString key = QString::fromUtf8(s.key.data(), qsizetype(s.key.size()));
            QVERIFY2(!s.doc.empty(), qPrintable(QStringLiteral("registry entry without a description: ") + key));
            const QString html = help::pageHtml(QStringLiteral("annotation/") + key);
            QVERIFY2(html.contains(QString::fromUtf8(s.doc.data(), qsizetype(s.doc.size())).toHtmlEscaped()), qPrintable(key));
            QVERIFY(html.contains(QString::fromStdString(s.fullKey())));
            QVERIFY2(index.contains(QStringLiteral("help:annotation/") + key), qPrintable(key));
        }
        QVERIFY(help::pageHtml(QStringLiteral("annotation/no-such-key")).contains(QLatin1String("does not know")));
    }

    void contentsAndLessons() {
        const QString index = help::pageHtml(QStringLiteral("index"));
        for (const char* t : {"help:lessons", "help:annotations", "help:cli"}) QVERIFY(index.contains(QLatin1String(t)));
        const QString lessons = help::pageHtml(QStringLiteral("lessons"));
        for (const LessonInfo& l : availableLessons()) QVERIFY(lessons.contains(QStringLiteral("help:lesson/") + l.id));
    }

    void f1OnTheCanaryWeightFieldOpensItsEntry() {
        app::GuiServices services;
        MainWindow w(services.services(), nullptr, m_tmp.filePath(QStringLiteral("recovery")));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openPath(QStringLiteral(":/demo/demo-workspace.yaml")));
        // a canary Ingress selected: its form has the weight slider
        bool found = false;
        for (const auto* ing : w.document()->workspace().all<model::Ingress>()) {
            if (ing->meta.annotation("nginx.ingress.kubernetes.io/canary", "") != "true") continue;
            w.selectObject(QStringLiteral("Ingress"), QString::fromStdString(ing->meta.ns), QString::fromStdString(ing->meta.name));
            found = true;
            break;
        }
        QVERIFY(found);
        QSlider* slider = nullptr;
        QTRY_VERIFY((slider = w.findChild<QSlider*>(QStringLiteral("canaryWeight"))) && slider->isVisible());
        slider->setFocus();
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget*>(slider));
        QTest::keyClick(slider, Qt::Key_F1);
        auto* help = w.findChild<HelpWindow*>(QStringLiteral("helpWindow"));
        QVERIFY(help);
        QVERIFY(help->isVisible());
        QCOMPARE(help->topic(), QStringLiteral("annotation/canary-weight"));
        QVERIFY(help->browser()->toPlainText().contains(QLatin1String("nginx.ingress.kubernetes.io/canary-weight")));
        // a link in the page navigates
        emit help->browser()->anchorClicked(QUrl(QStringLiteral("help:annotations")));
        QCOMPARE(help->topic(), QStringLiteral("annotations"));
    }
};

QTEST_MAIN(HelpTest)
#include "help_test.moc"
