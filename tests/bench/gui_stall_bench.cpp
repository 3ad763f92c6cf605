// GUI-thread stall benchmark for the live lab (issue 7 item 7). Drives the real LabPanel (shown, so charts,
// map and log views repaint): start the controller on free ports with the demo workspace, send as much
// traffic as the machine allows up to a target rate for a while, stop. A 1 ms precise QTimer on the GUI thread
// measures lateness: the longest gap between two ticks is the longest stall the user could feel. Resident
// memory is sampled before start, at the peak and after stop. Prints figures; never fails on timing.
//
//   gui_stall_bench [seconds=10] [rate=20000] [concurrency=64]
// Run under xvfb-run or with QT_QPA_PLATFORM=offscreen.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include "core/yaml/yaml_reader.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/traffic_panel.h"

namespace {
long rssKb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    long value = 0;
    while (in >> key) {
        if (key == "VmRSS:") {
            in >> value;
            return value;
        }
        in.ignore(1 << 20, '\n');
    }
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const int seconds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    const double rate = argc > 2 ? std::atof(argv[2]) : 20000;
    const int concurrency = argc > 3 ? std::max(1, std::atoi(argv[3])) : 64;

    ilab::model::Workspace ws;
    ilab::yaml::readPath(":/demo/demo-workspace.yaml", ws);
    ilab::ui::LabPanel panel;
    panel.resize(1500, 950);
    panel.show();
    panel.setWorkspace(ws);
    panel.setListenPorts(0, 0);

    // Stall probe: gaps between 1 ms ticks.
    std::vector<double> gaps;
    gaps.reserve(1 << 20);
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    bool measuring = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(1);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring) gaps.push_back(double(now - last) / 1e6);
        last = now;
    });
    probe.start();

    long rssBefore = 0, rssPeak = 0, rssAfter = 0;
    QTimer rssTimer;
    QObject::connect(&rssTimer, &QTimer::timeout, [&] { rssPeak = std::max(rssPeak, rssKb()); });

    QString summary;
    QElapsedTimer phase;
    double trafficSec = 0;
    QObject::connect(&panel, &ilab::ui::LabPanel::runningChanged, [&](bool running) {
        if (running) {
            // Warm up one second (pods, first paint), then measure traffic.
            QTimer::singleShot(1000, [&] {
                rssBefore = rssKb();
                rssPeak = rssBefore;
                rssTimer.start(100);
                measuring = true;
                last = clock.nsecsElapsed();
                auto* traffic = panel.trafficPanel();
                traffic->applyPreset(1);  // steady preset: the lesson's /version route, open model
                traffic->setLoad(0, seconds, rate, concurrency);
                phase.start();
                traffic->startTraffic();
            });
        } else {
            rssAfter = rssKb();
            measuring = false;
            app.quit();
        }
    });
    QObject::connect(panel.trafficPanel(), &ilab::ui::TrafficPanel::trafficFinished, [&](const QString& s) {
        summary = s;
        trafficSec = phase.elapsed() / 1000.0;
        // Let the last snapshots and log lines land, then stop.
        QTimer::singleShot(1500, [&] { panel.stop(); });
    });
    QTimer::singleShot(0, [&] { panel.start(); });
    QTimer::singleShot((seconds + 60) * 1000, [&] {
        std::fprintf(stderr, "timeout: %s\n", qPrintable(panel.statusText() + " " + panel.bannerText()));
        app.exit(2);
    });
    const int rc = app.exec();

    std::sort(gaps.begin(), gaps.end());
    auto pct = [&](double q) { return gaps.empty() ? 0.0 : gaps[std::min(gaps.size() - 1, size_t(q * gaps.size()))]; };
    const long over16 = std::count_if(gaps.begin(), gaps.end(), [](double g) { return g > 16.7; });
    const long over50 = std::count_if(gaps.begin(), gaps.end(), [](double g) { return g > 50; });
    std::printf("gui_stall_bench: %d s at target %.0f req/s, concurrency %d\n", seconds, rate, concurrency);
    std::printf("traffic: %s\n", qPrintable(QString(summary).replace('\n', " | ")));
    std::printf("traffic phase: %.1f s\n", trafficSec);
    std::printf("access-log rows in the model: %d (capacity %zu)\n", panel.accessLogModel()->rowCount(),
                panel.accessLogModel()->capacity());
    std::printf("GUI-thread 1 ms timer: %zu ticks, gap p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
                gaps.size(), pct(0.5), pct(0.99), pct(0.999), gaps.empty() ? 0.0 : gaps.back());
    std::printf("longest GUI-thread stall: %.1f ms (target < 50 ms); gaps > 16.7 ms: %ld, > 50 ms: %ld\n",
                gaps.empty() ? 0.0 : gaps.back() - 1.0, over16, over50);
    std::printf("memory (RSS): before traffic %.1f MB, peak %.1f MB, after stop %.1f MB, growth %.1f MB\n",
                rssBefore / 1024.0, rssPeak / 1024.0, rssAfter / 1024.0, (rssAfter - rssBefore) / 1024.0);
    return rc;
}
