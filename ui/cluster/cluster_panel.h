#pragma once

#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>

#include "core/kube/exec_consent.h"
#include "core/kube/resource.h"

class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
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
    void pullSelected();   // no selection: every live Ingress and Service of the namespace
    void diffSelected();   // opens the diff dialog (objectName "clusterDiffDialog")
    void applySelected();  // asks first (confirmHook)
    void deleteSelected(); // asks first (confirmHook)

    // Replaces the confirmation question (tests): return true to go on.
    void setConfirmHook(std::function<bool(const QString& title, const QString& text)> hook) { m_confirm = std::move(hook); }
    QString lastMessage() const { return m_lastMessage; }
    QString lastDiffText() const { return m_lastDiff; }
    bool insecureBannerVisible() const;
    QString ingressClassWarningText() const;  // "" when hidden
    QString stateText() const;

signals:
    void revealLineRequested(int line, int column);
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
    bool confirm(const QString& title, const QString& text);

    ClusterSession* m_session;
    WorkspaceDocument* m_doc;
    QComboBox* m_contextBox;
    QLineEdit* m_nsEdit;
    QPushButton* m_connectButton;
    QLabel* m_stateLabel;
    QLabel* m_insecureBanner;
    QLabel* m_errorLabel;
    QLabel* m_classWarning;  // IngressClasses of another controller than ingress-nginx
    QTreeWidget* m_tree;
    QPushButton *m_pullButton, *m_diffButton, *m_applyButton, *m_deleteButton;
    QLabel* m_messageLabel;
    QHash<QString, Row> m_rows;  // "Kind/name"
    QTimer m_driftDebounce;
    quint64 m_driftGeneration = 0;
    std::function<bool(const QString&, const QString&)> m_confirm;
    QString m_lastMessage, m_lastDiff;
    QPointer<QDialog> m_consentDialog;
};

}  // namespace ilab::ui
