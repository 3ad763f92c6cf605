#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace ilab::ui::settings {

// What the designer remembers between runs, in QSettings (INI file ~/.config/<organisation>/<application>.conf on
// Linux). The keys, in one place:
//   window/geometry, window/state   MainWindow::saveGeometry()/saveState() (dock layout)
//   files/recent                    recent workspaces, newest first (File ▸ Open recent)
//   session/last                    what was open: "lesson:<id>", "file:<path>" or "demo"; reopened at start
//   cluster/context, cluster/namespace   the Cluster panel's last choice
//   view/theme                      MainWindow::Theme as int
// GUI thread (QSettings objects are made per call: cheap, and always the current organisation and path).
inline constexpr char KEY_GEOMETRY[] = "window/geometry";
inline constexpr char KEY_STATE[] = "window/state";
inline constexpr char KEY_RECENT[] = "files/recent";
inline constexpr char KEY_LAST_SESSION[] = "session/last";
inline constexpr char KEY_CLUSTER_CONTEXT[] = "cluster/context";
inline constexpr char KEY_CLUSTER_NAMESPACE[] = "cluster/namespace";
inline constexpr char KEY_THEME[] = "view/theme";

struct LastSession {
    enum class Kind { None, Lesson, File, Demo };
    Kind kind = Kind::None;
    QString value;  // lesson id or file path
};
LastSession lastSession();
void setLastSession(LastSession::Kind kind, const QString& value = {});

struct ClusterChoice {
    QString context, ns;
};
ClusterChoice lastCluster();
void setLastCluster(const ClusterChoice& c);

// Puts every QSettings of this process under `dir` (tests; never the user's real settings).
void redirectForTest(const QString& dir);

}  // namespace ilab::ui::settings
