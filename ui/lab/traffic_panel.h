#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QHash>
#include <QWidget>

#include "core/loadgen/load_config.h"
#include "core/loadgen/results.h"
#include "core/loadgen/load_generator.h"  // Progress (clientProgressed)
#include "core/model/workspace.h"
#include "ui/app_services.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QDoubleSpinBox;
class QTableWidget;
class QTimer;

namespace ilab::loadgen {
class LoadGenerator;
struct Progress;
}

namespace ilab::ui {

// A traffic preset derived from the workspace (the lesson's canary, a rate-limited path, ...).
struct TrafficPreset {
    QString name;
    struct Target {
        QString scheme = QStringLiteral("http"), host, path = QStringLiteral("/"), method = QStringLiteral("GET");
        QStringList headers;   // "Name: value"
        QString cookies;       // "a=b; c=d"
        double share = 1;
    };
    QVector<Target> targets;
    int requests = 100;        // 0 = bounded by duration
    int durationSec = 0;
    double rate = 0;           // req/s, 0 = as fast as the concurrency allows
    int concurrency = 1;
    QHash<QString, double> expectedShares;  // backend (service name) -> configured fraction (canary weights)
    QString note;              // shown under the preset ("no header canary configured: ...")
};

// Presets for a workspace: the 100-request lesson, a steady 50 req/s, a burst that trips the rate limit, header
// and cookie canary requests; and, only when the workspace has what they need, "CORS preflight" (an Ingress with
// enable-cors), "TLS: HTTPS to each tls host" (tls: entries) and "Host routing: one row per host" (two hosts or
// more). Without a canary those topic presets come first (the TLS lesson opens on its TLS preset). Names are
// stable across edits (the panel keeps the chosen preset by name). Pure function.
QVector<TrafficPreset> trafficPresets(const model::Workspace& ws);

// The traffic generator panel (issue 7 item 2): presets, an editor of the request mix, start/stop/progress
// and the equivalent curl command. Runs a loadgen::LoadGenerator (libcurl multi on its own thread) and polls
// its thread-safe progress every 200 ms; the GUI thread never waits on it. Each run's generator comes from the
// factory the composition root hands in (AppServices::loadGenerators); the panel owns it for the run.
class LiveLabel;
struct TrafficDestination;

class TrafficPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrafficPanel(LoadGeneratorFactory generators, QWidget* parent = nullptr);
    ~TrafficPanel() override;

    // Presets follow the workspace: unless the user edited the request mix, the chosen preset is derived again
    // from every new workspace (a canary weight changed to 30 shows 70/30).
    void setWorkspace(const model::Workspace& ws);
    // A different workspace or lesson: forget the presets, the last summary and progress; the next
    // setWorkspace() starts from its first preset.
    void resetForNewWorkspace();
    // Where the proxy listens (0 = not running: Start is disabled).
    void setProxyPorts(int httpPort, int httpsPort);
    void applyPreset(int index);
    // Sets the run limits shown in the editor (requests 0 = unlimited, duration 0 = none, rate 0 = max).
    void setLoad(int requests, int durationSec, double rate, int concurrency);
    int presetCount() const;

    loadgen::LoadConfig config() const;
    QString curlCommand() const;
    bool isRunning() const;
    // Configured shares of the current preset (service name -> fraction), for the charts and the verdict.
    QHash<QString, double> expectedShares() const { return m_expected; }
    QString lastSummary() const { return m_summary; }
    // What each request row of the last finished run got back (answers by status / backend / CORS header) and the
    // certificates its TLS handshakes were served; targets index the rows as they were when the run started.
    const std::vector<loadgen::TargetAnswer>& lastTargetAnswers() const { return m_lastAnswers; }
    const std::vector<loadgen::TargetCertificate>& lastCertificates() const { return m_lastCertificates; }
    QVector<TrafficPreset::Target> lastRunTargets() const { return m_runTargets; }
    QString currentPresetName() const;

    // Where runs go (issue 13 item 2; ui/lab/traffic_target_choice.h): the lab hands in the "Send to" row and a
    // function that turns the panel's config into the run (the local controller, or the cluster's ingress
    // controller). Without one every run goes to the local controller.
    using DestinationFn = std::function<TrafficDestination(const loadgen::LoadConfig&)>;
    void setDestination(QWidget* choiceRow, DestinationFn destination);
    // The destination no longer needs the local controller (Start stays enabled while the lab is stopped).
    void setRemoteDestinationSelected(bool remote);
    // The run going on (or the last one) went to the cluster's controller; its label ("" for local runs).
    bool isRemoteRun() const { return m_remoteRun; }
    QString runLabel() const { return m_runLabel; }
    // Requests per pod of the last finished run, as the responses named them ("pod" of the echo; "ns/pod" keys
    // without a namespace are just the pod), for the share chart's "by pod" view of cluster runs.
    QHash<QString, quint64> lastRunPods() const { return m_lastRunPods; }

public Q_SLOTS:
    void startTraffic();
    void stopTraffic();

Q_SIGNALS:
    // Just before the generator starts: the last moment at which no request of the new run can be logged yet.
    void trafficAboutToStart();
    void trafficStarted();
    void trafficFinished(const QString& summary);
    void message(const QString& text);  // errors (invalid config) for the lab's banner
    // Remote runs only: the generator's client-side figures (cumulative backends, errors; `series` from the first
    // second not yet reported as closed: closed seconds come once, the open one again until it closes; all of them
    // are final when progress.finished).
    void clientProgressed(const ilab::loadgen::Progress& progress);

private:
    void poll();
    void showProgress(const loadgen::Progress& p);
    void onFinished();
    void updateCurl();
    QVector<TrafficPreset::Target> targetsFromTable() const;
    QStringList rowLines() const;
    bool canStart() const;
    QString remoteCurlCommand() const;
    void reportClientProgress(const loadgen::Progress& p);

    QVector<TrafficPreset> m_presets;
    LoadGeneratorFactory m_makeGenerator;
    QHash<QString, double> m_expected;
    int m_httpPort = 0, m_httpsPort = 0;
    // Shared with the pool job that reads its progress (see poll()), so the job never outlives it.
    std::shared_ptr<loadgen::LoadGenerator> m_generator;
    bool m_pollInFlight = false;
    bool m_mixEdited = false;  // the user changed the request rows since the last preset was applied
    QString m_summary;
    QVector<TrafficPreset::Target> m_runTargets;          // the rows of the current / last run
    std::vector<loadgen::TargetAnswer> m_lastAnswers;
    std::vector<loadgen::TargetCertificate> m_lastCertificates;
    DestinationFn m_destination;
    bool m_remoteSelected = false;
    bool m_remoteRun = false;
    QString m_runLabel;
    QHash<QString, quint64> m_lastRunPods;
    size_t m_seriesNext = 0;  // remote runs: the first series entry not yet reported closed

    QComboBox* m_preset = nullptr;
    QLabel* m_note = nullptr;
    QTableWidget* m_targets = nullptr;
    QSpinBox* m_requests = nullptr;
    QSpinBox* m_duration = nullptr;
    QDoubleSpinBox* m_rate = nullptr;
    QSpinBox* m_concurrency = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_stop = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;    // start message and the final summary (selectable)
    LiveLabel* m_live = nullptr;   // progress while running (5x a second, no relayout)
    QLineEdit* m_curl = nullptr;
    QTimer* m_pollTimer = nullptr;
};

}  // namespace ilab::ui
