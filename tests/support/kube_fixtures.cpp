#include "support/kube_fixtures.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "support/kube_server.h"

namespace ilab::testing::kubefix {

namespace {

bool run(const KubeServer& kube, const QStringList& args, const QByteArray& input, QString* error) {
    int code = -1;
    const QByteArray out = kube.kubectl(args, &code, input);
    if (code != 0) {
        if (error) *error = QStringLiteral("kubectl %1: %2").arg(args.join(QLatin1Char(' ')), QString::fromUtf8(out));
        return false;
    }
    return true;
}

bool apply(const KubeServer& kube, const QJsonObject& object, QString* error) {
    return run(kube, {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
               QJsonDocument(object).toJson(QJsonDocument::Compact), error);
}

bool patchStatus(const KubeServer& kube, const QString& kind, const QString& ns, const QString& name,
                 const QJsonObject& status, QString* error) {
    QStringList args{QStringLiteral("patch"), kind, name, QStringLiteral("--subresource=status"),
                     QStringLiteral("--type=merge"), QStringLiteral("-p"),
                     QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("status"), status}})
                                           .toJson(QJsonDocument::Compact))};
    if (!ns.isEmpty()) args << QStringLiteral("-n") << ns;
    return run(kube, args, {}, error);
}

QJsonObject labelsObject(const QMap<QString, QString>& labels) {
    QJsonObject o;
    for (auto it = labels.begin(); it != labels.end(); ++it) o.insert(it.key(), it.value());
    return o;
}

const QString kNow = QStringLiteral("2026-01-01T00:00:00Z");

}  // namespace

kube::ClusterConnection connectionFrom(const QString& kubeconfigFile) {
    kube::KubeconfigOptions o;
    o.kubeconfigFlag = kubeconfigFile.toStdString();
    o.kubeconfigEnv = "";
    auto c = kube::resolveKubeconfig(o);
    if (!c) qFatal("kubeconfig %s: %s", qPrintable(kubeconfigFile), c.error().message.c_str());
    return *c;
}

bool ensureNamespace(const KubeServer& kube, const QString& ns, QString* error) {
    return apply(kube,
                 QJsonObject{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", QJsonObject{{"name", ns}}}},
                 error);
}

bool addNode(const KubeServer& kube, const QString& name, int kubeletPort, QString* error) {
    const QJsonObject node{{"apiVersion", "v1"},
                           {"kind", "Node"},
                           {"metadata", QJsonObject{{"name", name},
                                                    {"labels", QJsonObject{{"kubernetes.io/hostname", name}}}}}};
    if (!apply(kube, node, error)) return false;
    const QJsonObject status{
        {"addresses", QJsonArray{QJsonObject{{"type", "InternalIP"}, {"address", "127.0.0.1"}}}},
        {"daemonEndpoints", QJsonObject{{"kubeletEndpoint", QJsonObject{{"Port", kubeletPort}}}}},
        {"conditions", QJsonArray{QJsonObject{{"type", "Ready"},
                                              {"status", "True"},
                                              {"reason", "KubeletReady"},
                                              {"message", "stand-in kubelet is posting ready status"},
                                              {"lastHeartbeatTime", kNow},
                                              {"lastTransitionTime", kNow}}}},
    };
    return patchStatus(kube, QStringLiteral("node"), {}, name, status, error);
}

bool addRunningPod(const KubeServer& kube, const PodSpec& pod, QString* error) {
    QJsonArray containers;
    QJsonArray containerStatuses;
    for (int i = 0; i < pod.containers.size(); ++i) {
        QJsonObject c{{"name", pod.containers[i]}, {"image", "registry.k8s.io/e2e-test-images/agnhost:2.39"}};
        if (i == 0 && !pod.ports.isEmpty()) {
            QJsonArray ports;
            for (const auto& [portName, number] : pod.ports) {
                QJsonObject p{{"containerPort", number}, {"protocol", "TCP"}};
                if (!portName.isEmpty()) p.insert("name", portName);
                ports.append(p);
            }
            c.insert("ports", ports);
        }
        containers.append(c);
        containerStatuses.append(QJsonObject{
            {"name", pod.containers[i]},
            {"ready", true},
            {"restartCount", 0},
            {"started", true},
            {"image", "registry.k8s.io/e2e-test-images/agnhost:2.39"},
            {"imageID", "registry.k8s.io/e2e-test-images/agnhost@sha256:0000"},
            {"containerID", "containerd://" + pod.name + "-" + pod.containers[i]},
            {"state", QJsonObject{{"running", QJsonObject{{"startedAt", kNow}}}}},
        });
    }
    const QJsonObject object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", QJsonObject{{"name", pod.name}, {"namespace", pod.ns}, {"labels", labelsObject(pod.labels)}}},
        {"spec", QJsonObject{{"nodeName", pod.node}, {"containers", containers}}},
    };
    if (!apply(kube, object, error)) return false;
    QJsonObject status{
        {"phase", "Running"},
        {"hostIP", "127.0.0.1"},
        {"startTime", kNow},
        {"conditions", QJsonArray{QJsonObject{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", kNow}},
                                  QJsonObject{{"type", "ContainersReady"}, {"status", "True"},
                                              {"lastTransitionTime", kNow}}}},
        {"containerStatuses", containerStatuses},
    };
    if (!pod.ip.isEmpty()) {
        status.insert("podIP", pod.ip);
        status.insert("podIPs", QJsonArray{QJsonObject{{"ip", pod.ip}}});
    }
    return patchStatus(kube, QStringLiteral("pod"), pod.ns, pod.name, status, error);
}

bool deletePod(const KubeServer& kube, const QString& ns, const QString& name, QString* error) {
    return run(kube,
               {QStringLiteral("delete"), QStringLiteral("pod"), name, QStringLiteral("-n"), ns,
                QStringLiteral("--grace-period=0"), QStringLiteral("--force"), QStringLiteral("--wait=false")},
               {}, error);
}

bool addService(const KubeServer& kube, const QString& ns, const QString& name, const QMap<QString, QString>& selector,
                const QList<ServicePort>& ports, QString* error) {
    QJsonArray portArray;
    for (const ServicePort& p : ports) {
        QJsonObject o{{"port", p.port}, {"targetPort", p.targetPort}, {"protocol", "TCP"}};
        if (!p.name.isEmpty()) o.insert("name", p.name);
        portArray.append(o);
    }
    QJsonObject spec{{"ports", portArray}};
    if (!selector.isEmpty()) spec.insert("selector", labelsObject(selector));
    return apply(kube,
                 QJsonObject{{"apiVersion", "v1"},
                             {"kind", "Service"},
                             {"metadata", QJsonObject{{"name", name}, {"namespace", ns}}},
                             {"spec", spec}},
                 error);
}

bool putEndpointSlice(const KubeServer& kube, const QString& ns, const QString& name, const QString& service,
                      const QList<QPair<QString, int>>& ports, const QList<SliceEndpoint>& endpoints, QString* error) {
    QJsonArray portArray;
    for (const auto& [portName, number] : ports) {
        QJsonObject o{{"port", number}, {"protocol", "TCP"}};
        if (!portName.isEmpty()) o.insert("name", portName);
        portArray.append(o);
    }
    QJsonArray eps;
    for (const SliceEndpoint& e : endpoints) {
        QJsonObject o{{"addresses", QJsonArray{e.ip}}, {"conditions", QJsonObject{{"ready", e.ready}}}};
        if (!e.pod.isEmpty()) {
            o.insert("targetRef", QJsonObject{{"kind", "Pod"}, {"namespace", ns}, {"name", e.pod}});
        }
        o.insert("topology", QJsonObject{{"kubernetes.io/hostname", "fake-node"}});
        eps.append(o);
    }
    const QJsonObject slice{
        {"apiVersion", "discovery.k8s.io/v1beta1"},
        {"kind", "EndpointSlice"},
        {"metadata", QJsonObject{{"name", name},
                                 {"namespace", ns},
                                 {"labels", QJsonObject{{"kubernetes.io/service-name", service},
                                                        {"endpointslice.kubernetes.io/managed-by", "ingress-lab-test"}}}}},
        {"addressType", "IPv4"},
        {"ports", portArray},
        {"endpoints", eps},
    };
    return apply(kube, slice, error);
}

bool deleteEndpointSlice(const KubeServer& kube, const QString& ns, const QString& name, QString* error) {
    return run(kube,
               {QStringLiteral("delete"), QStringLiteral("endpointslice.discovery.k8s.io"), name,
                QStringLiteral("-n"), ns, QStringLiteral("--wait=false")},
               {}, error);
}

}  // namespace ilab::testing::kubefix
