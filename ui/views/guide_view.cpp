#include "ui/views/guide_view.h"

#include <QApplication>
#include <QClipboard>
#include <QIcon>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextList>
#include <QUrl>

#include "ui/models/workspace_tree_model.h"

namespace ilab::ui {

namespace {

const char* const COPY_ICON_URL = "ilab-icon:copy";

bool isCodeBlock(const QTextBlock& b) {
    const QTextBlockFormat f = b.blockFormat();
    return f.hasProperty(QTextFormat::BlockCodeFence) || f.hasProperty(QTextFormat::BlockCodeLanguage) || f.nonBreakableLines();
}

bool isCopyLine(const QTextBlock& b) {
    for (auto it = b.begin(); !it.atEnd(); ++it)
        if (it.fragment().charFormat().anchorHref().startsWith(QLatin1String("copy:"))) return true;
    return false;
}

}  // namespace

GuideView::GuideView(QWidget* parent) : QTextBrowser(parent) {
    setOpenLinks(false);
    setOpenExternalLinks(false);
    document()->setDocumentMargin(12);
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == QLatin1String("copy")) {
            const int i = url.path().toInt();
            if (i >= 0 && i < m_blocks.size()) {
                QApplication::clipboard()->setText(m_blocks[i]);
                Q_EMIT copied(m_blocks[i]);
            }
        }
    });
}

void GuideView::setGuide(const QString& markdown) {
    m_blocks.clear();
    QString out;
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    bool inCode = false;
    QString block;
    for (const QString& line : lines) {
        if (line.trimmed().startsWith(QLatin1String("```"))) {
            out += line + QLatin1Char('\n');
            if (inCode) {
                if (block.endsWith(QLatin1Char('\n'))) block.chop(1);
                m_blocks << block;
                out += QStringLiteral("\n[Copy](copy:%1)\n\n").arg(m_blocks.size() - 1);
                block.clear();
            }
            inCode = !inCode;
            continue;
        }
        if (inCode) block += line + QLatin1Char('\n');
        out += line + QLatin1Char('\n');
    }
    setMarkdown(out);
    addCopyIcons();
    continueListsAcrossCode(document());
}

// The Copy links get the copy icon (resources/icons/copy.svg) in front of their text, as an image in the
// document (a text symbol such as U+29C9 is an empty box in fonts that lack it).
void GuideView::addCopyIcons() {
    const qreal dpr = devicePixelRatioF();
    QPixmap icon = themedIcon(QStringLiteral("copy")).pixmap(QSize(16, 16), dpr);
    icon.setDevicePixelRatio(dpr);
    document()->addResource(QTextDocument::ImageResource, QUrl(QString::fromLatin1(COPY_ICON_URL)), icon);
    QList<int> starts;  // positions of the links' first fragments
    for (QTextBlock b = document()->begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            if (f.charFormat().anchorHref().startsWith(QLatin1String("copy:"))) {
                starts << f.position();
                break;
            }
        }
    QTextCursor c(document());
    for (auto it = starts.crbegin(); it != starts.crend(); ++it) {  // from the end, so earlier positions stay valid
        c.setPosition(*it);
        c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        const QTextCharFormat link = c.charFormat();  // the link's first character: the icon and gap link too
        QTextImageFormat img;
        img.merge(link);
        img.setName(QString::fromLatin1(COPY_ICON_URL));
        img.setWidth(16);
        img.setHeight(16);
        img.setVerticalAlignment(QTextCharFormat::AlignMiddle);
        img.setToolTip(tr("Copy to the clipboard"));
        c.setPosition(*it);
        c.insertImage(img);
        c.insertText(QStringLiteral(" "), link);
    }
}

// A numbered step followed by a code block and the next step is one list in the guide's Markdown, but the
// block ends the list (CommonMark) and the next one starts at "2." — which Qt 6.4 draws as "1." (it has no list
// start number). Lists separated only by code blocks and their Copy links are joined back into one list, and the
// code between their items is indented with them.
void GuideView::continueListsAcrossCode(QTextDocument* doc) {
    QTextList* open = nullptr;     // the ordered list the steps so far belong to
    QList<QTextBlock> between;     // code blocks and Copy lines since its last item
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
        QTextList* list = b.textList();
        if (list) {
            const QTextListFormat lf = list->format();
            if (list == open) {
                between.clear();
                continue;
            }
            if (open && lf.indent() > open->format().indent()) continue;  // a nested list inside a step
            const bool ordered = lf.style() == QTextListFormat::ListDecimal || lf.style() == QTextListFormat::ListLowerAlpha
                                 || lf.style() == QTextListFormat::ListUpperAlpha || lf.style() == QTextListFormat::ListLowerRoman
                                 || lf.style() == QTextListFormat::ListUpperRoman;
            if (open && ordered && !between.isEmpty() && lf.style() == open->format().style() && lf.indent() == open->format().indent()) {
                QList<QTextBlock> items;
                for (int i = 0; i < list->count(); ++i) items << list->item(i);
                for (const QTextBlock& code : between) {
                    QTextCursor c(code);
                    QTextBlockFormat f = code.blockFormat();
                    f.setIndent(open->format().indent());
                    c.setBlockFormat(f);
                }
                for (const QTextBlock& item : items) open->add(item);
                between.clear();
                continue;
            }
            open = ordered ? list : nullptr;
            between.clear();
            continue;
        }
        if (!open) continue;
        if (isCodeBlock(b) || isCopyLine(b)) between << b;
        else if (!b.text().trimmed().isEmpty()) {
            open = nullptr;  // prose between two lists: the next one is a list of its own
            between.clear();
        }
    }
}

}  // namespace ilab::ui
