#include "ui/cluster/cluster_panel.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <yaml-cpp/yaml.h>

#include "core/kube/apply.h"
#include "core/kube/pull_plan.h"
#include "core/kube/rest_client.h"
#include "core/kube/workspace_objects.h"
#include "core/model/workspace.h"
#include "ui/cluster/exec_consent_dialog.h"
#include "ui/cluster_session.h"
#include "ui/document/workspace_document.h"

namespace ilab::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString keyOf(const QString& kind, const QString& name) { return kind + QLatin1Char('/') + name; }
const QStringList KINDS = {QStringLiteral("Ingress"), QStringLiteral("Service")};

QColor driftColour(ClusterPanel::Drift d) {
    switch (d) {
    case ClusterPanel::Drift::InSync: return QColor(30, 130, 60);
    case ClusterPanel::Drift::Differs: return QColor(190, 110, 0);
    case ClusterPanel::Drift::OnlyLocal: return QColor(40, 90, 180);
    case ClusterPanel::Drift::OnlyCluster: return QColor(120, 60, 160);
    case ClusterPanel::Drift::Error: return QColor(190, 30, 30);
    default: return {};
    }
}

}  // namespace

ClusterPanel::ClusterPanel(ClusterSession* session, WorkspaceDocument* doc, QWidget* parent)
    : QWidget(parent), m_session(session), m_doc(doc) {
    buildUi();
    m_driftDebounce.setSingleShot(true);
    m_driftDebounce.setInterval(250);
    connect(&m_driftDebounce, &QTimer::timeout, this, &ClusterPanel::checkDrift);
    connect(m_doc, &WorkspaceDocument::workspaceChanged, this, &ClusterPanel::rebuildRows);
    if (m_session) {
        connect(m_session, &ClusterSession::stateChanged, this, &ClusterPanel::onState);
        connect(m_session, &ClusterSession::errorChanged, this, &ClusterPanel::onState);
        connect(m_session, &ClusterSession::kubeconfigChanged, this, &ClusterPanel::onKubeconfig);
        connect(m_session, &ClusterSession::consentRequested, this, &ClusterPanel::onConsent);
        connect(m_session, &ClusterSession::objectsChanged, this, &ClusterPanel::rebuildRows);
        connect(m_session, &ClusterSession::namespacesChanged, this, &ClusterPanel::onNamespaces);
    }
    onKubeconfig();
    onNamespaces();
    onState();
}

ClusterPanel::~ClusterPanel() = default;

void ClusterPanel::buildUi() {
    auto* top = new QHBoxLayout;
    m_contextBox = new QComboBox(this);
    m_contextBox->setObjectName(QStringLiteral("clusterContext"));
    m_contextBox->setMinimumContentsLength(14);
    m_nsBox = new QComboBox(this);
    m_nsBox->setObjectName(QStringLiteral("clusterNamespaceBox"));
    m_nsBox->setEditable(true);
    m_nsBox->setInsertPolicy(QComboBox::NoInsert);
    m_nsBox->setMinimumContentsLength(14);
    m_nsBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_nsEdit = m_nsBox->lineEdit();
    m_nsEdit->setObjectName(QStringLiteral("clusterNamespace"));
    m_nsEdit->setPlaceholderText(tr("namespace"));
    m_nsNote = new QLabel(this);
    m_nsNote->setObjectName(QStringLiteral("clusterNamespaceNote"));
    m_nsNote->setWordWrap(true);
    m_nsNote->setStyleSheet(QStringLiteral("QLabel { color: #6d4c00; }"));
    m_nsNote->hide();
    m_connectButton = new QPushButton(tr("Connect"), this);
    m_connectButton->setObjectName(QStringLiteral("clusterConnect"));
    m_cancelPluginButton = new QPushButton(tr("Cancel plugin"), this);
    m_cancelPluginButton->setObjectName(QStringLiteral("clusterCancelPlugin"));
    m_cancelPluginButton->setToolTip(tr("Stop the credential plugin (e.g. one waiting for a browser login)"));
    m_cancelPluginButton->hide();
    connect(m_cancelPluginButton, &QPushButton::clicked, this, [this] {
        if (m_session) m_session->cancelCredentialPlugin();
    });
    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("clusterState"));
    top->addWidget(new QLabel(tr("Context"), this));
    top->addWidget(m_contextBox, 1);
    top->addWidget(new QLabel(tr("Namespace"), this));
    top->addWidget(m_nsBox);
    top->addWidget(m_connectButton);
    top->addWidget(m_cancelPluginButton);
    top->addWidget(m_stateLabel, 1);
    connect(m_contextBox, &QComboBox::activated, this, [this] {
        if (m_session) m_nsEdit->setText(m_session->namespaceOfContext(m_contextBox->currentText()));
    });
    // Another namespace while connected: reconnect there (the informers watch one namespace).
    auto switchNamespace = [this] {
        if (!m_session || m_session->state() == ClusterSession::State::Disconnected) return;
        const QString ns = m_nsEdit->text().trimmed();
        if (!ns.isEmpty() && (ns != m_session->ns() || m_contextBox->currentText() != m_session->context())) connectToCluster();
    };
    connect(m_nsBox, &QComboBox::activated, this, switchNamespace);
    connect(m_nsEdit, &QLineEdit::returnPressed, this, switchNamespace);
    connect(m_connectButton, &QPushButton::clicked, this, [this] {
        if (m_session && m_session->state() != ClusterSession::State::Disconnected) m_session->disconnectFromCluster();
        else connectToCluster();
    });

    m_insecureBanner = new QLabel(this);
    m_insecureBanner->setObjectName(QStringLiteral("clusterInsecureBanner"));
    m_insecureBanner->setWordWrap(true);
    m_insecureBanner->setStyleSheet(QStringLiteral("QLabel { background: #c62828; color: white; font-weight: bold; padding: 4px; }"));
    m_insecureBanner->hide();
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("clusterError"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #b71c1c; }"));
    m_errorLabel->hide();
    m_pluginStderr = new QPlainTextEdit(this);
    m_pluginStderr->setObjectName(QStringLiteral("clusterPluginStderr"));
    m_pluginStderr->setReadOnly(true);
    m_pluginStderr->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_pluginStderr->setMaximumHeight(90);
    m_pluginStderr->setToolTip(tr("What the credential plugin wrote to stderr"));
    m_pluginStderr->hide();

    m_classWarning = new QLabel(this);
    m_classWarning->setObjectName(QStringLiteral("clusterClassWarning"));
    m_classWarning->setWordWrap(true);
    m_classWarning->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #6d4c00; padding: 4px; }"));
    m_classWarning->hide();

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("clusterObjects"));
    m_tree->setHeaderLabels({tr("Kind"), tr("Name"), tr("Drift"), tr("Detail")});
    m_tree->setRootIsDecorated(false);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, [this] {
        const bool any = !m_tree->selectedItems().isEmpty();
        m_pullButton->setText(any ? tr("Pull selected") : tr("Pull namespace"));
        m_diffButton->setEnabled(any);
        m_applyButton->setEnabled(any);
        m_deleteButton->setEnabled(any);
    });

    auto* buttons = new QHBoxLayout;
    m_pullButton = new QPushButton(tr("Pull namespace"), this);
    m_pullButton->setObjectName(QStringLiteral("clusterPull"));
    m_pullButton->setToolTip(tr("Copy the live objects into the workspace as clean YAML (as ingress-lab-cli cluster pull)"));
    m_diffButton = new QPushButton(tr("Diff"), this);
    m_diffButton->setObjectName(QStringLiteral("clusterDiff"));
    m_applyButton = new QPushButton(tr("Apply…"), this);
    m_applyButton->setObjectName(QStringLiteral("clusterApply"));
    m_deleteButton = new QPushButton(tr("Delete from cluster…"), this);
    m_deleteButton->setObjectName(QStringLiteral("clusterDelete"));
    for (QPushButton* b : {m_diffButton, m_applyButton, m_deleteButton}) b->setEnabled(false);
    connect(m_pullButton, &QPushButton::clicked, this, &ClusterPanel::pullSelected);
    connect(m_diffButton, &QPushButton::clicked, this, &ClusterPanel::diffSelected);
    connect(m_applyButton, &QPushButton::clicked, this, &ClusterPanel::applySelected);
    connect(m_deleteButton, &QPushButton::clicked, this, &ClusterPanel::deleteSelected);
    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName(QStringLiteral("clusterMessage"));
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    buttons->addWidget(m_pullButton);
    buttons->addWidget(m_diffButton);
    buttons->addWidget(m_applyButton);
    buttons->addWidget(m_deleteButton);
    buttons->addWidget(m_messageLabel, 1);

    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    v->addLayout(top);
    v->addWidget(m_nsNote);
    v->addWidget(m_insecureBanner);
    v->addWidget(m_errorLabel);
    v->addWidget(m_pluginStderr);
    v->addWidget(m_classWarning);
    v->addWidget(m_tree, 1);
    v->addLayout(buttons);
    if (!m_session) {
        setEnabled(false);
        m_stateLabel->setText(tr("No cluster support in this build"));
    }
}

void ClusterPanel::onKubeconfig() {
    if (!m_session) return;
    const QString keep = m_contextBox->currentText();
    m_contextBox->clear();
    m_contextBox->addItems(m_session->contexts());
    const QString pick = !keep.isEmpty() && m_session->contexts().contains(keep) ? keep : m_session->currentContext();
    m_contextBox->setCurrentText(pick);
    if (m_nsEdit->text().isEmpty() && !pick.isEmpty()) m_nsEdit->setText(m_session->namespaceOfContext(pick));
    m_contextBox->setToolTip(m_session->kubeconfigFiles());
    onState();
}

void ClusterPanel::onNamespaces() {
    if (!m_session) return;
    const QString keep = m_nsEdit->text();
    {
        const QSignalBlocker block(m_nsBox);
        m_nsBox->clear();
        m_nsBox->addItems(m_session->namespaces());
        m_nsBox->setEditText(keep);
    }
    const QString err = m_session->namespacesError();
    m_nsNote->setText(err);
    m_nsNote->setVisible(!err.isEmpty());
    m_nsBox->setToolTip(err.isEmpty() ? (m_session->namespaces().isEmpty() ? tr("Type a namespace; the list fills once connected")
                                                                           : tr("The cluster's namespaces (or type one)"))
                                      : err);
}

QString ClusterPanel::pluginStderrText() const { return m_pluginStderr->isHidden() ? QString() : m_pluginStderr->toPlainText(); }

QStringList ClusterPanel::namespaceItems() const {
    QStringList out;
    for (int i = 0; i < m_nsBox->count(); ++i) out << m_nsBox->itemText(i);
    return out;
}

QString ClusterPanel::namespaceNote() const { return m_nsNote->isHidden() ? QString() : m_nsNote->text(); }

void ClusterPanel::setContextAndNamespace(const QString& context, const QString& ns) {
    m_contextBox->setCurrentText(context);
    m_nsEdit->setText(ns);
}

void ClusterPanel::connectToCluster() {
    if (!m_session) return;
    m_session->reloadKubeconfig();
    m_session->connectTo(m_contextBox->currentText(), m_nsEdit->text().trimmed());
}

QString ClusterPanel::stateText() const {
    if (!m_session) return {};
    switch (m_session->state()) {
    case ClusterSession::State::Disconnected: return tr("Not connected");
    case ClusterSession::State::Connecting:
        return m_session->usesCredentialPlugin() ? tr("Connecting to %1… (the credential plugin runs first)").arg(m_session->server())
                                                 : tr("Connecting to %1…").arg(m_session->server());
    case ClusterSession::State::Connected:
        return tr("Connected: %1 (%2), namespace %3")
            .arg(m_session->context(),
                 m_session->distribution().isEmpty() ? m_session->serverVersion()
                                                     : m_session->serverVersion() + QStringLiteral(", ") + m_session->distribution(),
                 m_session->ns());
    case ClusterSession::State::Lost: return tr("Connection lost to %1 — reconnecting…").arg(m_session->server());
    }
    return {};
}

bool ClusterPanel::insecureBannerVisible() const { return !m_insecureBanner->isHidden(); }

QString ClusterPanel::ingressClassWarningText() const { return m_classWarning->isHidden() ? QString() : m_classWarning->text(); }

void ClusterPanel::onState() {
    if (!m_session) return;
    const auto st = m_session->state();
    m_stateLabel->setText(stateText());
    m_stateLabel->setToolTip(st == ClusterSession::State::Connected && !m_session->distributionDetail().isEmpty()
                                 ? tr("Distribution: %1").arg(m_session->distributionDetail())
                                 : QString());
    m_stateLabel->setStyleSheet(st == ClusterSession::State::Lost ? QStringLiteral("QLabel { color: #b71c1c; font-weight: bold; }")
                                : st == ClusterSession::State::Connected ? QStringLiteral("QLabel { color: #1b5e20; }")
                                                                         : QString());
    m_connectButton->setText(st == ClusterSession::State::Disconnected ? tr("Connect") : tr("Disconnect"));
    const bool insecure = m_session->tlsVerificationDisabled();
    m_insecureBanner->setText(tr("TLS verification is OFF for %1 (insecure-skip-tls-verify in the kubeconfig): anyone on "
                                 "the path can read and change what is sent, including credentials.")
                                  .arg(m_session->server()));
    m_insecureBanner->setVisible(insecure);
    QString err = m_session->error();
    if (err.isEmpty() && !m_session->kubeconfigError().isEmpty() && m_session->contexts().isEmpty())
        err = tr("kubeconfig (%1): %2").arg(m_session->kubeconfigFiles(), m_session->kubeconfigError());
    m_errorLabel->setText(err);
    m_errorLabel->setVisible(!err.isEmpty());
    const QString pluginErr = m_session->credentialPluginStderr().trimmed();
    m_pluginStderr->setPlainText(pluginErr.isEmpty() ? QString() : tr("Plugin stderr:\n%1").arg(pluginErr));
    m_pluginStderr->setVisible(!pluginErr.isEmpty() && !err.isEmpty());
    m_cancelPluginButton->setVisible(st == ClusterSession::State::Connecting && m_session->usesCredentialPlugin());
    const bool connected = st == ClusterSession::State::Connected;
    m_pullButton->setEnabled(connected);
    if (st == ClusterSession::State::Disconnected && !m_invalid.isEmpty()) {
        m_invalid.clear();
        emit serverProblemsChanged();
    }
    rebuildRows();
}

void ClusterPanel::onConsent(const kube::ExecConsentRequest& request) {
    if (m_consentDialog) m_consentDialog->close();
    auto* dlg = new ExecConsentDialog(m_session, request, this);
    m_consentDialog = dlg;
    dlg->open();
}

// ---- rows -----------------------------------------------------------------------------------------------------

QString ClusterPanel::nsOf(int index) const {
    const model::Resource* r = m_doc->resource(index);
    if (!r || r->meta.ns.empty()) return m_session ? m_session->ns() : QString();
    return qs(r->meta.ns);
}

int ClusterPanel::workspaceIndex(const Row& row) const {
    if (!m_session) return -1;
    const auto& res = m_doc->workspace().resources;
    for (int i = 0; i < int(res.size()); ++i)
        if (qs(res[i].kind) == row.kind && qs(res[i].meta.name) == row.name && nsOf(i) == m_session->ns()) return i;
    return -1;
}

std::optional<kube::ResourceRef> ClusterPanel::refOf(const QString& kind) const {
    if (kind == QLatin1String("Ingress")) return kube::ingressesV1();
    if (kind == QLatin1String("Service")) return kube::servicesV1();
    return std::nullopt;
}

void ClusterPanel::rebuildRows() {
    QHash<QString, Row> rows;
    const bool connected = m_session && m_session->state() == ClusterSession::State::Connected;
    const QStringList classWarnings = connected ? m_session->ingressClassWarnings() : QStringList();
    m_classWarning->setText(classWarnings.join(QLatin1Char('\n')));
    m_classWarning->setVisible(!classWarnings.isEmpty());
    if (connected) {
        const QString ns = m_session->ns();
        const auto& res = m_doc->workspace().resources;
        for (int i = 0; i < int(res.size()); ++i) {
            const QString kind = qs(res[i].kind);
            if (!KINDS.contains(kind) || nsOf(i) != ns || res[i].meta.name.empty()) continue;
            Row& r = rows[keyOf(kind, qs(res[i].meta.name))];
            r.kind = kind;
            r.name = qs(res[i].meta.name);
            r.local = true;
        }
        for (const auto& [kind, store] : {std::pair{QStringLiteral("Ingress"), m_session->ingresses()},
                                          std::pair{QStringLiteral("Service"), m_session->services()}}) {
            if (!store) continue;
            for (const auto& [key, obj] : store->objects) {
                const QString name = obj.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
                Row& r = rows[keyOf(kind, name)];
                r.kind = kind;
                r.name = name;
                r.live = true;
            }
        }
        for (auto it = rows.begin(); it != rows.end(); ++it) {
            Row& r = it.value();
            const Row* old = m_rows.contains(it.key()) ? &m_rows[it.key()] : nullptr;
            if (!r.live) r.drift = Drift::OnlyLocal;
            else if (!r.local) r.drift = Drift::OnlyCluster;
            else if (old && old->local && old->live) {
                r.drift = old->drift;
                r.detail = old->detail;
            }
        }
    }
    m_rows = rows;
    refreshTree();
    if (connected) m_driftDebounce.start();
}

void ClusterPanel::checkDrift() {
    if (!m_session || !m_session->client() || m_session->state() != ClusterSession::State::Connected) return;
    const quint64 generation = ++m_driftGeneration;
    for (auto it = m_rows.begin(); it != m_rows.end(); ++it) {
        Row& r = it.value();
        if (!r.local || !r.live) continue;
        const int index = workspaceIndex(r);
        const model::Resource* res = m_doc->resource(index);
        const auto ref = refOf(r.kind);
        if (!res || !ref) continue;
        const QString key = it.key();
        // The same preview as `cluster diff --force-conflicts`: dry-run apply, both sides normalised, Secret data
        // masked. Forced, so that the mark is about content: fields another manager owns (e.g. an object created
        // with kubectl apply) would make every changed object an error otherwise; Apply still asks about them.
        kube::ApplyOptions preview;
        preview.force = true;
        kube::diffServerSide(*m_session->client(), *ref, m_session->ns().toStdString(), r.name.toStdString(),
                             kube::applyBody(*res, *ref, m_session->ns().toStdString()), preview, this,
                             [this, key, generation](const kube::DiffResult& d) {
                                 if (generation != m_driftGeneration || !m_rows.contains(key)) return;
                                 Row& row = m_rows[key];
                                 if (d.error && d.error->kind == kube::RestErrorKind::Api && d.error->api.http == 422)
                                     setInvalid(key, d.error->api);
                                 else if (!d.error)
                                     setInvalid(key, std::nullopt);
                                 if (d.error) {
                                     row.drift = Drift::Error;
                                     row.detail = qs(d.error->describe());
                                 } else {
                                     row.drift = d.changed ? Drift::Differs : Drift::InSync;
                                     row.detail.clear();
                                 }
                                 refreshTree();
                             });
    }
}

QString ClusterPanel::driftText(Drift d) {
    switch (d) {
    case Drift::Checking: return tr("checking…");
    case Drift::InSync: return tr("● in sync");
    case Drift::Differs: return tr("● differs");
    case Drift::OnlyLocal: return tr("○ only local");
    case Drift::OnlyCluster: return tr("◆ only in the cluster");
    case Drift::Error: return tr("✖ error");
    }
    return {};
}

void ClusterPanel::refreshTree() {
    QStringList selected;
    for (QTreeWidgetItem* i : m_tree->selectedItems()) selected << i->data(0, Qt::UserRole).toString();
    QStringList keys = m_rows.keys();
    std::sort(keys.begin(), keys.end());
    const QSignalBlocker block(m_tree);
    m_tree->clear();
    for (const QString& k : keys) {
        const Row& r = m_rows[k];
        auto* item = new QTreeWidgetItem(m_tree, {r.kind, r.name, driftText(r.drift), r.detail});
        item->setData(0, Qt::UserRole, k);
        item->setForeground(2, driftColour(r.drift));
        item->setToolTip(3, r.detail);
        if (selected.contains(k)) item->setSelected(true);
    }
    emit m_tree->itemSelectionChanged();
}

std::optional<ClusterPanel::Drift> ClusterPanel::drift(const QString& kind, const QString& name) const {
    auto it = m_rows.find(keyOf(kind, name));
    if (it == m_rows.end()) return std::nullopt;
    return it->drift;
}

QStringList ClusterPanel::rowKeys() const {
    QStringList k = m_rows.keys();
    std::sort(k.begin(), k.end());
    return k;
}

void ClusterPanel::select(const QStringList& keys) {
    m_tree->clearSelection();
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_tree->topLevelItem(i);
        if (keys.contains(item->data(0, Qt::UserRole).toString())) item->setSelected(true);
    }
}

QList<ClusterPanel::Row*> ClusterPanel::selectedRows() {
    QList<Row*> out;
    for (QTreeWidgetItem* i : m_tree->selectedItems()) {
        auto it = m_rows.find(i->data(0, Qt::UserRole).toString());
        if (it != m_rows.end()) out << &it.value();
    }
    return out;
}

void ClusterPanel::setMessage(const QString& text) {
    m_lastMessage = text;
    m_messageLabel->setText(text);
    emit messageChanged(text);
}

bool ClusterPanel::confirm(const QString& title, const QString& text) {
    if (m_confirm) return m_confirm(title, text);
    return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) ==
           QMessageBox::Yes;
}

// ---- actions --------------------------------------------------------------------------------------------------

// Pull: the chosen live objects and what their Ingresses use (core/kube/pull_plan.h: backend Services, TLS
// Secrets, the IngressClass or the default one) and, for the whole namespace, ingress-nginx's controller ConfigMap
// when readable, the same set as `ingress-lab-cli cluster pull`. Everything is cleaned as the CLI cleans it
// (Secret data withheld) and lands in the workspace in one undo step once the last GET has answered.
struct ClusterPanel::PullJob {
    std::vector<std::pair<std::string, QJsonObject>> objects;  // "Kind ns/name" -> live object, in pull order
    std::vector<QJsonObject> ingresses;
    QStringList notes;
    int pending = 0;
    bool finished = false;
    QString ns;
    quint64 attempt = 0;
    bool has(const std::string& key) const {
        for (const auto& o : objects)
            if (o.first == key) return true;
        return false;
    }
};

namespace {
std::string objectKey(const std::string& kind, const std::string& ns, const std::string& name) { return kind + " " + ns + "/" + name; }
}  // namespace

void ClusterPanel::pullSelected() {
    if (!m_session || m_session->state() != ClusterSession::State::Connected || !m_session->client()) return;
    QList<Row*> rows = selectedRows();
    const bool wholeNamespace = rows.isEmpty();
    if (wholeNamespace)
        for (auto it = m_rows.begin(); it != m_rows.end(); ++it) rows << &it.value();
    auto job = std::make_shared<PullJob>();
    job->ns = m_session->ns();
    const std::string ns = job->ns.toStdString();
    auto liveOf = [this, ns](const QString& kind, const std::string& name) -> std::optional<QJsonObject> {
        const auto store = kind == QLatin1String("Ingress") ? m_session->ingresses()
                           : kind == QLatin1String("Service") ? m_session->services() : nullptr;
        const QJsonObject* live = store ? store->find(ns, name) : nullptr;
        if (!live) return std::nullopt;
        QJsonObject o = *live;
        o.insert(QStringLiteral("apiVersion"), qs(refOf(kind)->apiVersion()));
        o.insert(QStringLiteral("kind"), kind);
        return o;
    };
    for (Row* r : rows) {
        if (!r->live) continue;
        auto o = liveOf(r->kind, r->name.toStdString());
        if (!o) continue;
        job->objects.emplace_back(objectKey(r->kind.toStdString(), ns, r->name.toStdString()), *o);
        if (r->kind == QLatin1String("Ingress")) job->ingresses.push_back(*o);
    }
    setMessage(tr("Pulling from namespace %1…").arg(job->ns));
    const QPointer<ClusterPanel> self(this);
    kube::RestClient* client = m_session->client();
    // One GET; a missing or unreadable object is a note, not a failure (the CLI prints the same as "note:").
    auto fetch = [this, job, client](const kube::ResourceRef& ref, const std::string& ns, const std::string& name,
                                     const std::string& why, bool quietWhenMissing) {
        const std::string key = objectKey(ref.kind, ns, name);
        if (job->has(key)) return;
        job->objects.emplace_back(key, QJsonObject());  // keeps the order; filled by the answer
        ++job->pending;
        kube::RestRequest r;
        r.path = ref.itemPath(ns, name);
        client->send(std::move(r), this, [this, job, ref, key, why, quietWhenMissing](const kube::RestReply& reply) {
            --job->pending;
            for (auto& o : job->objects)
                if (o.first == key && reply.ok()) {
                    o.second = reply.json();
                    o.second.insert(QStringLiteral("apiVersion"), qs(ref.apiVersion()));
                    o.second.insert(QStringLiteral("kind"), qs(ref.kind));
                }
            if (!reply.ok() && !(quietWhenMissing && reply.error->kind == kube::RestErrorKind::Api && reply.error->api.http == 404))
                job->notes << tr("%1%2 not pulled: %3").arg(qs(key), qs(why), qs(reply.error->describe()));
            finishPull(job);
        });
    };
    auto fetchDependencies = [this, job, fetch, liveOf, wholeNamespace](const std::string& defaultClass) {
        for (const auto& d : kube::ingressDependencies(job->ingresses, defaultClass)) {
            if (d.ref.kind == "Service" && d.ns == job->ns.toStdString())
                if (auto o = liveOf(QStringLiteral("Service"), d.name)) {
                    const std::string key = objectKey("Service", d.ns, d.name);
                    if (!job->has(key)) job->objects.emplace_back(key, *o);
                    continue;
                }
            fetch(d.ref, d.ns, d.name, d.usedBy, false);
        }
        if (wholeNamespace)
            fetch(kube::configMapsV1(), kube::CONTROLLER_CONFIGMAP_NAMESPACE, kube::CONTROLLER_CONFIGMAP_NAME, {}, true);
        finishPull(job);
    };
    if (kube::needsDefaultIngressClass(job->ingresses)) {
        ++job->pending;
        kube::RestRequest r;
        r.path = kube::ingressClassesV1().collectionPath();
        client->send(std::move(r), this, [job, fetchDependencies](const kube::RestReply& reply) {
            --job->pending;
            std::vector<QJsonObject> classes;
            if (reply.ok())
                for (const auto& v : reply.json().value(QStringLiteral("items")).toArray()) classes.push_back(v.toObject());
            fetchDependencies(kube::defaultIngressClassName(classes));
        });
    } else {
        fetchDependencies({});
    }
}

void ClusterPanel::finishPull(const std::shared_ptr<PullJob>& job) {
    if (job->pending > 0 || job->finished) return;
    job->finished = true;
    std::vector<YAML::Node> added;
    int replaced = 0, pulled = 0;
    QStringList withheld;
    m_doc->undoStack()->beginMacro(tr("Pull from the cluster"));
    for (const auto& [key, live] : job->objects) {
        if (live.isEmpty()) continue;
        const std::string kind = live.value(QStringLiteral("kind")).toString().toStdString();
        bool withheldData = false;
        // The same cleaning as `ingress-lab-cli cluster pull` (core/kube/workspace_objects.h): Secret data withheld.
        const QJsonObject clean = kube::cleanPulledObject(live, kind, false, &withheldData);
        const QJsonObject meta = clean.value(QStringLiteral("metadata")).toObject();
        const QString name = meta.value(QStringLiteral("name")).toString();
        const QString ns = meta.value(QStringLiteral("namespace")).toString();
        if (withheldData) withheld << ns + QLatin1Char('/') + name;
        YAML::Node node = YAML::Load(kube::toYaml(clean));
        ++pulled;
        int index = -1;
        const auto& res = m_doc->workspace().resources;
        for (int i = 0; i < int(res.size()) && index < 0; ++i)
            if (res[i].kind == kind && qs(res[i].meta.name) == name && (ns.isEmpty() || nsOf(i) == ns)) index = i;
        if (index >= 0) {
            if (m_doc->editResource(index, [&](YAML::Node& n) {
                    n.reset(node);
                    return true;
                }, tr("Pull %1 %2").arg(qs(kind), name)))
                ++replaced;
        } else {
            added.push_back(node);
        }
    }
    if (!added.empty()) m_doc->appendResources(added, tr("Pull from the cluster"));
    m_doc->undoStack()->endMacro();
    QString text = tr("Pulled %1 object(s) from namespace %2 (%3 new, %4 replaced).")
                       .arg(pulled).arg(job->ns).arg(added.size()).arg(replaced);
    if (!withheld.isEmpty())
        text += QLatin1Char(' ') + tr("Secret data left out (masked): %1.").arg(withheld.join(QStringLiteral(", ")));
    if (!job->notes.isEmpty()) text += QLatin1Char(' ') + job->notes.join(QStringLiteral("; "));
    setMessage(text);
    emit pullFinished();
}

void ClusterPanel::diffSelected() {
    if (!m_session || !m_session->client()) return;
    const QList<Row*> rows = selectedRows();
    if (rows.isEmpty()) return;
    auto* dlg = new QDialog(this);
    dlg->setObjectName(QStringLiteral("clusterDiffDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setWindowTitle(tr("Diff: live → after apply (namespace %1)").arg(m_session->ns()));
    dlg->resize(820, 560);
    auto* text = new QPlainTextEdit(dlg);
    text->setObjectName(QStringLiteral("clusterDiffText"));
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setPlainText(tr("Asking the server (dry-run apply)…"));
    auto* box = new QDialogButtonBox(QDialogButtonBox::Close, dlg);
    connect(box, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
    auto* v = new QVBoxLayout(dlg);
    v->addWidget(text);
    v->addWidget(box);
    dlg->show();
    m_lastDiff.clear();
    auto parts = std::make_shared<QStringList>();
    auto pending = std::make_shared<int>(0);
    const QPointer<QPlainTextEdit> target(text);
    for (Row* r : rows) {
        const int index = workspaceIndex(*r);
        const model::Resource* res = m_doc->resource(index);
        const auto ref = refOf(r->kind);
        if (!res || !ref) {
            parts->append(r->live ? tr("# %1 %2: only in the cluster (apply would leave it alone)\n").arg(r->kind, r->name)
                                  : tr("# %1 %2: not in the workspace\n").arg(r->kind, r->name));
            continue;
        }
        if (kube::isWithheldSecret(*res)) continue;
        ++*pending;
        const QString label = r->kind + QLatin1Char(' ') + r->name;
        kube::ApplyOptions preview;  // forced, as the drift mark: the content; Apply asks about other managers' fields
        preview.force = true;
        const QPointer<QDialog> dialog(dlg);
        kube::diffServerSide(*m_session->client(), *ref, m_session->ns().toStdString(), r->name.toStdString(),
                             kube::applyBody(*res, *ref, m_session->ns().toStdString()), preview, this,
                             [this, parts, pending, target, label, dialog, kind = r->kind, name = r->name](const kube::DiffResult& d) {
                                 if (d.error && d.error->kind == kube::RestErrorKind::Api && d.error->api.http == 422) {
                                     setInvalid(keyOf(kind, name), d.error->api);
                                     // The fields the server refuses, under the diff: a click shows the line.
                                     if (dialog) {
                                         auto* v = qobject_cast<QVBoxLayout*>(dialog->layout());
                                         if (v) v->insertWidget(v->count() - 1, invalidFieldList(kind, name, d.error->api, dialog));
                                     }
                                     QStringList where;
                                     for (const Diagnostic& p : serverProblemsOf(kind, name))
                                         where << tr("#   line %1: %2").arg(p.pos ? p.pos->line : 0).arg(qs(p.message()));
                                     parts->append(tr("# %1: the API server refuses it (422 Invalid):\n%2\n").arg(label, where.join(QLatin1Char('\n'))));
                                 } else if (d.error) parts->append(tr("# %1: %2\n").arg(label, qs(d.error->describe())));
                                 else if (!d.changed) parts->append(tr("# %1: no differences\n").arg(label));
                                 else parts->append(qs(d.text));
                                 if (--*pending > 0) return;
                                 m_lastDiff = parts->join(QString());
                                 if (target) target->setPlainText(m_lastDiff);
                             });
    }
    if (*pending == 0) {
        m_lastDiff = parts->join(QString());
        text->setPlainText(m_lastDiff);
    }
}

void ClusterPanel::applySelected() {
    if (!m_session || !m_session->client()) return;
    QStringList names;
    QList<QPair<QString, QString>> todo;
    for (Row* r : selectedRows())
        if (r->local) {
            names << r->kind + QLatin1Char(' ') + r->name;
            todo.append({r->kind, r->name});
        }
    if (todo.isEmpty()) {
        setMessage(tr("Nothing to apply: the selected objects are not in the workspace."));
        return;
    }
    if (!confirm(tr("Apply to the cluster"),
                 tr("Server-side apply (field manager ingress-lab) of %1 to namespace %2 of context %3?")
                     .arg(names.join(QStringLiteral(", ")), m_session->ns(), m_session->context())))
        return;
    for (const auto& [kind, name] : todo) applyRow(kind, name, false);
}

void ClusterPanel::applyRow(const QString& kind, const QString& name, bool force) {
    Row probe;
    probe.kind = kind;
    probe.name = name;
    const int index = workspaceIndex(probe);
    const model::Resource* res = m_doc->resource(index);
    const auto ref = refOf(kind);
    if (!res || !ref || !m_session->client()) return;
    if (kube::isWithheldSecret(*res)) return;
    kube::ApplyOptions o;
    o.force = force;
    const QString label = kind + QLatin1Char(' ') + name;
    kube::apply(*m_session->client(), *ref, m_session->ns().toStdString(), name.toStdString(),
                kube::applyBody(*res, *ref, m_session->ns().toStdString()), o, this,
                [this, kind, name, label, force](const kube::RestReply& reply) {
                    if (reply.ok()) {
                        setInvalid(keyOf(kind, name), std::nullopt);
                        setMessage(tr("%1 applied%2.").arg(label, force ? tr(" (conflicts forced)") : QString()));
                        m_driftDebounce.start();
                        return;
                    }
                    const kube::RestError& e = *reply.error;
                    Row probe2;
                    probe2.kind = kind;
                    probe2.name = name;
                    const model::Resource* res2 = m_doc->resource(workspaceIndex(probe2));
                    if (e.kind == kube::RestErrorKind::Api && e.api.isConflictWithManagers()) {
                        setMessage(tr("%1: apply conflicts with other field managers.").arg(label));
                        auto* dlg = new QDialog(this);
                        dlg->setObjectName(QStringLiteral("clusterConflictDialog"));
                        dlg->setAttribute(Qt::WA_DeleteOnClose);
                        dlg->setWindowTitle(tr("Apply conflict: %1").arg(label));
                        auto* v = new QVBoxLayout(dlg);
                        v->addWidget(new QLabel(tr("These fields are managed by another field manager. Force takes them "
                                                   "over for ingress-lab; Cancel leaves them with their manager."), dlg));
                        auto* list = new QTreeWidget(dlg);
                        list->setObjectName(QStringLiteral("clusterConflictFields"));
                        list->setHeaderLabels({tr("Field"), tr("Manager"), tr("Line")});
                        list->setRootIsDecorated(false);
                        for (const auto& c : e.api.causes) {
                            if (c.reason != "FieldManagerConflict") continue;
                            const SourcePos p = res2 ? kube::positionOfField(*res2, c.field) : SourcePos{};
                            new QTreeWidgetItem(list, {qs(c.field), qs(c.message), p.line > 0 ? QString::number(p.line) : QString()});
                        }
                        v->addWidget(list);
                        auto* box = new QDialogButtonBox(QDialogButtonBox::Cancel, dlg);
                        QPushButton* forceButton = box->addButton(tr("Force"), QDialogButtonBox::AcceptRole);
                        forceButton->setObjectName(QStringLiteral("clusterConflictForce"));
                        connect(box, &QDialogButtonBox::accepted, dlg, &QDialog::accept);
                        connect(box, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
                        v->addWidget(box);
                        connect(dlg, &QDialog::accepted, this, [this, kind, name] { applyRow(kind, name, true); });
                        dlg->open();
                        return;
                    }
                    if (e.kind == kube::RestErrorKind::Api && e.api.http == 422) {
                        setInvalid(keyOf(kind, name), e.api);
                        QStringList lines;
                        for (const auto& c : e.api.causes) {
                            const SourcePos p = res2 ? kube::positionOfField(*res2, c.field) : SourcePos{};
                            lines << tr("line %1: %2: %3").arg(p.line).arg(qs(c.field), qs(c.message));
                        }
                        if (lines.isEmpty()) lines << qs(e.api.message);
                        setMessage(tr("%1 is invalid: %2").arg(label, lines.join(QStringLiteral("; "))));
                        // A dialog naming the fields (a click shows each), and the first one shown at once.
                        auto* dlg = new QDialog(this);
                        dlg->setObjectName(QStringLiteral("clusterInvalidDialog"));
                        dlg->setAttribute(Qt::WA_DeleteOnClose);
                        dlg->setWindowTitle(tr("Apply refused: %1").arg(label));
                        dlg->resize(760, 260);
                        auto* v = new QVBoxLayout(dlg);
                        auto* intro = new QLabel(tr("The API server refused %1 (422 Invalid). Click a field to show it in "
                                                    "the YAML and the form; the Problems panel lists them too.").arg(label), dlg);
                        intro->setWordWrap(true);
                        v->addWidget(intro);
                        v->addWidget(invalidFieldList(kind, name, e.api, dlg));
                        auto* box = new QDialogButtonBox(QDialogButtonBox::Close, dlg);
                        connect(box, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
                        v->addWidget(box);
                        dlg->show();
                        const auto causes = e.api.causes;
                        revealInvalid(kind, name, causes.empty() ? QString() : qs(causes.front().field));
                        return;
                    }
                    setMessage(tr("%1: %2").arg(label, qs(e.describe())));
                });
}

void ClusterPanel::deleteSelected() {
    if (!m_session || !m_session->client()) return;
    QStringList names;
    QList<QPair<QString, QString>> todo;
    for (Row* r : selectedRows())
        if (r->live) {
            names << r->kind + QLatin1Char(' ') + r->name;
            todo.append({r->kind, r->name});
        }
    if (todo.isEmpty()) return;
    if (!confirm(tr("Delete from the cluster"),
                 tr("Delete %1 from namespace %2 of context %3? The workspace keeps its copy.")
                     .arg(names.join(QStringLiteral(", ")), m_session->ns(), m_session->context())))
        return;
    for (const auto& [kind, name] : todo) {
        const QString label = kind + QLatin1Char(' ') + name;
        kube::deleteObject(*m_session->client(), *refOf(kind), m_session->ns().toStdString(), name.toStdString(), {}, this,
                           [this, label](const kube::RestReply& reply) {
                               setMessage(reply.ok() ? tr("%1 deleted.").arg(label)
                                                     : tr("%1: %2").arg(label, qs(reply.error->describe())));
                           });
    }
}

// ---- 422: the server's field errors in the workspace ------------------------------------------------------

void ClusterPanel::setInvalid(const QString& key, const std::optional<kube::ApiError>& error) {
    if (!error) {
        if (m_invalid.remove(key)) emit serverProblemsChanged();
        return;
    }
    m_invalid.insert(key, *error);
    emit serverProblemsChanged();
}

Diagnostics ClusterPanel::serverProblemsOf(const QString& kind, const QString& name) const {
    auto it = m_invalid.find(keyOf(kind, name));
    if (it == m_invalid.end() || !m_session) return {};
    Row probe;
    probe.kind = kind;
    probe.name = name;
    const model::Resource* res = m_doc->resource(workspaceIndex(probe));
    if (!res) return {};
    return kube::diagnosticsOfInvalid(*it, *res, m_session->ns().toStdString());
}

Diagnostics ClusterPanel::serverProblems() const {
    Diagnostics out;
    QStringList keys = m_invalid.keys();
    std::sort(keys.begin(), keys.end());
    for (const QString& k : keys) {
        const int slash = k.indexOf(QLatin1Char('/'));
        for (Diagnostic& d : serverProblemsOf(k.left(slash), k.mid(slash + 1))) out.push_back(std::move(d));
    }
    return out;
}

void ClusterPanel::revealInvalid(const QString& kind, const QString& name, const QString& field) {
    Row probe;
    probe.kind = kind;
    probe.name = name;
    const int index = workspaceIndex(probe);
    const model::Resource* res = m_doc->resource(index);
    if (!res) return;
    const SourcePos p = kube::positionOfField(*res, field.toStdString());
    emit revealFieldRequested(index, field);
    if (p.line > 0) emit revealLineRequested(p.line, p.column);
}

QWidget* ClusterPanel::invalidFieldList(const QString& kind, const QString& name, const kube::ApiError& error, QWidget* parent) {
    auto* list = new QTreeWidget(parent);
    list->setObjectName(QStringLiteral("clusterInvalidFields"));
    list->setHeaderLabels({tr("Field"), tr("Line"), tr("Problem")});
    list->setRootIsDecorated(false);
    list->setMaximumHeight(140);
    Row probe;
    probe.kind = kind;
    probe.name = name;
    const model::Resource* res = m_doc->resource(workspaceIndex(probe));
    const Diagnostics diags = res && m_session ? kube::diagnosticsOfInvalid(error, *res, m_session->ns().toStdString()) : Diagnostics{};
    for (const Diagnostic& d : diags) {
        auto* item = new QTreeWidgetItem(list, {qs(d.field), d.pos && d.pos->line > 0 ? QString::number(d.pos->line) : QString(),
                                                qs(d.message())});
        item->setData(0, Qt::UserRole, qs(d.field));
        item->setForeground(0, QColor(183, 28, 28));
        item->setToolTip(2, qs(d.message()));
    }
    list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    auto reveal = [this, kind, name](QTreeWidgetItem* item) {
        if (item) revealInvalid(kind, name, item->data(0, Qt::UserRole).toString());
    };
    connect(list, &QTreeWidget::itemClicked, this, reveal);
    connect(list, &QTreeWidget::itemActivated, this, reveal);
    return list;
}

}  // namespace ilab::ui
