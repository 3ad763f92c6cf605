#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

// Fixture kubeconfigs in a temporary folder, and kubectl run against them with a private HOME (shared by the
// core/kube tests; header-only).
namespace ilab::testing::kube {

class FixtureDir {
public:
    FixtureDir() { m_dir.setAutoRemove(true); }
    QString path() const { return m_dir.path(); }
    QString file(const QString& rel) const { return m_dir.path() + QLatin1Char('/') + rel; }

    // Writes `content` to `rel` (folders created); returns the absolute path.
    QString write(const QString& rel, const QByteArray& content, bool executable = false) const {
        const QString p = file(rel);
        QDir().mkpath(QFileInfo(p).absolutePath());
        QFile f(p);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) qFatal("cannot write %s", qPrintable(p));
        f.write(content);
        f.close();
        if (executable)
            QFile::setPermissions(p, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        return p;
    }
    QByteArray read(const QString& rel) const {
        QFile f(file(rel));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private:
    QTemporaryDir m_dir;
};

struct KubectlRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs kubectl with HOME set to `home`, KUBECONFIG set to `kubeconfigEnv` (unset when null), cwd "/", so a relative
// path can only resolve against its kubeconfig.
inline KubectlRun kubectl(const QStringList& args, const QString& home, const QString& kubeconfigEnv = QString()) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home);
    env.remove(QStringLiteral("KUBECONFIG"));
    if (!kubeconfigEnv.isNull()) env.insert(QStringLiteral("KUBECONFIG"), kubeconfigEnv);
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(QStringLiteral("/"));
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(QStringLiteral("kubectl"), args);
    KubectlRun r;
    if (!p.waitForStarted(10000) || !p.waitForFinished(60000)) return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// The kubectl in PATH, as its minor version (20 for Debian 12's kubernetes-client 1.20.2, 32 for 1.32.4); -1 when there
// is none or it cannot say. Read once.
inline int kubectlMinorVersion() {
    static const int minor = [] {
        QProcess p;
        p.setStandardInputFile(QProcess::nullDevice());
        p.start(QStringLiteral("kubectl"), {QStringLiteral("version"), QStringLiteral("--client"), QStringLiteral("-o"),
                                            QStringLiteral("json")});
        if (!p.waitForStarted(10000) || !p.waitForFinished(30000)) return -1;
        const QJsonObject v = QJsonDocument::fromJson(p.readAllStandardOutput()).object()["clientVersion"].toObject();
        bool ok = false;
        const int m = v["minor"].toString().remove(QLatin1Char('+')).toInt(&ok);
        return ok ? m : -1;
    }();
    return minor;
}

// Exec credential plugins as the code implements them came with kubectl (client-go) 1.22: the
// client.authentication.k8s.io/v1 API, interactiveMode in the kubeconfig and spec.interactive in the ExecCredential.
// An older kubectl (Debian 12 installs 1.20.2 when none is present) refuses v1 configs, drops interactiveMode and
// writes no spec.interactive, so comparisons with it on those points are skipped, saying so.
constexpr int kKubectlExecV1Minor = 22;

}  // namespace ilab::testing::kube
