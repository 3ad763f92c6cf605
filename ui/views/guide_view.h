#pragma once

#include <QStringList>
#include <QTextBrowser>

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

Q_SIGNALS:
    void copied(const QString& text);

private:
    void addCopyIcons();
    void continueListsAcrossCode();
    QStringList m_blocks;
};

}  // namespace ilab::ui
