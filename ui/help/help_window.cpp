#include "ui/help/help_window.h"

#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/help/help_content.h"
#include "ui/views/guide_view.h"

namespace ilab::ui {

HelpWindow::HelpWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setObjectName(QStringLiteral("helpWindow"));
    m_browser = new QTextBrowser(this);
    m_browser->setObjectName(QStringLiteral("helpBrowser"));
    m_browser->setOpenLinks(false);
    connect(m_browser, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == QLatin1String("help")) showTopic(url.path());
    });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_browser);
    resize(720, 640);
}

void HelpWindow::showTopic(const QString& topic) {
    m_topic = topic;
    setWindowTitle(tr("%1 — Ingress Lab help").arg(help::pageTitle(topic)));
    if (topic.startsWith(QLatin1String("lesson/"))) {
        // rendered as the lesson dock renders it: the steps keep counting across the commands between them
        m_browser->setMarkdown(help::lessonMarkdown(topic.mid(7)));
        GuideView::continueListsAcrossCode(m_browser->document());
        return;
    }
    m_browser->setHtml(topic == QLatin1String("shortcuts") ? help::shortcutsPageHtml(m_actions) : help::pageHtml(topic));
}

}  // namespace ilab::ui
