#include "ui/charts/live_charts.h"

#include <QCloseEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QResizeEvent>
#include <QStyle>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/charts/chart_style.h"
#include "ui/charts/share_chart.h"
#include "ui/charts/time_series_chart.h"

namespace ilab::ui::charts {

namespace {
const QString ERROR_SERIES = QObject::tr("error answers (no backend)");
}  // namespace

LiveCharts::LiveCharts(QWidget* parent) : QWidget(parent) {
    auto* grid = new QWidget;
    m_share = new ShareChart(grid);
    m_rate = new TimeSeriesChart(tr("Requests per second per backend"), tr("req/s"), grid);
    m_latency = new TimeSeriesChart(tr("Latency"), tr("ms"), grid);
    m_status = new TimeSeriesChart(tr("Status classes"), tr("req/s"), grid);
    m_grid = new QGridLayout(grid);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(GRID_SPACING);
    for (QWidget* w : {static_cast<QWidget*>(m_share), static_cast<QWidget*>(m_rate),
                       static_cast<QWidget*>(m_latency), static_cast<QWidget*>(m_status)})
        w->setMinimumSize(MIN_CHART_WIDTH, MIN_CHART_HEIGHT);
    arrange(2);
    m_scroll = new QScrollArea;
    m_scroll->setWidget(grid);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    // One chart row always fits, even with a horizontal scroll bar below it.
    m_scroll->setMinimumHeight(MIN_VISIBLE_HEIGHT + m_scroll->style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    m_scroll->viewport()->installEventFilter(this);

    m_popButton = new QToolButton(this);
    m_popButton->setText(tr("Pop out charts"));
    m_popButton->setToolTip(tr("Show the charts in their own window (resizable, e.g. on a second screen)"));
    m_popButton->setAutoRaise(true);
    connect(m_popButton, &QToolButton::clicked, this, [this] { setPoppedOut(!isPoppedOut()); });
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    bar->addStretch(1);
    bar->addWidget(m_popButton);

    m_placeholder = new QWidget(this);
    auto* placeholderLayout = new QVBoxLayout(m_placeholder);
    auto* note = new QLabel(tr("The charts are in their own window."), m_placeholder);
    note->setAlignment(Qt::AlignCenter);
    auto* putBack = new QPushButton(tr("Put the charts back here"), m_placeholder);
    connect(putBack, &QPushButton::clicked, this, [this] { setPoppedOut(false); });
    placeholderLayout->addStretch(1);
    placeholderLayout->addWidget(note);
    placeholderLayout->addWidget(putBack, 0, Qt::AlignHCenter);
    placeholderLayout->addStretch(1);
    m_placeholder->hide();

    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);
    outer->addLayout(bar);
    outer->addWidget(m_scroll, 1);
    outer->addWidget(m_placeholder, 1);
}

LiveCharts::~LiveCharts() {
    // The pop-out window has no parent: take the charts back (so they die with us) and delete it.
    if (m_window) {
        m_window->removeEventFilter(this);
        delete m_window.data();
    }
}

void LiveCharts::setPoppedOut(bool poppedOut) {
    if (poppedOut == isPoppedOut()) return;
    auto* outer = static_cast<QVBoxLayout*>(layout());
    if (poppedOut) {
        auto* window = new QWidget(nullptr, Qt::Window);
        window->setAttribute(Qt::WA_DeleteOnClose, false);
        window->setWindowTitle(tr("Live charts — Ingress Lab"));
        auto* l = new QVBoxLayout(window);
        l->setContentsMargins(4, 4, 4, 4);
        outer->removeWidget(m_scroll);
        l->addWidget(m_scroll);
        m_scroll->show();
        window->installEventFilter(this);
        window->resize(1280, 860);
        m_window = window;
        m_placeholder->show();
        m_popButton->setText(tr("Put charts back"));
        window->show();
        window->raise();
    } else {
        QWidget* window = m_window;
        m_window = nullptr;
        window->removeEventFilter(this);
        window->layout()->removeWidget(m_scroll);
        m_scroll->setParent(this);
        outer->insertWidget(1, m_scroll, 1);
        m_scroll->show();
        m_placeholder->hide();
        m_popButton->setText(tr("Pop out charts"));
        window->deleteLater();
    }
    Q_EMIT poppedOutChanged(poppedOut);
}

void LiveCharts::arrange(int columns) {
    if (columns == m_columns) return;
    m_columns = columns;
    const QWidget* order[] = {m_share, m_rate, m_latency, m_status};
    for (int i = 0; i < 4; ++i) {
        auto* w = const_cast<QWidget*>(order[i]);
        m_grid->removeWidget(w);
        m_grid->addWidget(w, i / columns, i % columns);
    }
}

bool LiveCharts::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize) {
        // Two columns where two charts fit side by side, else one: a narrow lab (1280x720) scrolls down through
        // the charts instead of showing half of each.
        const int width = static_cast<QResizeEvent*>(event)->size().width();
        arrange(width >= 2 * MIN_CHART_WIDTH + GRID_SPACING ? 2 : 1);
        return false;
    }
    if (watched == m_window && event->type() == QEvent::Close) {
        setPoppedOut(false);  // closing the window puts the charts back
        return false;
    }
    return QWidget::eventFilter(watched, event);
}

void LiveCharts::addSample(const TrafficSample& s) {
    // A backend without requests in this second is absent from the snapshot: plot 0 for it, not a gap (the
    // line must fall when traffic stops or a pod is killed).
    QVector<QPair<QString, double>> rates;
    for (const auto& b : s.backends) {
        rates.append({b.name, b.requestsPerSec});
        if (!m_backendsSeen.contains(b.name)) m_backendsSeen.append(b.name);
    }
    for (const auto& name : m_backendsSeen) {
        bool present = false;
        for (const auto& r : rates) present = present || r.first == name;
        if (!present) rates.append({name, 0.0});
    }
    // Error answers reached no backend: their own line, in the error colour, once there has been one.
    if (s.errorsPerSec > 0 || m_rate->pointCountForTest(ERROR_SERIES) > 0) rates.append({ERROR_SERIES, s.errorsPerSec});
    m_rate->append(s.timeSec, rates);
    if (s.errorsPerSec > 0) m_rate->setSeriesColor(ERROR_SERIES, errorColor());
    if (s.hasLatency)
        m_latency->append(s.timeSec, {{QStringLiteral("p50"), s.p50Ms}, {QStringLiteral("p90"), s.p90Ms},
                                      {QStringLiteral("p99"), s.p99Ms}});
    m_status->append(s.timeSec, {{QStringLiteral("2xx"), s.status2xx}, {QStringLiteral("3xx"), s.status3xx},
                                 {QStringLiteral("4xx"), s.status4xx}, {QStringLiteral("5xx"), s.status5xx}});
}

void LiveCharts::setShares(const QVector<BackendShare>& shares) { m_share->setShares(shares); }

void LiveCharts::clear() {
    m_backendsSeen.clear();
    m_share->clear();
    m_rate->clear();
    m_latency->clear();
    m_status->clear();
}

}  // namespace ilab::ui::charts
