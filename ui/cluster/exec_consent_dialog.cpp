#include "ui/cluster/exec_consent_dialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <memory>

#include "ui/cluster_session.h"

namespace ilab::ui {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

ExecConsentDialog::ExecConsentDialog(ClusterSession* session, const kube::ExecConsentRequest& request, QWidget* parent)
    : QDialog(parent), m_session(session) {
    QDialog* dlg = this;
    dlg->setObjectName(QStringLiteral("execConsentDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setWindowTitle(tr("Run a credential plugin?"));
    dlg->setMinimumWidth(620);  // the command line and the plugin's stderr need the room
    auto* v = new QVBoxLayout(dlg);
    auto* intro = new QLabel(tr("The kubeconfig user <b>%1</b> (%2) gets its credentials by running this program. "
                                "It runs only if you allow it; a changed command asks again.")
                                 .arg(qs(request.userName).toHtmlEscaped(), qs(request.kubeconfigFile).toHtmlEscaped()),
                             dlg);
    intro->setWordWrap(true);
    auto* cmd = new QPlainTextEdit(qs(request.commandLine()), dlg);
    cmd->setObjectName(QStringLiteral("execConsentCommand"));
    cmd->setReadOnly(true);
    cmd->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    cmd->setMaximumHeight(90);
    v->addWidget(intro);
    v->addWidget(cmd);
    if (!request.envNames.empty()) {
        QStringList names;
        for (const auto& n : request.envNames) names << qs(n);
        v->addWidget(new QLabel(tr("With environment variables: %1").arg(names.join(QStringLiteral(", "))), dlg));
    }
    // After Allow the dialog stays while the plugin runs (it may wait for a browser login): Cancel stops it; a
    // failure, a timeout or a cancel shows the reason and what the plugin wrote to stderr.
    auto* status = new QLabel(dlg);
    status->setObjectName(QStringLiteral("execConsentStatus"));
    status->setWordWrap(true);
    status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status->hide();
    auto* stderrBox = new QPlainTextEdit(dlg);
    stderrBox->setObjectName(QStringLiteral("execConsentStderr"));
    stderrBox->setReadOnly(true);
    stderrBox->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    stderrBox->setMaximumHeight(110);
    stderrBox->hide();
    v->addWidget(status);
    v->addWidget(stderrBox);
    auto* box = new QDialogButtonBox(dlg);
    QPushButton* allow = box->addButton(tr("Allow and connect"), QDialogButtonBox::AcceptRole);
    allow->setObjectName(QStringLiteral("execConsentAllow"));
    QPushButton* cancel = box->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    cancel->setObjectName(QStringLiteral("execConsentCancel"));
    v->addWidget(box);
    auto running = std::make_shared<bool>(false);
    connect(allow, &QPushButton::clicked, dlg, [this, dlg, request, allow, status, stderrBox, running] {
        if (!m_session) return;
        *running = true;
        allow->setEnabled(false);
        stderrBox->hide();
        status->setStyleSheet(QString());
        status->setText(tr("Running the plugin… Cancel stops it."));
        status->show();
        m_session->grantConsent(request);
    });
    connect(cancel, &QPushButton::clicked, dlg, [this, dlg, request, running] {
        if (!m_session) return dlg->reject();
        if (*running && m_session->state() == ClusterSession::State::Connecting) {
            m_session->cancelCredentialPlugin();  // the dialog stays and shows the outcome
            return;
        }
        if (!*running) m_session->declineConsent(request);
        dlg->reject();
    });
    auto follow = [this, dlg, allow, cancel, status, stderrBox, running] {
        if (!m_session || !*running) return;
        const auto st = m_session->state();
        if (st == ClusterSession::State::Connected) {
            *running = false;
            dlg->accept();
            return;
        }
        if (st == ClusterSession::State::Disconnected && !m_session->error().isEmpty()) {
            *running = false;
            status->setText(m_session->error());
            status->setStyleSheet(QStringLiteral("QLabel { color: #b71c1c; }"));
            const QString err = m_session->credentialPluginStderr().trimmed();
            stderrBox->setPlainText(tr("Plugin stderr:\n%1").arg(err));
            stderrBox->setVisible(!err.isEmpty());
            allow->setText(tr("Try again"));
            allow->setEnabled(true);
            cancel->setText(tr("Close"));
        }
    };
    connect(m_session, &ClusterSession::stateChanged, dlg, follow);
    connect(m_session, &ClusterSession::errorChanged, dlg, follow);
}


}  // namespace ilab::ui
