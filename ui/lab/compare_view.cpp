#include "ui/lab/compare_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cstdio>

namespace ilab::ui {

namespace {

const QColor DISAGREE_BG(255, 214, 214);

QString share(const loadgen::ShareInterval& i, uint64_t k, uint64_t n) {
    return QStringLiteral("%1 % [%2–%3]  (%4/%5)")
        .arg(i.observed * 100, 0, 'f', 1)
        .arg(i.low * 100, 0, 'f', 1)
        .arg(i.high * 100, 0, 'f', 1)
        .arg(k)
        .arg(n);
}

QString latency(const loadgen::SideStats& s) {
    return QStringLiteral("%1 / %2 / %3 ms")
        .arg(s.p50Us / 1000.0, 0, 'f', 2)
        .arg(s.p90Us / 1000.0, 0, 'f', 2)
        .arg(s.p99Us / 1000.0, 0, 'f', 2);
}

}  // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
    auto* top = new QHBoxLayout;
    m_targetLabel = new QLabel(tr("Send traffic to:"), this);
    top->addWidget(m_targetLabel);
    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("compareTarget"));
    m_target->addItem(tr("Local controller"));
    m_target->addItem(tr("Cluster controller"));
    top->addWidget(m_target);
    m_compare = new QPushButton(tr("Predicted vs observed"), this);
    m_compare->setObjectName(QStringLiteral("compareRun"));
    m_compare->setToolTip(tr("Send the same requests to the local controller (prediction) and the cluster's "
                             "controller (observation) and compare them per route"));
    top->addStretch(1);
    top->addWidget(m_compare);

    m_rule = new QLabel(this);
    m_rule->setObjectName(QStringLiteral("compareRule"));
    m_rule->setWordWrap(true);
    m_rule->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);

    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setHorizontalHeaderLabels({tr("Route"), tr("What"), tr("Predicted (local)"), tr("Observed (cluster)")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_disagreements = new QListWidget(this);
    m_disagreements->setObjectName(QStringLiteral("compareDisagreements"));
    m_disagreements->setWordWrap(true);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_disagreements);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_rule);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    connect(m_target, &QComboBox::currentIndexChanged, this, [this](int i) {
        emit targetChanged(i == 1 ? Target::Cluster : Target::Local);
    });
    connect(m_compare, &QPushButton::clicked, this, &CompareView::compareRequested);
    setClusterTarget(tr("Not connected to a cluster: connect in the Cluster panel to find its ingress controller."), false);
    clear();
}

void CompareView::setClusterTarget(const QString& description, bool available) {
    m_clusterAvailable = available;
    m_clusterDescription = description;
    m_rule->setText(tr("Cluster controller: %1").arg(description));
    if (!available && m_target->currentIndex() == 1) m_target->setCurrentIndex(0);
    if (auto* model = qobject_cast<QStandardItemModel*>(m_target->model()); model && model->item(1))
        model->item(1)->setEnabled(available);
    m_compare->setEnabled(available);
}

void CompareView::setTargetChoiceVisible(bool visible) {
    m_targetLabel->setVisible(visible);
    m_target->setVisible(visible);
}

void CompareView::setFailure(const QString& message) {
    m_compare->setEnabled(m_clusterAvailable);
    m_summary->setText(tr("The comparison did not run: %1").arg(message));
}

CompareView::Target CompareView::target() const { return m_target->currentIndex() == 1 ? Target::Cluster : Target::Local; }

QString CompareView::targetRuleText() const { return m_rule->text(); }
QString CompareView::summaryText() const { return m_summary->text(); }

void CompareView::setRunning(bool running) {
    m_compare->setEnabled(!running && m_clusterAvailable);
    if (running) m_summary->setText(tr("Running the same requests against both controllers…"));
}

void CompareView::clear() {
    m_table->setRowCount(0);
    m_disagreements->clear();
    m_summary->setText(tr("No comparison yet."));
}

void CompareView::setComparison(const loadgen::Comparison& c) {
    m_table->setRowCount(0);
    m_disagreements->clear();
    auto addRow = [this](const QString& route, const QString& what, const QString& predicted, const QString& observed,
                         bool disagrees) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const QStringList cells{route, what, predicted, observed};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (disagrees) {
                item->setBackground(DISAGREE_BG);
                item->setToolTip(m_predictedName.isEmpty()
                                     ? tr("Predicted and observed differ more than chance explains")
                                     : tr("%1 and %2 differ more than chance explains").arg(m_predictedName, m_observedName));
                if (col == 1) item->setText(cells[col] + QStringLiteral("  ⚠"));
            }
            item->setData(Qt::UserRole, disagrees);
            m_table->setItem(row, col, item);
        }
    };
    for (const auto& r : c.routes) {
        const QString route = QString::fromStdString(r.label);
        for (const auto& b : r.backends)
            addRow(route, tr("backend %1").arg(QString::fromStdString(b.name)),
                   share(b.predictedShare, b.predicted, r.predicted.backendResponses),
                   share(b.observedShare, b.observed, r.observed.backendResponses), b.disagrees);
        for (const auto& s : r.statuses) {
            const QString name = QString::fromStdString(s.name);
            addRow(route, s.name == "transport errors" ? name : tr("status %1").arg(name),
                   share(s.predictedShare, s.predicted, r.predicted.requests),
                   share(s.observedShare, s.observed, r.observed.requests), s.disagrees);
        }
        bool redirectDiffers = false;
        for (const auto& d : c.disagreements)
            redirectDiffers |= d.kind == loadgen::Disagreement::Kind::Redirect && d.route == size_t(&r - c.routes.data());
        auto witness = [](const loadgen::Witness& w) {
            if (w.status == 0) return QStringLiteral("no response");
            return QString::number(w.status) +
                   (w.location.empty() ? QString() : QStringLiteral(" → ") + QString::fromStdString(w.location));
        };
        addRow(route, tr("one request"), witness(r.predicted.witness), witness(r.observed.witness), redirectDiffers);
        addRow(route, tr("latency p50/p90/p99"), latency(r.predicted), latency(r.observed), false);
    }
    for (const auto& d : c.disagreements) {
        auto* item = new QListWidgetItem(
            QStringLiteral("[%1] %2\n  %3:  %4\n  %5: %6")
                .arg(QString::fromLatin1(loadgen::disagreementKindId(d.kind)), QString::fromStdString(d.detail),
                     m_observedName.isEmpty() ? QStringLiteral("observed") : m_observedName,
                     QString::fromStdString(d.observedRequest),
                     m_predictedName.isEmpty() ? QStringLiteral("predicted") : m_predictedName,
                     QString::fromStdString(d.predictedRequest)));
        item->setBackground(DISAGREE_BG);
        m_disagreements->addItem(item);
    }
    if (!m_predictedName.isEmpty()) {
        m_summary->setText(c.agrees() ? tr("No difference: %1 and %2 answered alike (%3 % confidence).")
                                            .arg(m_predictedName, m_observedName)
                                            .arg(c.confidence * 100, 0, 'g', 4)
                                      : tr("%n difference(s) between %1 and %2 that chance does not explain — highlighted below.",
                                           nullptr, static_cast<int>(c.disagreements.size()))
                                            .arg(m_predictedName, m_observedName));
        return;
    }
    if (c.agrees())
        m_summary->setText(tr("No disagreement: the cluster's controller did what the design predicts (%1 % confidence).")
                               .arg(c.confidence * 100, 0, 'g', 4));
    else
        m_summary->setText(tr("%n disagreement(s) between the prediction and the cluster — highlighted below.", nullptr,
                              static_cast<int>(c.disagreements.size())));
}

void CompareView::setSideNames(const QString& predicted, const QString& observed) {
    m_predictedName = predicted;
    m_observedName = observed;
    m_table->setHorizontalHeaderLabels({tr("Route"), tr("What"), predicted, observed});
    setTargetChoiceVisible(false);
    m_rule->hide();
    m_compare->hide();
}

}  // namespace ilab::ui
