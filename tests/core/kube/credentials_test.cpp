// CredentialProvider (core/kube/credentials.h) and the exec-plugin consent store, with real shell-script plugins
// that log every run, their arguments, environment and KUBERNETES_EXEC_INFO; the latter is compared with what
// kubectl hands the same plugin.

#include <thread>

#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTest>

#include "core/kube/credentials.h"
#include "core/kube/kubeconfig.h"
#include "tests/core/kube/kube_fixture.h"

using namespace ilab::kube;
using ilab::testing::kube::FixtureDir;
using ilab::testing::kube::kubectl;
using ilab::testing::kube::kubectlMinorVersion;
using ilab::testing::kube::kKubectlExecV1Minor;
using namespace std::chrono_literals;

namespace {

// Logs each run (one line in runs), its KUBERNETES_EXEC_INFO (info-N.json), args and LAB_EXTRA; MODE picks the
// answer. Never prints anything it was given.
const QByteArray PLUGIN = R"SH(#!/bin/sh
d="$(dirname "$0")/.."
echo x >> "$d/runs"
n=$(wc -l < "$d/runs" | tr -d ' ')
printf '%s' "$KUBERNETES_EXEC_INFO" > "$d/info-$n.json"
printf '%s\n' "$@" > "$d/args"
printf '%s' "$LAB_EXTRA" > "$d/env"
if [ -t 0 ]; then echo tty > "$d/stdin"; else echo notty > "$d/stdin"; fi
case "$MODE" in
  fail) echo "please run: lab-login" >&2; exit 3 ;;
  slow) sleep "$SLEEP" ;;
  cert) printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"CERT-%s","clientKeyData":"KEY-%s"}}' "$API" "$n" "$n"; exit 0 ;;
  onlycert) printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"C"}}' "$API"; exit 0 ;;
  badver) printf '{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN"; exit 0 ;;
  nostatus) printf '{"apiVersion":"%s","kind":"ExecCredential"}' "$API"; exit 0 ;;
  garbage) printf 'not json %s' "$TOKEN"; exit 0 ;;
  secret) printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"}}' "$API" "$TOKEN"; exit 0 ;;
esac
if [ -n "$EXP" ]; then exp=",\"expirationTimestamp\":\"$EXP\""; else exp=""; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s"%s}}' "$API" "$n" "$exp"
)SH";

// A real self-signed CA (kubectl parses the CA before it runs the plugin), made once with the openssl binary.
QByteArray realCaPem() {
    static const QByteArray pem = [] {
        FixtureDir d;
        QProcess p;
        p.start("openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                            "-subj", "/CN=lab-ca", "-days", "2", "-keyout", d.file("ca.key"), "-out", d.file("ca.crt")});
        p.waitForFinished(30000);
        return d.read("ca.crt");
    }();
    return pem;
}

struct ExecFixture {
    QString mode;
    QString exp;
    QString interactive = "Never";
    QString api = "client.authentication.k8s.io/v1";
    QString args = "[--cluster, real]";
    QString extraEnv;  // more "{name: X, value: Y}, " entries
    bool provideClusterInfo = true;
};

QString writeExecConfig(const FixtureDir& d, const ExecFixture& f) {
    d.write("kc/bin/plugin.sh", PLUGIN, true);
    d.write("kc/ca.crt", realCaPem());
    QByteArray y = "current-context: x\nclusters:\n- name: real\n  cluster:\n    server: https://127.0.0.1:1\n"
                   "    certificate-authority: ca.crt\n    tls-server-name: kubernetes.default.svc\n"
                   "    extensions:\n    - name: client.authentication.k8s.io/exec\n      extension: {audience: lab, n: 3}\n"
                   "users:\n- name: eu\n  user:\n    exec:\n      apiVersion: " + f.api.toUtf8() +
                   "\n      command: ./bin/plugin.sh\n      args: " + f.args.toUtf8() +
                   "\n      env: [" + f.extraEnv.toUtf8() + "{name: LAB_EXTRA, value: hello}, {name: API, value: " + f.api.toUtf8() +
                   "}, {name: MODE, value: '" + f.mode.toUtf8() + "'}, {name: EXP, value: '" + f.exp.toUtf8() + "'}]\n"
                   "      interactiveMode: " + f.interactive.toUtf8() + "\n      provideClusterInfo: " +
                   (f.provideClusterInfo ? "true" : "false") + "\n      installHint: 'try: apt install lab-login'\n"
                   "contexts:\n- name: x\n  context: {cluster: real, user: eu}\n";
    return d.write("kc/config", y);
}

ClusterConnection resolve(const QString& config) {
    KubeconfigOptions o;
    o.kubeconfigFlag = config.toStdString();
    auto r = resolveKubeconfig(o);
    if (!r) qFatal("resolve failed: %s", r.message().c_str());
    return r.value();
}

int runs(const FixtureDir& d) { return d.read("kc/runs").count('\n'); }

struct FakeClock {
    std::chrono::system_clock::time_point t;
    std::function<std::chrono::system_clock::time_point()> fn() {
        return [this] { return t; };
    }
};

std::chrono::system_clock::time_point utc(const char* iso) {
    return std::chrono::system_clock::time_point(
        std::chrono::milliseconds(QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toMSecsSinceEpoch()));
}

}  // namespace

class CredentialsTest : public QObject {
    Q_OBJECT

private slots:
    void staticTokenAndCertificate();
    void tokenFileWinsAndIsReReadOncePerMinute();
    void tokenFileFallsBackToToken();
    void consentGatesThePlugin();
    void consentStoreFileIsPrivate();
    void execCachesUntilExpiry();
    void execWithoutExpiryRunsOnce();
    void execRefreshOnceOn401();
    void execSingleFlight();
    void execInfoMatchesKubectl_data();
    void execInfoMatchesKubectl();
    void execReturnsCertificate();
    void execErrors_data();
    void execErrors();
    void execInteractiveAlwaysIsRefused();
    void execTimeoutAndCancel();
    void authProviderUnsupported();
    void noSecretInAnyMessage();
};

void CredentialsTest::staticTokenAndCertificate() {
    FixtureDir d;
    const QString cfg = d.write("config", "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://c:1'}\n"
                                          "users:\n- name: u\n  user: {token: static-tok, client-certificate-data: " +
                                              QByteArray("CERT").toBase64() + ", client-key-data: " + QByteArray("KEY").toBase64() +
                                              "}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n");
    CredentialProvider p(resolve(cfg), {});
    auto c = p.credentials();
    QVERIFY(c.ok());
    QCOMPARE(c->bearerToken.reveal(), std::string("static-tok"));
    QCOMPARE(c->clientCertPem.reveal(), std::string("CERT"));
    QCOMPARE(c->clientKeyPem.reveal(), std::string("KEY"));
    QVERIFY(p.cachedCredentials().has_value());
    auto again = p.refreshAfterUnauthorized(c->generation);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, CredentialError::Rejected);
    QCOMPARE(p.describe(), std::string("token"));
}

void CredentialsTest::tokenFileWinsAndIsReReadOncePerMinute() {
    FixtureDir d;
    d.write("t/token", "from-file-1\n");
    const QString cfg = d.write("config", "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://c:1'}\n"
                                          "users:\n- name: u\n  user: {token: kubeconfig-token, tokenFile: t/token}\n"
                                          "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
    FakeClock clock{utc("2030-01-01T00:00:00Z")};
    CredentialOptions o;
    o.now = clock.fn();
    CredentialProvider p(resolve(cfg), o);
    auto c1 = p.credentials();
    QVERIFY(c1.ok());
    QCOMPARE(c1->bearerToken.reveal(), std::string("from-file-1"));  // tokenFile wins, trimmed
    d.write("t/token", "from-file-2");
    clock.t += 59s;
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("from-file-1"));  // not re-read within a minute
    clock.t += 2s;
    auto c2 = p.credentials();
    QCOMPARE(c2->bearerToken.reveal(), std::string("from-file-2"));
    QVERIFY(c2->generation != c1->generation);
    // a 401: re-read now (the file changed again)
    d.write("t/token", "from-file-3");
    auto c3 = p.refreshAfterUnauthorized(c2->generation);
    QVERIFY(c3.ok());
    QCOMPARE(c3->bearerToken.reveal(), std::string("from-file-3"));
    // a 401 with nothing new in the file: no retry
    QCOMPARE(p.refreshAfterUnauthorized(c3->generation).error().code, CredentialError::Rejected);
    // the file disappears: the last good value stays (client-go cachingTokenSource)
    QFile::remove(d.file("t/token"));
    clock.t += 120s;
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("from-file-3"));
}

void CredentialsTest::tokenFileFallsBackToToken() {
    FixtureDir d;
    const QString cfg = d.write("config", "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://c:1'}\n"
                                          "users:\n- name: u\n  user: {token: kubeconfig-token, tokenFile: missing}\n"
                                          "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
    CredentialProvider p(resolve(cfg), {});
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("kubeconfig-token"));
}

void CredentialsTest::consentGatesThePlugin() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {});
    ExecConsentStore store(d.file("xdg/ingress-lab/exec-consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    {
        CredentialProvider p(resolve(cfg), o);
        auto c = p.credentials();
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, CredentialError::ConsentRequired);
        QCOMPARE(runs(d), 0);
        auto req = p.consentRequest();
        QVERIFY(req && req->ok());
        const ExecConsentRequest& r = req->value();
        QCOMPARE(r.command, d.file("kc/bin/plugin.sh").toStdString());
        QCOMPARE(r.kubeconfigFile, d.file("kc/config").toStdString());
        QCOMPARE(r.userName, std::string("eu"));
        QCOMPARE(r.envNames, (std::vector<std::string>{"LAB_EXTRA", "API", "MODE", "EXP"}));
        QCOMPARE(r.commandLine(), d.file("kc/bin/plugin.sh").toStdString() + " --cluster real");
        QVERIFY(store.needsConsent(r));
        QVERIFY(store.grant(r).ok());
        QVERIFY(!store.needsConsent(r));
        auto ok = p.credentials();
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.message().c_str());
        QCOMPARE(ok->bearerToken.reveal(), std::string("tok-1"));
        QCOMPARE(runs(d), 1);
        QCOMPARE(d.read("kc/args"), QByteArray("--cluster\nreal\n"));
        QCOMPARE(d.read("kc/env"), QByteArray("hello"));
        QCOMPARE(d.read("kc/stdin"), QByteArray("notty\n"));
    }
    // another process (a new store object on the same file) sees the grant
    ExecConsentStore other(store.path());
    {
        CredentialOptions o2;
        o2.consentStore = &other;
        CredentialProvider p(resolve(cfg), o2);
        QVERIFY(p.credentials().ok());
    }
    // any change to the arguments or the env names re-prompts
    for (const ExecFixture& f : {ExecFixture{.args = "[--cluster, other]"}, ExecFixture{.extraEnv = "{name: NEW, value: v}, "}}) {
        const QString changed = writeExecConfig(d, f);
        CredentialProvider p(resolve(changed), o);
        QCOMPARE(p.credentials().error().code, CredentialError::ConsentRequired);
    }
    QCOMPARE(runs(d), 2);
    // revoke
    writeExecConfig(d, {});
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.revoke(p.consentRequest()->value()).value());
    QCOMPARE(p.credentials().error().code, CredentialError::ConsentRequired);
    // without a store, nothing runs
    CredentialProvider none(resolve(cfg), {});
    QCOMPARE(none.credentials().error().code, CredentialError::ConsentRequired);
    QCOMPARE(runs(d), 2);
}

void CredentialsTest::consentStoreFileIsPrivate() {
    FixtureDir d;
    qputenv("XDG_CONFIG_HOME", d.file("xdg").toUtf8());
    QCOMPARE(ExecConsentStore::defaultPath(), d.file("xdg/ingress-lab/exec-consent.json").toStdString());
    ExecConsentStore store;
    ExecConsentRequest r{"/k/config", "u", "/usr/bin/true", {"a"}, {"E"}};
    QVERIFY(store.grant(r).ok());
    QCOMPARE(QFile::permissions(QString::fromStdString(store.path())) & 0x0077, QFileDevice::Permissions());  // no group/other bits
    QCOMPARE(QFile::permissions(QString::fromStdString(store.path())) & 0x7777,
             QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);
    const QFileDevice::Permissions dirPerms = QFile::permissions(d.file("xdg/ingress-lab"));
    QVERIFY(!(dirPerms & (QFileDevice::ReadOther | QFileDevice::ReadGroup)));
    // a corrupt store means "no grants", and a grant repairs it
    d.write("xdg/ingress-lab/exec-consent.json", "{not json");
    QVERIFY(store.needsConsent(r));
    QVERIFY(store.grant(r).ok());
    QVERIFY(!store.needsConsent(r));
    // every field is part of the identity
    ExecConsentRequest r2 = r;
    r2.command = "/usr/bin/false";
    QVERIFY(store.needsConsent(r2));
    r2 = r;
    r2.args = {"a", ""};
    QVERIFY(store.needsConsent(r2));
    r2 = r;
    r2.kubeconfigFile = "/other";
    QVERIFY(store.needsConsent(r2));
    qunsetenv("XDG_CONFIG_HOME");
}

void CredentialsTest::execCachesUntilExpiry() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.exp = "2030-01-01T00:00:00Z"});
    ExecConsentStore store(d.file("consent.json").toStdString());
    FakeClock clock{utc("2029-12-31T23:00:00Z")};
    CredentialOptions o;
    o.consentStore = &store;
    o.now = clock.fn();
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    for (int i = 0; i < 3; ++i) QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("tok-1"));
    QCOMPARE(runs(d), 1);
    clock.t = utc("2030-01-01T00:00:00Z");  // exec.go: expired only when now is *after* the expiry
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("tok-1"));
    QVERIFY(p.cachedCredentials().has_value());
    clock.t += 1s;
    QVERIFY(!p.cachedCredentials().has_value());
    auto c = p.credentials();
    QCOMPARE(c->bearerToken.reveal(), std::string("tok-2"));
    QCOMPARE(runs(d), 2);
    QVERIFY(c->expiresAt.has_value());
}

void CredentialsTest::execWithoutExpiryRunsOnce() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {});
    ExecConsentStore store(d.file("consent.json").toStdString());
    FakeClock clock{utc("2029-12-31T23:00:00Z")};
    CredentialOptions o;
    o.consentStore = &store;
    o.now = clock.fn();
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    QVERIFY(p.credentials().ok());
    clock.t += std::chrono::hours(24 * 365);
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("tok-1"));
    QCOMPARE(runs(d), 1);
    QCOMPARE(p.pluginRunsForTest(), 1);
}

void CredentialsTest::execRefreshOnceOn401() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.exp = "2099-01-01T00:00:00Z"});
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    auto first = p.credentials();
    QCOMPARE(first->bearerToken.reveal(), std::string("tok-1"));
    auto refreshed = p.refreshAfterUnauthorized(first->generation);
    QVERIFY(refreshed.ok());
    QCOMPARE(refreshed->bearerToken.reveal(), std::string("tok-2"));
    QVERIFY(refreshed->generation != first->generation);
    QCOMPARE(runs(d), 2);
    // a second request that was rejected with the old token: the refresh already happened, no new run
    auto late = p.refreshAfterUnauthorized(first->generation);
    QCOMPARE(late->bearerToken.reveal(), std::string("tok-2"));
    QCOMPARE(runs(d), 2);
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("tok-2"));
    QCOMPARE(runs(d), 2);
}

void CredentialsTest::execSingleFlight() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.mode = "slow", .extraEnv = "{name: SLEEP, value: '0.3'}, "});
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            if (p.credentials().ok()) ++ok;
        });
    for (auto& t : threads) t.join();
    QCOMPARE(ok.load(), 4);
    QCOMPARE(runs(d), 1);
}

void CredentialsTest::execInfoMatchesKubectl_data() {
    QTest::addColumn<QString>("api");
    QTest::addColumn<bool>("clusterInfo");
    QTest::newRow("v1-cluster-info") << "client.authentication.k8s.io/v1" << true;
    QTest::newRow("v1beta1-cluster-info") << "client.authentication.k8s.io/v1beta1" << true;
    QTest::newRow("v1-no-cluster-info") << "client.authentication.k8s.io/v1" << false;
}

void CredentialsTest::execInfoMatchesKubectl() {
    QFETCH(QString, api);
    QFETCH(bool, clusterInfo);
    if (QStandardPaths::findExecutable("kubectl").isEmpty()) QSKIP("kubectl is not installed");
    if (kubectlMinorVersion() < kKubectlExecV1Minor)
        QSKIP(qPrintable(QStringLiteral("kubectl 1.%1 predates exec credentials v1 and spec.interactive (1.22): nothing to "
                                        "compare byte for byte").arg(kubectlMinorVersion())));
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.api = api, .provideClusterInfo = clusterInfo});
    QDir().mkpath(d.file("home"));
    // kubectl runs the plugin before it dials (the server is a closed port); it may retry, each run logs the info
    const auto k = kubectl({"--kubeconfig", cfg, "get", "--raw", "/api", "--request-timeout=2s"}, d.file("home"));
    const QByteArray theirs = d.read("kc/info-1.json");
    QVERIFY2(!theirs.isEmpty(), k.err.constData());
    QFile::remove(d.file("kc/runs"));
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    QVERIFY(p.credentials().ok());
    const QByteArray ours = d.read("kc/info-1.json");
    QCOMPARE(ours, theirs);  // byte for byte, as client-go marshals it
    QCOMPARE(QByteArray::fromStdString(p.execInfoJson()), theirs);
    QVERIFY(theirs.contains("\"interactive\":false"));
}

void CredentialsTest::execReturnsCertificate() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.mode = "cert", .interactive = "IfAvailable"});
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    auto c = p.credentials();
    QVERIFY2(c.ok(), c.ok() ? "" : c.message().c_str());
    QVERIFY(c->hasClientCertificate());
    QVERIFY(!c->hasToken());
    QCOMPARE(c->clientCertPem.reveal(), std::string("CERT-1"));
    QCOMPARE(c->clientKeyPem.reveal(), std::string("KEY-1"));
    QCOMPARE(d.read("kc/stdin"), QByteArray("notty\n"));  // IfAvailable without a terminal
}

void CredentialsTest::execErrors_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");
    QTest::newRow("exit-3") << "fail" << int(CredentialError::PluginFailed) << "failed with exit code 3";
    QTest::newRow("wrong-apiVersion") << "badver" << int(CredentialError::PluginBadOutput)
                                      << "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1alpha1";
    QTest::newRow("no-status") << "nostatus" << int(CredentialError::PluginBadOutput) << "exec plugin didn't return a status field";
    QTest::newRow("only-cert") << "onlycert" << int(CredentialError::PluginBadOutput) << "exec plugin returned only certificate or key, not both";
    QTest::newRow("not-json") << "garbage" << int(CredentialError::PluginBadOutput) << "not an ExecCredential JSON object";
}

void CredentialsTest::execErrors() {
    QFETCH(QString, mode);
    QFETCH(int, code);
    QFETCH(QString, expected);
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.mode = mode});
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    auto c = p.credentials();
    QVERIFY(!c.ok());
    QCOMPARE(int(c.error().code), code);
    QVERIFY2(QString::fromStdString(c.message()).contains(expected), c.message().c_str());
    QVERIFY2(QString::fromStdString(c.message()).contains(d.file("kc/bin/plugin.sh")), c.message().c_str());
    if (mode == "fail") QCOMPARE(p.lastPluginStderr(), std::string("please run: lab-login\n"));
    // missing executable: installHint shown
    QFile::remove(d.file("kc/bin/plugin.sh"));
    CredentialProvider gone(resolve(cfg), o);
    auto nf = gone.credentials();
    QCOMPARE(nf.error().code, CredentialError::PluginNotFound);
    QVERIFY2(QString::fromStdString(nf.message()).contains("try: apt install lab-login"), nf.message().c_str());
}

void CredentialsTest::execInteractiveAlwaysIsRefused() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.interactive = "Always"});
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    auto c = p.credentials();
    QCOMPARE(c.error().code, CredentialError::InteractiveRequired);
    QVERIFY(QString::fromStdString(c.message()).contains("interactiveMode: Always"));
    QCOMPARE(runs(d), 0);
}

void CredentialsTest::execTimeoutAndCancel() {
    FixtureDir d;
    const QString cfg = writeExecConfig(d, {.mode = "slow", .extraEnv = "{name: SLEEP, value: '30'}, "});
    ExecConsentStore store(d.file("consent.json").toStdString());
    CredentialOptions o;
    o.consentStore = &store;
    o.execTimeout = 300ms;
    CredentialProvider p(resolve(cfg), o);
    QVERIFY(store.grant(p.consentRequest()->value()).ok());
    QCOMPARE(p.credentials().error().code, CredentialError::PluginTimedOut);
    std::atomic<bool> cancel{true};
    o.execTimeout = 60s;
    o.cancel = &cancel;
    CredentialProvider c(resolve(cfg), o);
    QCOMPARE(c.credentials().error().code, CredentialError::PluginCancelled);
}

void CredentialsTest::authProviderUnsupported() {
    FixtureDir d;
    const QString cfg = d.write("config", "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://c:1'}\n"
                                          "users:\n- name: u\n  user: {auth-provider: {name: oidc, config: {id-token: x}}}\n"
                                          "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
    CredentialProvider p(resolve(cfg), {});
    auto c = p.credentials();
    QCOMPARE(c.error().code, CredentialError::Unsupported);
    QVERIFY(QString::fromStdString(c.message()).contains("auth-provider \"oidc\""));
}

// Every error and description produced for kubeconfigs full of distinctive secrets must not contain any of them.
void CredentialsTest::noSecretInAnyMessage() {
    const QStringList secrets{"SECRETtoken0q81", "SECRETkey0q82", "SECRETfile0q83", "SECRETproxy0q84", "SECRETenv0q85",
                              "SECRETplugin0q86", "SECRETpw0q87", "SECRETcert0q88"};
    FixtureDir d;
    d.write("kc/bin/plugin.sh", PLUGIN, true);
    d.write("kc/tokenfile", "SECRETfile0q83\n");
    const QByteArray keyB64 = QByteArray("-----BEGIN PRIVATE KEY-----\nSECRETkey0q82\n").toBase64();
    const QByteArray certB64 = QByteArray("SECRETcert0q88").toBase64();
    const QByteArray users =
        "users:\n"
        "- name: tok\n  user: {token: SECRETtoken0q81, username: admin, password: SECRETpw0q87}\n"
        "- name: tf\n  user: {tokenFile: tokenfile, token: SECRETtoken0q81}\n"
        "- name: tfmissing\n  user: {tokenFile: nope}\n"
        "- name: keyonly\n  user: {client-key-data: " + keyB64 + "}\n"
        "- name: certnokey\n  user: {client-certificate-data: " + certB64 + "}\n"
        "- name: both\n  user: {client-certificate-data: " + certB64 + ", client-certificate: x.crt, client-key-data: " + keyB64 + ", client-key: k.pem}\n"
        "- name: ex\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin.sh, interactiveMode: Never, "
        "env: [{name: TOKEN, value: SECRETplugin0q86}, {name: MODE, value: %MODE%}, {name: API, value: client.authentication.k8s.io/v1}, {name: X, value: SECRETenv0q85}]}\n"
        "- name: exbad\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v9, command: ./bin/plugin.sh, env: [{name: '', value: SECRETenv0q85}]}\n";
    const QByteArray clusters =
        "clusters:\n"
        "- name: ok\n  cluster: {server: 'https://c:1', proxy-url: 'http://user:SECRETproxy0q84@proxy:3128'}\n"
        "- name: badproxy\n  cluster: {server: 'https://c:1', proxy-url: 'ftp://user:SECRETproxy0q84@proxy:21'}\n"
        "- name: weird\n  cluster: {server: 'https://c:1', proxy-url: 'http://user:SECRETproxy0q84@'}\n";
    QStringList contexts;
    QByteArray ctxYaml = "contexts:\n";
    for (const char* u : {"tok", "tf", "tfmissing", "keyonly", "certnokey", "both", "ex", "exbad"}) {
        for (const char* c : {"ok", "badproxy", "weird"}) {
            const QString n = QString("%1-%2").arg(u, c);
            contexts << n;
            ctxYaml += "- name: " + n.toUtf8() + "\n  context: {cluster: " + QByteArray(c) + ", user: " + QByteArray(u) + "}\n";
        }
    }
    std::vector<std::string> messages;
    ExecConsentStore store(d.file("consent.json").toStdString());
    for (const char* mode : {"secret", "badver", "garbage", "fail", "onlycert"}) {
        QByteArray all = clusters + users + ctxYaml;
        all.replace("%MODE%", mode);
        const QString cfg = d.write("kc/config", all);
        KubeconfigOptions o;
        o.kubeconfigFlag = cfg.toStdString();
        auto loaded = loadKubeconfig(o);
        if (!loaded) {
            messages.push_back(loaded.message());
            continue;
        }
        for (const QString& ctx : contexts) {
            auto r = resolveContext(loaded.value(), ctx.toStdString());
            if (!r) {
                messages.push_back(r.message());
                // the same users, made resolvable, still go through the provider below
                continue;
            }
            CredentialOptions co;
            co.consentStore = &store;
            CredentialProvider p(r.value(), co);
            messages.push_back(p.describe());
            if (auto req = p.consentRequest(); req && req->ok()) {
                QVERIFY(store.grant(req->value()).ok());
            } else if (req) {
                messages.push_back(req->message());
            }
            auto c = p.credentials();
            if (!c) messages.push_back(c.message());
            auto again = p.refreshAfterUnauthorized(c.ok() ? c->generation : 0);
            if (!again) messages.push_back(again.message());
        }
        // a broken copy of the file: type errors and YAML errors around secret values
        for (const QByteArray& broken : {all + "\n  token: [SECRETtoken0q81]\n", QByteArray("users:\n- name: a\n  user: {token: [SECRETtoken0q81]}\n"),
                                         QByteArray("users:\n- name: a\n  user: {token: \"SECRETtoken0q81}\n"),
                                         QByteArray("users:\n- name: a\n  user: {client-key-data: SECRETkey0q82}\n"),
                                         QByteArray("users:\n- name: a\n  user: {client-key-data: 'SECRETkey0q82!'}\n"),
                                         QByteArray("users:\n- name: a\n  user: {client-key-data: \"") + keyB64 + "!\"}\n"}) {
            o.kubeconfigFlag = d.write("kc/broken", broken).toStdString();
            auto b = loadKubeconfig(o);
            if (!b) messages.push_back(b.message());
        }
    }
    QVERIFY2(messages.size() > 100, std::to_string(messages.size()).c_str());
    for (const auto& m : messages) {
        for (const QString& s : secrets) QVERIFY2(!QString::fromStdString(m).contains(s), m.c_str());
    }
    // the "secret" mode plugin really returned the secret (so the scan above had something to miss)
    KubeconfigOptions o;
    o.kubeconfigFlag = d.file("kc/config").toStdString();
    QByteArray all = clusters + users + ctxYaml;
    all.replace("%MODE%", "secret");
    d.write("kc/config", all);
    auto r = resolveKubeconfig(KubeconfigOptions{o.kubeconfigFlag, std::nullopt, {}, "ex-ok", {}});
    QVERIFY2(r.ok(), r.ok() ? "" : r.message().c_str());
    CredentialOptions co;
    co.consentStore = &store;
    CredentialProvider p(r.value(), co);
    QCOMPARE(p.credentials()->bearerToken.reveal(), std::string("SECRETplugin0q86"));
}

QTEST_GUILESS_MAIN(CredentialsTest)
#include "credentials_test.moc"
