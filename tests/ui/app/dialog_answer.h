#pragma once

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QPointer>
#include <QTimer>

// Clicks a button of the next message box that opens (a real modal QMessageBox in its own event loop): by
// objectName, or a standard button. `seen` gets the box's objectName and text. Used by the tests in tests/ui/app.
inline void answerNextMessageBox(QObject* context, QString buttonName, QMessageBox::StandardButton standard = QMessageBox::NoButton,
                                 QString* seen = nullptr) {
    auto* poll = new QTimer(context);
    QObject::connect(poll, &QTimer::timeout, context, [poll, buttonName, standard, seen] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || !box->isVisible()) return;
        if (seen) *seen = box->objectName() + QLatin1Char(' ') + box->text();
        QAbstractButton* b = standard != QMessageBox::NoButton ? box->button(standard) : box->findChild<QAbstractButton*>(buttonName);
        if (!b) return;
        poll->deleteLater();
        poll->stop();
        b->click();
    });
    poll->start(20);
}
