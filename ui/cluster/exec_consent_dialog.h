#pragma once

#include <QDialog>
#include <QPointer>

#include "core/kube/exec_consent.h"

namespace ilab::ui {

class ClusterSession;

// The exec-plugin consent dialog (issue 12 items 2 and 7): which kubeconfig user runs which program, the full
// command line, the names of extra environment variables. Allow grants consent and connects; the dialog then stays
// while the plugin runs (it may wait for a browser login): Cancel stops the plugin, and a failure, a timeout or a
// cancel shows the session's error and the plugin's stderr with "Try again". Cancel before Allow declines (nothing
// runs). Closes itself once connected. objectNames: execConsentDialog, execConsentCommand, execConsentAllow,
// execConsentCancel, execConsentStatus, execConsentStderr. GUI thread; deletes itself when closed.
class ExecConsentDialog : public QDialog {
    Q_OBJECT
public:
    ExecConsentDialog(ClusterSession* session, const kube::ExecConsentRequest& request, QWidget* parent);

private:
    QPointer<ClusterSession> m_session;
};

}  // namespace ilab::ui
