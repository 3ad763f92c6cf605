#include "app/gui/test_hooks.h"

#include <cstdio>

#include <QAbstractButton>
#include <QApplication>
#include <QFile>
#include <QKeyEvent>
#include <QMessageBox>
#include <QTimer>

#include "ui/editors/yaml_editor.h"
#include "ui/main_window.h"

namespace ilab::app {

namespace {
void say(const QString& line) {
    std::fprintf(stdout, "ilab-test: %s\n", line.toUtf8().constData());
    std::fflush(stdout);
}

void dump(ui::MainWindow* w) {
    const QString path = qEnvironmentVariable("ILAB_TEST_DUMP");
    if (path.isEmpty()) return;
    QFile f(path);
    if (f.open(QIODevice::WriteOnly)) f.write(w->document()->text().toUtf8());
    say(QStringLiteral("dumped"));
}

void typeInto(QWidget* target, const QString& text) {
    for (const QChar ch : text) {
        const bool nl = ch == QLatin1Char('\n');
        const int key = nl ? Qt::Key_Return : 0;
        const QString t = nl ? QStringLiteral("\r") : QString(ch);
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, t);
        QApplication::sendEvent(target, &press);
        QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, t);
        QApplication::sendEvent(target, &release);
    }
}
}  // namespace

void installTestHooks(ui::MainWindow* w) {
    if (qEnvironmentVariableIsSet("ILAB_TEST_ANSWER")) {
        const QString name = qEnvironmentVariable("ILAB_TEST_ANSWER");
        auto* poll = new QTimer(w);
        QObject::connect(poll, &QTimer::timeout, w, [name] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box || !box->isVisible()) return;
            say(QStringLiteral("dialog %1 %2").arg(box->objectName(), box->text()));
            if (auto* b = box->findChild<QAbstractButton*>(name)) b->click();
        });
        poll->start(100);
    }
}

void runTestHooksAfterStartup(ui::MainWindow* w) {    const QString typeFile = qEnvironmentVariable("ILAB_TEST_TYPE_FILE");
    if (!typeFile.isEmpty()) {
        QTimer::singleShot(0, w, [w, typeFile] {
            QFile f(typeFile);
            if (!f.open(QIODevice::ReadOnly)) return say(QStringLiteral("cannot read ") + typeFile);
            ui::YamlEditor* ed = w->editor();
            ed->setFocus();
            ed->SendScintilla(QsciScintillaBase::SCI_DOCUMENTEND);
            typeInto(ed, QString::fromUtf8(f.readAll()));
            w->document()->reparseNow();
            say(QStringLiteral("typed"));
            dump(w);
        });
    } else if (qEnvironmentVariableIsSet("ILAB_TEST_DUMP")) {
        QTimer::singleShot(0, w, [w] { dump(w); });
    }
}

}  // namespace ilab::app
