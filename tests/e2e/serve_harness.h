#pragma once

// Runs the real `ingress-lab-cli serve` on free ports and talks to it with the real curl (header-only helper for
// tests/e2e/*_test.cpp). The server is another process, so blocking waits here are fine.

#include <csignal>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "support/test_paths.h"

namespace ilab::e2e {

struct CurlResult {
    int exitCode = -1;
    QByteArray out, err;
};

inline CurlResult curl(const QStringList& args, int timeoutMs = 30000) {
    QProcess p;
    p.start(QStringLiteral("curl"), QStringList{"-s", "-S", "--max-time", QString::number(timeoutMs / 1000)} + args);
    CurlResult r;
    if (!p.waitForFinished(timeoutMs + 5000)) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

class Serve {
public:
    QTemporaryDir dir;
    QProcess proc;
    int httpPort = 0, httpsPort = 0, adminPort = 0;
    QByteArray output;  // stdout read so far

    QString writeFile(const QString& name, const QByteArray& content) {
        const QString path = dir.filePath(name);
        QFile f(path + ".tmp");
        f.open(QIODevice::WriteOnly | QIODevice::Truncate);
        f.write(content);
        f.close();
        // Replace by rename, as editors do: the watcher must survive it.
        QFile::remove(path);
        QFile::rename(path + ".tmp", path);
        return path;
    }

    // Starts serve on the files (paths relative to dir) and waits for the ready line.
    bool start(const QStringList& files, const QStringList& extra = {}) {
        QStringList args{"serve"};
        for (const QString& f : files) args << (f == QLatin1String("demo") || QDir::isAbsolutePath(f) ? f : dir.filePath(f));
        args << "--http" << "127.0.0.1:0" << "--https" << "127.0.0.1:0" << "--admin" << "127.0.0.1:0" << extra;
        proc.setProgram(ilab::testing::cliPath());
        proc.setArguments(args);
        proc.start();
        if (!proc.waitForStarted(5000)) return false;
        const QRegularExpression re("^ready http=127\\.0\\.0\\.1:(\\d+) https=127\\.0\\.0\\.1:(\\d+) admin=127\\.0\\.0\\.1:(\\d+)$",
                                    QRegularExpression::MultilineOption);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20000 && proc.state() == QProcess::Running) {
            proc.waitForReadyRead(200);
            output += proc.readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(output));
            if (m.hasMatch()) {
                httpPort = m.captured(1).toInt();
                httpsPort = m.captured(2).toInt();
                adminPort = m.captured(3).toInt();
                return true;
            }
        }
        qWarning("serve did not become ready: %s %s", output.constData(), proc.readAllStandardError().constData());
        return false;
    }

    QByteArray readOutput() {
        proc.waitForReadyRead(50);
        output += proc.readAllStandardOutput();
        return output;
    }

    // Waits until stdout contains `text` (controller log lines arrive within ~100 ms).
    bool waitForOutput(const QString& text, int timeoutMs = 10000) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (QString::fromUtf8(readOutput()).contains(text)) return true;
        }
        return false;
    }
    int countInOutput(const QString& text) { return QString::fromUtf8(readOutput()).count(text); }

    QString http(const QString& path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(httpPort).arg(path); }

    // Status code of one request with a Host header.
    int status(const QString& host, const QString& path, const QStringList& extra = {}) const {
        const CurlResult r = curl(QStringList{"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: " + host} + extra + QStringList{http(path)});
        return r.out.toInt();
    }

    int stop() {
        if (proc.state() == QProcess::NotRunning) return proc.exitCode();
        ::kill(static_cast<pid_t>(proc.processId()), SIGTERM);
        if (!proc.waitForFinished(15000)) {
            proc.kill();
            proc.waitForFinished();
            return -1;
        }
        output += proc.readAllStandardOutput();
        return proc.exitStatus() == QProcess::NormalExit ? proc.exitCode() : -1;
    }
    ~Serve() { stop(); }
};

// A Deployment + Service pair of simulated pods.
inline QByteArray app(const QString& name, int replicas, const QString& image = "echo:1.0", const QString& annotations = {}) {
    QString a = annotations.isEmpty() ? QString() : "      annotations:\n" + annotations;
    return QStringLiteral(
               "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %1}\nspec:\n  replicas: %2\n"
               "  selector:\n    matchLabels:\n      app: %1\n  template:\n    metadata:\n      labels: {app: %1}\n%4"
               "    spec:\n      containers: [{name: %1, image: \"%3\"}]\n"
               "---\napiVersion: v1\nkind: Service\nmetadata: {name: %1}\nspec:\n  selector: {app: %1}\n  ports: [{port: 80, targetPort: 8080}]\n")
        .arg(name)
        .arg(replicas)
        .arg(image, a)
        .toUtf8();
}

}  // namespace ilab::e2e
