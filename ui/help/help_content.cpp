#include "ui/help/help_content.h"

#include <QAction>
#include <QCoreApplication>
#include <QKeySequence>
#include <QFileInfo>
#include <QProcess>
#include <QTextDocument>
#include <QVariant>
#include <QWidget>

#include <map>

#include "core/annotations/registry.h"
#include "ui/dialogs/lesson_picker.h"

namespace ilab::ui::help {

namespace {
QString esc(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())).toHtmlEscaped(); }

QString page(const QString& title, const QString& body) {
    return QStringLiteral("<html><body><p><a href=\"help:index\">Contents</a></p><h1>%1</h1>%2</body></html>").arg(title.toHtmlEscaped(), body);
}

QString annotationPage(const annotations::AnnotationSpec& s) {
    QString body = QStringLiteral("<p><code>%1</code></p><p>%2</p><table border=\"0\" cellspacing=\"4\">")
                       .arg(esc(s.fullKey()), esc(s.doc));
    body += QStringLiteral("<tr><td><b>Value</b></td><td>%1</td></tr>").arg(esc(annotations::toString(s.type)));
    if (!s.allowed.empty()) body += QStringLiteral("<tr><td><b>Allowed</b></td><td>%1</td></tr>").arg(esc(s.allowed).replace(QLatin1Char('|'), QStringLiteral(", ")));
    body += QStringLiteral("<tr><td><b>Default</b></td><td>%1</td></tr>").arg(s.defaultText.empty() ? QStringLiteral("(not set)") : esc(s.defaultText));
    body += QStringLiteral("<tr><td><b>Family</b></td><td>%1</td></tr>").arg(esc(s.family));
    body += QStringLiteral("<tr><td><b>In Ingress Lab</b></td><td>%1</td></tr></table>")
                .arg(s.simulated ? QStringLiteral("simulated: the lab routes exactly as ingress-nginx would")
                                 : QStringLiteral("known to ingress-nginx, not simulated (the Problems panel says so)"));
    return page(QString::fromUtf8(s.key.data(), qsizetype(s.key.size())), body);
}

QString cliHelp() {
    const QString cli = QCoreApplication::applicationDirPath() + QStringLiteral("/ingress-lab-cli");
    QString text;
    if (QFileInfo(cli).isExecutable()) {
        QProcess p;
        p.start(cli, {QStringLiteral("--help")});
        if (p.waitForFinished(5000)) text = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    }
    if (text.isEmpty()) text = QCoreApplication::translate("help", "ingress-lab-cli was not found beside this program. Run `ingress-lab-cli --help`.");
    return page(QStringLiteral("Command line: ingress-lab-cli"), QStringLiteral("<pre>%1</pre>").arg(text.toHtmlEscaped()));
}
}  // namespace

QString lessonMarkdown(const QString& id) {
    return QStringLiteral("[Contents](help:index) · [Lessons](help:lessons)\n\n") + lessonGuide(id);
}

QString shortcutsPageHtml(const QList<QAction*>& actions) {
    QString rows;
    for (const QAction* a : actions) {
        if (!a || a->shortcuts().isEmpty()) continue;
        // "helpLabel": a fixed name for actions whose text changes (Undo "Set host")
        QString text = a->property("helpLabel").toString();
        if (text.isEmpty()) text = a->text();
        text.replace(QLatin1String("&&"), QStringLiteral("\x01")).remove(QLatin1Char('&')).replace(QStringLiteral("\x01"), QStringLiteral("&"));
        QStringList keys;
        for (const QKeySequence& k : a->shortcuts()) keys << k.toString(QKeySequence::NativeText).toHtmlEscaped();
        keys.removeDuplicates();  // Redo's standard key is Ctrl+Y on some platforms, which is also set explicitly
        rows += QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>").arg(text.toHtmlEscaped(), keys.join(QStringLiteral(", ")));
    }
    return page(QStringLiteral("Keyboard shortcuts"),
                QStringLiteral("<table border=\"0\" cellspacing=\"6\">%1</table><p>F1 on a form field opens its help entry.</p>").arg(rows));
}

QStringList annotationTopics() {
    QStringList out;
    for (const auto& s : annotations::allSpecs()) out << QStringLiteral("annotation/") + QString::fromUtf8(s.key.data(), qsizetype(s.key.size()));
    return out;
}

QString pageTitle(const QString& topic) {
    if (topic.startsWith(QLatin1String("annotation/"))) return topic.mid(11);
    if (topic == QLatin1String("annotations")) return QStringLiteral("Annotations");
    if (topic == QLatin1String("cli")) return QStringLiteral("Command line");
    if (topic == QLatin1String("shortcuts")) return QStringLiteral("Keyboard shortcuts");
    if (topic.startsWith(QLatin1String("lesson"))) return QStringLiteral("Lessons");
    return QStringLiteral("Ingress Lab help");
}

QString pageHtml(const QString& topic) {
    if (topic.startsWith(QLatin1String("annotation/"))) {
        const std::string key = topic.mid(11).toStdString();
        if (const auto* s = annotations::findSpec(key)) return annotationPage(*s);
        return page(QStringLiteral("Unknown annotation"), QStringLiteral("<p>ingress-nginx does not know <code>%1</code>.</p>").arg(esc(key)));
    }
    if (topic == QLatin1String("annotations")) {
        std::map<std::string, QString> byFamily;
        for (const auto& s : annotations::allSpecs())
            byFamily[std::string(s.family)] += QStringLiteral("<li><a href=\"help:annotation/%1\">%1</a> — %2</li>").arg(esc(s.key), esc(s.doc));
        QString body;
        for (const auto& [family, items] : byFamily) body += QStringLiteral("<h2>%1</h2><ul>%2</ul>").arg(QString::fromStdString(family).toHtmlEscaped(), items);
        return page(QStringLiteral("Annotations"), body);
    }
    if (topic == QLatin1String("lessons")) {
        QString body = QStringLiteral("<ul>");
        for (const LessonInfo& l : availableLessons())
            body += QStringLiteral("<li><a href=\"help:lesson/%1\">%2</a> — %3</li>").arg(l.id.toHtmlEscaped(), l.title.toHtmlEscaped(), l.summary.toHtmlEscaped());
        body += QStringLiteral("</ul><h2>Check my work</h2><p>Under the lesson guide, <b>Check my work</b> sends the lesson's check "
                               "requests to your workspace in the lab (it starts the lab if needed) and says, step by step, which "
                               "checks pass and why the others do not, in the explainer's words. <b>Reset workspace</b> puts the "
                               "lesson's workspace back; Edit ▸ Undo brings yours back.</p>"
                               "<h2>Lesson folders</h2><p>File ▸ Open lesson folder… opens a folder with <code>guide.md</code>, "
                               "<code>workspace.yaml</code>, an optional <code>checks.yaml</code> and an optional <code>lesson.yaml</code> "
                               "(<code>problems: after-check</code> hides the Problems panel's list until Check my work has run, "
                               "for exercises about finding mistakes; View ▸ Show problems anyway shows it; the format is in the README); "
                               "<code>ingress-lab --lesson FOLDER</code> and <code>ingress-lab-cli lesson check FOLDER</code> take "
                               "it too.</p><h2>Presenter mode</h2><p>View ▸ Presenter mode (Ctrl+Alt+P): large fonts, thick chart "
                               "lines and high contrast for a projector.</p>");
        return page(QStringLiteral("Lessons"), body);
    }
    if (topic.startsWith(QLatin1String("lesson/"))) {
        // the guide rendered as the lesson dock shows it (Markdown), not as source text
        QTextDocument doc;
        doc.setMarkdown(lessonMarkdown(topic.mid(7)));
        return doc.toHtml();
    }
    if (topic == QLatin1String("cli")) return cliHelp();
    return page(QStringLiteral("Ingress Lab help"),
                QStringLiteral("<ul><li><a href=\"help:lessons\">Lessons</a></li><li><a href=\"help:annotations\">Annotations: what each one does</a></li>"
                               "<li><a href=\"help:cli\">Command line reference</a></li><li><a href=\"help:shortcuts\">Keyboard shortcuts</a></li></ul><p>F1 on a form field opens its entry.</p>"));
}

QString topicForWidget(const QWidget* w) {
    static const std::map<QString, QString> FIELDS = {
        {QStringLiteral("canaryWeight"), QStringLiteral("annotation/canary-weight")},
    };
    for (; w; w = w->parentWidget()) {
        const QVariant t = w->property("ilabHelpTopic");
        if (t.isValid() && !t.toString().isEmpty()) return t.toString();
        const auto it = FIELDS.find(w->objectName());
        if (it != FIELDS.end()) return it->second;
    }
    return {};
}

}  // namespace ilab::ui::help
