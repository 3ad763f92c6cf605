#pragma once

#include <QObject>
#include <QStringList>

namespace ilab::ui {

class LabPanel;

// A scripted tour of the lab for documentation screenshots and demos, driven by the ILAB_LAB_SCRIPT environment
// variable (steps separated by ';'):
//   raise                 bring the lab's dock to the front and give it most of the window's height
//   ports H S             listen ports for the next start (0 = any free port)
//   start                 press Start and wait until the controller runs (or fails)
//   preset N              choose traffic preset N (0 = the lesson's 100 requests)
//   load R D RATE C       requests, duration s, rate req/s, concurrency
//   traffic               send the traffic and wait until it finishes
//   tab NAME              show a tab ("Charts", "Map", "Access log", "Events", "Explain", ...)
//   explain URL           explain a request for URL in the explainer
//   sleep MS              let snapshots and logs arrive
//   shot PATH             save a PNG of the whole window
//   charts-window on|off  pop the charts out into their own window (or put them back)
//   resize-charts W H     resize the pop-out charts window
//   shot-charts PATH      save a PNG of the pop-out charts window
//   stop | quit
// Example: ILAB_LAB_SCRIPT="raise;start;preset 0;traffic;sleep 2500;shot /tmp/lab.png;quit" ingress-lab
// GUI thread; owned by the LabPanel. Nothing runs unless the variable is set.
class LabScript : public QObject {
    Q_OBJECT
public:
    LabScript(LabPanel* panel, const QString& script);
    void begin();

private:
    void next();
    LabPanel* m_panel;
    QStringList m_steps;
};

}  // namespace ilab::ui
