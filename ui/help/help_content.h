#pragma once

#include <QString>
#include <QStringList>

class QAction;
class QWidget;

namespace ilab::ui::help {

// Offline help, generated at run time from the tables the app itself uses, so it cannot drift:
//   "index"                 contents
//   "annotations"           every annotation key, by family
//   "annotation/<key>"      one annotation (short key, "canary-weight"): from core/annotations/registry's AnnotationSpec
//                           (type, default, allowed values, description, simulated or not)
//   "lessons", "lesson/<id>"  the built-in lessons (their guides)
//   "cli"                   the CLI reference: `ingress-lab-cli --help` of the CLI installed beside the app
//   "shortcuts"             keyboard shortcuts: made by shortcutsPageHtml() from the window's own QActions
// Unknown topics give a page that says so. GUI thread (pure functions).
QString pageHtml(const QString& topic);
QString pageTitle(const QString& topic);
QStringList annotationTopics();
// The keyboard shortcuts page: every action that has a shortcut, with its menu text and all its key sequences.
QString shortcutsPageHtml(const QList<QAction*>& actions);
// A lesson's guide as the help window shows it (Markdown, with links back to the contents).
QString lessonMarkdown(const QString& id);  // "annotation/<key>" for every registered annotation

// The help topic of a widget (F1): its "ilabHelpTopic" property, else a known form field's objectName (the canary
// slider "canaryWeight" -> "annotation/canary-weight"), else its parents'; "" if none.
QString topicForWidget(const QWidget* w);

}  // namespace ilab::ui::help
