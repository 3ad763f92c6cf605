#include "support/curl_service.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTest>

namespace ilab::testing {

QString curlStatusAndService(int port, const QString& host, const QString& path) {
    QProcess curl;
    curl.start(QStringLiteral("curl"),
               {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("-"), QStringLiteral("-w"), QStringLiteral("\n%{http_code}"),
                QStringLiteral("--resolve"), QStringLiteral("%1:%2:127.0.0.1").arg(host).arg(port),
                QStringLiteral("http://%1:%2%3").arg(host).arg(port).arg(path)});
    if (!curl.waitForFinished(20000)) return QStringLiteral("curl did not finish");
    const QString out = QString::fromUtf8(curl.readAllStandardOutput());
    const QString status = out.section(QLatin1Char('\n'), -1);
    static const QRegularExpression service(QStringLiteral("\"service\":\\s*\"([^\"]*)\""));
    return status + QLatin1Char(' ') + service.match(out).captured(1);
}

QByteArray curlWithEventLoop(const QStringList& args, int* exitCode) {
    QProcess proc;
    const QStringList common{QStringLiteral("-sS"), QStringLiteral("--noproxy"), QStringLiteral("*"),
                             QStringLiteral("--max-time"), QStringLiteral("30")};
    proc.start(QStringLiteral("curl"), common + args);
    *exitCode = -1;
    if (!proc.waitForStarted(10000)) return "curl did not start";
    if (!QTest::qWaitFor([&] { return proc.state() == QProcess::NotRunning; }, 60000)) return "curl did not finish within 60 s";
    *exitCode = proc.exitCode();
    return proc.readAllStandardOutput() + proc.readAllStandardError();
}

}  // namespace ilab::testing
