// kubectl-style text for an Ingress: the get line's columns and the describe sections, with backends
// resolved to the endpoints of the simulated pods, and events for missing Services and Secrets.
#include <QTest>

#include "core/yaml/yaml_reader.h"
#include "ui/views/kubectl_text.h"

using namespace ilab;

namespace {
const char* const WS =
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: agents\n  annotations:\n"
    "    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\nspec:\n  ingressClassName: nginx\n"
    "  tls:\n  - hosts:\n    - agents.example.com\n    secretName: api-tls\n"
    "  rules:\n  - host: agents.example.com\n    http:\n      paths:\n"
    "      - path: /chat\n        pathType: Prefix\n        backend:\n          service:\n            name: chat-agent\n            port:\n              number: 80\n"
    "      - path: /tools\n        pathType: Prefix\n        backend:\n          service:\n            name: tool-agent\n            port:\n              number: 80\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: chat-agent\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: chat\n"
    "  template:\n    metadata:\n      labels:\n        app: chat\n    spec:\n      containers:\n      - name: c\n        image: x:1\n        ports:\n"
    "        - name: http\n          containerPort: 8080\n"
    "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: chat-agent\nspec:\n  selector:\n    app: chat\n  ports:\n  - port: 80\n    targetPort: http\n";
}  // namespace

class KubectlTextTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void getLine() {
        model::Workspace ws;
        yaml::readText(WS, "w.yaml", ws);
        const auto* ing = ws.all<model::Ingress>().front();
        const QString text = QString::fromStdString(ui::kubectl::getLine(ws, *ing, "127.0.0.1", "5m"));
        const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].simplified(), QStringLiteral("NAME CLASS HOSTS ADDRESS PORTS AGE"));
        QCOMPARE(lines[1].simplified(), QStringLiteral("agents nginx agents.example.com 127.0.0.1 80, 443 5m"));
        // columns line up
        QCOMPARE(lines[0].indexOf(QLatin1String("HOSTS")), lines[1].indexOf(QLatin1String("agents.example.com")));
    }

    void describe() {
        model::Workspace ws;
        yaml::readText(WS, "w.yaml", ws);
        const auto* ing = ws.all<model::Ingress>().front();
        const QString text = QString::fromStdString(ui::kubectl::describe(ws, *ing));
        QVERIFY(text.contains(QLatin1String("Name:             agents\n")));
        QVERIFY(text.contains(QLatin1String("Ingress Class:    nginx\n")));
        QVERIFY(text.contains(QLatin1String("  api-tls terminates agents.example.com\n")));
        // two replicas -> two endpoints on the named target port
        QVERIFY(text.contains(QRegularExpression(QStringLiteral("/chat\\s+chat-agent:80 \\(10\\.244\\.0\\.\\d+:8080,10\\.244\\.0\\.\\d+:8080\\)"))));
        QVERIFY(text.contains(QRegularExpression(QStringLiteral("/tools\\s+tool-agent:80 \\(<error: services \"tool-agent\" not found>\\)"))));
        QVERIFY(text.contains(QLatin1String("nginx.ingress.kubernetes.io/ssl-redirect: true")));
        QVERIFY(text.contains(QLatin1String("service default/tool-agent not found")));
        QVERIFY(text.contains(QLatin1String("local SSL certificate default/api-tls was not found")));
    }
};

QTEST_MAIN(KubectlTextTest)
#include "kubectl_text_test.moc"
