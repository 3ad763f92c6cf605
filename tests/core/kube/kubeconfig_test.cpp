// kubeconfig loading, merging and resolution (core/kube/kubeconfig.h), checked against kubectl itself:
// `kubectl config view --minify --flatten --raw -o json` for the resolved values, and kubectl's own validation
// errors (`kubectl get --raw /`, which fails before dialing) for the refused entries.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTest>

#include "core/kube/kubeconfig.h"
#include "tests/core/kube/kube_fixture.h"

using namespace ilab::kube;
using ilab::testing::kube::FixtureDir;
using ilab::testing::kube::kubectl;
using ilab::testing::kube::kubectlMinorVersion;
using ilab::testing::kube::kKubectlExecV1Minor;

namespace {

const QByteArray CA_PEM = "-----BEGIN CERTIFICATE-----\nQ0EtZmlsZQ==\n-----END CERTIFICATE-----\n";
const QByteArray CERT_PEM = "-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n";
const QByteArray KEY_PEM = "-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n";

QByteArray b64(const QByteArray& b) { return b.toBase64(); }

std::string s(const QByteArray& b) { return b.toStdString(); }

}  // namespace

class KubeconfigTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void kubectlParity_data();
    void kubectlParity();
    void kubectlRefusesWhatWeRefuse_data();
    void kubectlRefusesWhatWeRefuse();

    void sourcesExplicitFileOnly();
    void missingExplicitFileIsAnError();
    void missingFilesInListAreSkipped();
    void defaultsToHomeKubeConfig();
    void mergeFirstFileWinsWholeEntry();
    void currentContextFromFirstFileThatSetsIt();
    void relativePathsAgainstTheirOwnFile();
    void contextAndNamespaceOverrides();
    void specificErrors_data();
    void specificErrors();
    void brokenKubeconfigsNeverCrash_data();
    void brokenKubeconfigsNeverCrash();
    void authModesResolve();
    void execSpecDefaultsAndValidation();

private:
    bool m_haveKubectl = false;
};

void KubeconfigTest::initTestCase() {
    m_haveKubectl = !QStandardPaths::findExecutable(QStringLiteral("kubectl")).isEmpty();
}

// ---------------------------------------------------------------------------------------------------------------
// Parity: every fixture resolved by us and by kubectl.

void KubeconfigTest::kubectlParity_data() {
    QTest::addColumn<QString>("layout");   // which fixture set to write
    QTest::addColumn<QString>("source");   // "flag:<file>" or "env:<a>:<b>..."
    QTest::addColumn<QString>("context");  // --context, or empty

    QTest::newRow("kind-embedded") << "kind" << "flag:kind.yaml" << "";
    QTest::newRow("minikube-relative-files") << "minikube" << "flag:profiles/mk/config" << "";
    QTest::newRow("merged-first-wins") << "merged" << "env:a.yaml:missing.yaml:b.yaml" << "";
    QTest::newRow("merged-reverse-order") << "merged" << "env:b.yaml:a.yaml" << "";
    QTest::newRow("merged-context-from-second-file") << "merged" << "env:a.yaml:b.yaml" << "only-b";
    QTest::newRow("merged-current-context-only-in-second") << "merged" << "env:nocur.yaml:b.yaml" << "";
    QTest::newRow("token-tokenfile-sni-proxy") << "tokens" << "flag:dir/tokens.yaml" << "";
    QTest::newRow("tokenfile-only") << "tokens" << "flag:dir/tokens.yaml" << "file-only";
    QTest::newRow("insecure-no-ca") << "tokens" << "flag:dir/tokens.yaml" << "insecure";
    QTest::newRow("exec-v1") << "exec" << "flag:e/exec.yaml" << "";
    QTest::newRow("exec-v1beta1-defaults") << "exec" << "flag:e/exec.yaml" << "beta";
    QTest::newRow("exec-on-path") << "exec" << "flag:e/exec.yaml" << "bare";
}

static void writeLayout(const FixtureDir& d, const QString& layout) {
    if (layout == "kind") {
        d.write("kind.yaml", "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: " +
                                 b64(CA_PEM) + "\n    server: https://127.0.0.1:39513\n  name: kind-kind\n"
                                 "contexts:\n- context:\n    cluster: kind-kind\n    user: kind-kind\n  name: kind-kind\n"
                                 "current-context: kind-kind\npreferences: {}\nusers:\n- name: kind-kind\n  user:\n"
                                 "    client-certificate-data: " + b64(CERT_PEM) + "\n    client-key-data: " + b64(KEY_PEM) + "\n");
    } else if (layout == "minikube") {
        d.write("ca.crt", CA_PEM);
        d.write("profiles/mk/client.crt", CERT_PEM);
        d.write("profiles/mk/keys/client.key", KEY_PEM);
        d.write("profiles/mk/config",
                "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: ../../ca.crt\n"
                "    extensions:\n    - extension:\n        last-update: Mon, 01 Jan 2024 00:00:00 UTC\n"
                "        provider: minikube.sigs.k8s.io\n        version: v1.32.0\n      name: cluster_info\n"
                "    server: https://192.168.49.2:8443\n  name: minikube\ncontexts:\n- context:\n    cluster: minikube\n"
                "    namespace: default\n    user: minikube\n  name: minikube\ncurrent-context: minikube\n"
                "users:\n- name: minikube\n  user:\n    client-certificate: client.crt\n    client-key: ./keys/client.key\n");
    } else if (layout == "merged") {
        d.write("a/ca.crt", CA_PEM);
        d.write("a.yaml", "current-context: shared\nclusters:\n- name: real\n  cluster:\n    server: https://127.0.0.1:16443\n"
                          "    certificate-authority: a/ca.crt\nusers:\n- name: red\n  user:\n    token: token-from-a\n"
                          "contexts:\n- name: shared\n  context: {cluster: real, user: red, namespace: from-a}\n");
        d.write("b.yaml", "current-context: other\nclusters:\n- name: real\n  cluster: {server: 'https://127.0.0.1:9'}\n"
                          "- name: bonly\n  cluster: {server: 'https://b.example:6443', insecure-skip-tls-verify: true}\n"
                          "users:\n- name: red\n  user:\n    token: token-from-b\n    as: someone\n"
                          "- name: bu\n  user: {token: b-token}\n"
                          "contexts:\n- name: shared\n  context: {cluster: bonly, user: bu}\n"
                          "- name: other\n  context: {cluster: bonly, user: red}\n"
                          "- name: only-b\n  context: {cluster: real, user: red, namespace: nb}\n");
        d.write("nocur.yaml", "clusters:\n- name: bonly\n  cluster: {server: 'https://nocur:1'}\n");
    } else if (layout == "tokens") {
        d.write("dir/secrets/token", "  token-in-file\n");
        d.write("dir/tokens.yaml",
                "current-context: both\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443/prefix\n"
                "    certificate-authority-data: " + b64(CA_PEM) + "\n    tls-server-name: kubernetes.default.svc\n"
                "    proxy-url: socks5://127.0.0.1:1080\n- name: ins\n  cluster:\n    server: https://10.0.0.2:6443\n"
                "    insecure-skip-tls-verify: true\n    proxy-url: http://proxy.local:3128\n"
                "users:\n- name: both\n  user: {token: plain-token, tokenFile: secrets/token}\n"
                "- name: fileonly\n  user: {tokenFile: ./secrets/../secrets/token}\n"
                "contexts:\n- name: both\n  context: {cluster: c, user: both, namespace: team-a}\n"
                "- name: file-only\n  context: {cluster: c, user: fileonly}\n"
                "- name: insecure\n  context: {cluster: ins, user: both}\n");
    } else if (layout == "exec") {
        d.write("e/bin/plugin.sh", "#!/bin/sh\nexit 0\n", true);
        d.write("e/exec.yaml",
                "current-context: v1\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n"
                "users:\n- name: ev1\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                "      command: ./bin/plugin.sh\n      args: [--cluster, real, '']\n"
                "      env: [{name: LAB_EXTRA, value: hello}, {name: EMPTY, value: ''}]\n"
                "      interactiveMode: Never\n      provideClusterInfo: true\n      installHint: install it\n"
                "- name: ebeta\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                "      command: bin/plugin.sh\n"
                "- name: ebare\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, "
                "args: [-c, 'exit 1'], interactiveMode: IfAvailable}\n"
                "contexts:\n- name: v1\n  context: {cluster: c, user: ev1}\n- name: beta\n  context: {cluster: c, user: ebeta}\n"
                "- name: bare\n  context: {cluster: c, user: ebare}\n");
    }
}

void KubeconfigTest::kubectlParity() {
    QFETCH(QString, layout);
    QFETCH(QString, source);
    QFETCH(QString, context);
    if (!m_haveKubectl) QSKIP("kubectl is not installed");
    FixtureDir d;
    writeLayout(d, layout);
    const QString home = d.file("home");
    QDir().mkpath(home);

    KubeconfigOptions o;
    o.home = home.toStdString();
    o.contextOverride = context.toStdString();
    QStringList args{"config", "view", "--minify", "--flatten", "--raw", "-o", "json"};
    QString env;  // null: unset
    if (source.startsWith("flag:")) {
        o.kubeconfigFlag = d.file(source.mid(5)).toStdString();
        o.kubeconfigEnv = std::string();
        args << "--kubeconfig" << d.file(source.mid(5));
    } else {
        QStringList files;
        for (const QString& f : source.mid(4).split(':')) files << d.file(f);
        env = files.join(':');
        o.kubeconfigEnv = env.toStdString();
    }
    if (!context.isEmpty()) args << "--context" << context;

    const auto ours = resolveKubeconfig(o);
    QVERIFY2(ours.ok(), ours.ok() ? "" : ours.message().c_str());
    const auto k = kubectl(args, home, env);
    QVERIFY2(k.exitCode == 0, k.err.constData());
    const QJsonObject v = QJsonDocument::fromJson(k.out).object();
    const QJsonObject cl = v["clusters"].toArray().at(0).toObject();
    const QJsonObject c = cl["cluster"].toObject();
    const QJsonObject us = v["users"].toArray().at(0).toObject();
    const QJsonObject u = us["user"].toObject();
    const QJsonObject cx = v["contexts"].toArray().at(0).toObject();

    QCOMPARE(ours->contextName, v["current-context"].toString().toStdString());
    QCOMPARE(ours->contextName, cx["name"].toString().toStdString());
    QCOMPARE(ours->clusterName, cl["name"].toString().toStdString());
    QCOMPARE(ours->userName, us["name"].toString().toStdString());
    QCOMPARE(ours->server, c["server"].toString().toStdString());
    QCOMPARE(ours->caPem, s(QByteArray::fromBase64(c["certificate-authority-data"].toString().toLatin1())));
    QCOMPARE(ours->tlsServerName, c["tls-server-name"].toString().toStdString());
    QCOMPARE(ours->insecureSkipTlsVerify, c["insecure-skip-tls-verify"].toBool());
    QCOMPARE(ours->proxyUrl, c["proxy-url"].toString().toStdString());
    const QString ns = cx["context"].toObject()["namespace"].toString();
    QCOMPARE(ours->ns, (ns.isEmpty() ? QStringLiteral("default") : ns).toStdString());
    QCOMPARE(ours->auth.clientCertPem.reveal(), s(QByteArray::fromBase64(u["client-certificate-data"].toString().toLatin1())));
    QCOMPARE(ours->auth.clientKeyPem.reveal(), s(QByteArray::fromBase64(u["client-key-data"].toString().toLatin1())));
    QCOMPARE(ours->auth.token.reveal(), u["token"].toString().toStdString());
    QCOMPARE(ours->auth.impersonate, u["as"].toString().toStdString());
    // kubectl prints tokenFile as written; client-go resolves it against the file of the user entry.
    const QString tf = u["tokenFile"].toString();
    if (tf.isEmpty()) QCOMPARE(ours->auth.tokenFile, std::string());
    else QCOMPARE(QString::fromStdString(ours->auth.tokenFile),
                  QDir::cleanPath(QFileInfo(QString::fromStdString(ours->userSourceFile)).absolutePath() + "/" + tf));
    const QJsonObject e = u["exec"].toObject();
    QCOMPARE(ours->auth.exec.has_value(), !e.isEmpty());
    if (!e.isEmpty()) {
        const ExecSpec& x = *ours->auth.exec;
        QCOMPARE(x.command, e["command"].toString().toStdString());
        QCOMPARE(x.apiVersion, e["apiVersion"].toString().toStdString());
        if (kubectlMinorVersion() >= kKubectlExecV1Minor)  // older kubectl does not know the field and drops it
            QCOMPARE(x.interactiveMode, e["interactiveMode"].toString().toStdString());
        QCOMPARE(x.provideClusterInfo, e["provideClusterInfo"].toBool());
        QCOMPARE(x.installHint, e["installHint"].toString().toStdString());
        std::vector<std::string> kargs;
        for (const auto& a : e["args"].toArray()) kargs.push_back(a.toString().toStdString());
        QCOMPARE(x.args, kargs);
        std::vector<std::pair<std::string, std::string>> kenv;
        for (const auto& a : e["env"].toArray())
            kenv.emplace_back(a.toObject()["name"].toString().toStdString(), a.toObject()["value"].toString().toStdString());
        QCOMPARE(x.env, kenv);
    }
}

// kubectl's validation refuses these before dialing; we refuse them with the same words.
void KubeconfigTest::kubectlRefusesWhatWeRefuse_data() {
    QTest::addColumn<QByteArray>("clusterYaml");
    QTest::addColumn<QByteArray>("userYaml");
    QTest::addColumn<QString>("kubectlText");

    const QByteArray tok = "{token: abc}";
    QTest::newRow("ca-data-and-file") << "{server: 'https://127.0.0.1:1', certificate-authority: ca.crt, certificate-authority-data: " + b64(CA_PEM) + "}"
                                      << tok << "certificate-authority-data and certificate-authority are both specified for c. certificate-authority-data will override.";
    QTest::newRow("insecure-with-ca") << QByteArray("{server: 'https://127.0.0.1:1', certificate-authority: ca.crt, insecure-skip-tls-verify: true}")
                                      << tok << "specifying a root certificates file with the insecure flag is not allowed";
    QTest::newRow("insecure-with-ca-data") << "{server: 'https://127.0.0.1:1', certificate-authority-data: " + b64(CA_PEM) + ", insecure-skip-tls-verify: true}"
                                           << tok << "specifying a root certificates file with the insecure flag is not allowed";
    QTest::newRow("v1-without-interactiveMode") << QByteArray("{server: 'https://127.0.0.1:1'}")
                                                << QByteArray("{exec: {apiVersion: client.authentication.k8s.io/v1, command: foo}}")
                                                << "interactiveMode must be specified for u to use exec authentication plugin";
    QTest::newRow("exec-without-command") << QByteArray("{server: 'https://127.0.0.1:1'}")
                                          << QByteArray("{exec: {apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}}")
                                          << "command must be specified for u to use exec authentication plugin";
    QTest::newRow("bad-interactiveMode") << QByteArray("{server: 'https://127.0.0.1:1'}")
                                         << QByteArray("{exec: {apiVersion: client.authentication.k8s.io/v1, command: foo, interactiveMode: Sometimes}}")
                                         << "invalid interactiveMode for u: \"Sometimes\"";
    QTest::newRow("cert-without-key") << QByteArray("{server: 'https://127.0.0.1:1'}") << "{client-certificate-data: " + b64(CERT_PEM) + "}"
                                      << "client-key-data or client-key must be specified for u to use the clientCert authentication method.";
    QTest::newRow("cert-data-and-file") << QByteArray("{server: 'https://127.0.0.1:1'}")
                                        << "{client-certificate-data: " + b64(CERT_PEM) + ", client-certificate: ca.crt, client-key-data: " + b64(KEY_PEM) + "}"
                                        << "client-cert-data and client-cert are both specified for u. client-cert-data will override.";
    QTest::newRow("missing-ca-file") << QByteArray("{server: 'https://127.0.0.1:1', certificate-authority: sub/nope.crt}") << tok
                                     << "unable to read certificate-authority %DIR%/sub/nope.crt for c due to";
}

void KubeconfigTest::kubectlRefusesWhatWeRefuse() {
    QFETCH(QByteArray, clusterYaml);
    QFETCH(QByteArray, userYaml);
    QFETCH(QString, kubectlText);
    FixtureDir d;
    d.write("ca.crt", CA_PEM);
    const QString cfg = d.write("config", "current-context: x\nclusters:\n- name: c\n  cluster: " + clusterYaml +
                                              "\nusers:\n- name: u\n  user: " + userYaml +
                                              "\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n");
    kubectlText.replace("%DIR%", d.path());
    KubeconfigOptions o;
    o.kubeconfigFlag = cfg.toStdString();
    const auto ours = resolveKubeconfig(o);
    QVERIFY(!ours.ok());
    QVERIFY2(QString::fromStdString(ours.message()).contains(kubectlText), ours.message().c_str());
    if (!m_haveKubectl) QSKIP("kubectl is not installed");
    QDir().mkpath(d.file("home"));
    const auto k = kubectl({"--kubeconfig", cfg, "get", "--raw", "/", "--request-timeout=2s"}, d.file("home"));
    QVERIFY(k.exitCode != 0);
    if (kubectlMinorVersion() < kKubectlExecV1Minor && k.err.contains("invalid apiVersion \"client.authentication.k8s.io/v1\""))
        QSKIP(qPrintable(QStringLiteral("kubectl 1.%1 refuses every exec config of client.authentication.k8s.io/v1 (1.22), "
                                        "before it looks at this one").arg(kubectlMinorVersion())));
    QVERIFY2(QString::fromUtf8(k.err).contains(kubectlText), k.err.constData());
}

// ---------------------------------------------------------------------------------------------------------------

void KubeconfigTest::sourcesExplicitFileOnly() {
    FixtureDir d;
    const QString a = d.write("a.yaml", "current-context: a\ncontexts:\n- name: a\n  context: {cluster: ca}\n"
                                        "clusters:\n- name: ca\n  cluster: {server: 'https://a:1'}\n");
    const QString b = d.write("b.yaml", "current-context: b\ncontexts:\n- name: b\n  context: {cluster: cb}\n"
                                        "clusters:\n- name: cb\n  cluster: {server: 'https://b:1'}\n");
    KubeconfigOptions o;
    o.kubeconfigFlag = b.toStdString();
    o.kubeconfigEnv = a.toStdString();  // ignored when --kubeconfig is given
    const auto cfg = loadKubeconfig(o);
    QVERIFY(cfg.ok());
    QCOMPARE(cfg->files, std::vector<std::string>{b.toStdString()});
    QCOMPARE(cfg->contextNames(), std::vector<std::string>{"b"});
    o.kubeconfigFlag.clear();
    const auto fromEnv = resolveKubeconfig(o);
    QVERIFY(fromEnv.ok());
    QCOMPARE(fromEnv->server, std::string("https://a:1"));
}

void KubeconfigTest::missingExplicitFileIsAnError() {
    FixtureDir d;
    KubeconfigOptions o;
    o.kubeconfigFlag = d.file("nope/config").toStdString();
    const auto r = loadKubeconfig(o);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, KubeconfigError::FileNotFound);
    QVERIFY(QString::fromStdString(r.message()).contains(d.file("nope/config")));
}

void KubeconfigTest::missingFilesInListAreSkipped() {
    FixtureDir d;
    const QString a = d.write("a.yaml", "current-context: a\ncontexts:\n- name: a\n  context: {cluster: ca}\n"
                                        "clusters:\n- name: ca\n  cluster: {server: 'https://a:1'}\n");
    KubeconfigOptions o;
    o.kubeconfigEnv = (d.file("missing1") + "::" + a + ":" + d.file("missing2") + ":" + a).toStdString();
    QCOMPARE(kubeconfigPaths(o).size(), std::size_t(3));  // empty entry and duplicate dropped
    const auto cfg = loadKubeconfig(o);
    QVERIFY(cfg.ok());
    QCOMPARE(cfg->files, std::vector<std::string>{a.toStdString()});
    // all missing: an empty config, then a clear "no context" error
    o.kubeconfigEnv = d.file("missing1").toStdString();
    const auto r = resolveKubeconfig(o);
    QCOMPARE(r.error().code, KubeconfigError::NoContext);
    QVERIFY(QString::fromStdString(r.message()).contains("current-context is not set"));
}

void KubeconfigTest::defaultsToHomeKubeConfig() {
    FixtureDir d;
    d.write("home/.kube/config", "current-context: h\ncontexts:\n- name: h\n  context: {cluster: c}\n"
                                 "clusters:\n- name: c\n  cluster: {server: 'https://home:1'}\n");
    KubeconfigOptions o;
    o.kubeconfigEnv = std::string();  // KUBECONFIG empty
    o.home = d.file("home").toStdString();
    const auto r = resolveKubeconfig(o);
    QVERIFY2(r.ok(), r.ok() ? "" : r.message().c_str());
    QCOMPARE(r->server, std::string("https://home:1"));
    QCOMPARE(r->clusterSourceFile, d.file("home/.kube/config").toStdString());
}

void KubeconfigTest::mergeFirstFileWinsWholeEntry() {
    FixtureDir d;
    writeLayout(d, "merged");
    KubeconfigOptions o;
    o.kubeconfigEnv = (d.file("a.yaml") + ":" + d.file("b.yaml")).toStdString();
    const auto cfg = loadKubeconfig(o);
    QVERIFY(cfg.ok());
    // user "red" comes whole from a.yaml: b.yaml's extra field "as" is dropped too (loader.go)
    QCOMPARE(cfg->users.at("red").token.reveal(), std::string("token-from-a"));
    QCOMPARE(cfg->users.at("red").impersonate, std::string());
    QCOMPARE(cfg->users.at("red").sourceFile, d.file("a.yaml").toStdString());
    QCOMPARE(cfg->clusters.at("real").server, std::string("https://127.0.0.1:16443"));
    QCOMPARE(cfg->clusters.at("bonly").sourceFile, d.file("b.yaml").toStdString());
    QCOMPARE(cfg->contexts.at("shared").cluster, std::string("real"));
    QCOMPARE(cfg->contexts.size(), std::size_t(3));
}

void KubeconfigTest::currentContextFromFirstFileThatSetsIt() {
    FixtureDir d;
    writeLayout(d, "merged");
    KubeconfigOptions o;
    o.kubeconfigEnv = (d.file("a.yaml") + ":" + d.file("b.yaml")).toStdString();
    QCOMPARE(loadKubeconfig(o)->currentContext, std::string("shared"));
    o.kubeconfigEnv = (d.file("nocur.yaml") + ":" + d.file("b.yaml") + ":" + d.file("a.yaml")).toStdString();
    const auto cfg = loadKubeconfig(o);
    QCOMPARE(cfg->currentContext, std::string("other"));
    QCOMPARE(cfg->currentContextSource, d.file("b.yaml").toStdString());
    QCOMPARE(cfg->clusters.at("bonly").server, std::string("https://nocur:1"));  // nocur.yaml first
}

void KubeconfigTest::relativePathsAgainstTheirOwnFile() {
    FixtureDir d;
    writeLayout(d, "minikube");
    d.write("x/tok", "t\n");
    d.write("x/other.yaml", "users:\n- name: minikube\n  user: {token: ignored}\n- name: tf\n  user: {tokenFile: tok}\n");
    KubeconfigOptions o;
    o.kubeconfigEnv = (d.file("profiles/mk/config") + ":" + d.file("x/other.yaml")).toStdString();
    const auto cfg = loadKubeconfig(o);
    QVERIFY(cfg.ok());
    QCOMPARE(cfg->clusters.at("minikube").certificateAuthority, d.file("ca.crt").toStdString());
    QCOMPARE(cfg->users.at("minikube").clientCertificate, d.file("profiles/mk/client.crt").toStdString());
    QCOMPARE(cfg->users.at("minikube").clientKey, d.file("profiles/mk/keys/client.key").toStdString());
    QCOMPARE(cfg->users.at("tf").tokenFile, d.file("x/tok").toStdString());
    const auto r = resolveContext(cfg.value(), "");
    QVERIFY2(r.ok(), r.ok() ? "" : r.message().c_str());
    QCOMPARE(r->caPem, s(CA_PEM));
    QCOMPARE(r->auth.clientKeyPem.reveal(), s(KEY_PEM));
    // exec command: relative with a '/' → next to the kubeconfig; bare → left for $PATH; absolute → unchanged
    writeLayout(d, "exec");
    o.kubeconfigEnv = d.file("e/exec.yaml").toStdString();
    const auto e = loadKubeconfig(o);
    QCOMPARE(e->users.at("ev1").exec->resolvedCommand, d.file("e/bin/plugin.sh").toStdString());
    QCOMPARE(e->users.at("ebeta").exec->resolvedCommand, d.file("e/bin/plugin.sh").toStdString());
    QCOMPARE(e->users.at("ebare").exec->resolvedCommand, std::string("sh"));
}

void KubeconfigTest::contextAndNamespaceOverrides() {
    FixtureDir d;
    writeLayout(d, "merged");
    KubeconfigOptions o;
    o.kubeconfigEnv = (d.file("a.yaml") + ":" + d.file("b.yaml")).toStdString();
    auto r = resolveKubeconfig(o);
    QCOMPARE(r->ns, std::string("from-a"));
    o.contextOverride = "other";
    r = resolveKubeconfig(o);
    QCOMPARE(r->contextName, std::string("other"));
    QCOMPARE(r->ns, std::string("default"));
    QVERIFY(r->insecureSkipTlsVerify);
    o.namespaceOverride = "flag-ns";
    QCOMPARE(resolveKubeconfig(o)->ns, std::string("flag-ns"));
}

void KubeconfigTest::specificErrors_data() {
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("context");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");  // %F = the config file

    const QByteArray base = "clusters:\n- name: c\n  cluster: {server: 'https://c:1'}\nusers:\n- name: u\n  user: {token: t}\n";
    QTest::newRow("context-not-found") << base + "current-context: x\n" << "" << int(KubeconfigError::ContextNotFound)
                                       << "context \"x\" not found in %F (it is the current-context set in %F)";
    QTest::newRow("context-flag-not-found") << base << "zz" << int(KubeconfigError::ContextNotFound) << "context \"zz\" not found in %F";
    QTest::newRow("cluster-undefined") << base + "contexts:\n- name: x\n  context: {cluster: y, user: u}\n" << "x"
                                       << int(KubeconfigError::ClusterNotFound) << "cluster \"y\" of context \"x\" is not defined in %F";
    QTest::newRow("cluster-unnamed") << base + "contexts:\n- name: x\n  context: {user: u}\n" << "x"
                                     << int(KubeconfigError::ClusterNotFound) << "context \"x\" in %F names no cluster";
    QTest::newRow("user-undefined") << base + "contexts:\n- name: x\n  context: {cluster: c, user: nobody}\n" << "x"
                                    << int(KubeconfigError::UserNotFound) << "user \"nobody\" of context \"x\" is not defined in %F";
    QTest::newRow("no-server") << QByteArray("clusters:\n- name: c\n  cluster: {tls-server-name: a}\ncontexts:\n- name: x\n  context: {cluster: c}\n")
                               << "x" << int(KubeconfigError::Invalid) << "no server found for cluster \"c\" (cluster \"c\" in %F)";
    QTest::newRow("no-context") << base << "" << int(KubeconfigError::NoContext)
                                << "no context chosen: current-context is not set in %F and no --context was given";
    QTest::newRow("unreadable-client-key") << "clusters:\n- name: c\n  cluster: {server: 'https://c:1'}\nusers:\n- name: u\n  user: {client-certificate-data: " +
                                                  b64(CERT_PEM) + ", client-key: keys/k.pem}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                                           << "x" << int(KubeconfigError::ReferencedFileUnreadable)
                                           << "unable to read client-key %D/keys/k.pem for u due to no such file or directory";
    QTest::newRow("ca-is-a-directory") << QByteArray("clusters:\n- name: c\n  cluster: {server: 'https://c:1', certificate-authority: .}\ncontexts:\n- name: x\n  context: {cluster: c}\n")
                                       << "x" << int(KubeconfigError::ReferencedFileUnreadable)
                                       << "unable to read certificate-authority %D for c due to is a directory";
    QTest::newRow("tokenFile-missing") << QByteArray("clusters:\n- name: c\n  cluster: {server: 'https://c:1'}\nusers:\n- name: u\n  user: {tokenFile: t.txt}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n")
                                       << "x" << int(KubeconfigError::ReferencedFileUnreadable)
                                       << "unable to read tokenFile %D/t.txt for u due to no such file or directory";
    QTest::newRow("proxy-scheme") << QByteArray("clusters:\n- name: c\n  cluster: {server: 'https://c:1', proxy-url: 'ftp://p:21'}\ncontexts:\n- name: x\n  context: {cluster: c}\n")
                                  << "x" << int(KubeconfigError::Invalid)
                                  << "invalid 'proxy-url' \"ftp://p:21\" for cluster \"c\": unsupported scheme \"ftp\"";
    QTest::newRow("exec-bad-apiVersion") << base + "- name: e\n  user: {exec: {apiVersion: client.authentication.k8s.io/v2, command: x, interactiveMode: Never}}\ncontexts:\n- name: x\n  context: {cluster: c, user: e}\n"
                                         << "x" << int(KubeconfigError::Invalid) << "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v2\" for e";
    QTest::newRow("auth-provider-and-exec") << base + "- name: e\n  user: {auth-provider: {name: oidc}, exec: {apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Never}}\ncontexts:\n- name: x\n  context: {cluster: c, user: e}\n"
                                            << "x" << int(KubeconfigError::Invalid) << "authProvider cannot be provided in combination with an exec plugin for e";
}

void KubeconfigTest::specificErrors() {
    QFETCH(QByteArray, config);
    QFETCH(QString, context);
    QFETCH(int, code);
    QFETCH(QString, expected);
    FixtureDir d;
    const QString f = d.write("config", config);
    expected.replace("%F", f).replace("%D", d.path());
    KubeconfigOptions o;
    o.kubeconfigFlag = f.toStdString();
    o.contextOverride = context.toStdString();
    const auto r = resolveKubeconfig(o);
    QVERIFY(!r.ok());
    QVERIFY2(QString::fromStdString(r.message()).contains(expected), r.message().c_str());
    QCOMPARE(int(r.error().code), code);
}

void KubeconfigTest::brokenKubeconfigsNeverCrash_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");  // part of the message; empty: loads (as an empty or partial config)

    QTest::newRow("unclosed-flow") << QByteArray("clusters: [\n") << "config:";
    QTest::newRow("clusters-is-a-map") << QByteArray("clusters: {a: 1}\n") << "config:1:11: clusters: expected a list of {name, cluster}";
    QTest::newRow("server-is-a-list") << QByteArray("clusters:\n- name: a\n  cluster: {server: [1]}\n") << "clusters[0].cluster.server: expected a string";
    QTest::newRow("cluster-is-a-string") << QByteArray("clusters:\n- name: a\n  cluster: x\n") << "clusters[0].cluster: expected a mapping";
    QTest::newRow("item-is-a-scalar") << QByteArray("users: [5]\n") << "users[0]: expected {name, user}";
    QTest::newRow("insecure-quoted") << QByteArray("clusters:\n- name: a\n  cluster: {insecure-skip-tls-verify: 'true'}\n") << "expected true or false";
    QTest::newRow("args-not-list") << QByteArray("users:\n- name: a\n  user: {exec: {args: x}}\n") << "users[0].user.exec.args: expected a list of strings";
    QTest::newRow("env-not-list") << QByteArray("users:\n- name: a\n  user: {exec: {env: {a: b}}}\n") << "users[0].user.exec.env: expected a list";
    QTest::newRow("bad-base64") << QByteArray("users:\n- name: a\n  user: {client-key-data: '!!notbase64'}\n") << "users[0].user.client-key-data: not valid base64";
    QTest::newRow("duplicate-name") << QByteArray("contexts:\n- name: a\n  context: {}\n- name: a\n  context: {}\n") << "duplicate name \"a\"";
    QTest::newRow("top-level-list") << QByteArray("- a\n- b\n") << "expected a kubeconfig mapping";
    QTest::newRow("top-level-scalar") << QByteArray("hello\n") << "expected a kubeconfig mapping";
    QTest::newRow("tabs") << QByteArray("clusters:\n\t- name: a\n") << "not valid YAML";
    QTest::newRow("binary") << QByteArray("\x00\x01\xff\xfe: [\x80", 8) << "config";
    QTest::newRow("billion-laughs") << QByteArray("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                                                  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                                                  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\nclusters: [*h]\n") << "aliasing";
    QTest::newRow("deep-nesting") << QByteArray(5000, '[') << "config";
    QTest::newRow("empty") << QByteArray("") << "";
    QTest::newRow("comments-only") << QByteArray("# nothing\n") << "";
    QTest::newRow("nulls-everywhere") << QByteArray("clusters:\ncontexts: ~\nusers:\n- name: a\n  user:\ncurrent-context:\n") << "";
}

void KubeconfigTest::brokenKubeconfigsNeverCrash() {
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    FixtureDir d;
    const QString f = d.write("config", text);
    KubeconfigOptions o;
    o.kubeconfigFlag = f.toStdString();
    const auto r = loadKubeconfig(o);
    if (expected.isEmpty()) {
        QVERIFY2(r.ok(), r.ok() ? "" : r.message().c_str());
        QCOMPARE(resolveContext(r.value(), "").error().code, KubeconfigError::NoContext);
        return;
    }
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, KubeconfigError::Malformed);
    QVERIFY2(QString::fromStdString(r.message()).startsWith(f), r.message().c_str());
    QVERIFY2(QString::fromStdString(r.message()).contains(expected), r.message().c_str());
}

void KubeconfigTest::authModesResolve() {
    FixtureDir d;
    writeLayout(d, "tokens");
    KubeconfigOptions o;
    o.kubeconfigFlag = d.file("dir/tokens.yaml").toStdString();
    auto r = resolveKubeconfig(o);
    QVERIFY(r.ok());
    QCOMPARE(r->auth.token.reveal(), std::string("plain-token"));
    QCOMPARE(r->auth.tokenFile, d.file("dir/secrets/token").toStdString());
    QCOMPARE(r->tlsServerName, std::string("kubernetes.default.svc"));
    QCOMPARE(r->proxyUrl, std::string("socks5://127.0.0.1:1080"));
    QCOMPARE(r->server, std::string("https://10.0.0.1:6443/prefix"));
    QCOMPARE(r->userSourceFile, d.file("dir/tokens.yaml").toStdString());
    o.contextOverride = "file-only";
    r = resolveKubeconfig(o);
    QVERIFY(r.ok());
    QVERIFY(r->auth.token.empty());  // read by the credential provider, not here
    QCOMPARE(r->auth.tokenFile, d.file("dir/secrets/token").toStdString());
}

void KubeconfigTest::execSpecDefaultsAndValidation() {
    FixtureDir d;
    writeLayout(d, "exec");
    KubeconfigOptions o;
    o.kubeconfigFlag = d.file("e/exec.yaml").toStdString();
    auto r = resolveKubeconfig(o);
    QVERIFY(r.ok());
    QCOMPARE(r->auth.exec->interactiveMode, std::string("Never"));
    QVERIFY(r->auth.exec->provideClusterInfo);
    QCOMPARE(r->auth.exec->args, (std::vector<std::string>{"--cluster", "real", ""}));
    o.contextOverride = "beta";
    r = resolveKubeconfig(o);
    QCOMPARE(r->auth.exec->interactiveMode, std::string("IfAvailable"));  // v1beta1 default
    QVERIFY(!r->auth.exec->provideClusterInfo);
}

QTEST_GUILESS_MAIN(KubeconfigTest)
#include "kubeconfig_test.moc"
