// `ingress-lab-cli cluster ...` against the real kube-apiserver v1.20.2 (tests/support/kube_server.h), checked with
// the real kubectl: contexts, info, get, pull (validates and round-trips), diff, apply (SSA, conflicts, 422 with
// file:line), events (-w), RBAC 403, token / tokenFile kubeconfigs, and no credential in any output.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include "support/cli_run.h"
#include "support/kube_server.h"
#include "support/test_paths.h"

using ilab::testing::KubeServer;

namespace {

using Run = ilab::testing::CliRun;

// Rows of a kubectl-style table as column -> cell, columns found at the header's word starts.
QList<QMap<QString, QString>> parseTable(const QByteArray& text) {
    QList<QMap<QString, QString>> rows;
    const QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.isEmpty()) return rows;
    QList<QPair<int, QString>> cols;  // start, name
    QRegularExpression word(QStringLiteral("\\S+( \\S+)?"));  // "LAST SEEN" is one header
    for (auto it = word.globalMatch(lines[0]); it.hasNext();) {
        const auto m = it.next();
        cols.append({static_cast<int>(m.capturedStart()), m.captured()});
    }
    for (int i = 1; i < lines.size(); ++i) {
        QMap<QString, QString> row;
        for (int c = 0; c < cols.size(); ++c) {
            const int end = c + 1 < cols.size() ? cols[c + 1].first : lines[i].size();
            row[cols[c].second] = lines[i].mid(cols[c].first, end - cols[c].first).trimmed();
        }
        rows.append(row);
    }
    return rows;
}

QMap<QString, QString> rowNamed(const QList<QMap<QString, QString>>& rows, const QString& name) {
    for (const auto& r : rows)
        if (r.value(QStringLiteral("NAME")) == name) return r;
    return {};
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// 1-based line of the first line containing `needle`.
int lineOf(const QByteArray& text, const QByteArray& needle) {
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i)
        if (lines[i].contains(needle)) return i + 1;
    return -1;
}

QByteArray ingressYaml(const QString& ns, const QString& name, const QString& extraAnnotations = {},
                       const QString& pathType = QStringLiteral("Prefix")) {
    return QStringLiteral(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: %2
  namespace: %1
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m%3
spec:
  ingressClassName: nginx
  rules:
  - host: %2.example.test
    http:
      paths:
      - path: /api
        pathType: %4
        backend:
          service:
            name: web
            port:
              number: 8000
)")
        .arg(ns, name, extraAnnotations, pathType)
        .toUtf8();
}

}  // namespace

class ClusterCliTest : public QObject {
    Q_OBJECT

    KubeServer m_kube;
    QTemporaryDir m_tmp;
    QByteArray m_allOutput;  // everything every CLI run printed (the credential check at the end)

    Run cli(const QStringList& args, const QString& mode = QStringLiteral("admin-cert")) {
        QStringList full = QStringList{QStringLiteral("cluster")} + args;
        if (!mode.isEmpty() && !args.contains(QStringLiteral("--kubeconfig")))
            full << QStringLiteral("--kubeconfig") << m_kube.kubeconfig(mode);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_tmp.path());  // no ~/.kube/config of the machine, no exec consent file
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_tmp.path() + QStringLiteral("/config"));
        env.remove(QStringLiteral("KUBECONFIG"));
        Run r = ilab::testing::runCli(full, env, 120000);
        m_allOutput += r.all();
        return r;
    }

    QByteArray kubectlOk(const QStringList& args, const QByteArray& stdinData = {}) {
        int code = -1;
        const QByteArray out = m_kube.kubectl(args, &code, stdinData);
        if (code != 0) qWarning("kubectl %s failed: %s", qPrintable(args.join(' ')), out.constData());
        return code == 0 ? out : QByteArray();
    }

    QJsonObject kubectlJson(const QStringList& args) {
        return QJsonDocument::fromJson(kubectlOk(args + QStringList{QStringLiteral("-o"), QStringLiteral("json")})).object();
    }

    QString file(const QString& name, const QByteArray& content) {
        const QString path = m_tmp.filePath(name);
        QDir().mkpath(QFileInfo(path).path());
        if (!writeFile(path, content)) return {};
        return path;
    }

    QByteArray tlsSecretYaml(const QString& ns) {
        return QStringLiteral("apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\n  namespace: %1\n"
                              "type: kubernetes.io/tls\ndata:\n  tls.crt: %2\n  tls.key: %3\n")
            .arg(ns, QString::fromLatin1(readFile(m_kube.dir() + "/pki/apiserver.crt").toBase64()),
                 QString::fromLatin1(readFile(m_kube.dir() + "/pki/apiserver.key").toBase64()))
            .toUtf8();
    }

    static QByteArray serviceYaml(const QString& ns, const QString& name) {
        return QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: %2\n  namespace: %1\nspec:\n  ports:\n"
                              "  - name: http\n    port: 8000\n    protocol: TCP\n    targetPort: 8080\n")
            .arg(ns, name)
            .toUtf8();
    }

    bool createNamespace(const QString& ns) {
        return !kubectlOk({QStringLiteral("create"), QStringLiteral("namespace"), ns}).isEmpty();
    }

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY(m_tmp.isValid());
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        // The ingress-nginx IngressClass, default for Ingresses without a class (what the chart installs).
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                           "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\n  annotations:\n"
                           "    ingressclass.kubernetes.io/is-default-class: \"true\"\nspec:\n  controller: k8s.io/ingress-nginx\n")
                     .isEmpty());
    }

    // ---- contexts ----------------------------------------------------------------------------------------------

    void contextsMatchKubectlGetContexts() {
        // Two contexts; the current one has its own namespace.
        const QString kc = m_tmp.filePath(QStringLiteral("two-contexts.kubeconfig"));
        QVERIFY(QFile::copy(m_kube.kubeconfig(QStringLiteral("admin-token")), kc));
        QFile::setPermissions(kc, QFile::ReadOwner | QFile::WriteOwner);
        kubectlOk({QStringLiteral("config"), QStringLiteral("--kubeconfig"), kc, QStringLiteral("set-context"),
                   QStringLiteral("lab"), QStringLiteral("--cluster=kind-ilab"), QStringLiteral("--user=kind-ilab"),
                   QStringLiteral("--namespace=ctx-ns")});
        kubectlOk({QStringLiteral("config"), QStringLiteral("--kubeconfig"), kc, QStringLiteral("use-context"),
                   QStringLiteral("lab")});
        int code = -1;
        const QByteArray theirs =
            m_kube.kubectl({QStringLiteral("config"), QStringLiteral("get-contexts"), QStringLiteral("--kubeconfig"), kc}, &code);
        QCOMPARE(code, 0);
        const Run ours = cli({QStringLiteral("contexts"), QStringLiteral("--kubeconfig"), kc}, {});
        QVERIFY2(ours.exitCode == 0, ours.err.constData());
        const auto k = parseTable(theirs), o = parseTable(ours.out);
        QCOMPARE(o.size(), 2);
        QCOMPARE(o.size(), k.size());
        for (const auto& kr : k) {
            const auto orow = rowNamed(o, kr.value(QStringLiteral("NAME")));
            for (const char* col : {"CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"})
                QCOMPARE(orow.value(QLatin1String(col)), kr.value(QLatin1String(col)));
            QCOMPARE(orow.value(QStringLiteral("SERVER")), m_kube.server());
        }
        QCOMPARE(rowNamed(o, QStringLiteral("lab")).value(QStringLiteral("CURRENT")), QStringLiteral("*"));
        QCOMPARE(rowNamed(o, QStringLiteral("lab")).value(QStringLiteral("NAMESPACE")), QStringLiteral("ctx-ns"));

        // The namespace the other commands use follows the same resolution: the context's, -n, --context.
        QVERIFY(createNamespace(QStringLiteral("ctx-ns")));
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                           ingressYaml(QStringLiteral("ctx-ns"), QStringLiteral("in-ctx-ns")))
                     .isEmpty());
        Run r = cli({QStringLiteral("get"), QStringLiteral("ingresses"), QStringLiteral("--kubeconfig"), kc}, {});
        QVERIFY2(r.exitCode == 0 && r.out.contains("in-ctx-ns"), r.all().constData());
        r = cli({QStringLiteral("get"), QStringLiteral("ingresses"), QStringLiteral("--kubeconfig"), kc,
                 QStringLiteral("--context"), QStringLiteral("kind-ilab")},
                {});
        QVERIFY2(r.exitCode == 0 && !r.out.contains("in-ctx-ns"), r.all().constData());
        r = cli({QStringLiteral("get"), QStringLiteral("ingresses"), QStringLiteral("--kubeconfig"), kc,
                 QStringLiteral("--context"), QStringLiteral("kind-ilab"), QStringLiteral("-n"), QStringLiteral("ctx-ns")},
                {});
        QVERIFY2(r.exitCode == 0 && r.out.contains("in-ctx-ns"), r.all().constData());
    }

    void kubeconfigErrorsArePrintedAsTheyAre() {
        Run r = cli({QStringLiteral("contexts"), QStringLiteral("--kubeconfig"), m_tmp.filePath(QStringLiteral("missing"))}, {});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(m_tmp.filePath(QStringLiteral("missing")).toUtf8()), r.err.constData());
        r = cli({QStringLiteral("get"), QStringLiteral("--context"), QStringLiteral("nope")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("nope"), r.err.constData());
        const QString broken = file(QStringLiteral("broken.kubeconfig"), "apiVersion: v1\nclusters: [\n");
        r = cli({QStringLiteral("info"), QStringLiteral("--kubeconfig"), broken}, {});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(broken.toUtf8()), r.err.constData());
    }

    void infoShowsTheServerVersion() {
        const Run r = cli({QStringLiteral("info")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("Version:    v1.20.2"), r.out.constData());
        QVERIFY2(r.out.contains(m_kube.server().toUtf8()), r.out.constData());
        QVERIFY2(r.out.contains("nginx (k8s.io/ingress-nginx, default)"), r.out.constData());
        QVERIFY2(!r.err.contains("warning"), r.err.constData());
    }

    // ---- get -----------------------------------------------------------------------------------------------------

    // minikube and kind recognised from the kubeconfig (minikube's extensions, kind's "kind-NAME" names) and, when
    // readable, from the Nodes (kind's providerID; minikube's node label), in `contexts` and `info`.
    void distributionIsRecognised() {
        const QString kc = file(QStringLiteral("distros.kubeconfig"), QStringLiteral(R"(apiVersion: v1
kind: Config
clusters:
- name: minikube
  cluster:
    server: %1
    certificate-authority: %2
    extensions:
    - name: cluster_info
      extension:
        provider: minikube.sigs.k8s.io
        version: v1.32.0
- name: plain
  cluster:
    server: %1
    certificate-authority: %2
users:
- name: minikube
  user:
    token: %3
contexts:
- name: minikube
  context:
    cluster: minikube
    user: minikube
    namespace: default
    extensions:
    - name: context_info
      extension:
        provider: minikube.sigs.k8s.io
- name: plain
  context: {cluster: plain, user: minikube}
current-context: minikube
)").arg(m_kube.server(), m_kube.caFile(), m_kube.token(QStringLiteral("admin"))).toUtf8());
        Run r = cli({QStringLiteral("contexts"), QStringLiteral("--kubeconfig"), kc}, {});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        auto rows = parseTable(r.out);
        QCOMPARE(rowNamed(rows, QStringLiteral("minikube")).value(QStringLiteral("DISTRIBUTION")), QStringLiteral("minikube"));
        QCOMPARE(rowNamed(rows, QStringLiteral("plain")).value(QStringLiteral("DISTRIBUTION")), QString());
        r = cli({QStringLiteral("contexts")});  // the harness's kubeconfig: context kind-ilab
        QCOMPARE(rowNamed(parseTable(r.out), QStringLiteral("kind-ilab")).value(QStringLiteral("DISTRIBUTION")), QStringLiteral("kind"));

        r = cli({QStringLiteral("info"), QStringLiteral("--kubeconfig"), kc}, {});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Distribution: minikube (profile minikube; cluster extension provider "
                                                   "minikube.sigs.k8s.io)\n"), r.all().constData());
        r = cli({QStringLiteral("info")});
        QVERIFY2(r.out.contains("Distribution: kind (cluster ilab; kubeconfig cluster name kind-ilab)\n"), r.all().constData());
        r = cli({QStringLiteral("info"), QStringLiteral("--kubeconfig"), kc, QStringLiteral("--context"), QStringLiteral("plain")}, {});
        QVERIFY2(r.out.contains("Distribution: unknown\n"), r.all().constData());

        // A kind node (as kind's kubeadm config registers it): the Nodes say kind, whatever the kubeconfig says.
        QVERIFY(!kubectlOk({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")},
                           "apiVersion: v1\nkind: Node\nmetadata:\n  name: lab-control-plane\n  labels:\n"
                           "    node-role.kubernetes.io/master: \"\"\nspec:\n  providerID: kind://docker/lab/lab-control-plane\n")
                     .isEmpty());
        r = cli({QStringLiteral("info"), QStringLiteral("--kubeconfig"), kc, QStringLiteral("--context"), QStringLiteral("plain")}, {});
        QVERIFY2(r.out.contains("Distribution: kind (cluster lab; node lab-control-plane providerID "
                                "kind://docker/lab/lab-control-plane)\n"), r.all().constData());
        kubectlOk({QStringLiteral("delete"), QStringLiteral("node"), QStringLiteral("lab-control-plane")});
        // A minikube node label.
        QVERIFY(!kubectlOk({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")},
                           "apiVersion: v1\nkind: Node\nmetadata:\n  name: mk\n  labels:\n    minikube.k8s.io/name: mk\n"
                           "    minikube.k8s.io/primary: \"true\"\n")
                     .isEmpty());
        r = cli({QStringLiteral("info"), QStringLiteral("--kubeconfig"), kc, QStringLiteral("--context"), QStringLiteral("plain")}, {});
        QVERIFY2(r.out.contains("Distribution: minikube (profile mk; node mk label minikube.k8s.io/name)\n"), r.all().constData());
        kubectlOk({QStringLiteral("delete"), QStringLiteral("node"), QStringLiteral("mk")});
        // Nodes not readable (no RBAC rights): the kubeconfig alone decides; no error.
        r = cli({QStringLiteral("info")}, QStringLiteral("limited"));
        QVERIFY2(r.out.contains("Distribution: kind (cluster ilab; kubeconfig cluster name kind-ilab)"), r.all().constData());
    }

    void getPrintsKubectlTables() {
        QVERIFY(createNamespace(QStringLiteral("get-ns")));
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                           serviceYaml(QStringLiteral("get-ns"), QStringLiteral("web")) + "---\n" +
                               tlsSecretYaml(QStringLiteral("get-ns")) + "---\n" +
                               ingressYaml(QStringLiteral("get-ns"), QStringLiteral("plain")))
                     .isEmpty());
        // An Ingress with TLS and without a class (the default class is filled in by admission).
        QByteArray withTls = ingressYaml(QStringLiteral("get-ns"), QStringLiteral("secure"));
        withTls.replace("  ingressClassName: nginx\n", "  tls:\n  - hosts: [secure.example.test]\n    secretName: web-tls\n");
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")}, withTls).isEmpty());

        Run r = cli({QStringLiteral("get"), QStringLiteral("ingresses"), QStringLiteral("-n"), QStringLiteral("get-ns")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto theirs = parseTable(kubectlOk({QStringLiteral("get"), QStringLiteral("ingresses.networking.k8s.io"),
                                                  QStringLiteral("-n"), QStringLiteral("get-ns")}));
        const auto ours = parseTable(r.out);
        QCOMPARE(ours.size(), 2);
        QCOMPARE(ours.size(), theirs.size());
        for (const auto& t : theirs)
            for (const char* col : {"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS"})
                QCOMPARE(rowNamed(ours, t.value(QStringLiteral("NAME"))).value(QLatin1String(col)), t.value(QLatin1String(col)));
        QCOMPARE(rowNamed(ours, QStringLiteral("secure")).value(QStringLiteral("PORTS")), QStringLiteral("80, 443"));
        QCOMPARE(rowNamed(ours, QStringLiteral("secure")).value(QStringLiteral("CLASS")), QStringLiteral("nginx"));

        r = cli({QStringLiteral("get"), QStringLiteral("svc"), QStringLiteral("-n"), QStringLiteral("get-ns")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto svc = rowNamed(parseTable(r.out), QStringLiteral("web"));
        QCOMPARE(svc.value(QStringLiteral("TYPE")), QStringLiteral("ClusterIP"));
        QCOMPARE(svc.value(QStringLiteral("CLUSTER-IP")),
                 QString::fromLatin1(kubectlOk({QStringLiteral("get"), QStringLiteral("service"), QStringLiteral("web"),
                                                QStringLiteral("-n"), QStringLiteral("get-ns"), QStringLiteral("-o"),
                                                QStringLiteral("jsonpath={.spec.clusterIP}")})));
        QCOMPARE(svc.value(QStringLiteral("PORT(S)")), QStringLiteral("8000/TCP"));

        // Secrets: a count in the table, masked values in YAML/JSON (also inside last-applied-configuration).
        r = cli({QStringLiteral("get"), QStringLiteral("secrets"), QStringLiteral("-n"), QStringLiteral("get-ns")});
        QCOMPARE(rowNamed(parseTable(r.out), QStringLiteral("web-tls")).value(QStringLiteral("DATA")), QStringLiteral("2"));
        for (const char* format : {"yaml", "json"}) {
            r = cli({QStringLiteral("get"), QStringLiteral("secret"), QStringLiteral("web-tls"), QStringLiteral("-n"),
                     QStringLiteral("get-ns"), QStringLiteral("-o"), QLatin1String(format)});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QVERIFY2(r.out.contains("***"), r.out.constData());
            QVERIFY2(!r.out.contains(readFile(m_kube.dir() + "/pki/apiserver.key").toBase64().left(40)), r.out.constData());
        }
        r = cli({QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("plain"), QStringLiteral("-n"),
                 QStringLiteral("get-ns"), QStringLiteral("-o"), QStringLiteral("json")});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("spec").toObject().value("rules").toArray().at(0).toObject().value("host").toString(),
                 QStringLiteral("plain.example.test"));

        // -A adds NAMESPACE; an unknown object is kubectl's NotFound (exit 2).
        r = cli({QStringLiteral("get"), QStringLiteral("ingresses"), QStringLiteral("-A")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("NAMESPACE"), r.out.constData());
        QCOMPARE(rowNamed(parseTable(r.out), QStringLiteral("secure")).value(QStringLiteral("NAMESPACE")), QStringLiteral("get-ns"));
        r = cli({QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("nope"), QStringLiteral("-n"), QStringLiteral("get-ns")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("Error from server (NotFound): ingresses.networking.k8s.io \"nope\" not found"), r.err.constData());
        r = cli({QStringLiteral("get"), QStringLiteral("gadgets")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unknown resource type 'gadgets'"), r.err.constData());
        // `all` lists each type with kubectl's TYPE/NAME names.
        r = cli({QStringLiteral("get"), QStringLiteral("all"), QStringLiteral("-n"), QStringLiteral("get-ns")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("service/web ") && r.out.contains("ingress.networking.k8s.io/secure "), r.out.constData());
        QVERIFY2(!r.err.contains("warning"), r.err.constData());  // ingress-nginx: nothing to warn about

        // EndpointSlices (discovery.k8s.io/v1beta1 on 1.20, found by discovery) and Deployments, as kubectl prints them.
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                           "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata:\n  name: web-abc\n"
                           "  namespace: get-ns\n  labels:\n    kubernetes.io/service-name: web\naddressType: IPv4\n"
                           "ports:\n- name: http\n  port: 8080\n  protocol: TCP\nendpoints:\n- addresses: [10.0.0.1]\n"
                           "  conditions: {ready: true}\n- addresses: [10.0.0.2]\n---\n"
                           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: get-ns\nspec:\n"
                           "  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
                           "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n"
                           "        image: example.test/web:1\n")
                     .isEmpty());
        const QList<QPair<QString, QStringList>> kinds = {
            {QStringLiteral("endpointslices"), {"ADDRESSTYPE", "PORTS", "ENDPOINTS"}},
            {QStringLiteral("deployments"), {"READY", "UP-TO-DATE", "AVAILABLE"}}};
        for (const auto& [type, cols] : kinds) {
            r = cli({QStringLiteral("get"), type, QStringLiteral("-n"), QStringLiteral("get-ns")});
            QVERIFY2(r.exitCode == 0, r.all().constData());
            const auto mine = parseTable(r.out);
            const auto kubectls = parseTable(kubectlOk({QStringLiteral("get"), type, QStringLiteral("-n"), QStringLiteral("get-ns")}));
            QCOMPARE(mine.size(), 1);
            QCOMPARE(kubectls.size(), 1);
            QCOMPARE(mine[0].value(QStringLiteral("NAME")), kubectls[0].value(QStringLiteral("NAME")));
            for (const QString& col : cols) QCOMPARE(mine[0].value(col), kubectls[0].value(col));
        }
    }

    void getWarnsWhenTheIngressClassIsAnotherController() {
        QVERIFY(createNamespace(QStringLiteral("traefik-ns")));
        QByteArray ing = ingressYaml(QStringLiteral("traefik-ns"), QStringLiteral("tr"));
        ing.replace("ingressClassName: nginx", "ingressClassName: traefik");
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                           "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: traefik\nspec:\n"
                           "  controller: traefik.io/ingress-controller\n---\n" + ing)
                     .isEmpty());
        Run r = cli({QStringLiteral("get"), QStringLiteral("ingresses"), QStringLiteral("-n"), QStringLiteral("traefik-ns")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("traefik"), r.out.constData());
        QVERIFY2(r.err.contains("warning: IngressClass \"traefik\" is handled by controller \"traefik.io/ingress-controller\""),
                 r.err.constData());
        QVERIFY2(r.err.contains("k8s.io/ingress-nginx"), r.err.constData());
    }

    // ---- pull, apply, diff -------------------------------------------------------------------------------------

    void pullWritesCleanYamlThatValidatesAndRoundTrips() {
        QVERIFY(createNamespace(QStringLiteral("pull-ns")));
        QVERIFY(createNamespace(QStringLiteral("ingress-nginx")));
        QByteArray withTls = ingressYaml(QStringLiteral("pull-ns"), QStringLiteral("shop"),
                                         QStringLiteral("\n    nginx.ingress.kubernetes.io/ssl-redirect: \"true\""));
        withTls.replace("  rules:\n", "  tls:\n  - hosts: [shop.example.test]\n    secretName: web-tls\n  rules:\n");
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                           serviceYaml(QStringLiteral("pull-ns"), QStringLiteral("web")) + "---\n" +
                               serviceYaml(QStringLiteral("pull-ns"), QStringLiteral("unused")) + "---\n" +
                               tlsSecretYaml(QStringLiteral("pull-ns")) + "---\n" + withTls +
                               "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n"
                               "  namespace: ingress-nginx\ndata:\n  proxy-body-size: 20m\n")
                     .isEmpty());
        const QString dir = m_tmp.filePath(QStringLiteral("pulled"));
        Run r = cli({QStringLiteral("pull"), QStringLiteral("-n"), QStringLiteral("pull-ns"), QStringLiteral("-o"), dir});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QStringList files;
        for (QDirIterator it(dir, {QStringLiteral("*.yaml")}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
            files << QDir(dir).relativeFilePath(it.next());
        files.sort();
        QCOMPARE(files, (QStringList{QStringLiteral("ingress-nginx/configmap-ingress-nginx-controller.yaml"),
                                     QStringLiteral("ingressclass-nginx.yaml"), QStringLiteral("pull-ns/ingress-shop.yaml"),
                                     QStringLiteral("pull-ns/secret-web-tls.yaml"), QStringLiteral("pull-ns/service-web.yaml")}));
        for (const QString& f : files) {
            const QByteArray text = readFile(dir + "/" + f);
            for (const char* server : {"managedFields", "resourceVersion", "uid:", "creationTimestamp", "selfLink",
                                       "generation", "last-applied-configuration", "status:", "clusterIP"})
                QVERIFY2(!text.contains(server), qPrintable(f + ": " + QString::fromUtf8(text)));
        }
        const QByteArray secret = readFile(dir + "/pull-ns/secret-web-tls.yaml");
        QVERIFY2(secret.contains("tls.key: \"\"") && secret.contains("ingress-lab.dev/pulled-without-data"), secret.constData());
        QVERIFY2(r.out.contains("(values left empty)"), r.out.constData());
        QVERIFY(readFile(dir + "/pull-ns/ingress-shop.yaml").contains("nginx.ingress.kubernetes.io/ssl-redirect: \"true\""));

        // It loads in `validate` without errors.
        QProcess v;
        v.start(ilab::testing::cliPath(), {QStringLiteral("validate"), dir});
        QVERIFY(v.waitForFinished(60000));
        const QByteArray vout = v.readAllStandardOutput() + v.readAllStandardError();
        QVERIFY2(v.exitCode() == 0 && vout.contains("0 error(s)"), vout.constData());

        // Round trip: applied back by us, nothing differs; the withheld Secret is left alone.
        r = cli({QStringLiteral("apply"), dir});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QVERIFY2(r.out.contains("ingress.networking.k8s.io/shop serverside-applied"), r.out.constData());
        QVERIFY2(r.err.contains("Secret pull-ns/web-tls skipped"), r.err.constData());
        QCOMPARE(kubectlOk({QStringLiteral("get"), QStringLiteral("secret"), QStringLiteral("web-tls"), QStringLiteral("-n"),
                            QStringLiteral("pull-ns"), QStringLiteral("-o"), QStringLiteral("jsonpath={.data.tls\\.key}")}),
                 readFile(m_kube.dir() + "/pki/apiserver.key").toBase64());
        r = cli({QStringLiteral("diff"), dir});
        QVERIFY2(r.exitCode == 0 && r.out.isEmpty(), r.all().constData());

        // --include-secrets: the values, in a 0600 file, and the round trip still holds.
        const QString dir2 = m_tmp.filePath(QStringLiteral("pulled-secrets"));
        r = cli({QStringLiteral("pull"), QStringLiteral("-n"), QStringLiteral("pull-ns"), QStringLiteral("-o"), dir2,
                 QStringLiteral("--include-secrets"), QStringLiteral("ingress/shop")});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        const QString secretFile = dir2 + "/pull-ns/secret-web-tls.yaml";
        QVERIFY2(readFile(secretFile).contains(readFile(m_kube.dir() + "/pki/apiserver.key").toBase64()), readFile(secretFile).constData());
        QCOMPARE(QFile::permissions(secretFile) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        QVERIFY(!QFile::exists(dir2 + "/pull-ns/service-unused.yaml"));
        r = cli({QStringLiteral("apply"), dir2});
        QVERIFY2(r.exitCode == 0 && r.out.contains("secret/web-tls serverside-applied"), r.all().constData());
        r = cli({QStringLiteral("diff"), dir2});
        QVERIFY2(r.exitCode == 0 && r.out.isEmpty(), r.all().constData());
    }

    void diffExitsOneOnTheChangedCanaryWeight() {
        QVERIFY(createNamespace(QStringLiteral("diff-ns")));
        const QString canary = QStringLiteral("\n    nginx.ingress.kubernetes.io/canary: \"true\"\n"
                                              "    nginx.ingress.kubernetes.io/canary-weight: \"10\"");
        const QString f = file(QStringLiteral("diff/canary.yaml"),
                               ingressYaml(QStringLiteral("diff-ns"), QStringLiteral("canary"), canary));
        Run r = cli({QStringLiteral("apply"), f});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        r = cli({QStringLiteral("diff"), f});
        QVERIFY2(r.exitCode == 0 && r.out.isEmpty(), r.all().constData());

        QByteArray changed = readFile(f);
        changed.replace("canary-weight: \"10\"", "canary-weight: \"30\"");
        QVERIFY(writeFile(f, changed));
        r = cli({QStringLiteral("diff"), f});
        QVERIFY2(r.exitCode == 1, r.all().constData());
        QVERIFY2(r.out.contains("\n-    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n"), r.out.constData());
        QVERIFY2(r.out.contains("\n+    nginx.ingress.kubernetes.io/canary-weight: \"30\"\n"), r.out.constData());
        QVERIFY2(r.out.contains("MERGED/networking.k8s.io.v1.Ingress.diff-ns.canary"), r.out.constData());
        // A preview: the cluster still has 10.
        QCOMPARE(kubectlJson({QStringLiteral("get"), QStringLiteral("ingress.networking.k8s.io"), QStringLiteral("canary"),
                              QStringLiteral("-n"), QStringLiteral("diff-ns")})
                     .value("metadata").toObject().value("annotations").toObject()
                     .value("nginx.ingress.kubernetes.io/canary-weight").toString(),
                 QStringLiteral("10"));

        // An object the server refuses: exit 2, as kubectl diff.
        const QString bad = file(QStringLiteral("diff/bad.yaml"), ingressYaml(QStringLiteral("diff-ns"), QStringLiteral("bad"),
                                                                              {}, QStringLiteral("Bogus")));
        r = cli({QStringLiteral("diff"), bad});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("spec.rules[0].http.paths[0].pathType"), r.err.constData());
    }

    void applyChangesTheObjectInTheCluster() {
        QVERIFY(createNamespace(QStringLiteral("apply-ns")));
        const QString f = file(QStringLiteral("apply/shop.yaml"), ingressYaml(QStringLiteral("apply-ns"), QStringLiteral("shop")));
        Run r = cli({QStringLiteral("apply"), f});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(r.out, QByteArray("ingress.networking.k8s.io/shop serverside-applied\n"));
        // --raw: the object as the API server has it, managedFields included, with any kubectl (--show-managed-fields
        // needs 1.21; Debian 12 ships 1.20.2).
        QJsonObject live = QJsonDocument::fromJson(kubectlOk({QStringLiteral("get"), QStringLiteral("--raw"),
                                                              QStringLiteral("/apis/networking.k8s.io/v1/namespaces/apply-ns/ingresses/shop")}))
                               .object();
        QCOMPARE(live.value("metadata").toObject().value("annotations").toObject().value("nginx.ingress.kubernetes.io/proxy-body-size").toString(),
                 QStringLiteral("8m"));
        QCOMPARE(live.value("metadata").toObject().value("managedFields").toArray().at(0).toObject().value("manager").toString(),
                 QStringLiteral("ingress-lab"));

        QByteArray text = readFile(f);
        text.replace("proxy-body-size: 8m", "proxy-body-size: 32m");
        QVERIFY(writeFile(f, text));
        r = cli({QStringLiteral("apply"), f, QStringLiteral("--dry-run")});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(r.out, QByteArray("ingress.networking.k8s.io/shop serverside-applied (server dry run)\n"));
        auto bodySize = [&] {
            return kubectlJson({QStringLiteral("get"), QStringLiteral("ingress.networking.k8s.io"), QStringLiteral("shop"),
                                QStringLiteral("-n"), QStringLiteral("apply-ns")})
                .value("metadata").toObject().value("annotations").toObject()
                .value("nginx.ingress.kubernetes.io/proxy-body-size").toString();
        };
        QCOMPARE(bodySize(), QStringLiteral("8m"));
        r = cli({QStringLiteral("apply"), f});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(bodySize(), QStringLiteral("32m"));

        // kubectl's namespace rule: -n that contradicts the object's namespace is refused before anything is sent.
        r = cli({QStringLiteral("apply"), f, QStringLiteral("-n"), QStringLiteral("default")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("does not match the namespace \"default\""), r.err.constData());
    }

    void servicePortWithoutProtocolApplies() {
        // 1.20 refuses SSA of a port without `protocol` (500 "associative list with keys has an element that omits key
        // field"); the CLI sends the default, TCP, so a Service written the usual way applies and diffs clean.
        const QString f = file(QStringLiteral("apply/noproto.yaml"),
                               "apiVersion: v1\nkind: Service\nmetadata:\n  name: noproto\n  namespace: default\nspec:\n"
                               "  ports:\n  - port: 80\n    targetPort: 8080\n");
        Run r = cli({QStringLiteral("apply"), f});
        QVERIFY2(r.exitCode == 0 && r.out == "service/noproto serverside-applied\n", r.all().constData());
        QCOMPARE(kubectlOk({QStringLiteral("get"), QStringLiteral("service"), QStringLiteral("noproto"), QStringLiteral("-o"),
                            QStringLiteral("jsonpath={.spec.ports[0].protocol}")}),
                 QByteArray("TCP"));
        r = cli({QStringLiteral("diff"), f});
        QVERIFY2(r.exitCode == 0 && r.out.isEmpty(), r.all().constData());
    }

    void applyConflictListsFieldsAndManagers() {
        QVERIFY(createNamespace(QStringLiteral("conflict-ns")));
        QByteArray ours = ingressYaml(QStringLiteral("conflict-ns"), QStringLiteral("shop"));
        // Not the first annotation: the position must be the conflicting key's, not the annotations map's.
        ours.replace("  annotations:\n", "  annotations:\n    example.test/owner: team-a\n");
        const QString f = file(QStringLiteral("conflict/shop.yaml"), ours);
        Run r = cli({QStringLiteral("apply"), f});
        QVERIFY2(r.exitCode == 0, r.all().constData());
        // Another manager takes the annotation over.
        QByteArray theirs = ours;
        theirs.replace("proxy-body-size: 8m", "proxy-body-size: 16m");
        QVERIFY(!kubectlOk({QStringLiteral("apply"), QStringLiteral("--server-side"), QStringLiteral("--field-manager=other-tool"),
                            QStringLiteral("--force-conflicts"), QStringLiteral("-f"), QStringLiteral("-")},
                           theirs)
                     .isEmpty());
        r = cli({QStringLiteral("apply"), f});
        QCOMPARE(r.exitCode, 1);
        const int line = lineOf(ours, "proxy-body-size");
        const QRegularExpression conflictLine(
            QRegularExpression::escape(QStringLiteral("%1:%2:").arg(f).arg(line)) +
            QStringLiteral("\\d+: \\.metadata\\.annotations\\.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size "
                           "\\(conflict with \"other-tool\""));
        QVERIFY2(conflictLine.match(QString::fromUtf8(r.err)).hasMatch(), r.err.constData());
        QVERIFY2(r.err.contains("--force-conflicts"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        auto bodySize = [&] {
            return kubectlJson({QStringLiteral("get"), QStringLiteral("ingress.networking.k8s.io"), QStringLiteral("shop"),
                                QStringLiteral("-n"), QStringLiteral("conflict-ns")})
                .value("metadata").toObject().value("annotations").toObject()
                .value("nginx.ingress.kubernetes.io/proxy-body-size").toString();
        };
        QCOMPARE(bodySize(), QStringLiteral("16m"));
        r = cli({QStringLiteral("apply"), f, QStringLiteral("--force-conflicts")});
        QVERIFY2(r.exitCode == 0 && r.out.contains("serverside-applied"), r.all().constData());
        QCOMPARE(bodySize(), QStringLiteral("8m"));
    }

    void invalidObjectNamesFieldAndFileLine() {
        const QByteArray text = ingressYaml(QStringLiteral("default"), QStringLiteral("invalid"), {}, QStringLiteral("Bogus"));
        const QString f = file(QStringLiteral("invalid/ing.yaml"), text);
        const Run r = cli({QStringLiteral("apply"), f});
        QCOMPARE(r.exitCode, 1);
        const QRegularExpression expected(
            QRegularExpression::escape(QStringLiteral("%1:%2:").arg(f).arg(lineOf(text, "pathType: Bogus"))) +
            QStringLiteral("\\d+: error: ") +
            QRegularExpression::escape(QStringLiteral("spec.rules[0].http.paths[0].pathType: Unsupported value: \"Bogus\"")));
        QVERIFY2(expected.match(QString::fromUtf8(r.err)).hasMatch(), r.err.constData());
        int code = -1;
        m_kube.kubectl({QStringLiteral("get"), QStringLiteral("ingress.networking.k8s.io"), QStringLiteral("invalid")}, &code);
        QVERIFY(code != 0);  // nothing stored
    }

    // ---- events --------------------------------------------------------------------------------------------------

    void eventsListAndWatch() {
        QVERIFY(createNamespace(QStringLiteral("ev-ns")));
        auto event = [](const QString& name, const QString& message) {
            const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
            return QStringLiteral("apiVersion: v1\nkind: Event\nmetadata:\n  name: %1\n  namespace: ev-ns\n"
                                  "involvedObject:\n  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n  name: shop\n"
                                  "  namespace: ev-ns\nreason: Sync\nmessage: %2\ntype: Normal\nsource:\n"
                                  "  component: nginx-ingress-controller\ncount: 1\nfirstTimestamp: \"%3\"\nlastTimestamp: \"%3\"\n")
                .arg(name, message, now)
                .toUtf8();
        };
        QVERIFY(!kubectlOk({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")},
                           event(QStringLiteral("e1"), QStringLiteral("Scheduled for sync")))
                     .isEmpty());
        Run r = cli({QStringLiteral("events"), QStringLiteral("-n"), QStringLiteral("ev-ns")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto rows = parseTable(r.out);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].value(QStringLiteral("TYPE")), QStringLiteral("Normal"));
        QCOMPARE(rows[0].value(QStringLiteral("REASON")), QStringLiteral("Sync"));
        QCOMPARE(rows[0].value(QStringLiteral("OBJECT")), QStringLiteral("ingress/shop"));
        QCOMPARE(rows[0].value(QStringLiteral("MESSAGE")), QStringLiteral("Scheduled for sync"));
        // --for KIND/NAME: the field selector on involvedObject.
        r = cli({QStringLiteral("events"), QStringLiteral("-n"), QStringLiteral("ev-ns"), QStringLiteral("--for"), QStringLiteral("ingress/shop")});
        QVERIFY2(r.exitCode == 0 && r.out.contains("Scheduled for sync"), r.all().constData());
        r = cli({QStringLiteral("events"), QStringLiteral("-n"), QStringLiteral("ev-ns"), QStringLiteral("--for"), QStringLiteral("ingress/other")});
        QVERIFY2(r.exitCode == 0 && r.out.isEmpty() && r.err.contains("No resources found in ev-ns namespace."), r.all().constData());

        QProcess w;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_tmp.path());
        w.setProcessEnvironment(env);
        w.start(ilab::testing::cliPath(), {QStringLiteral("cluster"), QStringLiteral("events"), QStringLiteral("-w"),
                                           QStringLiteral("-n"), QStringLiteral("ev-ns"), QStringLiteral("--kubeconfig"),
                                           m_kube.kubeconfig(QStringLiteral("admin-token"))});
        QByteArray out;
        auto waitFor = [&](const QByteArray& needle) {
            for (int i = 0; i < 600 && !out.contains(needle); ++i) {  // up to 60 s on a loaded machine
                w.waitForReadyRead(100);
                out += w.readAllStandardOutput();
            }
            return out.contains(needle);
        };
        QVERIFY2(waitFor("Scheduled for sync"), out.constData());
        QVERIFY(!kubectlOk({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")},
                           event(QStringLiteral("e2"), QStringLiteral("Second event")))
                     .isEmpty());
        QVERIFY2(waitFor("Second event"), out.constData());
        QCOMPARE(out.count("Scheduled for sync"), 1);  // the watch does not repeat what the list printed
        ::kill(static_cast<pid_t>(w.processId()), SIGTERM);
        QVERIFY(w.waitForFinished(30000));
        QCOMPARE(w.exitStatus(), QProcess::NormalExit);
        QCOMPARE(w.exitCode(), 0);
        m_allOutput += out + w.readAll() + w.readAllStandardError();
    }

    // A watch resumed from a resourceVersion that etcd has compacted away gets 410 Expired (events have no watch
    // cache on 1.20, so the watch reads etcd): `events -w` lists again and goes on, printing later events once.
    void eventsWatchRelistsAfterCompaction() {
        QVERIFY(createNamespace(QStringLiteral("ev-compact")));
        auto event = [](const QString& name, const QString& message) {
            const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
            return QStringLiteral("apiVersion: v1\nkind: Event\nmetadata:\n  name: %1\n  namespace: ev-compact\n"
                                  "involvedObject:\n  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n  name: shop\n"
                                  "  namespace: ev-compact\nreason: Sync\nmessage: %2\ntype: Normal\nsource:\n"
                                  "  component: nginx-ingress-controller\ncount: 1\nfirstTimestamp: \"%3\"\nlastTimestamp: \"%3\"\n")
                .arg(name, message, now)
                .toUtf8();
        };
        QVERIFY(!kubectlOk({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")},
                           event(QStringLiteral("c1"), QStringLiteral("Before the compaction")))
                     .isEmpty());
        QProcess w;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_tmp.path());
        w.setProcessEnvironment(env);
        w.start(ilab::testing::cliPath(), {QStringLiteral("cluster"), QStringLiteral("events"), QStringLiteral("-w"),
                                           QStringLiteral("--watch-timeout"), QStringLiteral("1"), QStringLiteral("-n"),
                                           QStringLiteral("ev-compact"), QStringLiteral("--kubeconfig"),
                                           m_kube.kubeconfig(QStringLiteral("admin-cert"))});
        QByteArray out;
        auto waitFor = [&](const QByteArray& needle) {
            for (int i = 0; i < 600 && !out.contains(needle); ++i) {
                w.waitForReadyRead(100);
                out += w.readAllStandardOutput();
            }
            return out.contains(needle);
        };
        QVERIFY2(waitFor("Before the compaction"), out.constData());
        // Move etcd past the watch's resourceVersion (objects the watch does not see) and compact everything.
        QByteArray rv;  // of the last object created: etcd's current revision
        for (int i = 0; i < 3; ++i)
            rv = kubectlOk({QStringLiteral("create"), QStringLiteral("configmap"), QStringLiteral("compact-%1").arg(i),
                            QStringLiteral("-n"), QStringLiteral("default"), QStringLiteral("-o"),
                            QStringLiteral("jsonpath={.metadata.resourceVersion}")});
        QVERIFY(!rv.isEmpty());
        QProcess curl;
        curl.start(QStringLiteral("curl"), {QStringLiteral("-sS"), QStringLiteral("-X"), QStringLiteral("POST"),
                                            m_kube.envValue(QStringLiteral("ILAB_ETCD_URL")) + QStringLiteral("/v3/kv/compaction"),
                                            QStringLiteral("-d"),
                                            QStringLiteral("{\"revision\":\"%1\",\"physical\":true}").arg(QString::fromLatin1(rv))});
        QVERIFY(curl.waitForFinished(30000));
        QCOMPARE(curl.exitCode(), 0);
        // The running watch ends after 1 s and resumes from its old resourceVersion: 410, then a new list.
        QTest::qWait(3000);
        QVERIFY2(w.state() == QProcess::Running, (out + w.readAllStandardError()).constData());
        QVERIFY(!kubectlOk({QStringLiteral("create"), QStringLiteral("-f"), QStringLiteral("-")},
                           event(QStringLiteral("c2"), QStringLiteral("After the compaction")))
                     .isEmpty());
        QVERIFY2(waitFor("After the compaction"), (out + w.readAllStandardError()).constData());
        QCOMPARE(out.count("Before the compaction"), 1);
        QCOMPARE(out.count("After the compaction"), 1);
        ::kill(static_cast<pid_t>(w.processId()), SIGTERM);
        QVERIFY(w.waitForFinished(30000));
        QCOMPARE(w.exitCode(), 0);
        const QByteArray err = w.readAllStandardError();
        QVERIFY2(err.isEmpty(), err.constData());
        m_allOutput += out + w.readAll() + err;
    }

    // ---- credentials and RBAC ------------------------------------------------------------------------------------

    void forbiddenIsClear_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("client certificate") << QStringLiteral("limited");
        QTest::newRow("static token") << QStringLiteral("limited-token");
    }
    void forbiddenIsClear() {
        QFETCH(QString, mode);
        Run r = cli({QStringLiteral("get"), QStringLiteral("ingresses")}, mode);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("Error from server (Forbidden): ingresses.networking.k8s.io is forbidden: User \"ilab-limited\" "
                                "cannot list resource \"ingresses\" in API group \"networking.k8s.io\" in the namespace \"default\""),
                 r.err.constData());
        const QString f = file(QStringLiteral("forbidden/ing.yaml"), ingressYaml(QStringLiteral("default"), QStringLiteral("nope")));
        r = cli({QStringLiteral("apply"), f}, mode);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("forbidden: User \"ilab-limited\" cannot patch resource \"ingresses\""), r.err.constData());
        r = cli({QStringLiteral("pull"), QStringLiteral("-o"), m_tmp.filePath(QStringLiteral("forbidden-pull"))}, mode);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("cannot list resource \"ingresses\""), r.err.constData());
    }

    void tokenKubeconfigsWork_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("token") << QStringLiteral("admin-token");
        QTest::newRow("tokenFile") << QStringLiteral("admin-tokenfile");
        QTest::newRow("client certificate files") << QStringLiteral("admin-certfiles");
    }
    void tokenKubeconfigsWork() {
        QFETCH(QString, mode);
        Run r = cli({QStringLiteral("get"), QStringLiteral("services"), QStringLiteral("-n"), QStringLiteral("default")}, mode);
        QVERIFY2(r.exitCode == 0, r.all().constData());
        QCOMPARE(rowNamed(parseTable(r.out), QStringLiteral("kubernetes")).value(QStringLiteral("CLUSTER-IP")), QStringLiteral("10.96.0.1"));
        r = cli({QStringLiteral("info")}, mode);
        QVERIFY2(r.exitCode == 0 && r.out.contains("v1.20.2"), r.all().constData());
        r = cli({QStringLiteral("contexts")}, mode);
        QVERIFY2(r.exitCode == 0 && r.out.contains("kind-ilab"), r.all().constData());
    }

    void execPluginRunsOnlyOnceApproved() {
        // A kubeconfig whose user gets the admin token from an exec plugin (client.authentication.k8s.io/v1).
        const QString plugin = file(QStringLiteral("exec/token-plugin.sh"),
                                    QStringLiteral("#!/bin/sh\necho \"ran\" >> \"$(dirname \"$0\")/runs\"\n"
                                                   "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                                                   "\"ExecCredential\",\"status\":{\"token\":\"%1\"}}'\n")
                                        .arg(m_kube.token(QStringLiteral("admin")))
                                        .toUtf8());
        QFile::setPermissions(plugin, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QByteArray kc = readFile(m_kube.kubeconfig(QStringLiteral("admin-token")));
        const QByteArray token = m_kube.token(QStringLiteral("admin")).toUtf8();
        QVERIFY(kc.contains("token: " + token));
        kc.replace("token: " + token, "exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                                      "      command: ./token-plugin.sh\n      interactiveMode: Never\n");
        const QString f = file(QStringLiteral("exec/exec.kubeconfig"), kc);
        const QStringList get = {QStringLiteral("get"), QStringLiteral("services"), QStringLiteral("--kubeconfig"), f};
        Run r = cli(get, {});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("token-plugin.sh") && r.err.contains("--allow-exec-plugin"), r.err.constData());
        QVERIFY(!QFile::exists(m_tmp.filePath(QStringLiteral("exec/runs"))));  // not run without consent
        r = cli(get + QStringList{QStringLiteral("--allow-exec-plugin")}, {});
        QVERIFY2(r.exitCode == 0 && r.out.contains("kubernetes"), r.all().constData());
        r = cli(get, {});  // the grant is remembered
        QVERIFY2(r.exitCode == 0 && r.out.contains("kubernetes"), r.all().constData());
        QVERIFY(QFile::exists(m_tmp.filePath(QStringLiteral("exec/runs"))));
    }

    void wrongTokenIsRejectedWithoutShowingIt() {
        QByteArray kc = readFile(m_kube.kubeconfig(QStringLiteral("admin-token")));
        const QByteArray token = m_kube.token(QStringLiteral("admin")).toUtf8();
        QVERIFY(kc.contains(token));
        kc.replace(token, "wrong-token-0123456789abcdef");
        const QString f = file(QStringLiteral("wrong-token.kubeconfig"), kc);
        const Run r = cli({QStringLiteral("get"), QStringLiteral("--kubeconfig"), f}, {});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("Unauthorized"), r.err.constData());
        QVERIFY(!r.all().contains("wrong-token-0123456789abcdef"));
    }

    // Last: nothing any command printed holds a token, a private key or Secret values.
    void noCredentialInAnyOutput() {
        QVERIFY(m_allOutput.size() > 1000);  // the runs above happened
        QList<QByteArray> secrets = {m_kube.token(QStringLiteral("admin")).toUtf8(), m_kube.token(QStringLiteral("limited")).toUtf8()};
        for (const char* key : {"/pki/admin.key", "/pki/limited.key", "/pki/apiserver.key"}) {
            const QByteArray pem = readFile(m_kube.dir() + QLatin1String(key));
            QVERIFY(!pem.isEmpty());
            secrets << pem.toBase64().left(48);                  // as in client-key-data / Secret data
            secrets << pem.split('\n').value(1).left(48);        // a line of the PEM itself
        }
        for (const QByteArray& s : secrets) {
            QVERIFY(s.size() >= 16);
            QVERIFY2(!m_allOutput.contains(s), qPrintable(QStringLiteral("credential material in CLI output: %1...")
                                                              .arg(QString::fromLatin1(s.left(6)))));
        }
    }

    void cleanupTestCase() { m_kube.stop(); }
};

QTEST_GUILESS_MAIN(ClusterCliTest)
#include "cluster_cli_test.moc"
