#include "ui/lab/lab_panel.h"

#include "ui/cluster/cluster_event_bridge.h"

#include <algorithm>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/controller/listen_exposure.h"
#include "core/loadgen/error_response.h"
#include "core/loadgen/load_generator.h"
#include "core/metrics/metrics_registry.h"
#include "core/proxy/proxy_config.h"
#include "ui/charts/live_charts.h"
#include "ui/cluster/cluster_backends.h"
#include "ui/cluster/cluster_controller_log.h"
#include "ui/cluster_session.h"
#include "ui/lab/compare_runner.h"
#include "ui/lab/compare_view.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/explainer_panel.h"
#include "ui/lab/lab_feeds.h"
#include "ui/lab/lab_script.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/log_view.h"
#include "ui/lab/routing_map.h"
#include "ui/lab/thread_priority.h"
#include "ui/lab/traffic_panel.h"
#include "ui/lab/traffic_target_choice.h"

namespace ilab::ui {

namespace {
// Edits arrive on every keystroke; the controller resyncs at most this often (style.md B.8: 100-300 ms).
constexpr int WORKSPACE_DEBOUNCE_MS = 300;
// Charts and the map pull the controller's 1-second snapshots this often (never per request).
constexpr int SNAPSHOT_POLL_MS = 500;
// Log models pull their ring buffers this often (style.md F.19: 50-100 ms).
constexpr int LOG_POLL_MS = 100;
}  // namespace

struct LabPanel::Impl {
    LabPanel* q = nullptr;
    ControllerLink* link = nullptr;
    model::Workspace ws;
    bool hasWorkspace = false;
    QTimer debounce;
    QTimer snapshotTimer;
    int httpPort = 8080, httpsPort = 8443;
    QString listenAddress = QStringLiteral("127.0.0.1");
    QString exposure;  // controller::exposureWarning of the last start ("" on loopback)

    QAction* startAction = nullptr;
    QAction* stopAction = nullptr;
    QAction* restartAction = nullptr;
    QLabel* banner = nullptr;
    QWidget* bannerBox = nullptr;
    QLabel* heldBack = nullptr;  // "Edit held back: …" while the edited workspace cannot be applied
    QLabel* status = nullptr;
    QSpinBox* httpSpin = nullptr;
    QSpinBox* httpsSpin = nullptr;
    QTabWidget* leftTabs = nullptr;
    QTabWidget* topTabs = nullptr;
    QTabWidget* bottomTabs = nullptr;
    TrafficPanel* traffic = nullptr;
    ExplainerPanel* explainer = nullptr;
    charts::LiveCharts* charts = nullptr;
    RoutingMap* map = nullptr;
    LogTableModel* accessModel = nullptr;
    LogTableModel* eventModel = nullptr;
    LogTableModel* controllerModel = nullptr;
    AccessLogFeed* accessFeed = nullptr;
    EventFeed* eventFeed = nullptr;
    ControllerLogFeed* controllerFeed = nullptr;
    LogView* accessView = nullptr;
    ClusterBackends* clusterBackends = nullptr;  // with a cluster session only
    QCheckBox* useClusterPods = nullptr;
    CompareView* compare = nullptr;
    ClusterControllerLog* clusterLog = nullptr;
    LogTableModel* clusterAccessModel = nullptr;
    LogTableModel* clusterControllerModel = nullptr;
    CompareRunner* compareRunner = nullptr;
    QTimer resolveTimer;
    QLabel* clusterPodsStatus = nullptr;
    // Traffic to the cluster's ingress controller (issue 13 item 2): the "Send to" choice, and whether the charts
    // show the last such run (client-side figures) instead of the local controller's metrics.
    TrafficTargetChoice* sendTo = nullptr;
    QLabel* chartsSource = nullptr;
    bool clusterRun = false;
    QVector<charts::BackendShare> clusterShares;  // the cluster run's shares by Service (client side)
    // "Group by: Service / Pod" of the share chart (issue 13): pods from the access records' upstream address
    // (simulated pods and the cluster pods behind their tunnels), or for cluster runs the pod each response named.
    QComboBox* groupBy = nullptr;
    bool groupByPod() const { return groupBy && groupBy->currentIndex() == 1; }
    void regroupShares();
    double clusterRunOffsetSec = 0;  // chart x of the cluster run's second 0

    // Chart state: snapshots seen, the run's start, cumulative requests per upstream since the share reset.
    std::int64_t lastSnapshotMs = 0;
    std::int64_t runStartMs = 0;
    std::int64_t startRequestedMs = 0;
    QHash<QString, quint64> shareCounts;
    QHash<QString, quint64> errorCounts;  // the controller's own error answers, by "status reason"
    QString statusText;
    bool restartPending = false;

    void setStatus(const QString& s) {
        if (s == statusText) return;
        statusText = s;
        status->setText(s);
        Q_EMIT q->statusTextChanged(s);
    }
    void showBanner(const QString& text) {
        banner->setText(text);
        bannerBox->setVisible(!text.isEmpty());
    }
    void updateActions() {
        const auto st = link->state();
        startAction->setEnabled(st == ControllerLink::State::Stopped);
        stopAction->setEnabled(st == ControllerLink::State::Running);
        restartAction->setEnabled(st == ControllerLink::State::Running);
        httpSpin->setEnabled(st == ControllerLink::State::Stopped);
        httpsSpin->setEnabled(st == ControllerLink::State::Stopped);
    }
    void resetShares() {
        shareCounts.clear();
        errorCounts.clear();
        charts->setShares({});
    }
    QVector<charts::BackendShare> shares() const;
    void updateClusterToggle();
    QVector<MapPod> withClusterPods(QVector<MapPod> pods) const;
    void refreshPods();
    void applyWorkspace() {
        traffic->setWorkspace(ws);
        explainer->setWorkspace(ws);
        map->setWorkspace(ws);
        if (clusterBackends) clusterBackends->setWorkspace(ws);
        if (link->isRunning()) link->setWorkspace(ws);
    }
    void pullSnapshots();
    void onClientProgress(const loadgen::Progress& p);
    void setChartsSource(bool cluster);
    void onStarted();
    void onStopped();
};

QVector<charts::BackendShare> LabPanel::Impl::shares() const {
    // Configured weight per upstream: the traffic preset's expected shares are keyed by Service name;
    // an upstream is "<ns>-<service>-<port>".
    const auto expected = traffic->expectedShares();
    QVector<charts::BackendShare> out;
    QStringList names = shareCounts.keys();
    names.sort();
    for (const auto& upstream : names) {
        charts::BackendShare s;
        s.name = upstream;
        s.pod = groupByPod();
        s.requests = shareCounts.value(upstream);
        const QString withoutPort = upstream.section(QLatin1Char('-'), 0, -2);
        if (!groupByPod())
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            if (withoutPort == it.key() || withoutPort.endsWith(QLatin1Char('-') + it.key())) s.configuredPercent = 100.0 * it.value();
        out << s;
    }
    // The controller's own error answers, after the backends: requests the route failed to deliver.
    QStringList errors = errorCounts.keys();
    errors.sort();
    for (const auto& group : errors) {
        charts::BackendShare s;
        s.name = group;
        s.requests = errorCounts.value(group);
        s.error = true;
        out << s;
    }
    return out;
}

void LabPanel::Impl::pullSnapshots() {
    if (!link->eventLog()) return;
    const auto snaps = link->snapshotsSince(lastSnapshotMs);
    for (const auto& s : snaps) {
        lastSnapshotMs = s.timeMs;
        if (clusterRun) continue;  // the charts show the cluster run (onClientProgress), not the idle local controller
        charts::TrafficSample t;
        t.timeSec = double(s.timeMs - runStartMs) / 1000.0;
        // The controller's own error answers are one line of their own ("error answers"), never a backend's.
        std::uint64_t errorAnswers = 0;
        for (const auto& b : s.backends) {
            errorAnswers += b.errorAnswers;
            const std::uint64_t served = b.requests - std::min(b.requests, b.errorAnswers);
            if (served == 0 || b.upstream == "-" || b.upstream.empty()) continue;
            t.backends.append({QString::fromStdString(b.upstream), double(served) / std::max(0.001, s.intervalSec)});
        }
        t.errorsPerSec = double(errorAnswers) / std::max(0.001, s.intervalSec);
        t.hasLatency = s.requests > 0;
        t.p50Ms = s.p50Ms;
        t.p90Ms = s.p90Ms;
        t.p99Ms = s.p99Ms;
        const double per = 1.0 / std::max(0.001, s.intervalSec);
        t.status2xx = double(s.statusClass[2]) * per;
        t.status3xx = double(s.statusClass[3]) * per;
        t.status4xx = double(s.statusClass[4]) * per;
        t.status5xx = double(s.statusClass[5]) * per;
        charts->addSample(t);
    }
    // Shares count access-log lines since the traffic started (exact per request; a 1-second snapshot that
    // straddles the start would mix in the previous run's last second).
    const QHash<QString, quint64> counts = groupByPod() ? accessFeed->podCounts() : accessFeed->upstreamCounts();
    if (!clusterRun && (counts != shareCounts || accessFeed->errorCounts() != errorCounts)) {
        shareCounts = counts;
        errorCounts = accessFeed->errorCounts();
        charts->setShares(shares());
    }
    refreshPods();
    map->setCounts(accessFeed->upstreamCounts(), accessFeed->podCounts());
}

// A run sent to the cluster's ingress controller: the charts show what the client saw (the local controller sees
// none of it): per second the backends the responses named (their echo's "service", as the Compare tab reads it),
// status classes, latency and errors; the share chart the run's cumulative backends and error groups.
void LabPanel::Impl::onClientProgress(const loadgen::Progress& p) {
    if (!clusterRun) return;
    for (const auto& s : p.series) {
        if (!s.closed && !p.finished) break;  // the open second comes again once it is closed
        charts::TrafficSample t;
        t.timeSec = clusterRunOffsetSec + double(s.second);
        for (size_t b = 0; b < s.perBackend.size() && b < p.backendNames.size(); ++b)
            if (s.perBackend[b]) t.backends.append({QString::fromStdString(p.backendNames[b]), double(s.perBackend[b])});
        t.errorsPerSec = double(s.errors + s.errorResponses);
        t.hasLatency = s.completed > 0;
        t.p50Ms = double(s.p50Us) / 1000.0;
        t.p90Ms = double(s.p90Us) / 1000.0;
        t.p99Ms = double(s.p99Us) / 1000.0;
        t.status2xx = double(s.statusClasses[2]);
        t.status3xx = double(s.statusClasses[3]);
        t.status4xx = double(s.statusClasses[4]);
        t.status5xx = double(s.statusClasses[5]);
        charts->addSample(t);
    }
    const auto expected = traffic->expectedShares();
    QVector<charts::BackendShare> out;
    for (const auto& b : p.backends) {
        charts::BackendShare s;
        s.name = QString::fromStdString(b.name);
        s.requests = b.count;
        if (expected.contains(s.name)) s.configuredPercent = 100.0 * expected.value(s.name);
        out << s;
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const auto& e : p.errorResponseGroups) {
        charts::BackendShare s;
        s.name = QString::fromStdString(loadgen::errorGroupLabel(e.status, e.reason, {}, false));
        s.requests = e.count;
        s.error = true;
        out << s;
    }
    if (p.errors > 0) {
        charts::BackendShare s;
        s.name = tr("no response");
        s.requests = p.errors;
        s.error = true;
        out << s;
    }
    clusterShares = out;
    if (p.finished && groupByPod()) return;  // by pod: the pods are known once the run is over (trafficFinished)
    charts->setShares(out);
}

// The share chart again after the Group by switch (or a finished cluster run): local runs count the access log by
// pod or by upstream; a cluster run's pods come from its responses, known once it finished (by Service until then).
void LabPanel::Impl::regroupShares() {
    if (!clusterRun) {
        shareCounts = groupByPod() ? accessFeed->podCounts() : accessFeed->upstreamCounts();
        errorCounts = accessFeed->errorCounts();
        charts->setShares(shares());
        return;
    }
    const QHash<QString, quint64> pods = traffic->isRunning() ? QHash<QString, quint64>{} : traffic->lastRunPods();
    if (!groupByPod() || pods.isEmpty()) {
        charts->setShares(clusterShares);
        return;
    }
    QVector<charts::BackendShare> out;
    QStringList names = pods.keys();
    names.sort();
    for (const QString& pod : names) {
        charts::BackendShare s;
        s.name = pod;
        s.pod = true;
        s.requests = pods.value(pod);
        out << s;
    }
    for (const auto& e : clusterShares)
        if (e.error) out << e;
    charts->setShares(out);
}

void LabPanel::Impl::setChartsSource(bool cluster) {
    if (!chartsSource) return;
    if (cluster) {
        chartsSource->setText(tr("CLUSTER TRAFFIC — the charts show what %1 answered (client side: the status and the "
                                 "backend each response names); the local controller's figures are not shown.")
                                  .arg(traffic->runLabel()));
        chartsSource->setStyleSheet(QStringLiteral("#chartsSource { background: #cfe2ff; color: #052c65; border: 1px "
                                                   "solid #9ec5fe; padding: 2px 6px; font-weight: bold; }"));
    } else {
        chartsSource->setText(tr("Local controller — the charts show its metrics and access log."));
        chartsSource->setStyleSheet(QStringLiteral("#chartsSource { padding: 2px 6px; }"));
    }
    chartsSource->setVisible(sendTo && (cluster || !sendTo->isHidden()));
}

// Pods for the map and the access log's Pod column. Also called as soon as the cluster's endpoints change: requests
// reach a new tunnel right after that, and its lines must be named after the pod, not 127.0.0.1:PORT (they were
// until the next snapshot tick, so a short run showed tunnel addresses).
void LabPanel::Impl::refreshPods() {
    const auto pods = withClusterPods(link->pods());
    map->setPods(pods);
    QHash<QString, QString> podByAddress;
    for (const auto& p : pods) podByAddress.insert(p.address, p.name);
    accessFeed->setPodNames(podByAddress);
}

void LabPanel::Impl::updateClusterToggle() {
    if (!clusterBackends) return;
    const bool available = clusterBackends->isAvailable();
    useClusterPods->setEnabled(available);
    useClusterPods->setText(available ? tr("Use cluster pods for Services that exist in namespace %1")
                                            .arg(clusterBackends->ns())
                                      : tr("Use cluster pods for Services that exist in the cluster (connect to a "
                                           "cluster first)"));
}

// The controller's simulated pods, with the pods of cluster-backed Services replaced by the cluster's pods (named
// after the real pod, at the address of their port-forward), so the map and the access log name the real pod.
QVector<MapPod> LabPanel::Impl::withClusterPods(QVector<MapPod> pods) const {
    if (!clusterBackends || clusterBackends->endpoints().empty()) return pods;
    QHash<QString, QString> addressByPod;
    const auto byAddress = clusterBackends->podByAddress();
    for (auto it = byAddress.cbegin(); it != byAddress.cend(); ++it) addressByPod.insert(it.value(), it.key());
    const auto byService = clusterBackends->podsByService();
    for (auto it = byService.cbegin(); it != byService.cend(); ++it) {
        const QString ns = it.key().section(QLatin1Char('/'), 0, 0), name = it.key().section(QLatin1Char('/'), 1);
        const auto* svc = ws.service(ns.toStdString(), name.toStdString());
        if (!svc) continue;
        for (const auto* dep : ws.deploymentsSelectedBy(*svc)) {
            const QString depName = QString::fromStdString(dep->meta.name);
            pods.erase(std::remove_if(pods.begin(), pods.end(),
                                      [&](const MapPod& p) { return p.ns == ns && p.deployment == depName; }),
                       pods.end());
            for (const QString& pod : it.value()) {
                MapPod m;
                m.ns = ns;
                m.name = pod;
                m.deployment = depName;
                m.address = addressByPod.value(pod);
                pods << m;
            }
            break;  // the map shows a Service's pods under its first Deployment
        }
    }
    return pods;
}

void LabPanel::Impl::onStarted() {
    showBanner(exposure.isEmpty() ? QString() : tr("<b>Warning:</b> %1").arg(exposure.toHtmlEscaped()));
    // The controller keeps its ring buffers across runs: the logs continue; a new buffer restarts its ids.
    if (eventFeed->source() != link->eventLog()) {
        eventFeed->setSource(link->eventLog());
        eventModel->resetSource();
    }
    if (controllerFeed->source() != link->controllerLog()) {
        controllerFeed->setSource(link->controllerLog());
        controllerModel->resetSource();
    }
    if (accessFeed->source() != link->accessLog()) {
        accessFeed->setSource(link->accessLog());
        accessModel->resetSource();
    }
    accessFeed->resetCounts();
    charts->clear();
    shareCounts.clear();
    errorCounts.clear();
    clusterRun = false;  // a fresh start plots the local controller again
    setChartsSource(false);
    // The registry keeps an hour of snapshots across runs: plot only this run's (from the moment Start was pressed).
    lastSnapshotMs = startRequestedMs;
    runStartMs = startRequestedMs;
    traffic->setProxyPorts(link->httpPort(), link->httpsPort());
    // A workspace that arrived while the controller was starting (the lesson's parse finishing right after Start)
    // was not sent (not running yet): send the current one now (an unchanged one costs the controller a hash).
    link->setWorkspace(ws);
    deprioritizeWorkerThreads();  // proxy workers and pods now exist: the GUI thread goes first
    setStatus(tr("Running — %1").arg(link->listenAddresses()));
    snapshotTimer.start();
    updateActions();
    Q_EMIT q->runningChanged(true);
}

void LabPanel::Impl::onStopped() {
    traffic->setProxyPorts(0, 0);
    pullSnapshots();
    snapshotTimer.stop();
    map->setPods({});
    setStatus(tr("Stopped"));
    updateActions();
    Q_EMIT q->runningChanged(false);
    if (restartPending) {
        restartPending = false;
        q->start();
    }
}

LabPanel::LabPanel(const AppServices& services, QWidget* parent) : QWidget(parent), m_impl(new Impl) {
    auto* d = m_impl;
    d->q = this;
    d->link = new ControllerLink(services.controller, this);

    // Run controls (also handed to the main window's toolbar).
    d->startAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    d->startAction->setShortcut(QKeySequence(Qt::Key_F5));
    d->startAction->setToolTip(tr("Start the local controller and the simulated pods (F5)"));
    d->stopAction = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    d->stopAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    d->stopAction->setToolTip(tr("Stop the local controller (Shift+F5)"));
    d->restartAction = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Restart"), this);
    d->restartAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5));
    d->restartAction->setToolTip(tr("Stop and start again (Ctrl+Shift+F5)"));
    for (auto* a : {d->startAction, d->stopAction, d->restartAction}) a->setShortcutContext(Qt::WindowShortcut);
    connect(d->startAction, &QAction::triggered, this, &LabPanel::start);
    connect(d->stopAction, &QAction::triggered, this, &LabPanel::stop);
    connect(d->restartAction, &QAction::triggered, this, &LabPanel::restart);

    auto* runBar = new QHBoxLayout;
    runBar->setContentsMargins(4, 2, 4, 2);
    for (auto* a : {d->startAction, d->stopAction, d->restartAction}) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        runBar->addWidget(b);
    }
    d->httpSpin = new QSpinBox(this);
    d->httpSpin->setRange(0, 65535);
    d->httpSpin->setValue(d->httpPort);
    d->httpSpin->setSpecialValueText(tr("any"));
    d->httpsSpin = new QSpinBox(this);
    d->httpsSpin->setRange(0, 65535);
    d->httpsSpin->setValue(d->httpsPort);
    d->httpsSpin->setSpecialValueText(tr("any"));
    runBar->addSpacing(12);
    runBar->addWidget(new QLabel(tr("HTTP port"), this));
    runBar->addWidget(d->httpSpin);
    runBar->addWidget(new QLabel(tr("HTTPS port"), this));
    runBar->addWidget(d->httpsSpin);
    runBar->addSpacing(12);
    d->status = new QLabel(this);
    d->status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    runBar->addWidget(d->status, 1);
    connect(d->httpSpin, &QSpinBox::valueChanged, this, [d](int v) { d->httpPort = v; });
    connect(d->httpsSpin, &QSpinBox::valueChanged, this, [d](int v) { d->httpsPort = v; });

    // Banner: start failures and refused actions, explained where the user looks.
    d->bannerBox = new QWidget(this);
    d->bannerBox->setObjectName(QStringLiteral("labBanner"));
    d->bannerBox->setStyleSheet(QStringLiteral("#labBanner { background: #f8d7da; border: 1px solid #e0a0a6; }"));
    auto* bannerLayout = new QHBoxLayout(d->bannerBox);
    bannerLayout->setContentsMargins(8, 4, 4, 4);
    d->banner = new QLabel(d->bannerBox);
    d->banner->setWordWrap(true);
    d->banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(d->bannerBox);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    bannerLayout->addWidget(d->banner, 1);
    bannerLayout->addWidget(close);
    d->bannerBox->hide();
    d->heldBack = new QLabel(this);
    d->heldBack->setObjectName(QStringLiteral("labHeldBack"));
    d->heldBack->setWordWrap(true);
    d->heldBack->setTextFormat(Qt::PlainText);
    d->heldBack->setTextInteractionFlags(Qt::TextSelectableByMouse);
    d->heldBack->setStyleSheet(QStringLiteral("#labHeldBack { background: #fff3cd; color: #664d03; border: 1px solid #e6c96b; padding: 3px 8px; }"));
    d->heldBack->hide();
    connect(close, &QToolButton::clicked, this, [d] { d->showBanner({}); });

    // Left: traffic and explainer. Right top: charts and map. Right bottom: logs.
    d->traffic = new TrafficPanel(services.loadGenerators, this);
    d->explainer = new ExplainerPanel(this);
    d->leftTabs = new QTabWidget(this);
    d->leftTabs->addTab(d->traffic, tr("Traffic"));
    d->leftTabs->addTab(d->explainer, tr("Explain"));
    // Predicted vs observed: the same requests to the lab's controller and to the cluster's.
    d->compare = new CompareView(this);
    d->compare->setTargetChoiceVisible(false);
    d->compareRunner = new CompareRunner(services.cluster, services.loadGenerators, this);
    d->leftTabs->addTab(d->compare, tr("Compare"));

    d->charts = new charts::LiveCharts(this);
    d->map = new RoutingMap(this);
    d->topTabs = new QTabWidget(this);
    auto* chartsPage = new QWidget(this);
    auto* chartsLayout = new QVBoxLayout(chartsPage);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->setSpacing(2);
    d->groupBy = new QComboBox(chartsPage);
    d->groupBy->setObjectName(QStringLiteral("shareGroupBy"));
    d->groupBy->addItems({tr("Service"), tr("Pod")});
    d->groupBy->setToolTip(tr("Service: the share of each upstream (Service and port), with its configured weight.\n"
                              "Pod: the share of each pod that answered (simulated pods, cluster pods by their real "
                              "name; for traffic sent to the cluster, the pod each response names, once the run is "
                              "over)."));
    auto* groupRow = new QHBoxLayout;
    groupRow->setContentsMargins(4, 0, 4, 0);
    groupRow->addWidget(new QLabel(tr("Share chart — group by:"), chartsPage));
    groupRow->addWidget(d->groupBy);
    groupRow->addStretch(1);
    chartsLayout->addLayout(groupRow);
    connect(d->groupBy, &QComboBox::currentIndexChanged, this, [d] { d->regroupShares(); });
    if (services.cluster) {
        // Whose figures the charts show: the local controller's, or a run sent to the cluster's controller.
        d->chartsSource = new QLabel(chartsPage);
        d->chartsSource->setObjectName(QStringLiteral("chartsSource"));
        d->chartsSource->setWordWrap(true);
        d->chartsSource->setTextFormat(Qt::PlainText);
        chartsLayout->insertWidget(0, d->chartsSource);
        d->sendTo = new TrafficTargetChoice(services.cluster, services.loadGenerators, this);
        TrafficTargetChoice* sendTo = d->sendTo;
        d->traffic->setDestination(sendTo, [sendTo](const loadgen::LoadConfig& c) { return sendTo->destinationFor(c); });
        sendTo->setTargetsProvider([d] { return d->traffic->config().targets; });
        connect(sendTo, &TrafficTargetChoice::selectionChanged, d->traffic, &TrafficPanel::setRemoteDestinationSelected);
        connect(d->traffic, &TrafficPanel::clientProgressed, this, [d](const loadgen::Progress& p) { d->onClientProgress(p); });
        connect(services.cluster, &ClusterSession::stateChanged, this, [d] { d->setChartsSource(d->clusterRun); });
        d->setChartsSource(false);
    }
    chartsLayout->addWidget(d->charts, 1);
    d->topTabs->addTab(chartsPage, tr("Charts"));
    d->topTabs->addTab(d->map, tr("Map"));

    auto accessFeed = std::make_unique<AccessLogFeed>();
    auto eventFeed = std::make_unique<EventFeed>();
    auto controllerFeed = std::make_unique<ControllerLogFeed>();
    d->accessFeed = accessFeed.get();
    d->eventFeed = eventFeed.get();
    d->controllerFeed = controllerFeed.get();
    d->accessModel = new LogTableModel(std::move(accessFeed), this);
    d->eventModel = new LogTableModel(std::move(eventFeed), this);
    d->controllerModel = new LogTableModel(std::move(controllerFeed), this);
    d->eventModel->setCapacity(100'000);  // the core EventLog holds 10,000 (deduplicated) events
    d->accessView = new LogView(d->accessModel, false, this);
    auto* eventView = new LogView(d->eventModel, true, this);
    // Events of a connected cluster (Source "cluster") next to the lab's own; the Source column shown second.
    if (services.cluster) {
        auto* bridge = new ClusterEventBridge(services.cluster, this);
        d->eventFeed->setClusterSource(bridge->log());
    }
    eventView->table()->horizontalHeader()->moveSection(EventFeed::SourceColumn, 1);
    auto* controllerView = new LogView(d->controllerModel, false, this);
    d->bottomTabs = new QTabWidget(this);
    d->bottomTabs->addTab(d->accessView, tr("Access log"));
    d->bottomTabs->addTab(eventView, tr("Events"));
    d->bottomTabs->addTab(controllerView, tr("Controller log"));
    for (auto* m : {d->accessModel, d->eventModel, d->controllerModel}) m->startPolling(LOG_POLL_MS);
    // The cluster's ingress controller's own log, through the same parsers and views, in tabs of their own so its
    // lines never mix with (or count as) the local controller's.
    if (services.cluster) {
        d->clusterLog = new ClusterControllerLog(services.cluster, this);
        auto clusterAccess = std::make_unique<AccessLogFeed>();
        clusterAccess->setSource(d->clusterLog->accessLog());
        AccessLogFeed* clusterAccessFeed = clusterAccess.get();
        connect(d->clusterLog, &ClusterControllerLog::podNamesChanged, this,
                [clusterAccessFeed](const QHash<QString, QString>& names) { clusterAccessFeed->setPodNames(names); });
        auto clusterController = std::make_unique<ControllerLogFeed>();
        clusterController->setSource(d->clusterLog->controllerLog());
        d->clusterAccessModel = new LogTableModel(std::move(clusterAccess), this);
        d->clusterControllerModel = new LogTableModel(std::move(clusterController), this);
        auto* clusterAccessView = new LogView(d->clusterAccessModel, false, this);
        auto* clusterControllerView = new LogView(d->clusterControllerModel, false, this);
        const QString tip = tr("Lines of the cluster's ingress controller pod (pods/log?follow=true, container "
                               "controller), not of the local controller");
        d->bottomTabs->addTab(clusterAccessView, tr("Cluster access log"));
        d->bottomTabs->setTabToolTip(d->bottomTabs->count() - 1, tip);
        d->bottomTabs->addTab(clusterControllerView, tr("Cluster controller log"));
        d->bottomTabs->setTabToolTip(d->bottomTabs->count() - 1, tip);
        auto updateTips = [d, tip] {
            const QString text = d->clusterLog->statusText();
            for (int i = 0; i < d->bottomTabs->count(); ++i)
                if (d->bottomTabs->tabText(i).startsWith(QLatin1String("Cluster ")))
                    d->bottomTabs->setTabToolTip(i, text.isEmpty() ? tip : tip + QStringLiteral("\n") + text);
        };
        connect(d->clusterLog, &ClusterControllerLog::statusChanged, this, updateTips);
        for (auto* m : {d->clusterAccessModel, d->clusterControllerModel}) m->startPolling(LOG_POLL_MS);
    }

    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(d->topTabs);
    right->addWidget(d->bottomTabs);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    auto* main = new QSplitter(Qt::Horizontal, this);
    main->addWidget(d->leftTabs);
    main->addWidget(right);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 5);

    // The lab on top of the cluster: workspace Services that exist in the connected namespace backed by its pods.
    QHBoxLayout* clusterBar = nullptr;
    if (services.cluster) {
        d->clusterBackends = new ClusterBackends(services.cluster, this);
        d->useClusterPods = new QCheckBox(this);
        d->useClusterPods->setObjectName(QStringLiteral("useClusterPods"));
        d->useClusterPods->setToolTip(
            tr("The local controller and proxy stay here; the Services that also exist in the cluster's namespace "
               "are answered by the cluster's ready pods (from its EndpointSlices, one port-forward per pod), as "
               "ingress-nginx balances over pods. Other Services keep their simulated pods."));
        d->clusterPodsStatus = new QLabel(this);
        d->clusterPodsStatus->setObjectName(QStringLiteral("clusterPodsStatus"));
        d->clusterPodsStatus->setTextFormat(Qt::PlainText);
        d->clusterPodsStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
        d->clusterPodsStatus->setWordWrap(true);
        auto* reach = new QComboBox(this);
        reach->setObjectName(QStringLiteral("reachPods"));
        reach->addItems({tr("port-forward"), tr("directly by pod IP (when reachable)")});
        reach->setToolTip(tr("port-forward: one native port-forward per pod through the API server (works everywhere).\n"
                             "directly by pod IP: when pod IPs are routable from this machine (minikube's none or "
                             "docker driver on Linux, a route to kind's pod CIDR), each pod is probed with a TCP "
                             "connect and reached at its IP; a pod that does not answer gets its port-forward, and "
                             "the status line says why."));
        connect(reach, &QComboBox::currentIndexChanged, d->clusterBackends, [d](int index) {
            d->clusterBackends->setPodReach(index == 1 ? kube::PodReach::Direct : kube::PodReach::PortForward);
        });
        clusterBar = new QHBoxLayout;
        clusterBar->setContentsMargins(4, 0, 4, 2);
        clusterBar->addWidget(d->useClusterPods);
        clusterBar->addWidget(new QLabel(tr("Reach pods:"), this));
        clusterBar->addWidget(reach);
        clusterBar->addWidget(d->clusterPodsStatus, 1);
        connect(d->useClusterPods, &QCheckBox::toggled, d->clusterBackends, &ClusterBackends::setEnabled);
        connect(d->clusterBackends, &ClusterBackends::availabilityChanged, this, [d] { d->updateClusterToggle(); });
        connect(d->clusterBackends, &ClusterBackends::statusChanged, d->clusterPodsStatus, &QLabel::setText);
        connect(d->clusterBackends, &ClusterBackends::endpointsChanged, d->link, &ControllerLink::setClusterEndpoints);
        connect(d->clusterBackends, &ClusterBackends::endpointsChanged, this, [d] { d->refreshPods(); });
        d->updateClusterToggle();
    }

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(runBar);
    if (clusterBar) layout->addLayout(clusterBar);
    layout->addWidget(d->bannerBox);
    layout->addWidget(d->heldBack);
    layout->addWidget(main, 1);

    // Wiring.
    d->debounce.setSingleShot(true);
    d->debounce.setInterval(WORKSPACE_DEBOUNCE_MS);
    connect(&d->debounce, &QTimer::timeout, this, [d] { d->applyWorkspace(); });
    d->snapshotTimer.setInterval(SNAPSHOT_POLL_MS);
    d->snapshotTimer.setObjectName(QStringLiteral("snapshotPoll"));
    connect(&d->snapshotTimer, &QTimer::timeout, this, [d] { d->pullSnapshots(); });
    connect(d->link, &ControllerLink::started, this, [d] { d->onStarted(); });
    connect(d->link, &ControllerLink::stopped, this, [d] { d->onStopped(); });
    connect(d->link, &ControllerLink::startFailed, this, [d](const QString& message) {
        d->showBanner(tr("<b>The controller could not start.</b> %1").arg(message.toHtmlEscaped()));
        d->setStatus(tr("Stopped — start failed"));
        d->updateActions();
        Q_EMIT d->q->runningChanged(false);
    });
    connect(d->link, &ControllerLink::actionFailed, this, [d](const QString& m) { d->showBanner(m.toHtmlEscaped()); });
    connect(d->link, &ControllerLink::stateChanged, this, [d](ControllerLink::State st) {
        if (st == ControllerLink::State::Starting) d->setStatus(tr("Starting…"));
        if (st == ControllerLink::State::Stopping) d->setStatus(tr("Stopping…"));
        d->updateActions();
    });
    connect(d->traffic, &TrafficPanel::message, this, [d](const QString& m) { d->showBanner(m.toHtmlEscaped()); });
    connect(d->traffic, &TrafficPanel::trafficAboutToStart, this, [d] {
        // Each run starts a fresh share so the chart converges on this run's split. The previous run is over, so
        // its lines are all in the ring: pull them first, then count from zero. This must happen before the
        // generator starts: a fast controller logs the first requests within microseconds (counting from
        // trafficStarted lost them: 98 of 100).
        d->accessModel->pullNow();
        d->shareCounts.clear();
        d->errorCounts.clear();
        d->charts->setShares({});
        d->accessFeed->resetCounts();
        // A run to the cluster's controller (or back to the local one) starts the charts afresh: the two never
        // share a plot.
        const bool cluster = d->traffic->isRemoteRun();
        if (cluster != d->clusterRun || (cluster && !d->link->isRunning())) d->charts->clear();
        d->clusterRun = cluster;
        d->clusterRunOffsetSec =
            cluster && d->link->isRunning() && d->runStartMs > 0
                ? double(QDateTime::currentMSecsSinceEpoch() - d->runStartMs) / 1000.0
                : 0.0;
        d->setChartsSource(cluster);
    });
    connect(d->traffic, &TrafficPanel::trafficFinished, this, [d] {
        if (d->clusterRun && d->groupByPod()) d->regroupShares();  // the run's pods, from its responses
    });
    connect(d->traffic, &TrafficPanel::trafficStarted, this, [] {
        deprioritizeWorkerThreads();  // the load generator's thread, which exists now
    });
    connect(d->compare, &CompareView::compareRequested, this, [d] {
        if (!d->link->isRunning()) {
            d->compare->setFailure(tr("start the lab first: the prediction is what its local controller answers."));
            return;
        }
        d->compare->setRunning(true);
        d->compareRunner->run(d->traffic->config(), d->link->httpPort(), d->link->httpsPort());
    });
    connect(d->compareRunner, &CompareRunner::targetResolved, d->compare, &CompareView::setClusterTarget);
    connect(d->compareRunner, &CompareRunner::finished, this, [d](const loadgen::Comparison& c) {
        d->compare->setRunning(false);
        d->compare->setComparison(c);
    });
    connect(d->compareRunner, &CompareRunner::failed, this, [d](const QString& message) {
        d->compare->setRunning(false);
        d->compare->setFailure(message);
    });
    if (services.cluster) {
        // Where the cluster's controller is: found on connect and again when the namespace's Ingresses or Services
        // change (an Ingress status appears once the controller has synced), at most twice a second.
        d->resolveTimer.setSingleShot(true);
        d->resolveTimer.setInterval(500);
        connect(&d->resolveTimer, &QTimer::timeout, this, [d] {
            if (!d->compareRunner->isRunning())
                d->compareRunner->resolve(CompareRunner::canonicalConfig(d->traffic->config()).targets);
        });
        connect(services.cluster, &ClusterSession::stateChanged, this, [d](ClusterSession::State s) {
            if (s == ClusterSession::State::Connected) d->resolveTimer.start();
        });
        connect(services.cluster, &ClusterSession::objectsChanged, this, [d, cluster = services.cluster] {
            if (cluster->state() == ClusterSession::State::Connected) d->resolveTimer.start();
        });
    }
    connect(d->map, &RoutingMap::objectClicked, this, &LabPanel::selectObjectRequested);
    connect(d->map, &RoutingMap::killPodRequested, d->link, &ControllerLink::killPod);
    connect(d->map, &RoutingMap::restartDeploymentRequested, d->link, &ControllerLink::restartDeployment);
    connect(d->map, &RoutingMap::scaleDeploymentRequested, d->link, &ControllerLink::scaleDeployment);
    connect(d->explainer, &ExplainerPanel::selectObjectRequested, this, &LabPanel::selectObjectRequested);
    connect(d->explainer, &ExplainerPanel::revealSourceRequested, this, &LabPanel::revealSourceRequested);
    // "Pick" a request for the explainer: double-click an access-log line.
    connect(d->accessView, &LogView::rowActivated, this, &LabPanel::pickFromAccessLog);

    d->setStatus(tr("Stopped"));
    d->updateActions();

    // Documentation screenshots and demos: a scripted tour when ILAB_LAB_SCRIPT is set (see lab_script.h).
    const QString script = qEnvironmentVariable("ILAB_LAB_SCRIPT");
    if (!script.isEmpty()) (new LabScript(this, script))->begin();
}

LabPanel::~LabPanel() {
    m_impl->snapshotTimer.stop();
    delete m_impl;
}

void LabPanel::setWorkspace(const model::Workspace& ws) {
    setHeldBack({});
    m_impl->ws = ws.clone();
    // The first workspace is applied at once (presets, map); later edits are debounced.
    if (!m_impl->hasWorkspace) {
        m_impl->hasWorkspace = true;
        m_impl->debounce.stop();
        m_impl->applyWorkspace();
        return;
    }
    m_impl->debounce.start();
}

QList<QAction*> LabPanel::startStopActions() const {
    return {m_impl->startAction, m_impl->stopAction, m_impl->restartAction};
}

QString LabPanel::statusText() const { return m_impl->statusText; }
bool LabPanel::isRunning() const { return m_impl->link->isRunning(); }

void LabPanel::setListenPorts(int httpPort, int httpsPort) {
    m_impl->httpSpin->setValue(httpPort);
    m_impl->httpsSpin->setValue(httpsPort);
    m_impl->httpPort = httpPort;
    m_impl->httpsPort = httpsPort;
}

void LabPanel::setListenAddress(const QString& address) { m_impl->listenAddress = address; }

QString LabPanel::bannerText() const { return m_impl->bannerBox->isVisible() || !m_impl->banner->text().isEmpty() ? m_impl->banner->text() : QString(); }

void LabPanel::setHeldBack(const QString& reason) {
    m_impl->heldBack->setText(reason);
    m_impl->heldBack->setVisible(!reason.isEmpty());
}

QString LabPanel::heldBackText() const { return m_impl->heldBack->text(); }

void LabPanel::resetViews() {
    auto* d = m_impl;
    d->traffic->resetForNewWorkspace();
    d->charts->clear();
    d->resetShares();
    d->accessFeed->resetCounts();
    d->hasWorkspace = false;  // the next workspace applies at once
    setHeldBack({});
}

void LabPanel::showTab(const QString& name) {
    for (auto* tabs : {m_impl->leftTabs, m_impl->topTabs, m_impl->bottomTabs})
        for (int i = 0; i < tabs->count(); ++i)
            if (tabs->tabText(i) == name) tabs->setCurrentIndex(i);
}

bool LabPanel::pickFromAccessLog(int row) {
    auto* d = m_impl;
    const LogRow* r = d->accessModel->rowAt(row);
    if (!r || r->code < 0) return false;
    ExplainRequest req;
    req.method = d->accessFeed->method(*r);
    req.clientIp = d->accessFeed->clientIp(*r);
    const QString host = d->accessFeed->host(*r);
    QString scheme = d->accessFeed->scheme(*r);
    if (scheme.isEmpty()) scheme = QStringLiteral("http");
    req.url = QStringLiteral("%1://%2%3").arg(scheme, host, d->accessFeed->target(*r));
    if (host.isEmpty())
        d->showBanner(tr("This access-log line came without its request record, so its Host is unknown: "
                         "type the host into the explainer's URL."));
    d->explainer->setRequest(req);
    d->leftTabs->setCurrentWidget(d->explainer);
    d->explainer->explain();
    return true;
}

void LabPanel::start() {
    auto* d = m_impl;
    if (d->link->state() != ControllerLink::State::Stopped) return;
    d->showBanner({});
    if (d->debounce.isActive()) {
        d->debounce.stop();
        d->applyWorkspace();
    }
    d->startRequestedMs = QDateTime::currentMSecsSinceEpoch() - 1;
    proxy::ProxyConfig cfg;
    cfg.httpPort = d->httpPort;
    cfg.httpsPort = d->httpsPort;
    cfg.httpAddress = cfg.httpsAddress = d->listenAddress.toStdString();
    // Error answers name their cause, so the traffic summary can group them (issue 15 item 4).
    cfg.exposeErrorReason = true;
    controller::StartOptions shown;
    shown.proxy = cfg;
    shown.adminPort = -1;  // the lab has no admin listener (ControllerLink::start)
    d->exposure = QString::fromStdString(controller::exposureWarning(shown));
    d->link->start(d->ws, cfg);
}

void LabPanel::stop() {
    if (m_impl->link->state() != ControllerLink::State::Running) return;
    m_impl->link->stop();
}

void LabPanel::restart() {
    if (m_impl->link->state() != ControllerLink::State::Running) return;
    m_impl->restartPending = true;
    m_impl->link->stop();
}

ControllerLink* LabPanel::controllerForTest() const { return m_impl->link; }
ControllerLink* LabPanel::controller() const { return m_impl->link; }
TrafficPanel* LabPanel::trafficPanel() const { return m_impl->traffic; }
charts::LiveCharts* LabPanel::liveCharts() const { return m_impl->charts; }
RoutingMap* LabPanel::routingMap() const { return m_impl->map; }
ExplainerPanel* LabPanel::explainer() const { return m_impl->explainer; }
LogTableModel* LabPanel::accessLogModel() const { return m_impl->accessModel; }
LogTableModel* LabPanel::eventLogModel() const { return m_impl->eventModel; }
LogTableModel* LabPanel::controllerLogModel() const { return m_impl->controllerModel; }
ClusterBackends* LabPanel::clusterBackends() const { return m_impl->clusterBackends; }
CompareView* LabPanel::compareView() const { return m_impl->compare; }
ClusterControllerLog* LabPanel::clusterControllerLog() const { return m_impl->clusterLog; }
LogTableModel* LabPanel::clusterAccessLogModel() const { return m_impl->clusterAccessModel; }
LogTableModel* LabPanel::clusterControllerLogModel() const { return m_impl->clusterControllerModel; }
CompareRunner* LabPanel::compareRunner() const { return m_impl->compareRunner; }

}  // namespace ilab::ui
