#pragma once

#include <QMap>
#include <QWidget>

#include "core/model/workspace.h"
#include "core/routing/controller_settings.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace ilab::ui {

// What the explainer routes: a request entered by hand or picked from the access log.
struct ExplainRequest {
    QString method = QStringLiteral("GET");
    QString url;              // http(s)://host[:port]/path?query
    QStringList headers;      // "Name: value"
    QString cookies;          // "a=b; c=d"
    QString clientIp = QStringLiteral("127.0.0.1");
    quint64 randomValue = 0;  // drives weighted choices (canary weight): the same value, the same answer
};

// One explained decision, formatted for display (computed off the GUI thread).
struct ExplainResult {
    QString profile;          // "ingress-nginx" | "kubernetes" | "gateway"
    QString summary;          // "Proxy to default/agent-test:80 (canary) — Ingress default/version-canary"
    QString action;           // the summary without the object: what the controller does
    QStringList trace;
    QString otherProfileDiffers;
    QString ingress;          // "ns/name" of the winning Ingress (HTTPRoute for the gateway profile)
    QString objectKind;       // "Ingress" | "HTTPRoute"
    // Proxied requests: "ns/service:port" -> share over SHARE_SAMPLES random values (weighted choices differ in how
    // a random value maps to a backend between profiles, so the shares, not one value, say whether they agree).
    QMap<QString, double> shares;
    QString service;          // backend service, "" if none
    int status = 0;
};

// The explainer (issue 7 item 6): "why did this request go there?". Compiles the workspace for two controller
// profiles and routes the request with a trace; the two columns are shown side by side, with the differing one
// highlighted. The left column is ingress-nginx; the right one is kubernetes, or Gateway API (issue 14) when the
// workspace holds Gateways or HTTPRoutes and the user picks it ("Compare with"), or when a view fixes the pair
// (the Migration view: ingress-nginx on the Ingresses vs gateway on the converted objects). Compile and route run on a pool thread (the
// workspace may be large); the GUI thread only formats. The matched Ingress is selected in the editor and its
// rule's line revealed.
class ExplainerPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int SHARE_SAMPLES = 200;  // 2 % resolution; a few hundred route() calls, well under a millisecond

    explicit ExplainerPanel(QWidget* parent = nullptr);

    void setWorkspace(const model::Workspace& ws);
    // The right column's profile (Kubernetes or Gateway). The "Compare with" choice is offered only while the
    // workspace holds Gateway API objects; without them the right column falls back to kubernetes.
    void setComparedProfile(routing::Profile right);
    routing::Profile comparedProfile() const;
    bool isProfileChoiceOffered() const;
    // Fixes the pair (hides the choice): the Migration view always compares ingress-nginx with gateway.
    void setFixedComparedProfile(routing::Profile right);
    void setRequest(const ExplainRequest& request);  // fills the form (used by "pick from the access log")
    ExplainRequest request() const;
    void explain();

    // Pure and thread-safe: compile + route one request with ingress-nginx and `right`.
    static QVector<ExplainResult> explainNow(const model::Workspace& ws, const ExplainRequest& request,
                                             routing::Profile right = routing::Profile::Kubernetes);

Q_SIGNALS:
    void explained(const QVector<ExplainResult>& results);
    void selectObjectRequested(const QString& kind, const QString& ns, const QString& name);
    void revealSourceRequested(const QString& file, int line, int column);

private:
    void show(const QVector<ExplainResult>& results);
    void revealMatchedRule(const ExplainResult& r, const ExplainRequest& req);
    void updateProfileChoice();

    model::Workspace m_ws;
    bool m_hasGatewayObjects = false;
    bool m_profileFixed = false;
    routing::Profile m_wanted = routing::Profile::Kubernetes;  // what the user (or a view) asked for
    QComboBox* m_profile = nullptr;
    QLabel* m_profileLabel = nullptr;
    QComboBox* m_method = nullptr;
    QLineEdit* m_url = nullptr;
    QPlainTextEdit* m_headers = nullptr;
    QLineEdit* m_cookies = nullptr;
    QLineEdit* m_clientIp = nullptr;
    QSpinBox* m_random = nullptr;
    QPushButton* m_explain = nullptr;
    QLabel* m_differs = nullptr;
    QTextBrowser* m_left = nullptr;
    QTextBrowser* m_right = nullptr;
    int m_generation = 0;
};

}  // namespace ilab::ui
