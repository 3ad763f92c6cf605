#include "ui/dialogs/command_palette.h"

#include <algorithm>

#include <QAction>
#include <QKeyEvent>
#include <QMenu>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace ilab::ui {

namespace {
QString plainText(const QAction* a) {
    QString t = a->text();
    t.remove(QLatin1Char('&'));
    if (t.endsWith(QLatin1String("…"))) t.chop(1);
    if (t.endsWith(QLatin1String("..."))) t.chop(3);
    return t;
}
}  // namespace

CommandPalette::CommandPalette(const QList<QAction*>& actions, QWidget* parent) : QDialog(parent, Qt::Popup | Qt::FramelessWindowHint) {
    for (QAction* a : actions)
        if (a && !a->isSeparator() && !a->menu() && !plainText(a).isEmpty() && !m_actions.contains(a)) m_actions << a;
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 6, 6, 6);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Type a command…"));
    m_filter->setClearButtonEnabled(true);
    m_list = new QListWidget(this);
    m_list->setUniformItemSizes(true);
    lay->addWidget(m_filter);
    lay->addWidget(m_list);
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, this, &CommandPalette::setFilter);
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem*) { runCurrent(); });
    resize(560, 380);
    setFilter(QString());
}

int CommandPalette::fuzzyScore(const QString& pattern, const QString& text) {
    if (pattern.isEmpty()) return 0;
    int score = 0, ti = 0, run = 0;
    for (QChar pc : pattern) {
        if (pc.isSpace()) continue;
        bool found = false;
        while (ti < text.size()) {
            const bool match = text[ti].toLower() == pc.toLower();
            const bool wordStart = ti == 0 || !text[ti - 1].isLetterOrNumber();
            ++ti;
            if (match) {
                run += 1;
                score += 1 + run * 2 + (wordStart ? 6 : 0);
                found = true;
                break;
            }
            run = 0;
        }
        if (!found) return -1;
    }
    return score - static_cast<int>(text.size()) / 8;
}

void CommandPalette::setFilter(const QString& text) {
    m_list->clear();
    std::vector<std::pair<int, QAction*>> hits;
    for (QAction* a : m_actions) {
        if (!a->isEnabled()) continue;
        const int s = fuzzyScore(text, plainText(a));
        if (s >= 0) hits.emplace_back(s, a);
    }
    std::stable_sort(hits.begin(), hits.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    for (const auto& [score, a] : hits) {
        QString label = plainText(a);
        if (!a->shortcut().isEmpty()) label += QStringLiteral("    ") + a->shortcut().toString(QKeySequence::NativeText);
        auto* item = new QListWidgetItem(a->icon(), label, m_list);
        item->setData(Qt::UserRole, QVariant::fromValue(static_cast<void*>(a)));
        item->setData(Qt::UserRole + 1, plainText(a));
    }
    if (m_list->count() > 0) m_list->setCurrentRow(0);
}

QStringList CommandPalette::visibleTitles() const {
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i) out << m_list->item(i)->data(Qt::UserRole + 1).toString();
    return out;
}

bool CommandPalette::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        auto* ke = static_cast<QKeyEvent*>(event);
        if (ke->key() == Qt::Key_Down || ke->key() == Qt::Key_Up) {
            const int row = std::clamp(m_list->currentRow() + (ke->key() == Qt::Key_Down ? 1 : -1), 0, std::max(0, m_list->count() - 1));
            m_list->setCurrentRow(row);
            return true;
        }
        if (ke->key() == Qt::Key_Return || ke->key() == Qt::Key_Enter) {
            runCurrent();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void CommandPalette::runCurrent() {
    QListWidgetItem* item = m_list->currentItem();
    if (!item) return;
    auto* a = static_cast<QAction*>(item->data(Qt::UserRole).value<void*>());
    accept();
    if (a) a->trigger();
}

}  // namespace ilab::ui
