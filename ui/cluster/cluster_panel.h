#pragma once

#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

#include "core/common/diagnostic.h"
#include "core/kube/api_error.h"
#include "core/kube/exec_consent.h"
#include "core/kube/resource.h"

class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace ilab::ui {

class ClusterSession;
class WorkspaceDocument;

// The Cluster panel (issue 12 item 7): context + namespace picker and Connect, the connection state, a permanent
// red banner while TLS verification is off, the exec-plugin consent dialog, and the namespace's live Ingresses and
// Services (informer snapshots) beside the workspace's with a drift mark per object. The mark is what
// `ingress-lab-cli cluster diff` would say: a server-side dry-run apply of the workspace object diffed against
// the live object after core/kube normalisation (kube::diffServerSide). Pull, Diff, Apply (409 conflicts ->
// dialog with a Force button; 422 -> the field's YAML line), Delete. GUI thread; every request is asynchronous.
class ClusterPanel : public QWidget {
    Q_OBJECT
public:
    enum class Drift { Checking, InSync, Differs, OnlyLocal, OnlyCluster, Error };
    Q_ENUM(Drift)

    ClusterPanel(ClusterSession* session, WorkspaceDocument* doc, QWidget* parent = nullptr);
    ~ClusterPanel() override;

    // Connect with what the pickers show.
    void connectToCluster();
    void setContextAndNamespace(const QString& context, const QString& ns);

    // The rows: "Kind/name" -> drift (nullopt: no such row).
    std::optional<Drift> drift(const QString& kind, const QString& name) const;
    static QString driftText(Drift d);
    QStringList rowKeys() const;
    // Select rows by "Kind/name" (what the buttons act on).
    void select(const QStringList& keys);

    // The actions on the selected rows (also the buttons).
    // No selection: every live Ingress and Service of the namespace and the controller's ConfigMap; with either,
    // what the Ingresses use (Services, TLS Secrets with data masked, IngressClasses). Asynchronous: pullFinished().
    void pullSelected();
    void diffSelected();   // opens the diff dialog (objectName "clusterDiffDialog")
    void applySelected();  // asks first (confirmHook)
    void deleteSelected(); // asks first (confirmHook)

    // Replaces the confirmation question (tests): return true to go on.
    void setConfirmHook(std::function<bool(const QString& title, const QString& text)> hook) { m_confirm = std::move(hook); }
    QString lastMessage() const { return m_lastMessage; }
    QString pluginStderrText() const;  // "" when hidden
    QString lastDiffText() const { return m_lastDiff; }
    bool insecureBannerVisible() const;
    QString ingressClassWarningText() const;  // "" when hidden
    QString stateText() const;
    // The namespace picker's items (the cluster's namespaces when they could be listed) and why they could not.
    QStringList namespaceItems() const;
    QString namespaceNote() const;  // "" when hidden

    // What the API server refused (422 Invalid) for workspace objects, from the last Apply or drift check (a
    // dry-run apply), as diagnostics for the Problems panel: field, message, object and the field's YAML line
    // (kube::diagnosticsOfInvalid, positions of the current text). Cleared per object when the server accepts it.
    Diagnostics serverProblems() const;

signals:
    void revealLineRequested(int line, int column);
    // Show `field` of workspace object `resourceIndex` in the tree and its form (emitted before revealLineRequested).
    void revealFieldRequested(int resourceIndex, const QString& field);
    void serverProblemsChanged();
    void pullFinished();  // after pullSelected() wrote into the workspace (lastMessage() says what)
    void messageChanged(const QString& text);

private:
    struct Row {
        QString kind, name;
        bool local = false, live = false;
        Drift drift = Drift::Checking;
        QString detail;
    };
    void buildUi();
    void onState();
    void onKubeconfig();
    void onNamespaces();
    void onConsent(const kube::ExecConsentRequest& request);
    void rebuildRows();
    void checkDrift();
    void refreshTree();
    QList<Row*> selectedRows();
    int workspaceIndex(const Row& row) const;
    std::optional<kube::ResourceRef> refOf(const QString& kind) const;
    QString nsOf(int workspaceIndex) const;
    void applyRow(const QString& kind, const QString& name, bool force);
    void setMessage(const QString& text);
    struct PullJob;
    void finishPull(const std::shared_ptr<PullJob>& job);
    Diagnostics serverProblemsOf(const QString& kind, const QString& name) const;
    void setInvalid(const QString& key, const std::optional<kube::ApiError>& error);
    // The fields a 422 names (Field / Line / Message); activating a row reveals it. objectName "clusterInvalidFields".
    QWidget* invalidFieldList(const QString& kind, const QString& name, const kube::ApiError& error, QWidget* parent);
    void revealInvalid(const QString& kind, const QString& name, const QString& field);
    bool confirm(const QString& title, const QString& text);

    ClusterSession* m_session;
    WorkspaceDocument* m_doc;
    QComboBox* m_contextBox;
    QComboBox* m_nsBox;  // editable: a listed namespace or free text (listing may be forbidden)
    QLineEdit* m_nsEdit;  // m_nsBox's line edit, objectName "clusterNamespace"
    QLabel* m_nsNote;
    QPushButton* m_connectButton;
    QPushButton* m_cancelPluginButton;  // while an exec plugin may be running (Connecting)
    QPlainTextEdit* m_pluginStderr;     // the failed plugin's stderr (login hints)
    QLabel* m_stateLabel;
    QLabel* m_insecureBanner;
    QLabel* m_errorLabel;
    QLabel* m_classWarning;  // IngressClasses of another controller than ingress-nginx
    QTreeWidget* m_tree;
    QPushButton *m_pullButton, *m_diffButton, *m_applyButton, *m_deleteButton;
    QLabel* m_messageLabel;
    QHash<QString, Row> m_rows;  // "Kind/name"
    QHash<QString, kube::ApiError> m_invalid;  // "Kind/name" (in the session's namespace) -> the server's 422
    QTimer m_driftDebounce;
    quint64 m_driftGeneration = 0;
    std::function<bool(const QString&, const QString&)> m_confirm;
    QString m_lastMessage, m_lastDiff;
    QPointer<QDialog> m_consentDialog;
};

}  // namespace ilab::ui
