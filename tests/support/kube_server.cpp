#include "support/kube_server.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>

#include <algorithm>

#include "support/test_paths.h"

namespace ilab::testing {

namespace {

constexpr int kStartTimeoutMs = 240'000;  // start-apiserver.sh waits up to 180 s for /readyz itself
constexpr int kStopTimeoutMs = 90'000;
constexpr int kKubectlTimeoutMs = 120'000;

QString scriptPath(const QString& name) { return sourceDir() + QStringLiteral("/tests/kube/") + name; }

QString envOr(const char* name, const QString& fallback) {
    const QString value = qEnvironmentVariable(name);
    return value.isEmpty() ? fallback : value;
}

QString etcdBinary() {
    return envOr("ILAB_ETCD", QStandardPaths::findExecutable(QStringLiteral("etcd")));
}

QByteArray tail(const QString& path, int lines) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QList<QByteArray> all = file.readAll().split('\n');
    return all.mid(qMax(0, all.size() - lines)).join('\n');
}

}  // namespace

KubeServer::KubeServer() = default;

KubeServer::~KubeServer() { stop(); }

bool KubeServer::optional() { return qEnvironmentVariable("ILAB_KUBE_OPTIONAL") == QLatin1String("1"); }

QString KubeServer::apiserverBinary() {
    const QString explicitPath = qEnvironmentVariable("ILAB_KUBE_APISERVER");
    if (!explicitPath.isEmpty()) return explicitPath;
    const QString cache = envOr("ILAB_KUBE_CACHE", QDir::homePath() + QStringLiteral("/.cache/ingress-lab/kube"));
    return cache + QStringLiteral("/v1.20.2/bin/kube-apiserver");
}

bool KubeServer::available(QString* why) {
    auto fail = [why](const QString& reason) {
        if (why) *why = reason;
        return false;
    };
    const QFileInfo apiserver(apiserverBinary());
    if (!apiserver.isFile() || !apiserver.isExecutable()) {
        return fail(QStringLiteral("real kube-apiserver not built: %1 is missing; run tests/kube/build-apiserver.sh "
                                   "(installers/quickstart.sh test does)")
                        .arg(apiserver.filePath()));
    }
    const QString etcd = etcdBinary();
    if (etcd.isEmpty() || !QFileInfo(etcd).isExecutable()) {
        return fail(QStringLiteral("etcd not found (apt-get install etcd-server, or installers/install-deps.sh)"));
    }
    for (const char* tool : {"openssl", "curl", "kubectl"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            return fail(QStringLiteral("'%1' not found in PATH (needed by the kube test harness)").arg(tool));
        }
    }
    if (!QFileInfo(scriptPath(QStringLiteral("start-apiserver.sh"))).isFile()) {
        return fail(QStringLiteral("%1 is missing").arg(scriptPath(QStringLiteral("start-apiserver.sh"))));
    }
    if (why) why->clear();
    return true;
}

bool KubeServer::start() {
    stop();
    m_error.clear();
    QString why;
    if (!available(&why)) {
        m_error = why;
        return false;
    }
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/ilab-kube-XXXXXX"));
    if (!m_tmp->isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory: %1").arg(m_tmp->errorString());
        m_tmp.reset();
        return false;
    }
    m_dir = m_tmp->path();

    QProcess proc;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // The watchdog stops the server when this process dies without calling stop() (crash, ctest timeout).
    env.insert(QStringLiteral("ILAB_KUBE_OWNER_PID"), QString::number(QCoreApplication::applicationPid()));
    env.insert(QStringLiteral("ILAB_KUBE_APISERVER"), apiserverBinary());
    env.insert(QStringLiteral("ILAB_ETCD"), etcdBinary());
    proc.setProcessEnvironment(env);
    proc.setProcessChannelMode(QProcess::MergedChannels);
    proc.setStandardInputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    proc.start(QStringLiteral("bash"), {scriptPath(QStringLiteral("start-apiserver.sh")), m_dir});
    const bool finished = proc.waitForFinished(kStartTimeoutMs);
    m_startSeconds = timer.elapsed() / 1000.0;
    const QByteArray output = proc.readAll();
    if (!finished || proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0) {
        if (!finished) {
            proc.kill();
            proc.waitForFinished(5000);
        }
        m_error = QStringLiteral("tests/kube/start-apiserver.sh %1 failed (%2):\n%3")
                      .arg(m_dir, finished ? QStringLiteral("exit %1").arg(proc.exitCode()) : QStringLiteral("timeout"),
                           QString::fromLocal8Bit(output));
        m_running = QFile::exists(m_dir + QStringLiteral("/pids"));  // whatever it left running gets stopped
        stop();
        return false;
    }
    m_running = true;
    if (server().isEmpty()) {
        m_error = QStringLiteral("start-apiserver.sh wrote no ILAB_KUBE_SERVER into %1/env:\n%2")
                      .arg(m_dir, QString::fromLocal8Bit(output));
        stop();
        return false;
    }
    return true;
}

bool KubeServer::restartApiServer() {
    m_error.clear();
    if (!m_running) {
        m_error = QStringLiteral("restartApiServer(): the server is not running");
        return false;
    }
    QProcess proc;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ILAB_KUBE_APISERVER"), apiserverBinary());
    proc.setProcessEnvironment(env);
    proc.setProcessChannelMode(QProcess::MergedChannels);
    proc.setStandardInputFile(QProcess::nullDevice());
    proc.start(QStringLiteral("bash"),
               {scriptPath(QStringLiteral("start-apiserver.sh")), QStringLiteral("--restart-apiserver"), m_dir});
    const bool finished = proc.waitForFinished(kStartTimeoutMs);
    if (!finished || proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0) {
        if (!finished) {
            proc.kill();
            proc.waitForFinished(5000);
        }
        m_error = QStringLiteral("start-apiserver.sh --restart-apiserver %1 failed:\n%2")
                      .arg(m_dir, QString::fromLocal8Bit(proc.readAll()));
        return false;
    }
    return true;
}

void KubeServer::stop() {
    if (m_running && !m_dir.isEmpty()) {
        QProcess proc;
        proc.setProcessChannelMode(QProcess::MergedChannels);
        proc.setStandardInputFile(QProcess::nullDevice());
        proc.start(QStringLiteral("bash"), {scriptPath(QStringLiteral("stop-apiserver.sh")), m_dir});
        if (!proc.waitForFinished(kStopTimeoutMs) || proc.exitCode() != 0) {
            qWarning("KubeServer: stop-apiserver.sh %s: %s", qPrintable(m_dir), proc.readAll().constData());
            if (m_tmp) m_tmp->setAutoRemove(false);  // keep the pids file and logs for a look
        }
    }
    m_running = false;
    if (m_tmp && qEnvironmentVariable("ILAB_KUBE_KEEP") == QLatin1String("1")) {
        m_tmp->setAutoRemove(false);
        qInfo("KubeServer: kept %s (ILAB_KUBE_KEEP=1)", qPrintable(m_dir));
    }
    m_tmp.reset();
}

QString KubeServer::dir() const { return m_dir; }

QString KubeServer::server() const { return envValue(QStringLiteral("ILAB_KUBE_SERVER")); }

QString KubeServer::kubeconfig(const QString& mode) const {
    return m_dir + QLatin1Char('/') + mode + QStringLiteral(".kubeconfig");
}

QString KubeServer::caFile() const { return m_dir + QStringLiteral("/pki/ca.crt"); }

QString KubeServer::token(const QString& user) const {
    QFile file(m_dir + QLatin1Char('/') + user + QStringLiteral(".token"));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromLatin1(file.readAll().trimmed());
}

QString KubeServer::envValue(const QString& key) const {
    QFile file(m_dir + QStringLiteral("/env"));
    if (m_dir.isEmpty() || !file.open(QIODevice::ReadOnly)) return {};
    const QByteArray prefix = key.toLatin1() + '=';
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (line.startsWith(prefix)) return QString::fromLocal8Bit(line.mid(prefix.size()));
    }
    return {};
}

QList<qint64> KubeServer::pids() const {
    QList<qint64> result;
    QFile file(m_dir + QStringLiteral("/pids"));
    if (m_dir.isEmpty() || !file.open(QIODevice::ReadOnly)) return result;
    for (const QByteArray& line : file.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');  // "name pid exe"
        bool ok = false;
        const qint64 pid = fields.size() >= 2 ? fields.at(1).toLongLong(&ok) : 0;
        if (ok && pid > 0) result.append(pid);
    }
    return result;
}

QByteArray KubeServer::kubectl(const QStringList& args, int* exitCode, const QByteArray& stdinData) const {
    return kubectlAs(QStringLiteral("admin-cert"), args, exitCode, stdinData);
}

namespace {

// `kubectl patch TYPE NAME --subresource=status --type=merge -p JSON [-n NS]` as the REST call it stands for, made
// with curl and the admin certificate: --subresource needs kubectl 1.24, and Debian 12's kubectl (kubernetes-client)
// is 1.20.2. Returns false when `args` is not such a command.
bool statusPatchAsRest(const QStringList& args, QString* path, QByteArray* body) {
    if (args.size() < 3 || args.at(0) != QLatin1String("patch") || !args.contains(QStringLiteral("--subresource=status")))
        return false;
    const QString type = args.at(1);
    const QString name = args.at(2);
    QString ns = QStringLiteral("default");
    for (int i = 3; i < args.size(); ++i) {
        if ((args.at(i) == QLatin1String("-n") || args.at(i) == QLatin1String("--namespace")) && i + 1 < args.size())
            ns = args.at(++i);
        else if (args.at(i) == QLatin1String("-p") && i + 1 < args.size())
            *body = args.at(++i).toUtf8();
        else if (args.at(i).startsWith(QLatin1String("--type=")) && args.at(i) != QLatin1String("--type=merge"))
            return false;
    }
    if (type == QLatin1String("node") || type == QLatin1String("nodes"))
        *path = QStringLiteral("/api/v1/nodes/%1/status").arg(name);
    else if (type == QLatin1String("pod") || type == QLatin1String("pods"))
        *path = QStringLiteral("/api/v1/namespaces/%1/pods/%2/status").arg(ns, name);
    else if (type == QLatin1String("service") || type == QLatin1String("services") || type == QLatin1String("svc"))
        *path = QStringLiteral("/api/v1/namespaces/%1/services/%2/status").arg(ns, name);
    else if (type == QLatin1String("ingress") || type == QLatin1String("ingresses") || type == QLatin1String("ing"))
        *path = QStringLiteral("/apis/networking.k8s.io/v1/namespaces/%1/ingresses/%2/status").arg(ns, name);
    else
        return false;
    return !body->isEmpty();
}

}  // namespace

QByteArray KubeServer::kubectlAs(const QString& mode, const QStringList& args, int* exitCode,
                                 const QByteArray& stdinData) const {
    if (exitCode) *exitCode = -1;
    if (m_dir.isEmpty()) return QByteArrayLiteral("KubeServer::kubectl: the server was not started");
    QString statusPath;
    QByteArray statusBody;
    if (statusPatchAsRest(args, &statusPath, &statusBody)) {
        QProcess curl;
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-sS"), QStringLiteral("--noproxy"), QStringLiteral("*"), QStringLiteral("--fail-with-body"),
                    QStringLiteral("--cacert"), caFile(), QStringLiteral("--cert"), m_dir + QStringLiteral("/pki/admin.crt"),
                    QStringLiteral("--key"), m_dir + QStringLiteral("/pki/admin.key"), QStringLiteral("-X"),
                    QStringLiteral("PATCH"), QStringLiteral("-H"), QStringLiteral("Content-Type: application/merge-patch+json"),
                    QStringLiteral("--data-binary"), QString::fromUtf8(statusBody), server() + statusPath});
        if (!curl.waitForFinished(kKubectlTimeoutMs)) return QByteArrayLiteral("curl (status patch) timed out");
        QByteArray out = curl.readAllStandardOutput();
        const int code = curl.exitStatus() == QProcess::NormalExit ? curl.exitCode() : -1;
        if (code != 0) out += curl.readAllStandardError();
        if (exitCode) *exitCode = code;
        return out;
    }
    // Never without --kubeconfig: kubectl would otherwise fall back to ~/.kube/config or localhost:8080.
    QStringList full;
    if (!args.contains(QStringLiteral("--kubeconfig")) &&
        std::none_of(args.begin(), args.end(), [](const QString& a) { return a.startsWith("--kubeconfig="); })) {
        full << QStringLiteral("--kubeconfig") << kubeconfig(mode);
    }
    full << QStringLiteral("--cache-dir") << m_dir + QStringLiteral("/kubectl-cache") << args;

    QProcess proc;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBECONFIG"), kubeconfig(mode));
    proc.setProcessEnvironment(env);
    proc.start(QStringLiteral("kubectl"), full);
    if (!proc.waitForStarted(10'000)) return QByteArrayLiteral("kubectl did not start: ") + proc.errorString().toUtf8();
    if (!stdinData.isEmpty()) proc.write(stdinData);
    proc.closeWriteChannel();
    if (!proc.waitForFinished(kKubectlTimeoutMs)) {
        proc.kill();
        proc.waitForFinished(5000);
        return QByteArrayLiteral("kubectl timed out: kubectl ") + full.join(QLatin1Char(' ')).toUtf8();
    }
    QByteArray out = proc.readAllStandardOutput();
    const int code = proc.exitStatus() == QProcess::NormalExit ? proc.exitCode() : -1;
    if (code != 0) out += proc.readAllStandardError();
    if (exitCode) *exitCode = code;
    return out;
}

}  // namespace ilab::testing
