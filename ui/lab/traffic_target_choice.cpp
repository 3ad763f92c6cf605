#include "ui/lab/traffic_target_choice.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStandardItemModel>

#include "core/loadgen/comparison.h"
#include "ui/cluster_session.h"
#include "ui/lab/compare_runner.h"

namespace ilab::ui {

namespace {
constexpr int RESOLVE_DEBOUNCE_MS = 500;  // as the Compare tab: at most twice a second while objects change
}

TrafficTargetChoice::TrafficTargetChoice(ClusterSession* session, LoadGeneratorFactory generators, QWidget* parent)
    : QWidget(parent), m_session(session) {
    setObjectName(QStringLiteral("trafficTargetChoice"));
    m_resolver = new CompareRunner(session, std::move(generators), this);
    m_combo = new QComboBox(this);
    m_combo->setObjectName(QStringLiteral("trafficSendTo"));
    m_combo->addItem(tr("Local controller"));
    m_combo->addItem(tr("Cluster ingress controller (looking for it…)"));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Send to:"), this));
    layout->addWidget(m_combo, 1);
    m_combo->setToolTip(tr("Local controller: the lab's controller and proxy on this machine (the prediction).\n"
                           "Cluster ingress controller: the same requests, with their real Host and SNI, to the "
                           "cluster's own controller (what the cluster does)."));

    m_resolveTimer.setSingleShot(true);
    m_resolveTimer.setInterval(RESOLVE_DEBOUNCE_MS);
    connect(&m_resolveTimer, &QTimer::timeout, this, &TrafficTargetChoice::resolveNow);
    connect(m_resolver, &CompareRunner::targetResolved, this, &TrafficTargetChoice::onResolved);
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this](int index) { emit selectionChanged(index == 1); });
    if (m_session) {
        connect(m_session, &ClusterSession::stateChanged, this, [this](ClusterSession::State s) {
            updateVisibility();
            if (s == ClusterSession::State::Connected) m_resolveTimer.start();
        });
        connect(m_session, &ClusterSession::objectsChanged, this, [this] {
            if (m_session->state() == ClusterSession::State::Connected) m_resolveTimer.start();
        });
    }
    onResolved(tr("Not connected to a cluster."), false);
    updateVisibility();
}

TrafficTargetChoice::~TrafficTargetChoice() = default;

void TrafficTargetChoice::setTargetsProvider(std::function<std::vector<loadgen::RequestTarget>()> targets) {
    m_targets = std::move(targets);
}

void TrafficTargetChoice::resolveNow() {
    if (m_resolver->isRunning()) return;
    loadgen::LoadConfig c;
    if (m_targets) c.targets = m_targets();
    m_resolver->resolve(CompareRunner::canonicalConfig(c).targets);
}

void TrafficTargetChoice::updateVisibility() {
    const bool connected = m_session && m_session->state() == ClusterSession::State::Connected;
    if (!connected && m_combo->currentIndex() != 0) m_combo->setCurrentIndex(0);
    setVisible(connected);
}

void TrafficTargetChoice::onResolved(const QString& description, bool available) {
    m_resolution = description;
    auto* model = qobject_cast<QStandardItemModel*>(m_combo->model());
    QStandardItem* item = model ? model->item(1) : nullptr;
    if (available && m_resolver->target()) {
        m_target = m_resolver->target();
        const kube::ControllerTarget& t = *m_target;
        QString ports = QString::number(t.httpPort);
        if (t.httpsPort > 0) ports += QLatin1Char('/') + QString::number(t.httpsPort);
        m_combo->setItemText(1, tr("Cluster ingress controller (%1: %2:%3)")
                                    .arg(QString::fromStdString(t.ruleId()), QString::fromStdString(t.address), ports));
        if (item) item->setEnabled(true);
    } else {
        m_target.reset();
        const QString first = description.section(QLatin1Char('\n'), 0, 0);
        m_combo->setItemText(1, tr("Cluster ingress controller (not found: %1)").arg(first));
        if (item) item->setEnabled(false);
        if (m_combo->currentIndex() == 1) m_combo->setCurrentIndex(0);
    }
    m_combo->setItemData(1, description, Qt::ToolTipRole);
}

bool TrafficTargetChoice::isClusterSelected() const { return m_combo->currentIndex() == 1 && m_target.has_value(); }

bool TrafficTargetChoice::selectCluster(bool cluster) {
    if (cluster && !m_target) return false;
    m_combo->setCurrentIndex(cluster ? 1 : 0);
    return true;
}

QString TrafficTargetChoice::clusterText() const { return m_combo->itemText(1); }

TrafficDestination TrafficTargetChoice::destinationFor(const loadgen::LoadConfig& panelConfig) const {
    TrafficDestination d;
    d.config = panelConfig;
    if (m_combo->currentIndex() != 1) return d;
    d.remote = true;
    if (!m_target) {
        d.error = tr("The cluster's ingress controller was not found: %1").arg(m_resolution);
        return d;
    }
    // The requests' real URLs (default ports), each host's connections sent to the controller.
    d.config = CompareRunner::canonicalConfig(panelConfig);
    for (const auto& h : loadgen::targetHosts(d.config.targets)) {
        const std::string to = m_target->connectTo(h.host, h.port, h.https);
        if (to.empty()) {
            d.error = tr("The cluster's ingress controller has no %1 port (%2)")
                          .arg(h.https ? QStringLiteral("HTTPS") : QStringLiteral("HTTP"),
                               QString::fromStdString(m_target->describe()));
            return d;
        }
        d.config.connectTo.push_back(to);
    }
    QString ports = QString::number(m_target->httpPort);
    if (m_target->httpsPort > 0) ports += QLatin1Char('/') + QString::number(m_target->httpsPort);
    d.label = tr("the cluster's ingress controller (context %1) at %2:%3, chosen by %4")
                  .arg(m_session ? m_session->context() : QString(), QString::fromStdString(m_target->address), ports,
                       QString::fromStdString(m_target->ruleId()));
    return d;
}

}  // namespace ilab::ui
