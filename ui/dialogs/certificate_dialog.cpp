#include "ui/dialogs/certificate_dialog.h"

#include <ctime>

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ilab::ui {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
QString date(std::int64_t t) { return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")); }
QLabel* valueLabel(QWidget* parent) {
    auto* l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
}
}  // namespace

CertificateView::CertificateView(QWidget* parent) : QWidget(parent) {
    m_form = new QFormLayout(this);
    m_form->setContentsMargins(0, 0, 0, 0);
    m_subject = valueLabel(this);
    m_sans = valueLabel(this);
    m_issuer = valueLabel(this);
    m_validity = valueLabel(this);
    m_key = valueLabel(this);
    m_fingerprint = valueLabel(this);
    m_fingerprint->setStyleSheet(QStringLiteral("font-family: monospace; font-size: 90%;"));
    m_warnings = valueLabel(this);
    m_warnings->setObjectName(QStringLiteral("certificateWarnings"));
    m_form->addRow(tr("Subject"), m_subject);
    m_form->addRow(tr("Names (SAN)"), m_sans);
    m_form->addRow(tr("Issuer"), m_issuer);
    m_form->addRow(tr("Validity"), m_validity);
    m_form->addRow(tr("Key"), m_key);
    m_form->addRow(tr("SHA-256"), m_fingerprint);
    m_form->addRow(tr("Status"), m_warnings);
}

void CertificateView::setCertificate(const std::string& certPem, const std::string& keyPem, const QStringList& hosts) {
    auto info = tls::inspectCertificate(certPem, keyPem);
    if (!info) {
        for (QLabel* l : {m_subject, m_sans, m_issuer, m_validity, m_key, m_fingerprint}) l->clear();
        m_warnings->setText(certPem.empty() ? tr("No certificate (tls.crt is empty).") : tr("Unreadable certificate: %1").arg(qs(info.message())));
        m_warnings->setStyleSheet(QStringLiteral("color: #dc2626;"));
        return;
    }
    m_subject->setText(qs(info->subject));
    QStringList sans;
    for (const auto& d : info->dnsNames) sans << qs(d);
    for (const auto& ip : info->ipAddresses) sans << QStringLiteral("IP:") + qs(ip);
    m_sans->setText(sans.isEmpty() ? tr("(none — the CN is used)") : sans.join(QStringLiteral(", ")));
    m_issuer->setText(qs(info->issuer) + (info->isSelfSigned ? tr("  (self-signed)") : QString()));
    m_validity->setText(tr("%1  →  %2").arg(date(info->notBefore), date(info->notAfter)));
    QString key = QStringLiteral("%1 %2").arg(qs(info->keyType)).arg(info->keyBits);
    if (info->keyMatches) key += *info->keyMatches ? tr(" — private key matches") : tr(" — private key does NOT match");
    else key += tr(" — no private key");
    m_key->setText(key);
    m_fingerprint->setText(qs(info->sha256Fingerprint));
    QStringList problems;
    const std::int64_t now = std::time(nullptr);
    if (info->isExpiredAt(now)) problems << tr("expired on %1").arg(date(info->notAfter));
    else if (info->isNotYetValidAt(now)) problems << tr("not valid before %1").arg(date(info->notBefore));
    else if (info->notAfter - now < 30LL * 86400) problems << tr("expires in %1 days").arg((info->notAfter - now) / 86400);
    if (info->keyMatches == std::optional<bool>(false)) problems << tr("the private key belongs to another certificate");
    if (!info->keyMatches) problems << tr("tls.key is missing");
    QStringList uncovered;
    for (const QString& h : hosts)
        if (!tls::certificateCovers(*info, h.toStdString())) uncovered << h;
    if (!uncovered.isEmpty()) problems << tr("does not cover %1").arg(uncovered.join(QStringLiteral(", ")));
    if (problems.isEmpty()) {
        m_warnings->setText(hosts.isEmpty() ? tr("✓ valid") : tr("✓ valid for %1").arg(hosts.join(QStringLiteral(", "))));
        m_warnings->setStyleSheet(QStringLiteral("color: #16a34a;"));
    } else {
        m_warnings->setText(QStringLiteral("⚠ ") + problems.join(QStringLiteral("; ")));
        m_warnings->setStyleSheet(QStringLiteral("color: #d97706;"));
    }
}

QString CertificateView::warningsText() const { return m_warnings->text(); }

GenerateCertificateDialog::GenerateCertificateDialog(const QString& ns, const QString& secretName, const QStringList& hosts, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Generate self-signed certificate"));
    auto* lay = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_name = new QLineEdit(secretName, this);
    m_name->setObjectName(QStringLiteral("secretName"));
    m_ns = new QLineEdit(ns.isEmpty() ? QStringLiteral("default") : ns, this);
    m_cn = new QLineEdit(hosts.isEmpty() ? secretName : hosts.front(), this);
    m_cn->setObjectName(QStringLiteral("commonName"));
    m_sans = new QLineEdit(hosts.join(QStringLiteral(", ")), this);
    m_sans->setObjectName(QStringLiteral("subjectAltNames"));
    m_sans->setPlaceholderText(tr("shop.example.com, *.example.com"));
    m_keyType = new QComboBox(this);
    m_keyType->setObjectName(QStringLiteral("keyType"));
    m_keyType->addItem(tr("RSA 2048"), static_cast<int>(tls::SelfSignedRequest::KeyType::Rsa2048));
    m_keyType->addItem(tr("EC P-256"), static_cast<int>(tls::SelfSignedRequest::KeyType::EcP256));
    m_days = new QSpinBox(this);
    m_days->setObjectName(QStringLiteral("validityDays"));
    m_days->setRange(1, 3650);
    m_days->setValue(365);
    m_days->setSuffix(tr(" days"));
    form->addRow(tr("Secret name"), m_name);
    form->addRow(tr("Namespace"), m_ns);
    form->addRow(tr("Common name (CN)"), m_cn);
    form->addRow(tr("DNS names (SAN)"), m_sans);
    form->addRow(tr("Key"), m_keyType);
    form->addRow(tr("Valid for"), m_days);
    lay->addLayout(form);
    m_command = new QLabel(this);
    m_command->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_command->setWordWrap(true);
    m_command->setStyleSheet(QStringLiteral("font-family: monospace; font-size: 90%; color: palette(mid);"));
    lay->addWidget(m_command);
    m_error = new QLabel(this);
    m_error->setStyleSheet(QStringLiteral("color: #dc2626;"));
    m_error->hide();
    lay->addWidget(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Generate"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    lay->addWidget(buttons);
    auto updateCommand = [this] {
        const bool ec = m_keyType->currentIndex() == 1;
        QString san;
        for (const QString& s : m_sans->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) san += (san.isEmpty() ? QString() : QStringLiteral(",")) + QStringLiteral("DNS:") + s.trimmed();
        m_command->setText(tr("Same as: openssl req -x509 -nodes -days %1 -newkey %2 -keyout tls.key -out tls.crt -subj \"/CN=%3\"%4")
                               .arg(m_days->value())
                               .arg(ec ? QStringLiteral("ec -pkeyopt ec_paramgen_curve:P-256") : QStringLiteral("rsa:2048"), m_cn->text(),
                                    san.isEmpty() ? QString() : QStringLiteral(" -addext \"subjectAltName=%1\"").arg(san)));
    };
    connect(m_cn, &QLineEdit::textChanged, this, updateCommand);
    connect(m_sans, &QLineEdit::textChanged, this, updateCommand);
    connect(m_days, &QSpinBox::valueChanged, this, updateCommand);
    connect(m_keyType, &QComboBox::currentIndexChanged, this, updateCommand);
    updateCommand();
    resize(560, sizeHint().height());
}

QString GenerateCertificateDialog::secretName() const { return m_name->text().trimmed(); }
QString GenerateCertificateDialog::secretNamespace() const { return m_ns->text().trimmed().isEmpty() ? QStringLiteral("default") : m_ns->text().trimmed(); }

tls::SelfSignedRequest GenerateCertificateDialog::request() const {
    tls::SelfSignedRequest r;
    r.commonName = m_cn->text().trimmed().toStdString();
    for (const QString& s : m_sans->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!s.trimmed().isEmpty()) r.dnsNames.push_back(s.trimmed().toStdString());
    r.keyType = static_cast<tls::SelfSignedRequest::KeyType>(m_keyType->currentData().toInt());
    r.validityDays = m_days->value();
    return r;
}

Result<tls::KeyPairPem, tls::CertError> GenerateCertificateDialog::generate() const { return tls::generateSelfSigned(request()); }

void GenerateCertificateDialog::accept() {
    if (secretName().isEmpty() || m_cn->text().trimmed().isEmpty()) {
        m_error->setText(tr("The Secret name and the common name are required."));
        m_error->show();
        return;
    }
    auto pair = generate();
    if (!pair) {
        m_error->setText(tr("Could not generate the certificate: %1").arg(QString::fromStdString(pair.message())));
        m_error->show();
        return;
    }
    m_result = *pair;
    QDialog::accept();
}

}  // namespace ilab::ui
