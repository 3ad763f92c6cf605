#include "ui/forms/form_support.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>

#include "ui/models/workspace_tree_model.h"

namespace ilab::ui::forms {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

void setTextIdle(QLineEdit* e, const QString& text) {
    if (e->hasFocus() || e->text() == text) return;
    QSignalBlocker b(e);
    e->setText(text);
}

void setComboIdle(QComboBox* c, const QStringList& items, const QString& current) {
    if (c->hasFocus() && c->isEditable()) return;
    QSignalBlocker b(c);
    QStringList now;
    for (int i = 0; i < c->count(); ++i) now << c->itemText(i);
    if (now != items) {
        c->clear();
        c->addItems(items);
    }
    const int idx = c->findText(current);
    if (idx >= 0) c->setCurrentIndex(idx);
    else if (c->isEditable()) c->setEditText(current);
    else if (!current.isEmpty()) {
        c->addItem(current);
        c->setCurrentIndex(c->count() - 1);
    } else {
        c->setCurrentIndex(-1);
    }
}

void setSpinIdle(QSpinBox* s, int value) {
    if (s->hasFocus() || s->value() == value) return;
    QSignalBlocker b(s);
    s->setValue(value);
}

QGroupBox* section(const QString& title, QWidget* parent) {
    auto* g = new QGroupBox(title, parent);
    g->setFlat(false);
    return g;
}

QLabel* hintLabel(const QString& text, QWidget* parent) {
    auto* l = new QLabel(text, parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette p = l->palette();
    p.setColor(QPalette::WindowText, p.color(QPalette::Disabled, QPalette::WindowText));
    l->setPalette(p);
    return l;
}

void fillKeyValueTable(QTableWidget* table, const std::map<std::string, std::string>& entries,
                       std::vector<std::string>* keys) {
    QSignalBlocker b(table);
    keys->clear();
    table->setRowCount(static_cast<int>(entries.size()));
    int row = 0;
    for (const auto& [k, v] : entries) {
        keys->push_back(k);
        auto* key = new QTableWidgetItem(qs(k));
        key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        table->setItem(row, 0, key);
        table->setItem(row, 1, new QTableWidgetItem(qs(v)));
        ++row;
    }
}

QLabel* titleLabel(QWidget* parent) {
    auto* l = new QLabel(parent);
    QFont f = l->font();
    f.setPointSizeF(f.pointSizeF() * 1.15);
    f.setBold(true);
    l->setFont(f);
    return l;
}

QToolButton* iconButton(const QString& icon, const QString& tip, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setIcon(themedIcon(icon));
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

QString pathTypeExplanation(const QString& path, const QString& pathType) {
    const QString p = path.isEmpty() ? QStringLiteral("/") : path;
    if (pathType == QLatin1String("Exact"))
        return QObject::tr("Matches only %1 exactly (case-sensitive); %1/ and %1?q=… with a different path do not match.").arg(p);
    if (pathType == QLatin1String("Prefix")) {
        if (p == QLatin1String("/")) return QObject::tr("Matches every path of this host (the catch-all).");
        QString base = p;
        while (base.size() > 1 && base.endsWith(QLatin1Char('/'))) base.chop(1);
        return QObject::tr("Matches %1 and everything under %1/ by path element — not %1x. Longest prefix wins.").arg(base);
    }
    if (pathType == QLatin1String("ImplementationSpecific"))
        return QObject::tr("Up to the controller: ingress-nginx treats it as Prefix (a regex when use-regex is set).");
    return QObject::tr("pathType is required in networking.k8s.io/v1: choose Prefix or Exact.");
}

}  // namespace ilab::ui::forms
