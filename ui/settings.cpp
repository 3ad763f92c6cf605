#include "ui/settings.h"

#include <QSettings>

namespace ilab::ui::settings {

LastSession lastSession() {
    const QString v = QSettings().value(QLatin1String(KEY_LAST_SESSION)).toString();
    const qsizetype colon = v.indexOf(QLatin1Char(':'));
    const QString kind = colon < 0 ? v : v.left(colon), rest = colon < 0 ? QString() : v.mid(colon + 1);
    if (kind == QLatin1String("lesson") && !rest.isEmpty()) return {LastSession::Kind::Lesson, rest};
    if (kind == QLatin1String("file") && !rest.isEmpty()) return {LastSession::Kind::File, rest};
    if (kind == QLatin1String("demo")) return {LastSession::Kind::Demo, {}};
    return {};
}

void setLastSession(LastSession::Kind kind, const QString& value) {
    QString v;
    switch (kind) {
    case LastSession::Kind::None: break;
    case LastSession::Kind::Lesson: v = QStringLiteral("lesson:") + value; break;
    case LastSession::Kind::File: v = QStringLiteral("file:") + value; break;
    case LastSession::Kind::Demo: v = QStringLiteral("demo"); break;
    }
    QSettings().setValue(QLatin1String(KEY_LAST_SESSION), v);
}

ClusterChoice lastCluster() {
    QSettings s;
    return {s.value(QLatin1String(KEY_CLUSTER_CONTEXT)).toString(), s.value(QLatin1String(KEY_CLUSTER_NAMESPACE)).toString()};
}

void setLastCluster(const ClusterChoice& c) {
    QSettings s;
    s.setValue(QLatin1String(KEY_CLUSTER_CONTEXT), c.context);
    s.setValue(QLatin1String(KEY_CLUSTER_NAMESPACE), c.ns);
}

void redirectForTest(const QString& dir) {
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir);
    QSettings::setPath(QSettings::IniFormat, QSettings::SystemScope, dir + QStringLiteral("/system"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::SystemScope, dir + QStringLiteral("/system"));
}

}  // namespace ilab::ui::settings
