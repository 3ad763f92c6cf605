#include "ui/dialogs/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/document/file_io.h"

namespace ilab::ui {

namespace {
constexpr int MAX_LISTED_PROBLEMS = 8;  // the rest is counted; the Problems panel has them all
}

ExportDialog::ExportDialog(const model::Workspace& ws, bool includeGeneratedKeys, const QString& suggestedPath, QWidget* parent)
    : QDialog(parent), m_ws(ws.clone()), m_includeGeneratedKeys(includeGeneratedKeys), m_suggested(suggestedPath) {
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export"));
    auto* lay = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    m_ingressesOnly = new QCheckBox(tr("&Ingresses only"), this);
    m_ingressesOnly->setObjectName(QStringLiteral("exportIngressesOnly"));
    m_withoutSecrets = new QCheckBox(tr("Without &Secrets"), this);
    m_withoutSecrets->setObjectName(QStringLiteral("exportWithoutSecrets"));
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("exportFormat"));
    m_format->addItem(QStringLiteral("YAML"), QStringLiteral("yaml"));
    m_format->addItem(QStringLiteral("JSON"), QStringLiteral("json"));
    row->addWidget(m_ingressesOnly);
    row->addWidget(m_withoutSecrets);
    row->addStretch();
    row->addWidget(new QLabel(tr("Format"), this));
    row->addWidget(m_format);
    lay->addLayout(row);
    m_check = new QLabel(this);
    m_check->setObjectName(QStringLiteral("exportCheck"));
    m_check->setWordWrap(true);
    m_check->setTextFormat(Qt::RichText);
    lay->addWidget(m_check);
    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(QStringLiteral("exportPreview"));
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    lay->addWidget(m_preview, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_export = buttons->addButton(tr("&Export…"), QDialogButtonBox::AcceptRole);
    m_export->setObjectName(QStringLiteral("exportWrite"));
    m_export->setDefault(true);
    lay->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::chooseFileAndWrite);
    connect(m_ingressesOnly, &QCheckBox::toggled, this, &ExportDialog::refresh);
    connect(m_withoutSecrets, &QCheckBox::toggled, this, &ExportDialog::refresh);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::refresh);
    resize(720, 560);
    refresh();
}

exporting::ExportOptions ExportDialog::options() const {
    exporting::ExportOptions o;
    o.format = m_format->currentData().toString() == QLatin1String("json") ? exporting::ExportOptions::Format::Json
                                                                           : exporting::ExportOptions::Format::Yaml;
    o.ingressesOnly = m_ingressesOnly->isChecked();
    o.withoutSecrets = m_withoutSecrets->isChecked();
    o.includeGeneratedKeys = m_includeGeneratedKeys;
    return o;
}

void ExportDialog::refresh() {
    m_result = exporting::exportWorkspace(m_ws, options());
    m_preview->setPlainText(QString::fromStdString(m_result.text));
    int errors = 0, warnings = 0;
    QString list;
    for (const auto& d : m_result.check) {
        if (d.severity == Severity::Info) continue;
        (d.severity == Severity::Error ? errors : warnings) += 1;
        if (errors + warnings <= MAX_LISTED_PROBLEMS)
            list += QStringLiteral("<li>%1%2</li>").arg(QString::fromStdString(d.object).toHtmlEscaped() + (d.object.empty() ? QString() : QStringLiteral(": ")),
                                                      QString::fromStdString(d.message()).toHtmlEscaped());
    }
    QString text;
    if (m_result.objects == 0) {
        text = tr("Nothing to export: no objects match these options.");
    } else if (m_result.isKubectlReady()) {
        text = tr("<b style=\"color:#16a34a\">✓ kubectl-ready</b>: %n object(s); the API server and the ingress-nginx admission webhook accept them.",
                  nullptr, int(m_result.objects));
        if (warnings) text += tr(" %n warning(s):", nullptr, warnings);
    } else {
        text = tr("<b style=\"color:#dc2626\">✗ Not kubectl-ready</b>: <code>kubectl apply</code> would refuse part of it (%n error(s)):", nullptr, errors);
    }
    if (!list.isEmpty()) text += QStringLiteral("<ul style=\"margin:0\">%1</ul>").arg(list);
    if (errors + warnings > MAX_LISTED_PROBLEMS) text += tr("… and %n more (see the Problems panel).", nullptr, errors + warnings - MAX_LISTED_PROBLEMS);
    if (!m_result.withheldKeys.empty())
        text += tr("<br>Generated keys left empty (File ▸ Save generated keys too includes them): %1")
                    .arg(QString::fromStdString([&] {
                             std::string s;
                             for (const auto& n : m_result.withheldKeys) s += (s.empty() ? "" : ", ") + n;
                             return s;
                         }())
                             .toHtmlEscaped());
    m_check->setText(text);
    m_export->setEnabled(m_result.objects > 0);
}

bool ExportDialog::writeTo(const QString& path) {
    auto ok = saveAtomically(path, QString::fromStdString(m_result.text));
    if (!ok) {
        m_check->setText(tr("<b style=\"color:#dc2626\">Cannot write %1</b>: %2")
                             .arg(QDir::toNativeSeparators(path).toHtmlEscaped(), QString::fromStdString(ok.message()).toHtmlEscaped()));
        return false;
    }
    m_written = path;
    return true;
}

void ExportDialog::chooseFileAndWrite() {
    const bool json = options().format == exporting::ExportOptions::Format::Json;
    QString start = m_suggested;
    if (!start.isEmpty()) start = QFileInfo(start).dir().filePath(QFileInfo(start).completeBaseName() + (json ? QStringLiteral(".json") : QStringLiteral(".yaml")));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export"), start, json ? tr("JSON (*.json)") : tr("Kubernetes YAML (*.yaml *.yml)"));
    if (!path.isEmpty() && writeTo(path)) accept();
}

}  // namespace ilab::ui
