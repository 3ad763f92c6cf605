#include "core/kube/credentials.h"

#include <mutex>

#include <QByteArray>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>

namespace ilab::kube {

namespace {

using Clock = std::chrono::system_clock;
using R = Result<Credentials, CredentialError>;

constexpr qint64 MAX_TOKEN_FILE_BYTES = 1 << 20;
constexpr qint64 MAX_PLUGIN_STDOUT = 4 << 20;   // an ExecCredential with a certificate chain is a few KB
constexpr qsizetype MAX_STDERR_TAIL = 8 << 10;  // enough for a login hint

enum class Mode { Anonymous, StaticToken, TokenFile, Exec, ClientCert, AuthProvider };

std::string quote(const std::string& s) { return "\"" + s + "\""; }

void wipe(QByteArray& b) {
    b.fill('\0');
    b.clear();
}

std::string trimmed(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        std::fill(s.begin(), s.end(), '\0');
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r\n");
    std::string out = s.substr(first, last - first + 1);
    std::fill(s.begin(), s.end(), '\0');
    return out;
}

void appendJsonString(std::string& out, const std::string& s) {
    static const char* HEX = "0123456789abcdef";
    out += '"';
    for (unsigned char c : s) {
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += HEX[c >> 4];
            out += HEX[c & 15];
        } else out += static_cast<char>(c);
    }
    out += '"';
}

}  // namespace

struct CredentialProvider::State {
    ClusterConnection conn;
    CredentialOptions opts;
    Mode mode = Mode::Anonymous;

    std::mutex runMutex;  // single flight: one plugin run / token file read at a time
    mutable std::mutex mutex;  // guards everything below
    Credentials current;
    bool haveCurrent = false;
    std::uint64_t generation = 0;
    std::optional<Clock::time_point> tokenFileReadAt;  // last successful read
    std::string stderrTail;
    std::atomic<int> runs{0};

    Clock::time_point now() const { return opts.now ? opts.now() : Clock::now(); }

    std::string userDesc() const {
        return "user " + quote(conn.userName) + (conn.userSourceFile.empty() ? "" : " in " + conn.userSourceFile);
    }

    // Sets `current` from new values; the generation moves only when something changed.
    Credentials publish(Credentials next) {
        std::lock_guard lock(mutex);
        const bool same = haveCurrent && next.bearerToken == current.bearerToken &&
                          next.clientCertPem == current.clientCertPem && next.clientKeyPem == current.clientKeyPem;
        next.generation = same ? current.generation : ++generation;
        current = next;
        haveCurrent = true;
        return current;
    }

    Credentials staticBase() const {
        Credentials c;
        c.clientCertPem = conn.auth.clientCertPem;
        c.clientKeyPem = conn.auth.clientKeyPem;
        return c;
    }

    // --- tokenFile -------------------------------------------------------------------------------------------

    R readTokenFile(bool force) {
        {
            std::lock_guard lock(mutex);
            if (!force && haveCurrent && tokenFileReadAt && now() - *tokenFileReadAt < opts.tokenFileRefresh)
                return current;
        }
        QFile f(QString::fromStdString(conn.auth.tokenFile));
        std::string why;
        std::string token;
        if (!f.open(QIODevice::ReadOnly)) {
            why = QFileInfo::exists(f.fileName()) ? f.errorString().toStdString() : "no such file or directory";
        } else {
            QByteArray raw = f.read(MAX_TOKEN_FILE_BYTES);
            token = trimmed(std::string(raw.constData(), static_cast<std::size_t>(raw.size())));
            wipe(raw);
            if (token.empty()) why = "the file is empty";
        }
        if (!why.empty()) {
            // client-go keeps the last good value (cachingTokenSource), else the kubeconfig's token.
            std::lock_guard lock(mutex);
            if (haveCurrent && !current.bearerToken.empty()) return current;
            if (!conn.auth.token.empty()) {
                Credentials c = staticBase();
                c.bearerToken = conn.auth.token;
                c.generation = ++generation;
                current = c;
                haveCurrent = true;
                return current;
            }
            return R::fail(CredentialError::TokenFileUnreadable,
                           "unable to read tokenFile " + conn.auth.tokenFile + " for " + userDesc() + ": " + why);
        }
        Credentials c = staticBase();
        c.bearerToken = SecretBytes(std::move(token));
        Credentials out = publish(std::move(c));
        std::lock_guard lock(mutex);
        tokenFileReadAt = now();
        return out;
    }

    // --- exec ------------------------------------------------------------------------------------------------

    Result<ExecConsentRequest, CredentialError> consentRequest() const {
        const ExecSpec& x = *conn.auth.exec;
        ExecConsentRequest req;
        req.kubeconfigFile = conn.userSourceFile;
        req.userName = conn.userName;
        req.args = x.args;
        for (const auto& [name, _] : x.env) req.envNames.push_back(name);
        const std::string cmd = x.resolvedCommand.empty() ? x.command : x.resolvedCommand;
        QString found;
        if (cmd.find('/') != std::string::npos) {
            const QFileInfo fi(QString::fromStdString(cmd));
            if (fi.exists() && fi.isFile() && fi.isExecutable()) found = fi.absoluteFilePath();
        } else {
            QStringList extra;
            for (const auto& p : opts.extraSearchPaths) extra << QString::fromStdString(p);
            if (!extra.isEmpty()) found = QStandardPaths::findExecutable(QString::fromStdString(cmd), extra);
            if (found.isEmpty()) found = QStandardPaths::findExecutable(QString::fromStdString(cmd));
        }
        if (found.isEmpty()) {
            // client-go wrapCmdRunErrorLocked (exec.Error) text, with the installHint.
            std::string msg = "exec: executable " + cmd + " not found (exec plugin of " + userDesc() + ")";
            msg += "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.";
            if (!x.installHint.empty()) msg += "\n\n" + x.installHint;
            return Result<ExecConsentRequest, CredentialError>::fail(CredentialError::PluginNotFound, msg);
        }
        req.command = found.toStdString();
        return req;
    }

    std::string execInfo() const {
        const ExecSpec& x = *conn.auth.exec;
        std::string j = "{\"kind\":\"ExecCredential\",\"apiVersion\":";
        appendJsonString(j, x.apiVersion);
        j += ",\"spec\":{";
        if (x.provideClusterInfo) {
            j += "\"cluster\":{\"server\":";
            appendJsonString(j, conn.server);
            if (!conn.tlsServerName.empty()) {
                j += ",\"tls-server-name\":";
                appendJsonString(j, conn.tlsServerName);
            }
            if (conn.insecureSkipTlsVerify) j += ",\"insecure-skip-tls-verify\":true";
            if (!conn.caPem.empty()) {
                j += ",\"certificate-authority-data\":";
                appendJsonString(j, QByteArray::fromStdString(conn.caPem).toBase64().toStdString());
            }
            if (!conn.proxyUrl.empty()) {
                j += ",\"proxy-url\":";
                appendJsonString(j, conn.proxyUrl);
            }
            if (conn.disableCompression) j += ",\"disable-compression\":true";
            j += ",\"config\":" + (conn.execClusterConfigJson.empty() ? std::string("null") : conn.execClusterConfigJson);
            j += "},";
        }
        j += "\"interactive\":false}}";
        return j;
    }

    R runPlugin() {
        const ExecSpec& x = *conn.auth.exec;
        const std::string who = userDesc();
        if (x.interactiveMode == "Always")
            return R::fail(CredentialError::InteractiveRequired,
                           "exec plugin " + x.command + " of " + who +
                               " needs an interactive terminal (interactiveMode: Always), which Ingress Lab does not "
                               "have: log in once in a terminal (for example kubectl get ns) or set interactiveMode to "
                               "IfAvailable");
        auto req = consentRequest();
        if (!req) return R::fail(req.error().code, req.message());
        const std::string& cmd = req->command;
        if (!opts.consentStore || opts.consentStore->needsConsent(*req))
            return R::fail(CredentialError::ConsentRequired,
                           "exec plugin " + cmd + " of " + who +
                               " has not been approved to run (new, or its command, arguments or environment "
                               "changed); approve it to continue");

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const auto& [name, value] : x.env) env.insert(QString::fromStdString(name), QString::fromStdString(value));
        env.insert(QStringLiteral("KUBERNETES_EXEC_INFO"), QString::fromStdString(execInfo()));
        QProcess p;
        p.setProgram(QString::fromStdString(cmd));
        QStringList args;
        for (const auto& a : x.args) args << QString::fromStdString(a);
        p.setArguments(args);
        p.setProcessEnvironment(env);
        p.setStandardInputFile(QProcess::nullDevice());  // no TTY: interactive is false
        p.setWorkingDirectory(QDir::currentPath());
        ++runs;
        p.start();
        if (!p.waitForStarted(30000))
            return R::fail(CredentialError::PluginNotFound,
                           "exec: cannot start " + cmd + " (exec plugin of " + who + "): " + p.errorString().toStdString());
        QElapsedTimer timer;
        timer.start();
        QByteArray out;
        QByteArray err;
        bool tooLarge = false;
        auto drain = [&] {
            QByteArray chunk = p.readAllStandardOutput();
            if (out.size() + chunk.size() > MAX_PLUGIN_STDOUT) tooLarge = true;
            else out += chunk;
            wipe(chunk);
            err += p.readAllStandardError();
            if (err.size() > MAX_STDERR_TAIL) err = err.right(MAX_STDERR_TAIL);
        };
        std::optional<CredentialError> stopped;
        while (!p.waitForFinished(50)) {
            drain();
            if (p.state() == QProcess::NotRunning) break;
            if (opts.cancel && opts.cancel->load()) stopped = CredentialError::PluginCancelled;
            else if (timer.elapsed() > opts.execTimeout.count()) stopped = CredentialError::PluginTimedOut;
            else if (tooLarge) stopped = CredentialError::PluginBadOutput;
            if (stopped) {
                p.kill();
                p.waitForFinished(5000);
                break;
            }
        }
        drain();
        {
            std::lock_guard lock(mutex);
            stderrTail = err.toStdString();
        }
        if (stopped == CredentialError::PluginCancelled)
            return R::fail(*stopped, "exec plugin " + cmd + " of " + who + " was cancelled");
        if (stopped == CredentialError::PluginTimedOut)
            return R::fail(*stopped, "exec plugin " + cmd + " of " + who + " did not finish within " +
                                         std::to_string(opts.execTimeout.count() / 1000) + " s and was stopped");
        if (tooLarge) {
            wipe(out);
            return R::fail(CredentialError::PluginBadOutput,
                           "exec plugin " + cmd + " of " + who + " wrote more than 4 MiB to stdout");
        }
        if (p.exitStatus() == QProcess::CrashExit) {
            wipe(out);
            return R::fail(CredentialError::PluginFailed, "exec: executable " + cmd + " crashed (exec plugin of " + who + ")");
        }
        if (p.exitCode() != 0) {
            wipe(out);
            return R::fail(CredentialError::PluginFailed, "exec: executable " + cmd + " failed with exit code " +
                                                               std::to_string(p.exitCode()) + " (exec plugin of " + who + ")");
        }
        auto parsed = parseCredential(out, cmd, who);
        wipe(out);
        return parsed;
    }

    R parseCredential(const QByteArray& out, const std::string& cmd, const std::string& who) {
        const ExecSpec& x = *conn.auth.exec;
        auto bad = [&](const std::string& what) {
            return R::fail(CredentialError::PluginBadOutput, "exec plugin " + cmd + " of " + who + ": " + what);
        };
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(out, &pe);
        if (!doc.isObject()) return bad("its output is not an ExecCredential JSON object");
        const QJsonObject o = doc.object();
        if (o.value(QStringLiteral("kind")).toString() != QStringLiteral("ExecCredential"))
            return bad("its output is not of kind ExecCredential");
        const std::string got = o.value(QStringLiteral("apiVersion")).toString().left(100).toStdString();
        if (got != x.apiVersion)
            return bad("exec plugin is configured to use API version " + x.apiVersion + ", plugin returned version " +
                       (got.empty() ? std::string("(none)") : got));
        const QJsonValue st = o.value(QStringLiteral("status"));
        if (!st.isObject()) return bad("exec plugin didn't return a status field");
        const QJsonObject s = st.toObject();
        for (const char* k : {"token", "clientCertificateData", "clientKeyData", "expirationTimestamp"}) {
            const QJsonValue v = s.value(QLatin1String(k));
            if (!v.isUndefined() && !v.isNull() && !v.isString()) return bad(std::string("status.") + k + " is not a string");
        }
        Credentials c = staticBase();
        const std::string token = s.value(QStringLiteral("token")).toString().toStdString();
        const std::string cert = s.value(QStringLiteral("clientCertificateData")).toString().toStdString();
        const std::string key = s.value(QStringLiteral("clientKeyData")).toString().toStdString();
        if (token.empty() && cert.empty() && key.empty()) return bad("exec plugin didn't return a token or cert/key pair");
        if (cert.empty() != key.empty()) return bad("exec plugin returned only certificate or key, not both");
        c.bearerToken = SecretBytes(token);
        if (!cert.empty()) {
            c.clientCertPem = SecretBytes(cert);
            c.clientKeyPem = SecretBytes(key);
        }
        const QString exp = s.value(QStringLiteral("expirationTimestamp")).toString();
        if (!exp.isEmpty()) {
            const QDateTime t = QDateTime::fromString(exp, Qt::ISODateWithMs);
            if (!t.isValid()) return bad("status.expirationTimestamp is not an RFC 3339 time");
            c.expiresAt = Clock::time_point(std::chrono::milliseconds(t.toMSecsSinceEpoch()));
        }
        return publish(std::move(c));
    }

    bool execCacheFresh() const {
        // exec.go isExpired: expired when now is after the expiry; no expiry: never.
        return haveCurrent && (!current.expiresAt || !(now() > *current.expiresAt));
    }
};

CredentialProvider::CredentialProvider(ClusterConnection connection, CredentialOptions options)
    : m(std::make_unique<State>()) {
    m->conn = std::move(connection);
    m->opts = std::move(options);
    const AuthSpec& a = m->conn.auth;
    if (!a.tokenFile.empty()) m->mode = Mode::TokenFile;
    else if (!a.token.empty()) m->mode = Mode::StaticToken;
    else if (a.exec) m->mode = Mode::Exec;
    else if (!a.clientCertPem.empty()) m->mode = Mode::ClientCert;
    else if (!a.authProvider.empty()) m->mode = Mode::AuthProvider;
}

CredentialProvider::~CredentialProvider() = default;

Result<Credentials, CredentialError> CredentialProvider::credentials() {
    switch (m->mode) {
    case Mode::Anonymous:
    case Mode::ClientCert: return m->publish(m->staticBase());
    case Mode::StaticToken: {
        Credentials c = m->staticBase();
        c.bearerToken = m->conn.auth.token;
        return m->publish(std::move(c));
    }
    case Mode::TokenFile: {
        std::lock_guard run(m->runMutex);
        return m->readTokenFile(false);
    }
    case Mode::Exec: {
        std::lock_guard run(m->runMutex);
        {
            std::lock_guard lock(m->mutex);
            if (m->execCacheFresh()) return m->current;
        }
        return m->runPlugin();
    }
    case Mode::AuthProvider: break;
    }
    return R::fail(CredentialError::Unsupported,
                   "auth-provider " + quote(m->conn.auth.authProvider) + " of " + m->userDesc() +
                       " is not supported natively (client-go removed most of them; use an exec plugin such as "
                       "kubelogin or gke-gcloud-auth-plugin, or the kubectl transport)");
}

std::optional<Credentials> CredentialProvider::cachedCredentials() const {
    std::lock_guard lock(m->mutex);
    if (!m->haveCurrent) return std::nullopt;
    if (m->mode == Mode::Exec && !m->execCacheFresh()) return std::nullopt;
    if (m->mode == Mode::TokenFile && m->tokenFileReadAt && m->now() - *m->tokenFileReadAt >= m->opts.tokenFileRefresh)
        return std::nullopt;
    return m->current;
}

Result<Credentials, CredentialError> CredentialProvider::refreshAfterUnauthorized(std::uint64_t rejectedGeneration) {
    if (m->mode == Mode::TokenFile || m->mode == Mode::Exec) {
        std::lock_guard run(m->runMutex);
        {
            std::lock_guard lock(m->mutex);
            // Another request refreshed meanwhile (exec.go maybeRefreshCreds): use the newer credentials.
            if (m->haveCurrent && m->current.generation != rejectedGeneration &&
                (m->mode != Mode::Exec || m->execCacheFresh()))
                return m->current;
        }
        auto r = m->mode == Mode::Exec ? m->runPlugin() : m->readTokenFile(true);
        if (!r || r->generation != rejectedGeneration) return r;
    }
    return R::fail(CredentialError::Rejected,
                   "the API server rejected the credentials (" + describe() + ") of " + m->userDesc());
}

std::optional<Result<ExecConsentRequest, CredentialError>> CredentialProvider::consentRequest() const {
    if (!m->conn.auth.exec) return std::nullopt;
    return m->consentRequest();
}

std::string CredentialProvider::describe() const {
    switch (m->mode) {
    case Mode::Anonymous: return "no credentials";
    case Mode::StaticToken: return "token";
    case Mode::TokenFile: return "tokenFile " + m->conn.auth.tokenFile;
    case Mode::Exec: {
        const ExecSpec& x = *m->conn.auth.exec;
        return "exec plugin " + (x.resolvedCommand.empty() ? x.command : x.resolvedCommand);
    }
    case Mode::ClientCert: return "client certificate";
    case Mode::AuthProvider: return "auth-provider " + m->conn.auth.authProvider;
    }
    return {};
}

std::string CredentialProvider::lastPluginStderr() const {
    std::lock_guard lock(m->mutex);
    return m->stderrTail;
}

int CredentialProvider::pluginRunsForTest() const { return m->runs.load(); }

std::string CredentialProvider::execInfoJson() const { return m->conn.auth.exec ? m->execInfo() : std::string(); }

}  // namespace ilab::kube
