#include "ui/lab/lab_panel.h"

#include <QAction>
#include <QLabel>
#include <QVBoxLayout>

namespace ilab::ui {

// Placeholder implementation until the live lab lands: the same API, no controller.
struct LabPanel::Impl {
    QList<QAction*> actions;
};

LabPanel::LabPanel(QWidget* parent) : QWidget(parent), m_impl(new Impl) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("The live lab is not available in this build."), this));
}

LabPanel::~LabPanel() { delete m_impl; }

void LabPanel::setWorkspace(const model::Workspace&) {}
QList<QAction*> LabPanel::startStopActions() const { return m_impl->actions; }
QString LabPanel::statusText() const { return tr("Stopped"); }
bool LabPanel::isRunning() const { return false; }

}  // namespace ilab::ui
