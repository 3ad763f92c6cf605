#include "ui/views/guide_view.h"

#include <QApplication>
#include <QClipboard>
#include <QUrl>

namespace ilab::ui {

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
                out += QStringLiteral("\n[⧉ Copy](copy:%1)\n\n").arg(m_blocks.size() - 1);
                block.clear();
            }
            inCode = !inCode;
            continue;
        }
        if (inCode) block += line + QLatin1Char('\n');
        out += line + QLatin1Char('\n');
    }
    setMarkdown(out);
}

}  // namespace ilab::ui
