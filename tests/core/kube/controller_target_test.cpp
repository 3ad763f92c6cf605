// The controller target resolver (core/kube/controller_target) for every row of cluster.md §3.3's kind/minikube
// table, against objects created in the real kube-apiserver v1.20.2: Nodes (status.addresses through nodes/status),
// the controller's Services and Pods (phase Running and hostIP through pods/status), Ingresses with
// status.loadBalancer written through ingresses/status, IngressClasses. The objects are read back with
// collectClusterView (the REST client), so what the resolver sees is what a cluster serves. Probes: a real TCP
// listener for the reachable rows, an injected probe where the table's addresses (192.168.49.2, 172.18.0.x) cannot
// exist on this machine.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTest>

#include "core/kube/controller_target.h"
#include "core/kube/rest_client.h"
#include "support/kube_server.h"

using namespace ilab::kube;
using ilab::testing::KubeServer;

namespace {

std::string readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().toStdString() : std::string();
}

QString rules(const TargetResolution& r) {
    QStringList out;
    for (const auto& c : r.candidates)
        out << QString::fromStdString(c.ruleId() + " " + c.address + ":" + std::to_string(c.httpPort) + "/" +
                                      std::to_string(c.httpsPort));
    return out.join(QStringLiteral(" | "));
}

// A probe that answers only for these addresses (the machine the table row describes).
TargetProbe reachableOnly(QStringList addresses) {
    return [addresses](const ControllerTarget& t) { return addresses.contains(QString::fromStdString(t.address)); };
}

}  // namespace

class ControllerTargetTest : public QObject {
    Q_OBJECT

    std::unique_ptr<KubeServer> m_kube;
    std::unique_ptr<RestClient> m_client;

    void kubectlOk(const QStringList& args, const QByteArray& stdinData = {}) {
        int code = -1;
        const QByteArray out = m_kube->kubectl(args, &code, stdinData);
        QVERIFY2(code == 0, qPrintable(args.join(' ') + ": " + QString::fromUtf8(out)));
    }
    void apply(const QByteArray& yaml) { kubectlOk({"apply", "-f", "-"}, yaml); }
    void patchStatus(const QString& type, const QString& ns, const QString& name, const QByteArray& json) {
        QStringList args{"patch", type, name, "--subresource=status", "--type=merge", "-p", QString::fromUtf8(json)};
        if (!ns.isEmpty()) args << "-n" << ns;
        kubectlOk(args);
    }
    // Nodes are cluster-scoped: every row starts with only its own.
    void node(const QString& name, const QString& address, const QString& providerID = {}, const QString& labels = {}) {
        apply(QStringLiteral("apiVersion: v1\nkind: Node\nmetadata:\n  name: %1\n  labels: {%3}\nspec:\n  providerID: \"%2\"\n")
                  .arg(name, providerID, labels)
                  .toUtf8());
        patchStatus("node", {}, name,
                    QStringLiteral(R"({"status":{"addresses":[{"type":"InternalIP","address":"%1"},{"type":"Hostname","address":"%2"}]}})")
                        .arg(address, name)
                        .toUtf8());
    }
    void controllerService(const QString& ns, const QString& type, int httpNodePort = 0, int httpsNodePort = 0) {
        const QString np1 = httpNodePort ? QStringLiteral("\n    nodePort: %1").arg(httpNodePort) : QString();
        const QString np2 = httpsNodePort ? QStringLiteral("\n    nodePort: %1").arg(httpsNodePort) : QString();
        apply(QStringLiteral(R"(apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: %1
  labels: {app.kubernetes.io/component: controller, app.kubernetes.io/name: ingress-nginx}
spec:
  type: %2
  selector: {app.kubernetes.io/component: controller}
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: http%3
  - name: https
    port: 443
    protocol: TCP
    targetPort: https%4
---
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller-admission
  namespace: %1
  labels: {app.kubernetes.io/component: controller, app.kubernetes.io/name: ingress-nginx}
spec:
  type: ClusterIP
  ports:
  - name: https-webhook
    port: 443
    protocol: TCP
    targetPort: webhook
)")
                  .arg(ns, type, np1, np2)
                  .toUtf8());
    }
    void controllerPod(const QString& ns, const QString& nodeName, const QString& hostIP, bool hostPorts) {
        const QString hp80 = hostPorts ? QStringLiteral("\n      hostPort: 80") : QString();
        const QString hp443 = hostPorts ? QStringLiteral("\n      hostPort: 443") : QString();
        apply(QStringLiteral(R"(apiVersion: v1
kind: Pod
metadata:
  name: ingress-nginx-controller-5c8d66c76d-abcde
  namespace: %1
  labels: {app.kubernetes.io/component: controller, app.kubernetes.io/name: ingress-nginx}
spec:
  nodeName: %2
  containers:
  - name: controller
    image: registry.k8s.io/ingress-nginx/controller:v1.12.0
    ports:
    - name: http
      containerPort: 80
      protocol: TCP%3
    - name: https
      containerPort: 443
      protocol: TCP%4
    - name: webhook
      containerPort: 8443
      protocol: TCP
)")
                  .arg(ns, nodeName, hp80, hp443)
                  .toUtf8());
        patchStatus("pod", ns, "ingress-nginx-controller-5c8d66c76d-abcde",
                    QStringLiteral(R"({"status":{"phase":"Running","hostIP":"%1","podIP":"10.244.0.7"}})").arg(hostIP).toUtf8());
    }
    void ingress(const QString& ns, const QString& host, const QString& className, const QByteArray& statusJson) {
        apply(QStringLiteral(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: %1
spec:
  ingressClassName: %3
  rules:
  - host: "%2"
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
)")
                  .arg(ns, host, className)
                  .toUtf8());
        if (!statusJson.isEmpty()) patchStatus("ingress", ns, "shop", statusJson);
    }
    void namespaces(const QStringList& names) {
        for (const auto& n : names) kubectlOk({"create", "namespace", n});
        kubectlOk({"delete", "nodes", "--all"});
    }

    TargetResolution resolve(const QString& ns, const QString& controllerNs, const QString& context,
                             const std::vector<std::string>& hosts = {"shop.example.test"}) {
        ResolveOptions o;
        o.hosts = hosts;
        o.controllerNamespace = controllerNs.toStdString();
        std::optional<ClusterView> view;
        std::optional<RestError> error;
        std::vector<std::string> notes;
        collectClusterView(*m_client, ns.toStdString(), o, nullptr,
                           [&](ClusterView v, std::vector<std::string> n, std::optional<RestError> e) {
                               view = std::move(v);
                               notes = std::move(n);
                               error = e;
                           });
        if (!QTest::qWaitFor([&] { return view.has_value(); }, 30000)) qFatal("collectClusterView timed out");
        if (error) qWarning("collect: %s", error->describe().c_str());
        view->contextName = context.toStdString();
        TargetResolution r = targetCandidates(*view, o);
        r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
        return r;
    }

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        m_kube = std::make_unique<KubeServer>();
        QVERIFY2(m_kube->start(), qPrintable(m_kube->errorString()));
        ClusterConnection c;
        c.server = m_kube->server().toStdString();
        c.caPem = readFile(m_kube->caFile());
        c.auth.clientCertPem = SecretBytes(readFile(m_kube->dir() + "/pki/admin.crt"));
        c.auth.clientKeyPem = SecretBytes(readFile(m_kube->dir() + "/pki/admin.key"));
        m_client = std::make_unique<RestClient>(c);
        apply(R"(apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: cloud-provider-kind
spec:
  controller: kind.sigs.k8s.io/ingress-controller
)");
    }
    void cleanupTestCase() {
        m_client.reset();
        if (m_kube) m_kube->stop();
    }

    // Row "kind + ingress-nginx kind manifest": hostPort 80/443 on the control-plane node, extraPortMappings to
    // 127.0.0.1, and --publish-status-address=localhost in the Ingress status.
    void kindManifest() {
        namespaces({"row-kind", "row-kind-ctl"});
        node("kind-control-plane", "172.18.0.2", "kind://docker/kind/kind-control-plane", "ingress-ready: \"true\"");
        controllerService("row-kind-ctl", "NodePort", 31080, 31443);
        controllerPod("row-kind-ctl", "kind-control-plane", "172.18.0.2", true);
        ingress("row-kind", "shop.example.test", "nginx", R"({"status":{"loadBalancer":{"ingress":[{"hostname":"localhost"}]}}})");
        TargetResolution r = resolve("row-kind", "row-kind-ctl", "kind-kind");
        QCOMPARE(rules(r), QStringLiteral("ingress-status 127.0.0.1:80/443 | service-nodeport 172.18.0.2:31080/31443 | "
                                          "pod-hostport 172.18.0.2:80/443 | port-forward :0/0"));
        QCOMPARE(r.controllerClass, std::string("k8s.io/ingress-nginx"));
        QVERIFY(QString::fromStdString(r.candidates[0].explanation).contains("Ingress row-kind/shop"));
        QVERIFY(QString::fromStdString(r.candidates[0].explanation).contains("hostname localhost"));
        const ControllerTarget& pf = r.candidates.back();
        QCOMPARE(pf.podName, std::string("ingress-nginx-controller-5c8d66c76d-abcde"));
        QCOMPARE(pf.podNamespace, std::string("row-kind-ctl"));
        QCOMPARE(pf.podHttpPort, 80);
        QCOMPARE(pf.podHttpsPort, 443);
        chooseTarget(r, reachableOnly({"127.0.0.1"}));
        QVERIFY(r.chosen);
        QCOMPARE(r.chosen->ruleId(), std::string("ingress-status"));
        QCOMPARE(r.chosen->connectTo("shop.example.test", 443, true), std::string("shop.example.test:443:127.0.0.1:443"));

        // Before the controller has published its status: kind's port mapping is the first that answers on a
        // macOS host (the node address 172.18.0.2 is not reachable there).
        kubectlOk({"patch", "ingress", "shop", "-n", "row-kind", "--subresource=status", "--type=merge", "-p",
                   R"({"status":{"loadBalancer":{"ingress":null}}})"});
        r = resolve("row-kind", "row-kind-ctl", "kind-kind");
        QCOMPARE(rules(r), QStringLiteral("service-nodeport 172.18.0.2:31080/31443 | pod-hostport 172.18.0.2:80/443 | "
                                          "kind-port-mapping 127.0.0.1:80/443 | port-forward :0/0"));
        chooseTarget(r, reachableOnly({"127.0.0.1"}));
        QCOMPARE(r.chosen->ruleId(), std::string("kind-port-mapping"));
        QCOMPARE(r.notes.size(), size_t(2));  // the two that did not answer, by address and rule
        QVERIFY(QString::fromStdString(r.notes[0]).contains("172.18.0.2 HTTP 31080, HTTPS 31443 [service-nodeport]"));
        // On Linux the node address answers: the NodePort comes first.
        chooseTarget(r, reachableOnly({"172.18.0.2"}));
        QCOMPARE(r.chosen->ruleId(), std::string("service-nodeport"));
    }

    // Row "kind + cloud-provider-kind": the Ingress status has an IP on the kind network, and the class is not
    // ingress-nginx's, which the resolution says.
    void kindCloudProvider() {
        namespaces({"row-cpk", "row-cpk-ctl"});
        node("kind-control-plane", "172.18.0.2", "kind://docker/kind/kind-control-plane");
        ingress("row-cpk", "shop.example.test", "cloud-provider-kind", R"({"status":{"loadBalancer":{"ingress":[{"ip":"172.18.0.5"}]}}})");
        TargetResolution r = resolve("row-cpk", "row-cpk-ctl", "kind-kind");
        QCOMPARE(rules(r), QStringLiteral("ingress-status 172.18.0.5:80/443"));
        QCOMPARE(r.controllerClass, std::string("kind.sigs.k8s.io/ingress-controller"));
        bool warned = false;
        for (const auto& n : r.notes) warned |= QString::fromStdString(n).contains("not ingress-nginx");
        QVERIFY2(warned, "the resolution must say the controller is not ingress-nginx");
        chooseTarget(r, reachableOnly({"172.18.0.5"}));
        QCOMPARE(r.chosen->address, std::string("172.18.0.5"));
    }

    // Row "minikube addons enable ingress" (docker driver, Linux): Service NodePort, hostPort 80/443, status = node IP.
    void minikubeLinux() {
        namespaces({"row-mk", "row-mk-ctl"});
        node("minikube", "192.168.49.2", {}, "minikube.k8s.io/name: minikube, minikube.k8s.io/primary: \"true\"");
        controllerService("row-mk-ctl", "NodePort", 32080, 32443);
        controllerPod("row-mk-ctl", "minikube", "192.168.49.2", true);
        ingress("row-mk", "shop.example.test", "nginx", R"({"status":{"loadBalancer":{"ingress":[{"ip":"192.168.49.2"}]}}})");
        TargetResolution r = resolve("row-mk", "row-mk-ctl", "minikube");
        QCOMPARE(rules(r), QStringLiteral("ingress-status 192.168.49.2:80/443 | service-nodeport 192.168.49.2:32080/32443 | "
                                          "minikube-tunnel 127.0.0.1:80/443 | port-forward :0/0"));
        chooseTarget(r, reachableOnly({"192.168.49.2"}));
        QCOMPARE(r.chosen->ruleId(), std::string("ingress-status"));
        QCOMPARE(r.chosen->connectTo("hello-world.example", 80, false), std::string("hello-world.example:80:192.168.49.2:80"));

        // Row "minikube docker driver on macOS/Windows": the node IP does not answer; `minikube tunnel` does.
        chooseTarget(r, reachableOnly({"127.0.0.1"}));
        QCOMPARE(r.chosen->ruleId(), std::string("minikube-tunnel"));
        // Nothing answers: the port-forward to the controller pod is what is left.
        chooseTarget(r, reachableOnly({}));
        QCOMPARE(r.chosen->ruleId(), std::string("port-forward"));
        QCOMPARE(r.chosen->podName, std::string("ingress-nginx-controller-5c8d66c76d-abcde"));
    }

    // Row "generic: controller Service LoadBalancer": its status.loadBalancer address, the Service's own ports.
    void genericLoadBalancer() {
        namespaces({"row-lb", "row-lb-ctl"});
        node("worker-1", "10.0.0.5");
        controllerService("row-lb-ctl", "LoadBalancer", 30080, 30443);
        patchStatus("service", "row-lb-ctl", "ingress-nginx-controller",
                    R"({"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}})");
        controllerPod("row-lb-ctl", "worker-1", "10.0.0.5", false);
        ingress("row-lb", "shop.example.test", "nginx", {});
        TargetResolution r = resolve("row-lb", "row-lb-ctl", "prod");
        QCOMPARE(rules(r), QStringLiteral("service-loadbalancer 203.0.113.10:80/443 | service-nodeport 10.0.0.5:30080/30443 | "
                                          "port-forward :0/0"));
        QVERIFY(QString::fromStdString(r.candidates[0].explanation).contains("type LoadBalancer"));
        QVERIFY(QString::fromStdString(r.candidates[0].explanation).contains("row-lb-ctl/ingress-nginx-controller"));
    }

    // Row "generic: controller Service NodePort", with a real listener on the nodePort of a Node whose address is
    // 127.0.0.1: the real TCP probe picks it, and the unreachable first candidate is noted.
    void genericNodePortWithRealProbe() {
        namespaces({"row-np", "row-np-ctl"});
        QTcpServer listener;
        int nodePort = 0;
        for (int p = 30000 + (QCoreApplication::applicationPid() % 2000); p < 32767 && !nodePort; ++p)
            if (listener.listen(QHostAddress::LocalHost, quint16(p))) nodePort = p;
        QVERIFY(nodePort);
        node("worker-1", "127.0.0.1");
        controllerService("row-np-ctl", "NodePort", nodePort, 0);
        controllerPod("row-np-ctl", "worker-1", "127.0.0.1", false);
        // an Ingress status address that does not answer (TEST-NET-1, never routed)
        ingress("row-np", "shop.example.test", "nginx", R"({"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}})");
        TargetResolution r = resolve("row-np", "row-np-ctl", "prod");
        QCOMPARE(r.candidates.size(), size_t(3));
        QCOMPARE(r.candidates[1].ruleId(), std::string("service-nodeport"));
        QCOMPARE(r.candidates[1].httpPort, nodePort);
        chooseTarget(r, probeTarget);
        QVERIFY(r.chosen);
        QCOMPARE(r.chosen->ruleId(), std::string("service-nodeport"));
        QCOMPARE(r.chosen->address, std::string("127.0.0.1"));
        QVERIFY(QString::fromStdString(r.notes.back()).contains("192.0.2.1 HTTP 80, HTTPS 443 [ingress-status] did not answer"));
        // Traffic for another host does not use that Ingress's status.
        r = resolve("row-np", "row-np-ctl", "prod", {"other.example.test"});
        QCOMPARE(r.candidates.front().ruleId(), std::string("service-nodeport"));
    }

    // Ingress status with ports (1.20's status.loadBalancer.ingress[].ports): the ports come from the status.
    void ingressStatusPorts() {
        namespaces({"row-ports", "row-ports-ctl"});
        ingress("row-ports", "*.example.test", "nginx",
                R"({"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.2","ports":[{"port":18080,"protocol":"TCP"},{"port":18443,"protocol":"TCP"}]}]}}})");
        TargetResolution r = resolve("row-ports", "row-ports-ctl", "prod");  // wildcard host matches shop.example.test
        QCOMPARE(rules(r), QStringLiteral("ingress-status 127.0.0.2:18080/18443"));
        QVERIFY(QString::fromStdString(r.candidates[0].explanation).contains("with its ports"));
    }

    // Row "anything else": a ClusterIP controller Service, no hostPort: only the port-forward is left.
    void anythingElsePortForward() {
        namespaces({"row-pf", "row-pf-ctl"});
        node("worker-1", "10.0.0.5");
        controllerService("row-pf-ctl", "ClusterIP");
        controllerPod("row-pf-ctl", "worker-1", "10.0.0.5", false);
        ingress("row-pf", "shop.example.test", "nginx", {});
        TargetResolution r = resolve("row-pf", "row-pf-ctl", "prod");
        QCOMPARE(rules(r), QStringLiteral("port-forward :0/0"));
        chooseTarget(r, probeTarget);
        QCOMPARE(r.chosen->ruleId(), std::string("port-forward"));
        QVERIFY(QString::fromStdString(r.chosen->explanation).contains("row-pf-ctl/ingress-nginx-controller-5c8d66c76d-abcde"));
        // no controller at all: no candidate, and the notes say what is missing
        r = resolve("row-pf", "nowhere", "prod");
        QVERIFY(r.candidates.empty());
        QVERIFY(QString::fromStdString(r.notes.back()).contains("no controller pod"));
    }
};

QTEST_GUILESS_MAIN(ControllerTargetTest)
#include "controller_target_test.moc"
