#include "core/kube/kubectl_proxy.h"

#include <QDir>
#include <QEventLoop>
#include <QProcessEnvironment>
#include <QStandardPaths>

namespace ilab::kube {

namespace {

constexpr int STOP_GRACE_MS = 2000;
constexpr qsizetype STDERR_KEEP = 8192;
const QByteArray READY_LINE = QByteArrayLiteral("Starting to serve on");

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

bool needsKubectlTransport(const ClusterConnection& connection) {
    return connection.unixSocket.empty() && !connection.auth.authProvider.empty();
}

ClusterConnection connectionThroughKubectl(const ClusterConnection& connection, const std::string& socketPath) {
    ClusterConnection c = connection;
    c.auth = AuthSpec{};
    c.caPem.clear();
    c.tlsServerName.clear();
    c.insecureSkipTlsVerify = false;
    c.proxyUrl.clear();
    c.execClusterConfigJson.clear();
    c.unixSocket = socketPath;
    return c;
}

KubectlProxy::KubectlProxy(KubectlProxyOptions options, QObject* parent)
    : QObject(parent), m_options(std::move(options)) {
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        fail(tr("kubectl proxy did not start within %1 s%2")
                 .arg(m_options.startTimeout.count() / 1000)
                 .arg(stderrText().isEmpty() ? QString() : QStringLiteral(": ") + stderrText()));
        stop();
    });
}

KubectlProxy::~KubectlProxy() {
    m_done = true;  // no signals from a dying object
    stop();
}

qint64 KubectlProxy::pid() const { return m_process ? m_process->processId() : 0; }

QString KubectlProxy::stderrText() const {
    QString t = QString::fromUtf8(m_stderr).trimmed();
    t.replace(QLatin1Char('\n'), QStringLiteral("; "));
    return t;
}

void KubectlProxy::fail(const QString& message) {
    m_timeout.stop();
    if (m_done) return;
    m_done = true;
    if (m_ready) emit exited(message);
    else emit failed(message);
}

void KubectlProxy::start() {
    stop();
    m_ready = m_done = false;
    m_stdout.clear();
    m_stderr.clear();
    m_program = qs(m_options.kubectl);
    if (m_program.isEmpty()) m_program = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
    if (m_program.isEmpty()) {
        // Reported from the event loop, like every other outcome, so callers connect before it arrives.
        QTimer::singleShot(0, this, [this] {
            fail(tr("kubectl was not found in PATH; install kubectl (Debian: kubernetes-client) or use a context "
                    "whose user has a token, a client certificate or an exec plugin"));
        });
        return;
    }
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/ingress-lab-kubectl-XXXXXX"));
    if (!m_dir->isValid()) {
        const QString why = m_dir->errorString();
        QTimer::singleShot(0, this, [this, why] { fail(tr("cannot create a folder for kubectl proxy's socket: %1").arg(why)); });
        return;
    }
    // QTemporaryDir creates the folder 0700: only this user reaches the socket.
    m_socketPath = m_dir->filePath(QStringLiteral("kube.sock")).toStdString();

    m_process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!m_options.kubeconfigFiles.empty()) {
        QStringList files;
        for (const auto& f : m_options.kubeconfigFiles) files << qs(f);
        env.insert(QStringLiteral("KUBECONFIG"), files.join(QLatin1Char(':')));
    }
    m_process->setProcessEnvironment(env);
    QStringList args{QStringLiteral("proxy"), QStringLiteral("--unix-socket=") + qs(m_socketPath)};
    if (!m_options.context.empty()) args << QStringLiteral("--context=") + qs(m_options.context);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &KubectlProxy::onStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > STDERR_KEEP) m_stderr = m_stderr.right(STDERR_KEEP);
    });
    connect(m_process, &QProcess::finished, this, &KubectlProxy::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &KubectlProxy::onError);
    m_timeout.start(int(m_options.startTimeout.count()));
    m_process->start(m_program, args, QIODevice::ReadOnly);
}

void KubectlProxy::onStdout() {
    m_stdout += m_process->readAllStandardOutput();
    if (!m_ready && m_stdout.contains(READY_LINE)) {
        m_ready = true;
        m_timeout.stop();
        emit ready();
    }
    if (m_stdout.size() > STDERR_KEEP) m_stdout = m_stdout.right(STDERR_KEEP);
}

void KubectlProxy::onFinished(int code, QProcess::ExitStatus status) {
    m_stderr += m_process->readAllStandardError();
    const QString what = status == QProcess::CrashExit ? tr("kubectl proxy was killed")
                                                       : tr("kubectl proxy exited with code %1").arg(code);
    fail(stderrText().isEmpty() ? what : what + QStringLiteral(": ") + stderrText());
}

void KubectlProxy::onError(QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart) fail(tr("cannot run %1: %2").arg(m_program, m_process->errorString()));
}

void KubectlProxy::stop() {
    m_timeout.stop();
    if (m_process) {
        QProcess* p = m_process;
        m_process = nullptr;
        p->disconnect(this);
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(STOP_GRACE_MS)) {
                p->kill();
                p->waitForFinished(STOP_GRACE_MS);
            }
        }
        p->deleteLater();  // stop() may run inside one of p's own signals (finished -> exited -> a handler)
    }
    m_ready = false;
    m_dir.reset();
    m_socketPath.clear();
}

QString KubectlProxy::startAndWait() {
    QEventLoop loop;
    QString error;
    bool finished = false;
    const auto c1 = connect(this, &KubectlProxy::ready, &loop, [&] {
        finished = true;
        loop.quit();
    });
    const auto c2 = connect(this, &KubectlProxy::failed, &loop, [&](const QString& m) {
        error = m;
        finished = true;
        loop.quit();
    });
    start();
    if (!finished) loop.exec();
    disconnect(c1);
    disconnect(c2);
    return error;
}

}  // namespace ilab::kube
