#pragma once

#include <QStringList>
#include <QTextBrowser>

class QTextDocument;

namespace ilab::ui {

// The lesson guide: guide.md rendered with QTextBrowser::setMarkdown, with a "Copy" link (copy icon + text) under
// every code block (the curl commands) that puts the block on the clipboard. Numbered steps keep counting across
// the code blocks between them. GUI thread; owned by the guide dock.
class GuideView : public QTextBrowser {
    Q_OBJECT
public:
    explicit GuideView(QWidget* parent = nullptr);
    void setGuide(const QString& markdown);
    const QStringList& codeBlocks() const { return m_blocks; }
    // Joins ordered lists that only code blocks (and Copy lines) separate, so their steps keep counting (Qt 6.4
    // Markdown restarts them at "1."). Also used by the help window's lesson pages.
    static void continueListsAcrossCode(QTextDocument* doc);

Q_SIGNALS:
    void copied(const QString& text);

private:
    void addCopyIcons();
    QStringList m_blocks;
};

}  // namespace ilab::ui
