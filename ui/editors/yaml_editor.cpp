#include "ui/editors/yaml_editor.h"

#include <QFontDatabase>
#include <Qsci/qscicommandset.h>
#include <Qsci/qscilexeryaml.h>

namespace ilab::ui {

namespace {
constexpr int MARKER_ERROR = 1;
constexpr int MARKER_WARNING = 2;
constexpr int MARKER_INFO = 3;
}  // namespace

YamlEditor::YamlEditor(WorkspaceDocument* doc, QWidget* parent) : QsciScintilla(parent), m_doc(doc) {
    setUtf8(true);
    m_lexer = new QsciLexerYAML(this);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_lexer->setDefaultFont(mono);
    m_lexer->setFont(mono);
    m_lexer->setFoldComments(true);
    setLexer(m_lexer);
    setMarginType(0, QsciScintilla::NumberMargin);
    setMarginLineNumbers(0, true);
    setMarginWidth(0, QStringLiteral("00000"));
    setMarginType(1, QsciScintilla::SymbolMargin);
    setMarginWidth(1, 16);
    setMarginSensitivity(1, false);
    setFolding(QsciScintilla::BoxedTreeFoldStyle, 2);
    setIndentationsUseTabs(false);
    setTabWidth(2);
    setIndentationGuides(true);
    setAutoIndent(true);
    setBackspaceUnindents(true);
    setCaretLineVisible(true);
    setBraceMatching(QsciScintilla::SloppyBraceMatch);
    setWrapMode(QsciScintilla::WrapNone);
    setEolMode(QsciScintilla::EolUnix);
    markerDefine(QsciScintilla::Circle, MARKER_ERROR);
    markerDefine(QsciScintilla::RightTriangle, MARKER_WARNING);
    markerDefine(QsciScintilla::SmallRectangle, MARKER_INFO);
    setMarkerBackgroundColor(QColor(0xdc, 0x26, 0x26), MARKER_ERROR);
    setMarkerForegroundColor(QColor(0xdc, 0x26, 0x26), MARKER_ERROR);
    setMarkerBackgroundColor(QColor(0xf5, 0x9e, 0x0b), MARKER_WARNING);
    setMarkerForegroundColor(QColor(0xd9, 0x77, 0x06), MARKER_WARNING);
    setMarkerBackgroundColor(QColor(0x25, 0x63, 0xeb), MARKER_INFO);
    m_errorIndicator = indicatorDefine(QsciScintilla::SquiggleLowIndicator, m_errorIndicator);
    setIndicatorForegroundColor(QColor(0xdc, 0x26, 0x26), m_errorIndicator);
    m_warningIndicator = indicatorDefine(QsciScintilla::SquiggleLowIndicator, m_warningIndicator);
    setIndicatorForegroundColor(QColor(0xf5, 0x9e, 0x0b), m_warningIndicator);

    // One undo stack for editor and forms: the document's. Scintilla keeps no history, and its undo/redo
    // keys are unbound so the window's Undo/Redo actions (bound to the document) get them.
    SendScintilla(SCI_SETUNDOCOLLECTION, static_cast<unsigned long>(0));
    QsciCommandSet* cmds = standardCommands();
    for (int key : {(Qt::CTRL | Qt::Key_Z).toCombined(), (Qt::CTRL | Qt::Key_Y).toCombined(), (Qt::CTRL | Qt::SHIFT | Qt::Key_Z).toCombined(),
                    (Qt::ALT | Qt::Key_Backspace).toCombined()}) {
        if (QsciCommand* c = cmds->boundTo(key)) {
            if (c->key() == key) c->setKey(0);
            if (c->alternateKey() == key) c->setAlternateKey(0);
        }
    }

    setText(m_doc->text());
    connect(this, &QsciScintilla::textChanged, this, [this] {
        if (!m_applying) m_doc->setTextFromEditor(text());
    });
    connect(m_doc, &WorkspaceDocument::textChanged, this, &YamlEditor::onDocumentTextChanged);
}

void YamlEditor::onDocumentTextChanged(WorkspaceDocument::Origin origin) {
    if (origin == WorkspaceDocument::Origin::Editor) return;
    if (origin == WorkspaceDocument::Origin::Load) {
        m_applying = true;
        setText(m_doc->text());
        m_applying = false;
        setCursorPosition(0, 0);
        return;
    }
    applyMinimalChange(m_doc->text());
}

void YamlEditor::applyMinimalChange(const QString& newText) {
    const QByteArray oldBytes = text().toUtf8();  // (bytes() carries a trailing NUL)
    const QByteArray newBytes = newText.toUtf8();
    if (oldBytes == newBytes) return;
    int prefix = 0;
    const int maxPrefix = static_cast<int>(std::min(oldBytes.size(), newBytes.size()));
    while (prefix < maxPrefix && oldBytes[prefix] == newBytes[prefix]) ++prefix;
    // do not split a UTF-8 sequence
    while (prefix > 0 && (static_cast<unsigned char>(newBytes[prefix]) & 0xC0) == 0x80) --prefix;
    int suffix = 0;
    const int maxSuffix = maxPrefix - prefix;
    while (suffix < maxSuffix && oldBytes[oldBytes.size() - 1 - suffix] == newBytes[newBytes.size() - 1 - suffix]) ++suffix;
    while (suffix > 0 && (static_cast<unsigned char>(newBytes[newBytes.size() - suffix]) & 0xC0) == 0x80) --suffix;
    const QByteArray replacement = newBytes.mid(prefix, newBytes.size() - suffix - prefix);
    m_applying = true;
    SendScintilla(SCI_SETTARGETSTART, static_cast<unsigned long>(prefix));
    SendScintilla(SCI_SETTARGETEND, static_cast<unsigned long>(oldBytes.size() - suffix));
    SendScintilla(SCI_REPLACETARGET, static_cast<unsigned long>(replacement.size()), replacement.constData());
    m_applying = false;
}

void YamlEditor::setProblems(const Diagnostics& diags) {
    markerDeleteAll(-1);
    const int len = length();
    SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(m_errorIndicator));
    SendScintilla(SCI_INDICATORCLEARRANGE, static_cast<unsigned long>(0), static_cast<long>(len));
    SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(m_warningIndicator));
    SendScintilla(SCI_INDICATORCLEARRANGE, static_cast<unsigned long>(0), static_cast<long>(len));
    for (const auto& d : diags) {
        if (!d.pos || d.pos->line <= 0) continue;
        const int line = d.pos->line - 1;
        if (line >= lines()) continue;
        const int marker = d.severity == Severity::Error ? MARKER_ERROR : d.severity == Severity::Warning ? MARKER_WARNING : MARKER_INFO;
        markerAdd(line, marker);
        if (d.severity == Severity::Info) continue;
        // squiggle from the value's column to the end of the line (without trailing comment)
        const long lineStart = SendScintilla(SCI_POSITIONFROMLINE, static_cast<unsigned long>(line));
        const long lineEnd = SendScintilla(SCI_GETLINEENDPOSITION, static_cast<unsigned long>(line));
        long start = lineStart + std::max(0, d.pos->column - 1);
        if (start >= lineEnd) start = lineStart;
        SendScintilla(SCI_SETINDICATORCURRENT, static_cast<unsigned long>(d.severity == Severity::Error ? m_errorIndicator : m_warningIndicator));
        SendScintilla(SCI_INDICATORFILLRANGE, static_cast<unsigned long>(start), static_cast<long>(std::max(1L, lineEnd - start)));
    }
}

void YamlEditor::revealPosition(int line, int column, bool select) {
    if (line <= 0) return;
    const long lineStart = SendScintilla(SCI_POSITIONFROMLINE, static_cast<unsigned long>(line - 1));
    const long lineEnd = SendScintilla(SCI_GETLINEENDPOSITION, static_cast<unsigned long>(line - 1));
    const long pos = std::min(lineEnd, lineStart + std::max(0, column - 1));
    SendScintilla(SCI_GOTOPOS, static_cast<unsigned long>(pos));
    if (select) SendScintilla(SCI_SETSEL, static_cast<unsigned long>(pos), static_cast<long>(lineEnd));
    SendScintilla(SCI_SCROLLCARET);
    const int first = firstVisibleLine();
    const int visible = static_cast<int>(SendScintilla(SCI_LINESONSCREEN));
    if (line - 1 < first + 2 || line - 1 > first + visible - 3) setFirstVisibleLine(std::max(0, line - 1 - visible / 3));
}

void YamlEditor::applyTheme(bool dark) {
    const QColor bg = dark ? QColor(0x1e, 0x1f, 0x22) : QColor(0xff, 0xff, 0xff);
    const QColor fg = dark ? QColor(0xd4, 0xd4, 0xd4) : QColor(0x1f, 0x23, 0x28);
    m_lexer->setDefaultPaper(bg);
    m_lexer->setPaper(bg);
    m_lexer->setDefaultColor(fg);
    m_lexer->setColor(fg, QsciLexerYAML::Default);
    m_lexer->setColor(dark ? QColor(0x6a, 0x99, 0x55) : QColor(0x6a, 0x73, 0x7d), QsciLexerYAML::Comment);
    m_lexer->setColor(dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x5c, 0xc5), QsciLexerYAML::Identifier);
    m_lexer->setColor(dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58), QsciLexerYAML::Number);
    m_lexer->setColor(dark ? QColor(0xc5, 0x86, 0xc0) : QColor(0xd7, 0x3a, 0x49), QsciLexerYAML::Keyword);
    m_lexer->setColor(dark ? QColor(0xce, 0x91, 0x78) : QColor(0x03, 0x2f, 0x62), QsciLexerYAML::Reference);
    m_lexer->setColor(dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x6f, 0x42, 0xc1), QsciLexerYAML::DocumentDelimiter);
    m_lexer->setColor(dark ? QColor(0xd7, 0xba, 0x7d) : QColor(0xe3, 0x62, 0x09), QsciLexerYAML::TextBlockMarker);
    m_lexer->setColor(QColor(0xf4, 0x47, 0x47), QsciLexerYAML::SyntaxErrorMarker);
    m_lexer->setColor(dark ? QColor(0xd4, 0xd4, 0xd4) : QColor(0x24, 0x29, 0x2e), QsciLexerYAML::Operator);
    for (int style = 0; style <= QsciLexerYAML::Operator; ++style) m_lexer->setPaper(bg, style);
    setMarginsBackgroundColor(dark ? QColor(0x2b, 0x2d, 0x30) : QColor(0xf3, 0xf4, 0xf6));
    setMarginsForegroundColor(dark ? QColor(0x85, 0x88, 0x8c) : QColor(0x8b, 0x94, 0x9e));
    setFoldMarginColors(dark ? QColor(0x2b, 0x2d, 0x30) : QColor(0xf3, 0xf4, 0xf6), dark ? QColor(0x2b, 0x2d, 0x30) : QColor(0xf3, 0xf4, 0xf6));
    setCaretLineBackgroundColor(dark ? QColor(0x26, 0x28, 0x2e) : QColor(0xf0, 0xf6, 0xff));
    setCaretForegroundColor(fg);
    setSelectionBackgroundColor(dark ? QColor(0x21, 0x42, 0x83) : QColor(0xc8, 0xdd, 0xf8));
    setIndentationGuidesBackgroundColor(bg);
    setIndentationGuidesForegroundColor(dark ? QColor(0x3c, 0x3f, 0x44) : QColor(0xe1, 0xe4, 0xe8));
}

}  // namespace ilab::ui
