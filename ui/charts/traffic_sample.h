#pragma once

#include <QString>
#include <QVector>

namespace ilab::ui::charts {

// What the live charts draw. The lab converts the controller's 1-second metrics snapshots into these value
// types, so nothing in ui/charts/ depends on a core type and a later Qt Graphs port touches this folder only.

// Requests one backend served in one sampling window (per second).
struct BackendRate {
    QString name;                // upstream name, e.g. "default-agent-v1-service-80"
    double requestsPerSec = 0;
};

// One 1-second sample: the x coordinate is seconds since the run started.
struct TrafficSample {
    double timeSec = 0;
    QVector<BackendRate> backends;
    double errorsPerSec = 0;     // the controller's own error answers (no backend): drawn as their own line
    bool hasLatency = false;     // false: no request finished in this window (no latency points drawn)
    double p50Ms = 0, p90Ms = 0, p99Ms = 0;
    double status2xx = 0, status3xx = 0, status4xx = 0, status5xx = 0;  // per second
};

// Cumulative requests of one backend since the share was last reset, with the weight it is configured for.
// `error`: not a backend but a group of the controller's own error answers ("503 Service not found"); drawn
// apart (its own colour, after the backends), never as a backend's share.
struct BackendShare {
    QString name;
    quint64 requests = 0;
    double configuredPercent = -1;  // < 0: no configured weight known (e.g. no canary on this route)
    bool error = false;
    bool pod = false;  // `name` is a pod (Group by: Pod), drawn as is; otherwise an upstream "ns-service-port"
};

// Wilson score interval of a binomial proportion k/n (95% for z = 1.96). All values in 0..1.
struct ShareInterval {
    double share = 0, low = 0, high = 0;
};
ShareInterval wilsonInterval(quint64 k, quint64 n, double z = 1.96);

}  // namespace ilab::ui::charts
