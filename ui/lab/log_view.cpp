#include "ui/lab/log_view.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QScrollBar>
#include <QShortcut>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/lab/live_label.h"
#include "ui/lab/log_table_model.h"

namespace ilab::ui {

LogView::LogView(LogTableModel* model, bool withTypeAndObjectFilters, QWidget* parent)
    : QWidget(parent), m_model(model) {
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search (any column, case-insensitive)"));
    m_search->setClearButtonEnabled(true);
    bar->addWidget(m_search, 3);
    if (withTypeAndObjectFilters) {
        m_type = new QComboBox(this);
        m_type->addItem(tr("All types"), QString());
        m_type->addItem(QStringLiteral("Normal"), QStringLiteral("Normal"));
        m_type->addItem(QStringLiteral("Warning"), QStringLiteral("Warning"));
        bar->addWidget(m_type);
        m_object = new QLineEdit(this);
        m_object->setPlaceholderText(tr("Object (e.g. Ingress default/web)"));
        m_object->setClearButtonEnabled(true);
        bar->addWidget(m_object, 2);
    }
    m_follow = new QCheckBox(tr("Follow"), this);
    m_follow->setChecked(true);
    bar->addWidget(m_follow);
    m_pause = new QToolButton(this);
    m_pause->setText(tr("Pause"));
    m_pause->setCheckable(true);
    bar->addWidget(m_pause);
    auto* copy = new QToolButton(this);
    copy->setText(tr("Copy"));
    bar->addWidget(copy);
    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export…"));
    bar->addWidget(exportButton);
    m_count = new LiveLabel(this, 30);  // "1,000,000 of 1,000,000 lines (searching…)" changes 4x a second
    m_count->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    bar->addWidget(m_count);

    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Fixed row heights: the view never measures rows, which keeps a million-row model cheap to show.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_table);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &LogView::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    if (m_type) connect(m_type, &QComboBox::currentIndexChanged, this, &LogView::applyFilter);
    if (m_object) connect(m_object, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_pause, &QToolButton::toggled, this, [this](bool on) {
        m_model->setPaused(on);
        m_pause->setText(on ? tr("Resume") : tr("Pause"));
    });
    connect(copy, &QToolButton::clicked, this, &LogView::copySelection);
    connect(exportButton, &QToolButton::clicked, this, &LogView::chooseExportFile);
    auto* copyShortcut = new QShortcut(QKeySequence::Copy, m_table, nullptr, nullptr, Qt::WidgetShortcut);
    connect(copyShortcut, &QShortcut::activated, this, &LogView::copySelection);
    connect(m_model, &LogTableModel::rowsAppended, this, [this] {
        if (m_follow->isChecked()) m_table->scrollToBottom();
    });
    // The user scrolling up stops following; back at the bottom resumes it.
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int v) {
        auto* sb = m_table->verticalScrollBar();
        if (sb->isSliderDown()) m_follow->setChecked(v >= sb->maximum());
    });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& i) { Q_EMIT rowActivated(i.row()); });
    // The row count label refreshes at most 4 times a second.
    m_countTimer = new QTimer(this);
    m_countTimer->start(250);
    connect(m_countTimer, &QTimer::timeout, this, &LogView::updateCount);
    updateCount();
}

void LogView::setFollow(bool follow) { m_follow->setChecked(follow); }

void LogView::applyFilter() {
    LogFilter f;
    f.text = m_search->text().trimmed();
    if (m_type) f.type = m_type->currentData().toString();
    if (m_object) f.object = m_object->text().trimmed();
    m_model->setFilter(f);
    updateCount();
}

void LogView::updateCount() {
    const int shown = m_model->rowCount();
    const auto stored = qulonglong(m_model->storedRows());
    QString text = m_model->filter().isEmpty() ? tr("%L1 lines").arg(shown)
                                               : tr("%L1 of %L2 lines").arg(shown).arg(stored);
    if (m_model->isScanning()) text += tr(" (searching…)");
    m_count->setText(text);
}

QString LogView::selectedLines() const {
    QStringList lines;
    auto rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const auto& i : rows) lines << m_model->lineAt(i.row());
    return lines.join(QLatin1Char('\n'));
}

void LogView::copySelection() {
    const QString text = selectedLines();
    if (!text.isEmpty()) QApplication::clipboard()->setText(text);
}

void LogView::chooseExportFile() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export log"), QString(), tr("Log files (*.log *.txt)"));
    if (!path.isEmpty()) exportTo(path);
}

void LogView::exportTo(const QString& path) {
    // Take the visible rows (shared compressed chunks, no copy) and a formatter; decode and write on a pool thread.
    auto rows = std::make_shared<LogTableModel::VisibleRows>(m_model->visibleRows());
    auto format = m_model->feed()->lineFormatter();
    QPointer<LogView> self(this);
    QThreadPool::globalInstance()->start([rows, format, path, self] {
        QFile file(path);
        bool ok = file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text);
        QString message;
        if (ok) {
            QByteArray chunk;
            rows->forEach([&](const LogRow& r) {
                chunk += format(r).toUtf8();
                chunk += '\n';
                if (chunk.size() > (1 << 20)) {
                    ok = ok && file.write(chunk) == chunk.size();
                    chunk.clear();
                }
            });
            ok = ok && file.write(chunk) == chunk.size();
            file.close();
            message = ok ? QObject::tr("Exported %L1 lines to %2").arg(qulonglong(rows->count)).arg(path)
                         : QObject::tr("Could not write %1: %2").arg(path, file.errorString());
        } else {
            message = QObject::tr("Could not open %1: %2").arg(path, file.errorString());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, ok, message] {
                if (self) Q_EMIT self->exportFinished(ok, message);
            },
            Qt::QueuedConnection);
    });
}

}  // namespace ilab::ui
