#include "ui/gateway/migration_view.h"

#include <map>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QThreadPool>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/yaml/yaml_reader.h"
#include "ui/document/workspace_document.h"
#include "ui/gateway/migration_live.h"
#include "ui/lab/compare_view.h"
#include "ui/lab/explainer_panel.h"

namespace ilab::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QString sideText(const gateway::SideOutcome& s) {
    QString t = QString::number(s.status);
    if (!s.backends.empty()) {
        QStringList parts;
        for (const auto& [k, v] : s.backends)
            parts << (s.backends.size() > 1 ? QStringLiteral("%1 %2%").arg(q(k)).arg(qRound(v * 100)) : q(k));
        t += QStringLiteral(" → ") + parts.join(QStringLiteral(" + "));
    }
    if (!s.location.empty()) t += QObject::tr(", Location %1").arg(q(s.location));
    if (!s.upstreamPath.empty()) t += QObject::tr(", path %1").arg(q(s.upstreamPath));
    if (!s.allowOrigin.empty()) t += QObject::tr(", Allow-Origin %1").arg(q(s.allowOrigin));
    return t;
}

ExplainRequest explainRequest(const routing::RequestView& r) {
    ExplainRequest e;
    e.method = q(r.method);
    e.url = q(r.scheme + "://" + r.host + r.target);
    for (const auto& [k, v] : r.headers) {
        if (QString::fromStdString(k).compare(QLatin1String("Cookie"), Qt::CaseInsensitive) == 0) e.cookies = q(v);
        else e.headers << q(k + ": " + v);
    }
    if (r.contentLength) e.headers << QStringLiteral("Content-Length: %1").arg(*r.contentLength);
    e.randomValue = 7;  // the value the check's traces used
    return e;
}

}  // namespace

MigrationView::MigrationView(WorkspaceDocument* doc, QWidget* parent)
    : QWidget(parent), m_doc(doc), m_report(std::make_shared<gateway::MigrationReport>()) {
    m_summary = new QLabel(tr("Not checked yet."), this);
    m_summary->setObjectName(QStringLiteral("migrationSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_convert = new QPushButton(tr("Convert to Gateway API"), this);
    m_convert->setToolTip(tr("Put the converted Gateway and HTTPRoutes in the workspace beside the Ingresses, to edit them"));
    m_recheck = new QPushButton(tr("Check again"), this);
    auto* top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_convert);
    top->addWidget(m_recheck);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("migrationDifferences"));
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Request"), tr("ingress-nginx"), tr("Gateway API")});
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->resizeSection(0, 250);
    m_tree->header()->resizeSection(1, 210);

    m_explainer = new ExplainerPanel(this);
    m_explainer->setObjectName(QStringLiteral("migrationExplainer"));
    m_explainer->setFixedComparedProfile(routing::Profile::Gateway);

    // side by side: the dock is wide and short, and both halves want height
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_tree);
    split->addWidget(m_explainer);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({720, 560});  // the explainer's form would otherwise take most of the width

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("migrationTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(split, tr("Differences"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);

    connect(m_convert, &QPushButton::clicked, this, &MigrationView::convertRequested);
    connect(m_recheck, &QPushButton::clicked, this, &MigrationView::refresh);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) { onCurrentItemChanged(item); });
    connect(m_explainer, &ExplainerPanel::selectObjectRequested, this, &MigrationView::selectObjectRequested);
    connect(m_explainer, &ExplainerPanel::revealSourceRequested, this, &MigrationView::revealSourceRequested);
    if (m_doc) connect(m_doc, &WorkspaceDocument::workspaceChanged, this, &MigrationView::onWorkspaceChanged);
}

MigrationView::~MigrationView() = default;

void MigrationView::setLiveServices(LocalControllerFactory controllers, LoadGeneratorFactory generators) {
    if (m_liveRunner || !controllers || !generators) return;
    m_liveRunner = new MigrationLive(std::move(controllers), std::move(generators), this);
    auto* page = new QWidget(this);
    m_liveRun = new QPushButton(tr("Send the same traffic to both"), page);
    m_liveRun->setObjectName(QStringLiteral("migrationLiveRun"));
    m_liveRun->setToolTip(tr("Starts an ingress-nginx controller on the Ingresses and a Gateway API controller on the "
                             "converted objects (free ports on 127.0.0.1), sends every request of the check to both "
                             "and compares what they answered"));
    m_livePerRoute = new QSpinBox(page);
    m_livePerRoute->setRange(10, 10000);
    m_livePerRoute->setValue(100);
    m_livePerRoute->setSuffix(tr(" per request"));
    m_livePerRoute->setToolTip(tr("How many times each request of the check is sent to each controller"));
    m_liveStatus = new QLabel(tr("Real requests to both controllers; the check above is computed without traffic."), page);
    m_liveStatus->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(m_liveStatus, 1);
    row->addWidget(m_livePerRoute);
    row->addWidget(m_liveRun);
    m_live = new CompareView(page);
    m_live->setObjectName(QStringLiteral("migrationLiveView"));
    m_live->setSideNames(tr("ingress-nginx"), tr("Gateway API"));
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_live, 1);
    m_tabs->addTab(page, tr("Live traffic"));

    connect(m_liveRun, &QPushButton::clicked, this, [this] { runLive(); });
    connect(m_liveRunner, &MigrationLive::progress, this, [this](const QString& what) { m_liveStatus->setText(what); });
    connect(m_liveRunner, &MigrationLive::finished, this, [this](const loadgen::Comparison& c) {
        m_live->setRunning(false);
        m_live->setComparison(c);
        m_liveRun->setEnabled(true);
        m_liveStatus->setText(QString::fromStdString(c.predictedLabel + "\n" + c.observedLabel));
    });
    connect(m_liveRunner, &MigrationLive::failed, this, [this](const QString& message) {
        m_live->setRunning(false);
        m_live->setFailure(message);
        m_liveRun->setEnabled(true);
        m_liveStatus->setText(message);
    });
}

bool MigrationView::runLive() {
    if (!m_liveRunner || m_liveRunner->isRunning() || m_running || !m_gatewaySide || !m_doc) return false;
    if (m_report->corpus.empty()) {
        m_liveStatus->setText(tr("No requests to send: the workspace has no Ingress rules."));
        return false;
    }
    m_liveRun->setEnabled(false);
    m_live->clear();
    m_live->setRunning(true);
    m_liveRunner->run(m_doc->workspace(), *m_gatewaySide, m_report->corpus, m_livePerRoute->value());
    return true;
}

void MigrationView::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    if (m_stale) refresh();
}

void MigrationView::onWorkspaceChanged() {
    m_stale = true;
    if (isVisible()) refresh();
}

void MigrationView::refresh() {
    if (!m_doc) return;
    m_stale = false;
    m_running = true;
    m_recheck->setEnabled(false);
    m_summary->setText(tr("Checking…"));
    auto ws = std::make_shared<model::Workspace>(m_doc->workspace().clone());
    const quint64 generation = ++m_generation;
    QPointer<MigrationView> self(this);
    QThreadPool::globalInstance()->start([ws, generation, self] {
        auto report = std::make_shared<gateway::MigrationReport>(gateway::checkMigration(*ws));
        // what the gateway side routed, for the explainer: the workspace's own objects or the fresh conversion
        auto side = std::make_shared<model::Workspace>(ws->clone());
        if (!report->usedWorkspaceGatewayObjects) yaml::readText(report->convertedYaml, "converted.yaml", *side);
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, report, side] {
                if (!self || generation != self->m_generation) return;
                self->showReport(report, side);
            },
            Qt::QueuedConnection);
    });
}

QString MigrationView::summaryText() const { return m_summary->text(); }

void MigrationView::showReport(std::shared_ptr<const gateway::MigrationReport> report, std::shared_ptr<const model::Workspace> side) {
    m_running = false;
    m_recheck->setEnabled(true);
    m_report = std::move(report);
    m_gatewaySide = std::move(side);
    m_explainer->setWorkspace(*m_gatewaySide);
    const auto& rep = *m_report;
    const bool hasIngresses = !m_doc->workspace().all<model::Ingress>().empty();
    m_convert->setVisible(hasIngresses && !rep.usedWorkspaceGatewayObjects);
    if (!hasIngresses) {
        m_summary->setText(tr("The workspace has no Ingress: nothing to migrate."));
    } else {
        m_summary->setText(
            tr("%1 requests built from the Ingresses' routes; %2 behave differently on Gateway API.")
                .arg(rep.requests)
                .arg(rep.differences.size()) +
            QLatin1Char(' ') +
            (rep.usedWorkspaceGatewayObjects ? tr("Compared with the Gateway API objects in the workspace.")
                                             : tr("Compared with a fresh conversion (Convert to Gateway API puts it in the workspace to edit).")));
    }

    m_tree->clear();
    std::map<std::string, std::vector<int>> byCause;
    for (int i = 0; i < static_cast<int>(rep.differences.size()); ++i) byCause[rep.differences[i].cause].push_back(i);
    QFont bold = m_tree->font();
    bold.setBold(true);
    for (const auto& [cause, indexes] : byCause) {
        auto* group = new QTreeWidgetItem(m_tree, {QStringLiteral("%1 (%2)").arg(q(cause)).arg(indexes.size())});
        group->setFirstColumnSpanned(true);
        group->setFont(0, bold);
        group->setData(0, DifferenceRole, -1);
        for (int i : indexes) {
            const auto& d = rep.differences[i];
            auto* item = new QTreeWidgetItem(group, {q(d.url), sideText(d.nginx), sideText(d.gateway)});
            item->setData(0, DifferenceRole, i);
            item->setToolTip(0, tr("Differs in: %1").arg(q([&] {
                std::string f;
                for (const auto& x : d.fields) f += (f.empty() ? "" : ", ") + x;
                return f;
            }())));
            item->setToolTip(1, tr("Why: %1").arg(q(d.nginx.why)));
            item->setToolTip(2, tr("Why: %1").arg(q(d.gateway.why)));
        }
        group->setExpanded(true);
    }
    if (!rep.notes.empty()) {
        auto* group = new QTreeWidgetItem(m_tree, {tr("Not carried over by the conversion (%1)").arg(rep.notes.size())});
        group->setFirstColumnSpanned(true);
        group->setFont(0, bold);
        group->setData(0, DifferenceRole, -1);
        for (const auto& n : rep.notes) {
            auto* item = new QTreeWidgetItem(group, {q(n)});
            item->setFirstColumnSpanned(true);
            item->setToolTip(0, q(n));
            item->setData(0, DifferenceRole, -1);
        }
        group->setExpanded(true);
    }
    Q_EMIT checked();
}

bool MigrationView::openDifference(int index) {
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = m_tree->topLevelItem(g);
        for (int c = 0; c < group->childCount(); ++c)
            if (group->child(c)->data(0, DifferenceRole).toInt() == index) {
                m_tree->setCurrentItem(group->child(c));
                return true;
            }
    }
    return false;
}

void MigrationView::onCurrentItemChanged(QTreeWidgetItem* item) {
    if (!item) return;
    const int i = item->data(0, DifferenceRole).toInt();
    if (i < 0 || i >= static_cast<int>(m_report->differences.size())) return;
    m_explainer->setRequest(explainRequest(m_report->differences[i].request));
    m_explainer->explain();
}

}  // namespace ilab::ui
