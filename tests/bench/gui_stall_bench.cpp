// GUI-thread stall benchmark for the live lab (issue 7 item 7). Drives the real LabPanel (shown, so charts,
// map and log views repaint): start the controller on free ports with the demo workspace, send as much
// traffic as the machine allows up to a target rate for a while, stop. A 1 ms precise QTimer on the GUI thread
// measures lateness: the longest gap between two ticks is the longest stall the user could feel. Resident
// memory is sampled before start, at the peak and after stop. Prints figures; never fails on timing.
//
//   gui_stall_bench [seconds=10] [rate=20000] [concurrency=64]
// Run under xvfb-run or with QT_QPA_PLATFORM=offscreen. Prints the rate actually achieved (open model: the
// target is only reached if the machine can), the gap distribution, for the longest gaps how much of it the GUI
// thread spent on the CPU (busy vs. waiting to be scheduled), the slowest event deliveries by receiver, RSS
// before/peak/after, and the load average and other processes' CPU time (the machine may be shared).
// ILAB_BENCH_LAYOUT=1 also counts LayoutRequest events by widget path.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/traffic_panel.h"

namespace {
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

std::string loadAvg() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

// CPU ticks (utime + stime) per process, to tell what else loaded the (shared) machine during the run.
std::map<int, std::pair<std::string, long>> processTicks() {
    std::map<int, std::pair<std::string, long>> out;
    QDir proc(QStringLiteral("/proc"));
    for (const QString& entry : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const int pid = entry.toInt(&ok);
        if (!ok) continue;
        std::ifstream in("/proc/" + entry.toStdString() + "/stat");
        std::string line;
        if (!std::getline(in, line)) continue;
        const auto open = line.find('('), close = line.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        std::string field;
        long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && rest >> field; ++i) {
            if (i == 14) utime = std::atol(field.c_str());
            if (i == 15) stime = std::atol(field.c_str());
        }
        out[pid] = {line.substr(open + 1, close - open - 1), utime + stime};
    }
    return out;
}

// Times every top-level event delivery on the GUI thread and keeps the slowest ones by receiver and event type,
// so a stall can be pinned on what ran (a timer's parent names the lab part that owns it).
class TimingApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool recording = false;
    struct Slow {
        double ms;
        std::string what;
    };
    std::map<std::string, std::pair<double, int>> worstByKind;  // what -> (max ms, count over 5 ms)
    std::map<std::string, int> layoutRequests;                  // ILAB_BENCH_LAYOUT=1: who gets LayoutRequest
    bool notify(QObject* receiver, QEvent* event) override {
        // notify() runs on every thread that delivers events (pods, control thread): time the GUI thread only.
        if (QThread::currentThread() != thread()) return QApplication::notify(receiver, event);
        if (recording && event->type() == QEvent::LayoutRequest && std::getenv("ILAB_BENCH_LAYOUT")) {
            std::string path;
            for (QObject* o = receiver; o; o = o->parent()) path = std::string(o->metaObject()->className()) + "/" + path;
            ++layoutRequests[path];
        }
        if (!recording || m_depth > 0) return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer t;
        t.start();
        const bool r = QApplication::notify(receiver, event);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        --m_depth;
        if (ms > 5) {
            std::string what = receiver->metaObject()->className();
            if (receiver->parent()) what += std::string(" in ") + receiver->parent()->metaObject()->className();
            if (!receiver->objectName().isEmpty()) what += " '" + receiver->objectName().toStdString() + "'";
            what += " ev" + std::to_string(int(event->type()));
            auto& w = worstByKind[what];
            w.first = std::max(w.first, ms);
            ++w.second;
        }
        return r;
    }

private:
    int m_depth = 0;
};

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
    TimingApplication app(argc, argv);
    const int seconds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
    const double rate = argc > 2 ? std::atof(argv[2]) : 20000;
    const int concurrency = argc > 3 ? std::max(1, std::atoi(argv[3])) : 64;

    ilab::model::Workspace ws;
    ilab::yaml::readPath(":/demo/demo-workspace.yaml", ws);
    const ilab::app::GuiServices services;
    ilab::ui::LabPanel panel(services.services());
    panel.resize(1500, 950);
    panel.show();
    panel.setWorkspace(ws);
    panel.setListenPorts(0, 0);

    // Stall probe: gaps between 1 ms ticks.
    // Each gap also records the CPU time the GUI thread itself used meanwhile: a long gap with little CPU means
    // the thread was runnable but not scheduled (a loaded machine) or blocked, not busy with lab work.
    struct Gap {
        double ms, cpuMs;
    };
    std::vector<Gap> gapLog;
    gapLog.reserve(1 << 20);
    std::vector<double> gaps;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    double lastCpu = threadCpuMs();
    bool measuring = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(1);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double cpu = threadCpuMs();
        if (measuring) gapLog.push_back({double(now - last) / 1e6, cpu - lastCpu});
        last = now;
        lastCpu = cpu;
    });
    probe.start();

    long rssBefore = 0, rssPeak = 0, rssAfter = 0;
    QTimer rssTimer;
    QObject::connect(&rssTimer, &QTimer::timeout, [&] { rssPeak = std::max(rssPeak, rssKb()); });

    QString summary;
    std::string loadBefore, loadAfter;
    std::map<int, std::pair<std::string, long>> ticksBefore, ticksAfter;
    QElapsedTimer phase;
    double trafficSec = 0;
    QObject::connect(&panel, &ilab::ui::LabPanel::runningChanged, [&](bool running) {
        if (running) {
            // Warm up one second (pods, first paint), then measure traffic.
            QTimer::singleShot(1000, [&] {
                loadBefore = loadAvg();
                ticksBefore = processTicks();
                rssBefore = rssKb();
                rssPeak = rssBefore;
                rssTimer.start(100);
                measuring = true;
                app.recording = true;
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
        loadAfter = loadAvg();
        ticksAfter = processTicks();
        // Let the last snapshots and log lines land, then stop.
        QTimer::singleShot(1500, [&] { panel.stop(); });
    });
    QTimer::singleShot(0, [&] { panel.start(); });
    QTimer::singleShot((seconds + 60) * 1000, [&] {
        std::fprintf(stderr, "timeout: %s\n", qPrintable(panel.statusText() + " " + panel.bannerText()));
        app.exit(2);
    });
    const int rc = app.exec();

    for (const auto& g : gapLog) gaps.push_back(g.ms);
    std::sort(gaps.begin(), gaps.end());
    std::vector<Gap> worst = gapLog;
    std::sort(worst.begin(), worst.end(), [](const Gap& a, const Gap& b) { return a.ms > b.ms; });
    worst.resize(std::min<std::size_t>(worst.size(), 5));
    double maxBusy = 0;
    for (const auto& g : gapLog) maxBusy = std::max(maxBusy, g.cpuMs);
    auto pct = [&](double q) { return gaps.empty() ? 0.0 : gaps[std::min(gaps.size() - 1, size_t(q * gaps.size()))]; };
    const long over16 = std::count_if(gaps.begin(), gaps.end(), [](double g) { return g > 16.7; });
    const long over50 = std::count_if(gaps.begin(), gaps.end(), [](double g) { return g > 50; });
    std::printf("gui_stall_bench: %d s at target %.0f req/s, concurrency %d\n", seconds, rate, concurrency);
    std::printf("traffic: %s\n", qPrintable(QString(summary).replace('\n', " | ")));
    std::printf("traffic phase: %.1f s\n", trafficSec);
    const auto rows = panel.accessLogModel()->rowCount();
    std::printf("achieved: %.0f req/s (access-log rows / traffic phase) against a target of %.0f req/s\n",
                trafficSec > 0 ? rows / trafficSec : 0.0, rate);
    std::printf("access-log rows in the model: %d (capacity %zu)\n", panel.accessLogModel()->rowCount(),
                panel.accessLogModel()->capacity());
    std::printf("GUI-thread 1 ms timer: %zu ticks, gap p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
                gaps.size(), pct(0.5), pct(0.99), pct(0.999), gaps.empty() ? 0.0 : gaps.back());
    std::printf("longest GUI-thread stall: %.1f ms (target < 50 ms); gaps > 16.7 ms: %ld, > 50 ms: %ld\n",
                gaps.empty() ? 0.0 : gaps.back() - 1.0, over16, over50);
    std::printf("longest GUI-thread busy stretch inside one gap (thread CPU time): %.1f ms\n", maxBusy);
    std::printf("5 longest gaps (ms: wall / GUI-thread CPU):");
    for (const auto& g : worst) std::printf(" %.1f/%.1f", g.ms, g.cpuMs);
    std::printf("\n");
    std::printf("memory (RSS): before traffic %.1f MB, peak %.1f MB, after stop %.1f MB, growth %.1f MB\n",
                rssBefore / 1024.0, rssPeak / 1024.0, rssAfter / 1024.0, (rssAfter - rssBefore) / 1024.0);
    std::vector<std::pair<double, std::string>> slow;
    for (const auto& [what, w] : app.worstByKind)
        slow.push_back({w.first, what + " x" + std::to_string(w.second)});
    std::sort(slow.begin(), slow.end(), std::greater<>());
    std::printf("slowest GUI-thread event deliveries (max ms, receiver, event type, count > 5 ms):\n");
    for (std::size_t i = 0; i < slow.size() && i < 8; ++i) std::printf("  %.1f ms  %s\n", slow[i].first, slow[i].second.c_str());
    for (const auto& [path, n] : app.layoutRequests) std::printf("  LayoutRequest x%d %s\n", n, path.c_str());
    // What else ran on this (shared) machine during the traffic phase.
    const long hz = sysconf(_SC_CLK_TCK);
    std::vector<std::pair<double, std::string>> others;
    for (const auto& [pid, after] : ticksAfter) {
        if (pid == int(getpid())) continue;
        const auto it = ticksBefore.find(pid);
        const long delta = after.second - (it == ticksBefore.end() ? 0 : it->second.second);
        if (delta > 0) others.push_back({double(delta) / double(hz), after.first + "[" + std::to_string(pid) + "]"});
    }
    std::sort(others.begin(), others.end(), std::greater<>());
    std::printf("load average: %s at traffic start, %s at its end (2 cores shared)\n", loadBefore.c_str(),
                loadAfter.c_str());
    std::printf("other processes' CPU during the traffic phase (s):");
    for (std::size_t i = 0; i < others.size() && i < 8; ++i)
        std::printf(" %s %.1f", others[i].second.c_str(), others[i].first);
    std::printf("\n");
    return rc;
}
