#include "core/kube/exec_consent.h"

#include <algorithm>
#include <cctype>

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace ilab::kube {

namespace {

constexpr qint64 MAX_STORE_BYTES = 4 << 20;

std::string shellQuote(const std::string& w) {
    if (w.empty()) return "''";
    const bool plain = std::all_of(w.begin(), w.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '=' || c == ':' || c == ',' ||
               c == '@' || c == '+' || c == '%';
    });
    if (plain) return w;
    std::string out = "'";
    for (char c : w) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

QJsonArray readGrants(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly) || f.size() > MAX_STORE_BYTES) return {};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    if (!doc.isObject()) return {};
    return doc.object().value(QStringLiteral("grants")).toArray();
}

Result<bool, ConsentStoreError> writeGrants(const QString& path, const QJsonArray& grants) {
    const QFileInfo info(path);
    QDir dir = info.absoluteDir();
    if (!dir.exists()) {
        if (!QDir().mkpath(dir.absolutePath()))
            return Result<bool, ConsentStoreError>::fail(ConsentStoreError::Unwritable,
                                                         "cannot create " + dir.absolutePath().toStdString());
        QFile::setPermissions(dir.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Result<bool, ConsentStoreError>::fail(ConsentStoreError::Unwritable,
                                                     "cannot write " + path.toStdString() + ": " + f.errorString().toStdString());
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QJsonObject root;
    root.insert(QStringLiteral("version"), 1);
    root.insert(QStringLiteral("grants"), grants);
    f.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return Result<bool, ConsentStoreError>::fail(ConsentStoreError::Unwritable,
                                                     "cannot write " + path.toStdString() + ": " + f.errorString().toStdString());
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

QJsonArray toJson(const std::vector<std::string>& v) {
    QJsonArray a;
    for (const auto& s : v) a.append(QString::fromStdString(s));
    return a;
}

}  // namespace

std::string ExecConsentRequest::commandLine() const {
    std::string out = shellQuote(command);
    for (const auto& a : args) out += " " + shellQuote(a);
    return out;
}

std::string ExecConsentRequest::hash() const {
    QCryptographicHash h(QCryptographicHash::Sha256);
    auto field = [&](const std::string& s) {
        const quint64 n = s.size();
        h.addData(QByteArrayView(reinterpret_cast<const char*>(&n), sizeof n));
        h.addData(QByteArrayView(s.data(), static_cast<qsizetype>(s.size())));
    };
    field("ingress-lab exec consent v1");
    field(kubeconfigFile);
    field(userName);
    field(command);
    field(std::to_string(args.size()));
    for (const auto& a : args) field(a);
    field(std::to_string(envNames.size()));
    for (const auto& e : envNames) field(e);
    return h.result().toHex().toStdString();
}

ExecConsentStore::ExecConsentStore(std::string path) : m_path(std::move(path)) {}

std::string ExecConsentStore::defaultPath() {
    QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base)) base = QDir::homePath() + QStringLiteral("/.config");
    return (base + QStringLiteral("/ingress-lab/exec-consent.json")).toStdString();
}

bool ExecConsentStore::needsConsent(const ExecConsentRequest& request) const {
    std::lock_guard lock(m_mutex);
    const QString h = QString::fromStdString(request.hash());
    for (const auto& g : readGrants(QString::fromStdString(m_path))) {
        if (g.toObject().value(QStringLiteral("hash")).toString() == h) return false;
    }
    return true;
}

Result<bool, ConsentStoreError> ExecConsentStore::grant(const ExecConsentRequest& request) {
    std::lock_guard lock(m_mutex);
    const QString path = QString::fromStdString(m_path);
    QJsonArray grants = readGrants(path);
    const QString h = QString::fromStdString(request.hash());
    for (const auto& g : grants) {
        if (g.toObject().value(QStringLiteral("hash")).toString() == h) return true;
    }
    QJsonObject g;
    g.insert(QStringLiteral("kubeconfig"), QString::fromStdString(request.kubeconfigFile));
    g.insert(QStringLiteral("user"), QString::fromStdString(request.userName));
    g.insert(QStringLiteral("command"), QString::fromStdString(request.command));
    g.insert(QStringLiteral("args"), toJson(request.args));
    g.insert(QStringLiteral("envNames"), toJson(request.envNames));
    g.insert(QStringLiteral("hash"), h);
    g.insert(QStringLiteral("grantedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    grants.append(g);
    return writeGrants(path, grants);
}

Result<bool, ConsentStoreError> ExecConsentStore::revoke(const ExecConsentRequest& request) {
    std::lock_guard lock(m_mutex);
    const QString path = QString::fromStdString(m_path);
    const QJsonArray grants = readGrants(path);
    const QString h = QString::fromStdString(request.hash());
    QJsonArray kept;
    for (const auto& g : grants) {
        if (g.toObject().value(QStringLiteral("hash")).toString() != h) kept.append(g);
    }
    if (kept.size() == grants.size()) return false;
    auto w = writeGrants(path, kept);
    if (!w) return w;
    return true;
}

}  // namespace ilab::kube
