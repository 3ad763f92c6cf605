#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QString>
#include <QWidget>

#include "ui/document/workspace_document.h"

class QFormLayout;
class QGroupBox;
class QSpinBox;
class QTableWidget;
class QToolButton;

namespace ilab::ui::forms {

// Small helpers shared by the object forms. A form shows one object of the document; each widget writes
// its field through WorkspaceDocument::setScalar/editResource as the user types, and is refreshed from the
// reparsed workspace, except the widget that has the focus (so typing is never interrupted).

// Sets the text unless the user is typing in the widget.
void setTextIdle(QLineEdit* e, const QString& text);
// Sets an editable/non-editable combo's items and current text without emitting user signals.
void setComboIdle(QComboBox* c, const QStringList& items, const QString& current);
void setSpinIdle(QSpinBox* s, int value);

QGroupBox* section(const QString& title, QWidget* parent);
QLabel* hintLabel(const QString& text, QWidget* parent = nullptr);
// Fills a two-column key/value table (keys read-only) from `entries` without emitting user signals; `keys`
// receives the keys in row order, for writing edits back.
void fillKeyValueTable(QTableWidget* table, const std::map<std::string, std::string>& entries,
                       std::vector<std::string>* keys);
// The bold title line at the top of a form ("Ingress web › shop.example.com › path 2").
QLabel* titleLabel(QWidget* parent);
QToolButton* iconButton(const QString& icon, const QString& tip, QWidget* parent);

QString qs(const std::string& s);
std::string ss(const QString& s);

// One line of "what will this match" for a path and its pathType (ingress-nginx profile).
QString pathTypeExplanation(const QString& path, const QString& pathType);

}  // namespace ilab::ui::forms
