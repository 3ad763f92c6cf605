#pragma once

#include <Qsci/qsciscintilla.h>

#include "core/common/diagnostic.h"
#include "ui/document/workspace_document.h"

class QsciLexerYAML;

namespace ilab::ui {

// The YAML side of the designer: QScintilla with the YAML lexer, line numbers, folding, and a marker plus a
// squiggle for each problem. Bound to a WorkspaceDocument: typing goes into the document (one undo stack,
// owned by the document — Scintilla's own undo is off), and changes made elsewhere (forms, undo, quick
// fixes) are applied as the smallest replaced span, so the caret and scroll position stay put.
// GUI thread; owned by the MainWindow.
class YamlEditor : public QsciScintilla {
    Q_OBJECT
public:
    explicit YamlEditor(WorkspaceDocument* doc, QWidget* parent = nullptr);

    void setProblems(const Diagnostics& diags);
    // Moves the caret to a 1-based line:column (column in UTF-8 bytes, as SourcePos) and centres it.
    void revealPosition(int line, int column, bool select = true);
    void applyTheme(bool dark);

private:
    void onDocumentTextChanged(WorkspaceDocument::Origin origin);
    void applyMinimalChange(const QString& newText);

    WorkspaceDocument* m_doc;
    QsciLexerYAML* m_lexer = nullptr;
    bool m_applying = false;
    int m_errorIndicator = 8;
    int m_warningIndicator = 9;
};

}  // namespace ilab::ui
