#include "core/kube/kubeconfig.h"

#include <algorithm>
#include <set>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include "core/yaml/document_checks.h"
#include "core/yaml/node_access.h"

namespace ilab::kube {

namespace {

using ilab::yaml::get;

// A kubeconfig larger than this is not a kubeconfig (kind's is ~6 KB, a merged corporate one a few hundred KB).
constexpr qint64 MAX_KUBECONFIG_BYTES = 16 << 20;
// Referenced files (CA bundles, certificates, keys, tokens) are small; refuse a device or a huge file.
constexpr qint64 MAX_REFERENCED_FILE_BYTES = 4 << 20;

const char* const EXEC_EXTENSION = "client.authentication.k8s.io/exec";

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string absolutePath(const std::string& p) {
    return QFileInfo(QString::fromStdString(p)).absoluteFilePath().toStdString();
}

// client-go ResolvePath: empty stays empty, absolute stays as written, relative joins the file's folder (cleaned).
std::string resolveAgainst(const std::string& path, const std::string& file) {
    if (path.empty()) return {};
    const QString p = QString::fromStdString(path);
    if (QDir::isAbsolutePath(p)) return path;
    const QString base = QFileInfo(QString::fromStdString(file)).absolutePath();
    return QDir::cleanPath(base + QLatin1Char('/') + p).toStdString();
}

// Why reading a file failed, in the words Go's os package uses (kubectl's messages quote them).
std::string readFailure(const QString& path, const QFile& f) {
    const QFileInfo info(path);
    if (!info.exists()) return "no such file or directory";
    if (info.isDir()) return "is a directory";
    if (!info.isReadable()) return "permission denied";
    return f.errorString().toStdString();
}

// Reads a small file, or says why not (no content in the message).
std::optional<std::string> readSmallFile(const std::string& path, std::string& why) {
    const QString p = QString::fromStdString(path);
    QFile f(p);
    if (QFileInfo(p).isDir() || !f.open(QIODevice::ReadOnly)) {
        why = readFailure(p, f);
        return std::nullopt;
    }
    if (f.size() > MAX_REFERENCED_FILE_BYTES) {
        why = "larger than " + std::to_string(MAX_REFERENCED_FILE_BYTES >> 20) + " MiB";
        return std::nullopt;
    }
    QByteArray data = f.read(MAX_REFERENCED_FILE_BYTES + 1);
    std::string out(data.constData(), static_cast<std::size_t>(data.size()));
    data.fill('\0');
    return out;
}

// --- typed access to a parsed document ----------------------------------------------------------------------

struct TypeError {
    std::string message;
};

class Reader {
public:
    explicit Reader(std::string file) : m_file(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& n, const std::string& path, const std::string& what) const {
        std::string where = m_file;
        const YAML::Mark m = n.Mark();
        if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
        throw TypeError{where + ": " + path + ": " + what};
    }

    // Strings accept any scalar as written (sigs.k8s.io/yaml converts numbers and booleans for string targets)
    // and null as empty.
    std::string str(const YAML::Node& parent, const std::string& key, const std::string& path) const {
        const YAML::Node n = get(parent, key);
        if (!n.IsDefined() || n.IsNull()) return {};
        if (!n.IsScalar()) fail(n, path + key, "expected a string");
        return n.Scalar();
    }

    bool boolean(const YAML::Node& parent, const std::string& key, const std::string& path) const {
        const YAML::Node n = get(parent, key);
        if (!n.IsDefined() || n.IsNull()) return false;
        if (n.IsScalar() && n.Tag() != "!") {  // a quoted "true" is a string, which Go refuses for a bool
            std::string v = n.Scalar();
            std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
            if (v == "true" || v == "yes" || v == "on" || v == "y") return true;
            if (v == "false" || v == "no" || v == "off" || v == "n") return false;
        }
        fail(n, path + key, "expected true or false");
    }

    std::vector<std::string> strings(const YAML::Node& parent, const std::string& key, const std::string& path) const {
        const YAML::Node n = get(parent, key);
        std::vector<std::string> out;
        if (!n.IsDefined() || n.IsNull()) return out;
        if (!n.IsSequence()) fail(n, path + key, "expected a list of strings");
        for (std::size_t i = 0; i < n.size(); ++i) {
            const YAML::Node item = n[i];
            if (item.IsNull()) {
                out.emplace_back();
                continue;
            }
            if (!item.IsScalar()) fail(item, path + key + "[" + std::to_string(i) + "]", "expected a string");
            out.push_back(item.Scalar());
        }
        return out;
    }

    YAML::Node map(const YAML::Node& parent, const std::string& key, const std::string& path) const {
        const YAML::Node n = get(parent, key);
        if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
        if (!n.IsMap()) fail(n, path + key, "expected a mapping");
        return n;
    }

    // base64 data as Go's encoding/json decodes []byte (StdEncoding, line breaks ignored).
    std::string base64(const YAML::Node& parent, const std::string& key, const std::string& path) const {
        std::string text = str(parent, key, path);
        if (text.empty()) return {};
        QByteArray raw = QByteArray::fromStdString(text);
        raw.replace('\n', QByteArray()).replace('\r', QByteArray());
        auto decoded = QByteArray::fromBase64Encoding(raw, QByteArray::AbortOnBase64DecodingErrors);
        std::fill(text.begin(), text.end(), '\0');
        raw.fill('\0');
        if (!decoded) fail(get(parent, key), path + key, "not valid base64");
        std::string out(decoded.decoded.constData(), static_cast<std::size_t>(decoded.decoded.size()));
        decoded.decoded.fill('\0');
        return out;
    }

    const std::string& file() const { return m_file; }

private:
    std::string m_file;
};

// Go's encoding/json string escaping (including its HTML-safe \u003c \u003e \u0026).
void appendJsonString(std::string& out, const std::string& s) {
    static const char* HEX = "0123456789abcdef";
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<':
        case '>':
        case '&':
            out += "\\u00";
            out += HEX[c >> 4];
            out += HEX[c & 15];
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += HEX[c >> 4];
                out += HEX[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

// YAML 1.1 booleans, as go-yaml v2 (under sigs.k8s.io/yaml) resolves plain scalars; a key "n" becomes "false".
std::optional<bool> yaml11Bool(const YAML::Node& n) {
    if (!n.IsScalar() || n.Tag() == "!") return std::nullopt;
    static const std::set<std::string> T{"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const std::set<std::string> F{"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    if (T.count(n.Scalar())) return true;
    if (F.count(n.Scalar())) return false;
    return std::nullopt;
}

bool isYamlNumber(const YAML::Node& n) {
    try {
        (void)n.as<double>();
        const std::string& s = n.Scalar();
        return !s.empty() && s != ".nan" && s != ".inf" && s != "-.inf";
    } catch (const YAML::Exception&) {
        return false;
    }
}

// A YAML subtree as JSON the way sigs.k8s.io/yaml converts it (maps with sorted keys, YAML 1.1 scalar types).
void appendJson(std::string& out, const YAML::Node& n, int depth) {
    if (depth > 64 || !n.IsDefined() || n.IsNull()) {
        out += "null";
        return;
    }
    if (n.IsMap()) {
        std::map<std::string, YAML::Node> sorted;
        for (auto it = n.begin(); it != n.end(); ++it) {
            if (!it->first.IsScalar()) continue;
            const auto b = yaml11Bool(it->first);
            sorted.emplace(b ? (*b ? "true" : "false") : it->first.Scalar(), it->second);
        }
        out += '{';
        bool first = true;
        for (const auto& [k, v] : sorted) {
            if (!first) out += ',';
            first = false;
            appendJsonString(out, k);
            out += ':';
            appendJson(out, v, depth + 1);
        }
        out += '}';
        return;
    }
    if (n.IsSequence()) {
        out += '[';
        for (std::size_t i = 0; i < n.size(); ++i) {
            if (i) out += ',';
            appendJson(out, n[i], depth + 1);
        }
        out += ']';
        return;
    }
    const std::string& s = n.Scalar();
    if (n.Tag() != "!") {
        if (const auto b = yaml11Bool(n)) {
            out += *b ? "true" : "false";
            return;
        }
        if (isYamlNumber(n)) {
            out += s;
            return;
        }
    }
    appendJsonString(out, s);
}

// --- one file -------------------------------------------------------------------------------------------------

struct FileConfig {
    std::string currentContext;
    std::vector<std::pair<std::string, KubeconfigCluster>> clusters;
    std::vector<std::pair<std::string, KubeconfigUser>> users;
    std::vector<std::pair<std::string, KubeconfigContext>> contexts;
};

ExecSpec parseExec(const Reader& r, const YAML::Node& e, const std::string& path, const std::string& file) {
    ExecSpec x;
    x.apiVersion = r.str(e, "apiVersion", path);
    x.command = r.str(e, "command", path);
    x.args = r.strings(e, "args", path);
    const YAML::Node env = get(e, "env");
    if (env.IsDefined() && !env.IsNull()) {
        if (!env.IsSequence()) r.fail(env, path + "env", "expected a list of {name, value}");
        for (std::size_t i = 0; i < env.size(); ++i) {
            const YAML::Node item = env[i];
            const std::string p = path + "env[" + std::to_string(i) + "].";
            if (!item.IsMap()) r.fail(item, path + "env[" + std::to_string(i) + "]", "expected {name, value}");
            x.env.emplace_back(r.str(item, "name", p), r.str(item, "value", p));
        }
    }
    x.interactiveMode = r.str(e, "interactiveMode", path);
    // clientcmd/api/v1 SetDefaults_ExecConfig: v1beta1 (and v1alpha1) default to IfAvailable; v1 must say.
    if (x.interactiveMode.empty() && (x.apiVersion == "client.authentication.k8s.io/v1beta1" ||
                                      x.apiVersion == "client.authentication.k8s.io/v1alpha1"))
        x.interactiveMode = "IfAvailable";
    x.provideClusterInfo = r.boolean(e, "provideClusterInfo", path);
    x.installHint = r.str(e, "installHint", path);
    // clientcmd ResolveLocalPaths: a command with a path separator is a path relative to the kubeconfig.
    x.resolvedCommand = x.command.find('/') != std::string::npos ? resolveAgainst(x.command, file) : x.command;
    return x;
}

template <class T, class F>
void parseNamedList(const Reader& r, const YAML::Node& root, const char* listKey, const char* itemKey,
                    std::vector<std::pair<std::string, T>>& out, F parseItem) {
    const YAML::Node list = get(root, listKey);
    if (!list.IsDefined() || list.IsNull()) return;
    if (!list.IsSequence()) r.fail(list, listKey, std::string("expected a list of {name, ") + itemKey + "}");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const std::string path = std::string(listKey) + "[" + std::to_string(i) + "]";
        if (!item.IsMap()) r.fail(item, path, std::string("expected {name, ") + itemKey + "}");
        const std::string name = r.str(item, "name", path + ".");
        // client-go's v1 → internal conversion refuses a name twice in one file.
        if (!seen.insert(name).second) r.fail(item, path + ".name", "duplicate name " + quote(name) + " in list");
        const YAML::Node body = r.map(item, itemKey, path + ".");
        out.emplace_back(name, parseItem(body, path + "." + itemKey + "."));
    }
}

// extensions: [{name, extension: {provider: ...}}] -> the first provider string (minikube's cluster_info and
// context_info carry "minikube.sigs.k8s.io"). Odd shapes are ignored: extensions are opaque to kubectl.
std::string extensionProvider(const YAML::Node& entry) {
    const YAML::Node ext = get(entry, "extensions");
    if (!ext.IsSequence()) return {};
    for (std::size_t i = 0; i < ext.size(); ++i) {
        const YAML::Node item = ext[i];
        if (!item.IsMap()) continue;
        const YAML::Node e = get(item, "extension");
        if (!e.IsMap()) continue;
        const YAML::Node provider = get(e, "provider");
        if (provider.IsScalar()) return provider.Scalar();
    }
    return {};
}

Result<FileConfig, KubeconfigError> parseFile(const std::string& file, const std::string& text) {
    FileConfig fc;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return fc;  // client-go: empty file = empty config
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        std::string where = file;
        if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
        return Result<FileConfig, KubeconfigError>::fail(KubeconfigError::Malformed,
                                                         where + ": not valid YAML: " + e.msg);
    }
    for (const auto& p : ilab::yaml::checkDocument(doc, text.size())) {
        if (p.kind == ilab::yaml::DocumentProblem::Kind::ExcessiveAliasing)
            return Result<FileConfig, KubeconfigError>::fail(
                KubeconfigError::Malformed,
                file + ":" + std::to_string(p.line + 1) + ":" + std::to_string(p.column + 1) + ": " + p.message);
    }
    if (doc.IsNull()) return fc;
    const Reader r(file);
    try {
        if (!doc.IsMap()) r.fail(doc, "(document)", "expected a kubeconfig mapping (apiVersion: v1, kind: Config)");
        fc.currentContext = r.str(doc, "current-context", "");
        parseNamedList(r, doc, "clusters", "cluster", fc.clusters, [&](const YAML::Node& c, const std::string& path) {
            KubeconfigCluster k;
            k.server = r.str(c, "server", path);
            k.certificateAuthority = resolveAgainst(r.str(c, "certificate-authority", path), file);
            k.certificateAuthorityData = r.base64(c, "certificate-authority-data", path);
            k.tlsServerName = r.str(c, "tls-server-name", path);
            k.insecureSkipTlsVerify = r.boolean(c, "insecure-skip-tls-verify", path);
            k.proxyUrl = r.str(c, "proxy-url", path);
            k.disableCompression = r.boolean(c, "disable-compression", path);
            const YAML::Node ext = get(c, "extensions");
            if (ext.IsDefined() && !ext.IsNull()) {
                if (!ext.IsSequence()) r.fail(ext, path + "extensions", "expected a list of {name, extension}");
                for (std::size_t i = 0; i < ext.size(); ++i) {
                    const YAML::Node item = ext[i];
                    if (!item.IsMap())
                        r.fail(item, path + "extensions[" + std::to_string(i) + "]", "expected {name, extension}");
                    if (r.str(item, "name", path) == EXEC_EXTENSION && k.execConfigJson.empty())
                        appendJson(k.execConfigJson, get(item, "extension"), 0);
                }
            }
            k.extensionProvider = extensionProvider(c);
            k.sourceFile = file;
            return k;
        });
        parseNamedList(r, doc, "users", "user", fc.users, [&](const YAML::Node& u, const std::string& path) {
            KubeconfigUser k;
            k.clientCertificate = resolveAgainst(r.str(u, "client-certificate", path), file);
            k.clientCertificateData = SecretBytes(r.base64(u, "client-certificate-data", path));
            k.clientKey = resolveAgainst(r.str(u, "client-key", path), file);
            k.clientKeyData = SecretBytes(r.base64(u, "client-key-data", path));
            k.token = SecretBytes(r.str(u, "token", path));
            k.tokenFile = resolveAgainst(r.str(u, "tokenFile", path), file);
            const YAML::Node exec = r.map(u, "exec", path);
            if (exec.IsDefined()) k.exec = parseExec(r, exec, path + "exec.", file);
            const YAML::Node ap = r.map(u, "auth-provider", path);
            if (ap.IsDefined()) k.authProvider = r.str(ap, "name", path + "auth-provider.");
            k.hasBasicAuth = !r.str(u, "username", path).empty() || !r.str(u, "password", path).empty();
            k.impersonate = r.str(u, "as", path);
            k.impersonateGroups = r.strings(u, "as-groups", path);
            k.extensionProvider = extensionProvider(u);
            k.sourceFile = file;
            return k;
        });
        parseNamedList(r, doc, "contexts", "context", fc.contexts, [&](const YAML::Node& c, const std::string& path) {
            KubeconfigContext k;
            k.cluster = r.str(c, "cluster", path);
            k.user = r.str(c, "user", path);
            k.ns = r.str(c, "namespace", path);
            k.extensionProvider = extensionProvider(c);
            k.sourceFile = file;
            return k;
        });
    } catch (const TypeError& e) {
        return Result<FileConfig, KubeconfigError>::fail(KubeconfigError::Malformed, e.message);
    } catch (const YAML::Exception& e) {  // defensive: yaml-cpp conversions on odd nodes
        return Result<FileConfig, KubeconfigError>::fail(KubeconfigError::Malformed,
                                                         file + ": cannot read the kubeconfig: " + e.msg);
    }
    return fc;
}

template <class T>
void mergeFirstWins(std::map<std::string, T>& into, std::vector<std::pair<std::string, T>>& from) {
    for (auto& [name, entry] : from) into.try_emplace(name, std::move(entry));  // whole entry, first file wins
}

std::string joinErrors(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
    return out;
}

// Shows a proxy URL without its user info (a password may be in it).
std::string redactUrl(const std::string& url) {
    QUrl u(QString::fromStdString(url));
    if (!u.isValid()) return "(unparsable URL)";
    if (!u.userInfo().isEmpty()) u.setUserInfo(QStringLiteral("xxxxx"));
    return u.toString().toStdString();
}

}  // namespace

std::vector<std::string> Kubeconfig::contextNames() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : contexts) out.push_back(name);
    return out;
}

std::string Kubeconfig::filesForMessages() const {
    if (files.empty()) return "(no kubeconfig file)";
    std::string out;
    for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
    return out;
}

std::vector<std::string> kubeconfigPaths(const KubeconfigOptions& options) {
    if (!options.kubeconfigFlag.empty()) return {absolutePath(options.kubeconfigFlag)};
    std::string env;
    if (options.kubeconfigEnv) env = *options.kubeconfigEnv;
    else env = qEnvironmentVariable("KUBECONFIG").toStdString();
    std::vector<std::string> out;
    if (!env.empty()) {
        std::set<std::string> seen;
        std::size_t start = 0;
        while (start <= env.size()) {
            std::size_t end = env.find(':', start);
            if (end == std::string::npos) end = env.size();
            const std::string item = env.substr(start, end - start);
            if (!item.empty()) {
                const std::string abs = absolutePath(item);
                if (seen.insert(abs).second) out.push_back(abs);
            }
            start = end + 1;
        }
        if (!out.empty()) return out;
    }
    const std::string home = options.home.empty() ? QDir::homePath().toStdString() : options.home;
    return {QDir::cleanPath(QString::fromStdString(home) + QStringLiteral("/.kube/config")).toStdString()};
}

Result<Kubeconfig, KubeconfigError> loadKubeconfig(const KubeconfigOptions& options) {
    using R = Result<Kubeconfig, KubeconfigError>;
    Kubeconfig merged;
    const bool explicitFile = !options.kubeconfigFlag.empty();
    for (const std::string& path : kubeconfigPaths(options)) {
        const QString qp = QString::fromStdString(path);
        QFile f(qp);
        const QFileInfo info(qp);
        if (!info.exists()) {
            if (explicitFile)
                return R::fail(KubeconfigError::FileNotFound, "kubeconfig file " + path + " (--kubeconfig) does not exist");
            continue;  // loader.go: missing files in the list (and a missing ~/.kube/config) are skipped
        }
        if (info.isDir() || !f.open(QIODevice::ReadOnly))
            return R::fail(KubeconfigError::FileUnreadable, "cannot read kubeconfig " + path + ": " + readFailure(qp, f));
        if (f.size() > MAX_KUBECONFIG_BYTES)
            return R::fail(KubeconfigError::FileUnreadable,
                           "kubeconfig " + path + " is larger than " + std::to_string(MAX_KUBECONFIG_BYTES >> 20) + " MiB");
        QByteArray data = f.read(MAX_KUBECONFIG_BYTES + 1);
        std::string text(data.constData(), static_cast<std::size_t>(data.size()));
        data.fill('\0');
        auto parsed = parseFile(path, text);
        std::fill(text.begin(), text.end(), '\0');
        if (!parsed) return R::fail(parsed.error().code, parsed.message());
        merged.files.push_back(path);
        FileConfig& fc = parsed.value();
        if (merged.currentContext.empty() && !fc.currentContext.empty()) {
            merged.currentContext = fc.currentContext;
            merged.currentContextSource = path;
        }
        mergeFirstWins(merged.clusters, fc.clusters);
        mergeFirstWins(merged.users, fc.users);
        mergeFirstWins(merged.contexts, fc.contexts);
    }
    return merged;
}

Result<ClusterConnection, KubeconfigError> resolveContext(const Kubeconfig& config, const std::string& contextName,
                                                          const std::string& namespaceOverride) {
    using R = Result<ClusterConnection, KubeconfigError>;
    const std::string where = config.filesForMessages();
    const std::string name = contextName.empty() ? config.currentContext : contextName;
    if (name.empty())
        return R::fail(KubeconfigError::NoContext,
                       "no context chosen: current-context is not set in " + where + " and no --context was given");
    const auto ctxIt = config.contexts.find(name);
    if (ctxIt == config.contexts.end()) {
        std::string msg = "context " + quote(name) + " not found in " + where;
        if (contextName.empty()) msg += " (it is the current-context set in " + config.currentContextSource + ")";
        return R::fail(KubeconfigError::ContextNotFound, msg);
    }
    const KubeconfigContext& ctx = ctxIt->second;
    if (ctx.cluster.empty())
        return R::fail(KubeconfigError::ClusterNotFound,
                       "context " + quote(name) + " in " + ctx.sourceFile + " names no cluster");
    const auto clIt = config.clusters.find(ctx.cluster);
    if (clIt == config.clusters.end())
        return R::fail(KubeconfigError::ClusterNotFound,
                       "cluster " + quote(ctx.cluster) + " of context " + quote(name) + " is not defined in " + where);
    // kubectl goes on anonymously when the user entry is missing; a dangling name is almost always a typo or a
    // half-merged file, so we say so instead of failing later with 401/403.
    const KubeconfigUser* user = nullptr;
    if (!ctx.user.empty()) {
        const auto uIt = config.users.find(ctx.user);
        if (uIt == config.users.end())
            return R::fail(KubeconfigError::UserNotFound,
                           "user " + quote(ctx.user) + " of context " + quote(name) + " is not defined in " + where);
        user = &uIt->second;
    }
    const KubeconfigCluster& cl = clIt->second;

    ClusterConnection c;
    c.contextName = name;
    c.clusterName = ctx.cluster;
    c.userName = ctx.user;
    c.server = cl.server;
    c.tlsServerName = cl.tlsServerName;
    c.insecureSkipTlsVerify = cl.insecureSkipTlsVerify;
    c.proxyUrl = cl.proxyUrl;
    c.disableCompression = cl.disableCompression;
    c.execClusterConfigJson = cl.execConfigJson;
    c.clusterSourceFile = cl.sourceFile;
    c.ns = !namespaceOverride.empty() ? namespaceOverride : (!ctx.ns.empty() ? ctx.ns : std::string("default"));

    // Cluster checks: clientcmd validateClusterInfo, then transport.TLSConfigFor (insecure + CA). The texts in
    // quotes are kubectl's; " (in FILE)" is ours.
    std::vector<std::string> errors;
    KubeconfigError code = KubeconfigError::Invalid;
    auto add = [&](KubeconfigError k, std::string msg) {
        if (errors.empty()) code = k;
        errors.push_back(std::move(msg));
    };
    const std::string clIn = " (cluster " + quote(ctx.cluster) + " in " + cl.sourceFile + ")";
    if (cl.server.empty()) add(KubeconfigError::Invalid, "no server found for cluster " + quote(ctx.cluster) + clIn);
    if (!cl.proxyUrl.empty()) {
        const QUrl u(QString::fromStdString(cl.proxyUrl), QUrl::StrictMode);
        const QString scheme = u.scheme();
        if (!u.isValid() || u.host().isEmpty())
            add(KubeconfigError::Invalid, "invalid 'proxy-url' " + quote(redactUrl(cl.proxyUrl)) + " for cluster " +
                                              quote(ctx.cluster) + ": not a URL" + clIn);
        else if (scheme != "http" && scheme != "https" && scheme != "socks5")
            add(KubeconfigError::Invalid, "invalid 'proxy-url' " + quote(redactUrl(cl.proxyUrl)) + " for cluster " +
                                              quote(ctx.cluster) + ": unsupported scheme " + quote(scheme.toStdString()) +
                                              ", must be http, https, or socks5" + clIn);
    }
    if (!cl.certificateAuthority.empty() && !cl.certificateAuthorityData.empty())
        add(KubeconfigError::Invalid, "certificate-authority-data and certificate-authority are both specified for " +
                                          ctx.cluster + ". certificate-authority-data will override." + clIn);
    if (!cl.certificateAuthorityData.empty()) {
        c.caPem = cl.certificateAuthorityData;
    } else if (!cl.certificateAuthority.empty()) {
        std::string why;
        auto ca = readSmallFile(cl.certificateAuthority, why);
        if (!ca)
            add(KubeconfigError::ReferencedFileUnreadable,
                "unable to read certificate-authority " + cl.certificateAuthority + " for " + ctx.cluster + " due to " +
                    why + clIn);
        else c.caPem = std::move(*ca);
    }
    if (cl.insecureSkipTlsVerify && (!cl.certificateAuthority.empty() || !cl.certificateAuthorityData.empty()))
        add(KubeconfigError::Invalid, "specifying a root certificates file with the insecure flag is not allowed" + clIn);

    // User checks: clientcmd validateAuthInfo + getUserIdentificationPartialConfig.
    if (user) {
        const KubeconfigUser& u = *user;
        const std::string& un = ctx.user;
        const std::string uIn = " (user " + quote(un) + " in " + u.sourceFile + ")";
        c.userSourceFile = u.sourceFile;
        AuthSpec& a = c.auth;
        a.token = u.token;
        a.tokenFile = u.tokenFile;
        a.authProvider = u.authProvider;
        a.impersonate = u.impersonate;
        a.impersonateGroups = u.impersonateGroups;
        if (u.hasBasicAuth)
            add(KubeconfigError::Invalid, "basic authentication (username/password) of user " + quote(un) +
                                              " is not supported: the API server removed it in 1.19" + uIn);
        if (!u.token.empty() && u.hasBasicAuth)
            add(KubeconfigError::Invalid, "more than one authentication method found for " + un +
                                              "; found [token basicAuth], only one is allowed" + uIn);
        const bool hasCert = !u.clientCertificate.empty() || !u.clientCertificateData.empty();
        if (hasCert) {
            if (!u.clientCertificate.empty() && !u.clientCertificateData.empty())
                add(KubeconfigError::Invalid, "client-cert-data and client-cert are both specified for " + un +
                                                  ". client-cert-data will override." + uIn);
            if (!u.clientKey.empty() && !u.clientKeyData.empty())
                add(KubeconfigError::Invalid, "client-key-data and client-key are both specified for " + un +
                                                  "; client-key-data will override" + uIn);
            if (u.clientKey.empty() && u.clientKeyData.empty())
                add(KubeconfigError::Invalid, "client-key-data or client-key must be specified for " + un +
                                                  " to use the clientCert authentication method." + uIn);
        }
        // client-go reads the files even when data is also present (that case is an error above anyway).
        if (!u.clientCertificateData.empty()) {
            a.clientCertPem = u.clientCertificateData;
        } else if (!u.clientCertificate.empty()) {
            std::string why;
            auto pem = readSmallFile(u.clientCertificate, why);
            if (!pem)
                add(KubeconfigError::ReferencedFileUnreadable,
                    "unable to read client-cert " + u.clientCertificate + " for " + un + " due to " + why + uIn);
            else a.clientCertPem = SecretBytes(std::move(*pem));
        }
        if (!u.clientKeyData.empty()) {
            a.clientKeyPem = u.clientKeyData;
        } else if (!u.clientKey.empty()) {
            std::string why;
            auto pem = readSmallFile(u.clientKey, why);
            if (!pem)
                add(KubeconfigError::ReferencedFileUnreadable,
                    "unable to read client-key " + u.clientKey + " for " + un + " due to " + why + uIn);
            else a.clientKeyPem = SecretBytes(std::move(*pem));
        }
        // client-go reads tokenFile at configuration time when there is no token to fall back on.
        if (u.token.empty() && !u.tokenFile.empty()) {
            std::string why;
            auto tok = readSmallFile(u.tokenFile, why);
            if (!tok)
                add(KubeconfigError::ReferencedFileUnreadable,
                    "unable to read tokenFile " + u.tokenFile + " for " + un + " due to " + why + uIn);
            else std::fill(tok->begin(), tok->end(), '\0');
        }
        if (u.exec) {
            const ExecSpec& x = *u.exec;
            if (!u.authProvider.empty())
                add(KubeconfigError::Invalid,
                    "authProvider cannot be provided in combination with an exec plugin for " + un + uIn);
            if (x.command.empty())
                add(KubeconfigError::Invalid, "command must be specified for " + un + " to use exec authentication plugin" + uIn);
            if (x.apiVersion.empty())
                add(KubeconfigError::Invalid,
                    "apiVersion must be specified for " + un + " to use exec authentication plugin" + uIn);
            else if (x.apiVersion != "client.authentication.k8s.io/v1" &&
                     x.apiVersion != "client.authentication.k8s.io/v1beta1")
                add(KubeconfigError::Invalid, "exec plugin: invalid apiVersion " + quote(x.apiVersion) + " for " + un +
                                                  " (supported: client.authentication.k8s.io/v1, /v1beta1)" + uIn);
            for (const auto& [envName, _] : x.env) {
                if (envName.empty()) {
                    add(KubeconfigError::Invalid,
                        "env variable name must be specified for " + un + " to use exec authentication plugin" + uIn);
                    break;
                }
            }
            if (x.interactiveMode.empty())
                add(KubeconfigError::Invalid,
                    "interactiveMode must be specified for " + un + " to use exec authentication plugin" + uIn);
            else if (x.interactiveMode != "Never" && x.interactiveMode != "IfAvailable" && x.interactiveMode != "Always")
                add(KubeconfigError::Invalid, "invalid interactiveMode for " + un + ": " + quote(x.interactiveMode) + uIn);
            a.exec = x;
        }
    }
    if (!errors.empty()) return R::fail(code, joinErrors(errors));
    return c;
}

Result<ClusterConnection, KubeconfigError> resolveKubeconfig(const KubeconfigOptions& options) {
    auto cfg = loadKubeconfig(options);
    if (!cfg) return Result<ClusterConnection, KubeconfigError>::fail(cfg.error().code, cfg.message());
    return resolveContext(cfg.value(), options.contextOverride, options.namespaceOverride);
}

}  // namespace ilab::kube
