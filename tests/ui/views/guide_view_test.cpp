// The lesson guide (issue 15 item 5): numbered steps keep counting across the code blocks between them (Qt 6.4
// restarted at "1."), and each Copy link shows the copy icon from resources/icons (it was a "⧉" that fonts
// without the glyph draw as an empty box). The real lesson guides are checked too.
#include <QClipboard>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextList>

#include "ui/dialogs/lesson_picker.h"
#include "ui/views/guide_view.h"

using namespace ilab::ui;

namespace {

QTextBlock blockWith(const QTextDocument* doc, const QString& text) {
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next())
        if (b.text().contains(text)) return b;
    return {};
}

QString numberOf(const QTextDocument* doc, const QString& text) {
    const QTextBlock b = blockWith(doc, text);
    return b.isValid() && b.textList() ? b.textList()->itemText(b) : QString();
}

// The image fragments of the document that link to `href`.
QList<QTextImageFormat> imagesLinkingTo(const QTextDocument* doc, const QString& href) {
    QList<QTextImageFormat> out;
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextCharFormat f = it.fragment().charFormat();
            if (f.isImageFormat() && f.anchorHref() == href) out << f.toImageFormat();
        }
    return out;
}

}  // namespace

class GuideViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stepsKeepCountingAcrossCode() {
        const QString md = QStringLiteral("# Title\n\n## Steps\n1. First step\n\n```\ncurl http://a/\n```\n\n2. Second step\n3. Third step\n\n"
                                          "```\ncurl http://b/\n```\n\n4. Fourth step\n\n## More\n1. Other list\n2. Other two\n");
#if QT_VERSION < QT_VERSION_CHECK(6, 6, 0)
        {
            // what plain Qt 6.4 Markdown does, and the guide used to show: the step after a code block is "1." again
            QTextDocument plain;
            plain.setMarkdown(md);
            QCOMPARE(numberOf(&plain, QStringLiteral("Second step")), QStringLiteral("1."));
        }
#endif
        GuideView view;
        view.setGuide(md);
        QCOMPARE(numberOf(view.document(), QStringLiteral("First step")), QStringLiteral("1."));
        QCOMPARE(numberOf(view.document(), QStringLiteral("Second step")), QStringLiteral("2."));
        QCOMPARE(numberOf(view.document(), QStringLiteral("Third step")), QStringLiteral("3."));
        QCOMPARE(numberOf(view.document(), QStringLiteral("Fourth step")), QStringLiteral("4."));
        // a list after a heading is a new list
        QCOMPARE(numberOf(view.document(), QStringLiteral("Other list")), QStringLiteral("1."));
        QCOMPARE(numberOf(view.document(), QStringLiteral("Other two")), QStringLiteral("2."));
        // the code between steps is indented with them, not part of the numbering
        const QTextBlock code = blockWith(view.document(), QStringLiteral("curl http://a/"));
        QVERIFY(code.isValid());
        QVERIFY(!code.textList());
        QVERIFY(code.blockFormat().indent() >= 1);
    }

    void copyLinksShowTheCopyIcon() {
        QVERIFY(QFile::exists(QStringLiteral(":/icons/copy.svg")));
        GuideView view;
        view.setGuide(QStringLiteral("1. Run\n\n```\ncurl http://a/\n```\n\n2. Then\n\n```\ncurl http://b/\n```\n"));
        QCOMPARE(view.codeBlocks().size(), qsizetype(2));
        QVERIFY(!view.toPlainText().contains(QChar(0x29C9)));
        for (int i = 0; i < 2; ++i) {
            const auto images = imagesLinkingTo(view.document(), QStringLiteral("copy:%1").arg(i));
            QCOMPARE(images.size(), qsizetype(1));
            const QVariant res = view.document()->resource(QTextDocument::ImageResource, QUrl(images.front().name()));
            QImage img = res.value<QImage>();
            if (img.isNull()) img = res.value<QPixmap>().toImage();
            QVERIFY(!img.isNull());
            int opaque = 0;
            for (int y = 0; y < img.height(); ++y)
                for (int x = 0; x < img.width(); ++x) opaque += qAlpha(img.pixel(x, y)) > 128;
            QVERIFY2(opaque > 10, "the copy icon is drawn (not an empty image)");
        }
        // the link still copies its block
        QSignalSpy copied(&view, &GuideView::copied);
        Q_EMIT view.anchorClicked(QUrl(QStringLiteral("copy:1")));
        QCOMPARE(copied.size(), 1);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("curl http://b/"));
    }

    void lessonGuidesNumberTheirSteps() {
        for (const LessonInfo& l : availableLessons()) {
            GuideView view;
            view.setGuide(lessonGuide(l.id));
            // within each list, the items are numbered 1..n in order, and no "1." follows a step directly
            // across a code block (each top-level ordered list starts after a heading or a paragraph)
            QTextList* previous = nullptr;
            for (QTextBlock b = view.document()->begin(); b.isValid(); b = b.next()) {
                QTextList* list = b.textList();
                if (!list || list->format().style() != QTextListFormat::ListDecimal) continue;
                if (list != previous && previous) {
                    // a new list: something other than code stands between it and the previous one
                    bool prose = false;
                    for (QTextBlock p = b.previous(); p.isValid() && p.textList() != previous; p = p.previous()) {
                        const bool code = p.blockFormat().hasProperty(QTextFormat::BlockCodeFence) || p.blockFormat().nonBreakableLines();
                        bool copy = false;
                        for (auto it = p.begin(); !it.atEnd(); ++it) copy = copy || it.fragment().charFormat().anchorHref().startsWith(QLatin1String("copy:"));
                        if (!code && !copy && !p.text().trimmed().isEmpty() && !p.textList()) prose = true;
                    }
                    QVERIFY2(prose, qPrintable(l.id + QStringLiteral(": a list restarts after code at: ") + b.text()));
                }
                previous = list;
            }
        }
    }
};

QTEST_MAIN(GuideViewTest)
#include "guide_view_test.moc"
