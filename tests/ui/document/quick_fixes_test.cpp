// Quick fixes: each repairs the workspace through the document as one undo step, and the repaired
// workspace no longer has the problem (checked on the typed model, not on wording).
#include <QTest>

#include "core/tls/certificate.h"
#include "ui/document/quick_fixes.h"
#include "ui/document/workspace_document.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
const char* const INGRESS =
    "apiVersion: networking.k8s.io/v1\n"
    "kind: Ingress\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  ingressClassName: nginx\n"
    "  tls:\n"
    "  - hosts:\n"
    "    - shop.example.com\n"
    "    secretName: shop-tls\n"
    "  rules:\n"
    "  - host: shop.example.com\n"
    "    http:\n"
    "      paths:\n"
    "      - path: /\n"
    "        backend:\n"
    "          service:\n"
    "            name: shop\n"
    "            port:\n"
    "              number: 8080\n";

Diagnostic diag(const std::string& object, const std::string& field, DiagCode code = DiagCode::NotFound) {
    Diagnostic d;
    d.object = object;
    d.field = field;
    d.code = code;
    return d;
}

const QuickFix* find(const std::vector<QuickFix>& fixes, const QString& id) {
    for (const auto& f : fixes)
        if (f.id == id) return &f;
    return nullptr;
}
}  // namespace

class QuickFixesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createMissingServiceAndDeployment() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(INGRESS));
        auto fixes = quickFixesFor(diag("Ingress default/web", "spec.rules[0].http.paths[0].backend.service.name"), doc.workspace());
        const QuickFix* f = find(fixes, QStringLiteral("create-service"));
        QVERIFY(f);
        QVERIFY(f->title.contains(QLatin1String("shop")));
        QVERIFY(f->apply(doc));
        const model::Service* svc = doc.workspace().service("default", "shop");
        QVERIFY(svc);
        QCOMPARE(svc->ports.size(), std::size_t(1));
        QCOMPARE(svc->ports[0].port, 8080);
        QCOMPARE(doc.workspace().deploymentsSelectedBy(*svc).size(), std::size_t(1));
        QCOMPARE(doc.undoStack()->count(), 1);
        // now fixed: the fix is not offered again
        QVERIFY(!find(quickFixesFor(diag("Ingress default/web", "spec.rules[0].http.paths[0].backend.service.name"), doc.workspace()),
                      QStringLiteral("create-service")));
        doc.undoStack()->undo();
        QVERIFY(!doc.workspace().service("default", "shop"));
    }

    void createAndRegenerateTlsSecret() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(INGRESS));
        auto fixes = quickFixesFor(diag("Ingress default/web", "spec.tls[0].secretName"), doc.workspace());
        const QuickFix* create = find(fixes, QStringLiteral("create-tls-secret"));
        QVERIFY(create);
        QVERIFY(create->apply(doc));
        const model::Secret* s = doc.workspace().secret("default", "shop-tls");
        QVERIFY(s);
        QVERIFY(s->isTls());
        auto info = tls::inspectCertificate(s->tlsCert(), s->tlsKey());
        QVERIFY(info.ok());
        QVERIFY(tls::certificateCovers(*info, "shop.example.com"));
        QCOMPARE(info->keyMatches, std::optional<bool>(true));
        // a valid secret needs no fix
        QVERIFY(quickFixesFor(diag("Ingress default/web", "spec.tls[0].secretName"), doc.workspace()).empty());
        // change the host: the certificate no longer covers it -> regenerate
        QVERIFY(doc.setScalar(0, "spec.tls[0].hosts[0]", QStringLiteral("www.example.com")));
        fixes = quickFixesFor(diag("Ingress default/web", "spec.tls[0].hosts[0]"), doc.workspace());
        const QuickFix* regen = find(fixes, QStringLiteral("regenerate-tls-secret"));
        QVERIFY(regen);
        QVERIFY(regen->apply(doc));
        s = doc.workspace().secret("default", "shop-tls");
        info = tls::inspectCertificate(s->tlsCert(), s->tlsKey());
        QVERIFY(info.ok());
        QVERIFY(tls::certificateCovers(*info, "www.example.com"));
        QCOMPARE(doc.workspace().all<model::Secret>().size(), std::size_t(1));  // replaced, not duplicated
    }

    void addPathType() {
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(INGRESS));
        auto fixes = quickFixesFor(diag("Ingress default/web", "spec.rules[0].http.paths[0].pathType", DiagCode::Required), doc.workspace());
        const QuickFix* f = find(fixes, QStringLiteral("add-path-type"));
        QVERIFY(f);
        QVERIFY(f->title.contains(QLatin1String("Prefix")));
        QVERIFY(f->apply(doc));
        const auto* ing = doc.workspace().resources[0].as<model::Ingress>();
        QCOMPARE(ing->spec.rules[0].http->paths[0].pathType.value_or(""), std::string("Prefix"));
        QVERIFY(find(quickFixesFor(diag("Ingress default/web", "spec.rules[0].http.paths[0].pathType", DiagCode::Required), doc.workspace()),
                     QStringLiteral("add-path-type")) == nullptr);
    }

    void serviceWeightsToCanary() {
        const char* text =
            "apiVersion: networking.k8s.io/v1\n"
            "kind: Ingress\n"
            "metadata:\n"
            "  name: app\n"
            "  annotations:\n"
            "    nginx.ingress.kubernetes.io/service-weights: |\n"
            "      app-v1: 90%\n"
            "      app-v2: 10%\n"
            "spec:\n"
            "  ingressClassName: nginx\n"
            "  rules:\n"
            "  - host: app.example.com\n"
            "    http:\n"
            "      paths:\n"
            "      - path: /\n"
            "        pathType: Prefix\n"
            "        backend:\n"
            "          service:\n"
            "            name: app-v1\n"
            "            port:\n"
            "              number: 80\n"
            "      - path: /\n"
            "        pathType: Prefix\n"
            "        backend:\n"
            "          service:\n"
            "            name: app-v2\n"
            "            port:\n"
            "              number: 80\n";
        WorkspaceDocument doc;
        doc.load(QString::fromUtf8(text));
        auto fixes = quickFixesFor(diag("Ingress default/app", "metadata.annotations[nginx.ingress.kubernetes.io/service-weights]", DiagCode::Unknown),
                                   doc.workspace());
        const QuickFix* f = find(fixes, QStringLiteral("service-weights-to-canary"));
        QVERIFY(f);
        QVERIFY(f->apply(doc));
        const auto ingresses = doc.workspace().all<model::Ingress>();
        QCOMPARE(ingresses.size(), std::size_t(2));
        const model::Ingress* primary = ingresses[0];
        const model::Ingress* canary = ingresses[1];
        QVERIFY(!primary->meta.hasAnnotation("nginx.ingress.kubernetes.io/service-weights"));
        QCOMPARE(primary->spec.rules[0].http->paths.size(), std::size_t(1));
        QCOMPARE(primary->spec.rules[0].http->paths[0].backend.service->name, std::string("app-v1"));
        QCOMPARE(canary->meta.name, std::string("app-canary"));
        QCOMPARE(canary->meta.annotation("nginx.ingress.kubernetes.io/canary"), std::string("true"));
        QCOMPARE(canary->meta.annotation("nginx.ingress.kubernetes.io/canary-weight"), std::string("10"));
        QCOMPARE(canary->spec.rules[0].host.value_or(""), std::string("app.example.com"));
        QCOMPARE(canary->spec.rules[0].http->paths.size(), std::size_t(1));
        QCOMPARE(canary->spec.rules[0].http->paths[0].backend.service->name, std::string("app-v2"));
        QCOMPARE(canary->spec.rules[0].http->paths[0].pathType.value_or(""), std::string("Prefix"));
        // annotation strings stay strings in the text
        QVERIFY(doc.text().contains(QLatin1String("nginx.ingress.kubernetes.io/canary: \"true\"")));
        // one undo step for the whole conversion
        doc.undoStack()->undo();
        QCOMPARE(doc.workspace().all<model::Ingress>().size(), std::size_t(1));
        QVERIFY(doc.workspace().resources[0].meta.hasAnnotation("nginx.ingress.kubernetes.io/service-weights"));
    }

    void createDeploymentForServiceWithoutPods() {
        WorkspaceDocument doc;
        doc.load(QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector:\n    app: api\n    tier: backend\n"
                                "  ports:\n  - port: 80\n    targetPort: 9000\n"));
        auto fixes = quickFixesFor(diag("Service default/api", "spec.selector", DiagCode::Lint), doc.workspace());
        const QuickFix* f = find(fixes, QStringLiteral("create-deployment"));
        QVERIFY(f);
        QVERIFY(f->apply(doc));
        const auto* svc = doc.workspace().service("default", "api");
        const auto deps = doc.workspace().deploymentsSelectedBy(*svc);
        QCOMPARE(deps.size(), std::size_t(1));
        QCOMPARE(deps[0]->containers[0].ports[0].containerPort, 9000);
    }

    // issue 15 item 5: a misspelt Service gets "did you mean agent-stable?" (the closest Services of the namespace
    // first), before the offer to create it; applying it is one undo step that changes only that name.
    void misspeltServiceOffersTheClosestOne() {
        const QString text = QStringLiteral(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: agent-test\nspec:\n  ports:\n  - port: 80\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: agent-stable\nspec:\n  ports:\n  - port: 80\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: billing\nspec:\n  ports:\n  - port: 80\n---\n"
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\nspec:\n  ingressClassName: nginx\n  rules:\n"
            "  - host: api.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
            "          service:\n            name: agnet-stable   # typo\n            port:\n              number: 80\n");
        WorkspaceDocument doc;
        doc.load(text);
        // the diagnostic the validator itself gives for the missing Service
        const Diagnostic* missing = nullptr;
        for (const auto& d : doc.diagnostics())
            if (d.object == "Ingress default/api" && d.field.find("backend.service") != std::string::npos) missing = &d;
        QVERIFY(missing);
        const auto fixes = quickFixesFor(*missing, doc.workspace());
        QVERIFY(fixes.size() >= 2);
        QCOMPARE(fixes.front().id, QStringLiteral("rename-service"));
        QVERIFY2(fixes.front().title.contains(QLatin1String("Did you mean 'agent-stable'?")), qPrintable(fixes.front().title));
        for (const auto& f : fixes) QVERIFY2(!f.title.contains(QLatin1String("billing")), qPrintable(f.title));  // not close
        QVERIFY(find(fixes, QStringLiteral("create-service")));  // still offered, after the suggestions
        QVERIFY(fixes.front().apply(doc));
        QCOMPARE(doc.undoStack()->count(), 1);
        const model::Resource* ing = doc.workspace().find("Ingress", "default", "api");
        QVERIFY(ing && ing->as<model::Ingress>());
        QCOMPARE(ing->as<model::Ingress>()->spec.rules[0].http->paths[0].backend.service->name, std::string("agent-stable"));
        QString expected = text;
        expected.replace(QLatin1String("name: agnet-stable   # typo"), QLatin1String("name: agent-stable   # typo"));
        QCOMPARE(doc.text(), expected);
        doc.validateNow();
        for (const auto& d : doc.diagnostics()) QVERIFY2(d.object != "Ingress default/api" || d.field.find("backend.service") == std::string::npos, d.message().c_str());
        // no longer offered once fixed; undo brings the typo back in one step
        QVERIFY(!find(quickFixesFor(*missing, doc.workspace()), QStringLiteral("rename-service")));
        doc.undoStack()->undo();
        QCOMPARE(doc.text(), text);
    }

    void parseRefs() {
        std::string k, n, name;
        QVERIFY(parseObjectRef("Ingress team-a/web", &k, &n, &name));
        QCOMPARE(k, std::string("Ingress"));
        QCOMPARE(n, std::string("team-a"));
        QCOMPARE(name, std::string("web"));
        QVERIFY(!parseObjectRef("", &k, &n, &name));
    }
};

QTEST_MAIN(QuickFixesTest)
#include "quick_fixes_test.moc"
