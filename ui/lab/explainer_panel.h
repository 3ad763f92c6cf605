#pragma once

#include <QWidget>

#include "core/model/workspace.h"

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
    QString profile;          // "ingress-nginx" | "kubernetes"
    QString summary;          // "Proxy to default/agent-test:80 (canary) — Ingress default/version-canary"
    QStringList trace;
    QString otherProfileDiffers;
    QString ingress;          // "ns/name" of the winning Ingress
    QString service;          // backend service, "" if none
    int status = 0;
};

// The explainer (issue 7 item 6): "why did this request go there?". Compiles the workspace for both
// controller profiles (ingress-nginx and kubernetes) and routes the request with a trace; the two columns are
// shown side by side, with the differing one highlighted. Compile and route run on a pool thread (the
// workspace may be large); the GUI thread only formats. The matched Ingress is selected in the editor and its
// rule's line revealed.
class ExplainerPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExplainerPanel(QWidget* parent = nullptr);

    void setWorkspace(const model::Workspace& ws);
    void setRequest(const ExplainRequest& request);  // fills the form (used by "pick from the access log")
    ExplainRequest request() const;
    void explain();

    // Pure and thread-safe: compile + route one request with both profiles.
    static QVector<ExplainResult> explainNow(const model::Workspace& ws, const ExplainRequest& request);

Q_SIGNALS:
    void explained(const QVector<ExplainResult>& results);
    void selectObjectRequested(const QString& kind, const QString& ns, const QString& name);
    void revealSourceRequested(const QString& file, int line, int column);

private:
    void show(const QVector<ExplainResult>& results);
    void revealMatchedRule(const ExplainResult& r, const ExplainRequest& req);

    model::Workspace m_ws;
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
