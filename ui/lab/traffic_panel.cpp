#include "ui/lab/traffic_panel.h"

#include <algorithm>

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QRegularExpression>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

#include "core/loadgen/error_response.h"
#include "core/loadgen/load_generator.h"
#include "core/loadgen/share_statistics.h"
#include "ui/lab/live_label.h"
#include "ui/lab/traffic_target_choice.h"

namespace ilab::ui {

namespace {

const std::string ANN = "nginx.ingress.kubernetes.io/";

struct RouteRef {
    QString host, path, service;
    const model::Ingress* ingress = nullptr;
};

QVector<RouteRef> routesOf(const model::Ingress& ing) {
    QVector<RouteRef> out;
    for (const auto& rule : ing.spec.rules) {
        if (!rule.http) continue;
        for (const auto& p : rule.http->paths) {
            RouteRef r;
            r.host = QString::fromStdString(rule.host.value_or(""));
            r.path = QString::fromStdString(p.path.value_or("/"));
            r.service = p.backend.service ? QString::fromStdString(p.backend.service->name) : QString();
            r.ingress = &ing;
            out << r;
        }
    }
    return out;
}

bool isCanary(const model::Ingress& ing) { return ing.meta.annotation(ANN + "canary") == "true"; }

bool hasTls(const model::Ingress& ing, const QString& host) {
    for (const auto& t : ing.spec.tls)
        for (const auto& h : t.hosts)
            if (QString::fromStdString(h) == host) return true;
    return false;
}

// A host as a request can name it: "*.example.com" (a wildcard tls host or rule) becomes "www.example.com".
QString concreteHost(const QString& host) {
    return host.startsWith(QLatin1String("*.")) ? QStringLiteral("www") + host.mid(1) : host;
}

// A host no Ingress names: answered by the default backend (404), and over HTTPS with the default certificate.
const QString UNKNOWN_HOST = QStringLiteral("unknown.invalid");

QString shellQuote(const QString& s) {
    if (!s.isEmpty() && s.indexOf(QRegularExpression(QStringLiteral("[^A-Za-z0-9_./:=@%+-]"))) < 0) return s;
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

}  // namespace

QVector<TrafficPreset> trafficPresets(const model::Workspace& ws) {
    QVector<TrafficPreset> out;
    const auto ingresses = ws.all<model::Ingress>();
    // The canary pair: a canary Ingress and the main route with the same host and path.
    const model::Ingress* canary = nullptr;
    RouteRef canaryRoute, mainRoute;
    for (const auto* ing : ingresses) {
        if (!isCanary(*ing) || routesOf(*ing).isEmpty()) continue;
        canary = ing;
        canaryRoute = routesOf(*ing).first();
        for (const auto* other : ingresses) {
            if (isCanary(*other)) continue;
            for (const auto& r : routesOf(*other))
                if (r.host == canaryRoute.host && r.path == canaryRoute.path) mainRoute = r;
        }
        break;
    }
    RouteRef first;
    for (const auto* ing : ingresses)
        if (!isCanary(*ing) && !routesOf(*ing).isEmpty()) {
            first = routesOf(*ing).first();
            break;
        }
    const RouteRef lessonRoute = canary ? canaryRoute : first;
    auto target = [&](const RouteRef& r) {
        TrafficPreset::Target t;
        t.host = r.host.isEmpty() ? QStringLiteral("localhost") : r.host;
        t.path = r.path;
        if (r.ingress && hasTls(*r.ingress, r.host)) t.scheme = QStringLiteral("https");
        return t;
    };
    QHash<QString, double> expected;
    QString weightNote;
    if (canary && !mainRoute.service.isEmpty()) {
        const double total = QString::fromStdString(canary->meta.annotation(ANN + "canary-weight-total", "100")).toDouble();
        const double w = QString::fromStdString(canary->meta.annotation(ANN + "canary-weight", "0")).toDouble();
        if (total > 0) {
            expected.insert(canaryRoute.service, w / total);
            expected.insert(mainRoute.service, 1.0 - w / total);
            weightNote = QObject::tr("Configured: %1 %2 % / %3 %4 %")
                             .arg(mainRoute.service).arg(100.0 * (1.0 - w / total)).arg(canaryRoute.service)
                             .arg(100.0 * w / total);
        }
    }

    TrafficPreset lesson;
    lesson.name = QObject::tr("Lesson: 100 requests");
    lesson.targets << target(lessonRoute);
    lesson.requests = 100;
    lesson.concurrency = 1;
    lesson.expectedShares = expected;
    lesson.note = weightNote.isEmpty() ? QObject::tr("100 requests, one after another, like the lesson's curl loop.")
                                       : QObject::tr("100 requests, one after another, like the lesson's curl loop. ") +
                                             weightNote;
    out << lesson;

    TrafficPreset steady;
    steady.name = QObject::tr("Steady 50 req/s (30 s)");
    steady.targets << target(lessonRoute);
    steady.requests = 0;
    steady.durationSec = 30;
    steady.rate = 50;
    steady.concurrency = 8;
    steady.expectedShares = expected;
    steady.note = QObject::tr("An open-model load at a constant 50 requests per second for 30 seconds.");
    out << steady;

    TrafficPreset burst;
    burst.name = QObject::tr("Burst: trip the rate limit");
    RouteRef limited = first;
    QString limitText;
    for (const auto* ing : ingresses) {
        const auto rps = ing->meta.annotation(ANN + "limit-rps");
        const auto rpm = ing->meta.annotation(ANN + "limit-rpm");
        if ((rps.empty() && rpm.empty()) || routesOf(*ing).isEmpty()) continue;
        limited = routesOf(*ing).first();
        limitText = !rps.empty() ? QObject::tr("limit-rps %1").arg(QString::fromStdString(rps))
                                 : QObject::tr("limit-rpm %1").arg(QString::fromStdString(rpm));
        break;
    }
    burst.targets << target(limited);
    burst.requests = 200;
    burst.concurrency = 20;
    burst.note = limitText.isEmpty()
                     ? QObject::tr("No Ingress sets limit-rps or limit-rpm: this burst will not be limited.")
                     : QObject::tr("200 requests, 20 at a time, at a path with %1: expect 503s beyond the burst.")
                           .arg(limitText);
    out << burst;

    // Header and cookie canary: half the requests carry the header (cookie), half do not.
    const QString header = canary ? QString::fromStdString(canary->meta.annotation(ANN + "canary-by-header")) : QString();
    const QString headerValue =
        canary ? QString::fromStdString(canary->meta.annotation(ANN + "canary-by-header-value", "always")) : QString();
    TrafficPreset byHeader;
    byHeader.name = QObject::tr("Header canary");
    auto with = target(lessonRoute);
    with.headers << QStringLiteral("%1: %2").arg(header.isEmpty() ? QStringLiteral("X-Canary") : header,
                                                 headerValue.isEmpty() ? QStringLiteral("always") : headerValue);
    byHeader.targets << with << target(lessonRoute);
    byHeader.requests = 200;
    byHeader.concurrency = 4;
    byHeader.note = header.isEmpty() ? QObject::tr("No canary-by-header is configured: the X-Canary header is sent to "
                                                   "show that it changes nothing until you add the annotation.")
                                     : QObject::tr("Half the requests carry %1: they all go to the canary.").arg(header);
    out << byHeader;

    const QString cookie = canary ? QString::fromStdString(canary->meta.annotation(ANN + "canary-by-cookie")) : QString();
    TrafficPreset byCookie;
    byCookie.name = QObject::tr("Cookie canary");
    auto withCookie = target(lessonRoute);
    withCookie.cookies = QStringLiteral("%1=always").arg(cookie.isEmpty() ? QStringLiteral("canary") : cookie);
    byCookie.targets << withCookie << target(lessonRoute);
    byCookie.requests = 200;
    byCookie.concurrency = 4;
    byCookie.note = cookie.isEmpty() ? QObject::tr("No canary-by-cookie is configured: the cookie changes nothing until "
                                                   "you add the annotation.")
                                     : QObject::tr("Half the requests carry the cookie %1=always.").arg(cookie);
    out << byCookie;

    // Topic presets (issue 15 item 2): TLS, host routing, CORS preflight, each only when the workspace has what it
    // needs. A workspace without a canary is about its topic, so its topic preset comes first (the TLS lesson
    // opens with the TLS preset); with a canary the lesson preset stays first.
    QVector<TrafficPreset> tlsTopic, hostTopic, corsTopic;
    // Routes of the primary Ingresses, one per host (its first path), in workspace order.
    QVector<RouteRef> hostRoutes;
    const RouteRef* hostless = nullptr;
    QVector<RouteRef> allRoutes;
    for (const auto* ing : ingresses)
        if (!isCanary(*ing)) allRoutes << routesOf(*ing);
    for (const auto& r : allRoutes) {
        if (r.host.isEmpty()) {
            if (!hostless) hostless = &r;
            continue;
        }
        const bool seen = std::any_of(hostRoutes.cbegin(), hostRoutes.cend(),
                                      [&](const RouteRef& h) { return h.host.compare(r.host, Qt::CaseInsensitive) == 0; });
        if (!seen) hostRoutes << r;
    }
    auto routeFor = [&](const QString& host) -> const RouteRef* {
        for (const auto& r : hostRoutes)
            if (r.host.compare(host, Qt::CaseInsensitive) == 0) return &r;
        return nullptr;
    };

    // TLS: HTTPS to every host of a tls: entry (SNI and Host = that name, so the controller picks that host's
    // certificate), plain HTTP to the first (the ssl-redirect 308), and HTTPS to a host in no tls: entry (the
    // controller's default certificate, the "Kubernetes Ingress Controller Fake Certificate").
    QStringList tlsHosts, secrets;
    for (const auto* ing : ingresses)
        for (const auto& t : ing->spec.tls) {
            for (const auto& h : t.hosts) {
                const QString host = QString::fromStdString(h).toLower();
                if (!host.isEmpty() && !tlsHosts.contains(host)) tlsHosts << host;
            }
            const QString secret = QString::fromStdString(t.secretName.value_or(""));
            if (!secret.isEmpty() && !secrets.contains(secret)) secrets << secret;
        }
    if (!tlsHosts.isEmpty()) {
        TrafficPreset tls;
        tls.name = QObject::tr("TLS: HTTPS to each tls host");
        for (const auto& host : tlsHosts) {
            TrafficPreset::Target t;
            t.scheme = QStringLiteral("https");
            t.host = concreteHost(host);
            if (const RouteRef* r = routeFor(host)) t.path = r->path;
            tls.targets << t;
        }
        TrafficPreset::Target plain = tls.targets.first();
        plain.scheme = QStringLiteral("http");
        tls.targets << plain;
        QString other = UNKNOWN_HOST;
        for (const auto& r : hostRoutes)
            if (!tlsHosts.contains(r.host.toLower()) && !r.host.startsWith(QLatin1String("*."))) {
                other = r.host;
                break;
            }
        TrafficPreset::Target untls;
        untls.scheme = QStringLiteral("https");
        untls.host = other;
        if (const RouteRef* r = routeFor(other)) untls.path = r->path;
        tls.targets << untls;
        tls.requests = 30 * int(tls.targets.size());
        tls.concurrency = 3;
        tls.note = QObject::tr("HTTPS to %1 (Secret %2): the summary names the certificate each handshake got. Plain "
                               "HTTP to %3 is redirected to HTTPS (308) unless ssl-redirect is \"false\". %4 is in "
                               "no tls: entry: it gets the controller's default certificate (the Kubernetes "
                               "Ingress Controller Fake Certificate)%5.")
                       .arg(tlsHosts.join(QStringLiteral(", ")),
                            secrets.isEmpty() ? QObject::tr("none: the default certificate") : secrets.join(QStringLiteral(", ")),
                            plain.host, other,
                            routeFor(other) ? QString() : QObject::tr(" and, as no rule names it, a 404"));
        tlsTopic << tls;
    }

    // Host routing: one row per host, plus a host no rule names (default backend, or the rule without a host).
    if (hostRoutes.size() >= 2) {
        TrafficPreset hosts;
        hosts.name = QObject::tr("Host routing: one row per host");
        QHash<QString, double> perService;
        QStringList pairs;
        for (const auto& r : hostRoutes) {
            hosts.targets << target(r);
            hosts.targets.last().host = concreteHost(r.host);
            if (!r.service.isEmpty()) perService[r.service] += 1;
            pairs << QStringLiteral("%1 → %2").arg(r.host, r.service.isEmpty() ? QObject::tr("(no Service)") : r.service);
        }
        TrafficPreset::Target unknown;
        unknown.host = UNKNOWN_HOST;
        hosts.targets << unknown;
        if (hostless && !hostless->service.isEmpty()) perService[hostless->service] += 1;
        const double rows = double(hosts.targets.size());
        for (auto it = perService.begin(); it != perService.end(); ++it) hosts.expectedShares.insert(it.key(), it.value() / rows);
        hosts.requests = 40 * int(hosts.targets.size());
        hosts.concurrency = 4;
        hosts.note = QObject::tr("The same number of requests to every host: %1. %2 is named by no rule: %3.")
                         .arg(pairs.join(QStringLiteral(", ")), UNKNOWN_HOST,
                              hostless ? QObject::tr("the rule without a host answers it (%1)").arg(hostless->service)
                                       : QObject::tr("the default backend answers 404"));
        hostTopic << hosts;
    }

    // CORS preflight: for the first Ingress with enable-cors, a browser's OPTIONS preflight from an allowed Origin
    // (answered 204 by the controller itself), a GET from it (the backend's answer with the CORS headers) and, when
    // cors-allow-origin lists origins, a preflight from another Origin (no CORS headers; proxied to the backend).
    for (const auto* ing : ingresses) {
        if (isCanary(*ing) || ing->meta.annotation(ANN + "enable-cors") != "true" || routesOf(*ing).isEmpty()) continue;
        const RouteRef route = routesOf(*ing).first();
        const QString allowList = QString::fromStdString(ing->meta.annotation(ANN + "cors-allow-origin", "*"));
        QString allowed;
        bool anyOrigin = false;
        for (const auto& entry : allowList.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString o = entry.trimmed();
            if (o == QLatin1String("*")) anyOrigin = true;
            // an origin the list allows; "https://*.example.com" allows "https://www.example.com"
            else if (allowed.isEmpty() && o.contains(QLatin1String("://")))
                allowed = QString(o).replace(QLatin1String("://*."), QLatin1String("://www."));
        }
        const bool restricted = !allowed.isEmpty() && !anyOrigin;
        if (allowed.isEmpty()) allowed = QStringLiteral("https://app.example.com");
        QString method = QStringLiteral("PUT");
        const QString methods = QString::fromStdString(ing->meta.annotation(ANN + "cors-allow-methods"));
        for (const auto& m : methods.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString up = m.trimmed().toUpper();
            if (up != QLatin1String("GET") && up != QLatin1String("HEAD") && up != QLatin1String("OPTIONS") && !up.isEmpty()) {
                method = up;
                break;
            }
        }
        TrafficPreset cors;
        cors.name = QObject::tr("CORS preflight");
        auto preflight = target(route);
        preflight.host = concreteHost(preflight.host);
        preflight.method = QStringLiteral("OPTIONS");
        preflight.headers << QStringLiteral("Origin: %1").arg(allowed)
                          << QStringLiteral("Access-Control-Request-Method: %1").arg(method);
        auto simple = target(route);
        simple.host = preflight.host;
        simple.headers << QStringLiteral("Origin: %1").arg(allowed);
        cors.targets << preflight << simple;
        const QString denied = QStringLiteral("https://not-allowed.invalid");
        if (restricted) {
            auto other = preflight;
            other.headers = QStringList{QStringLiteral("Origin: %1").arg(denied),
                                        QStringLiteral("Access-Control-Request-Method: %1").arg(method)};
            cors.targets << other;
        }
        cors.requests = 30 * int(cors.targets.size());
        cors.concurrency = 2;
        cors.note = QObject::tr("Ingress %1 has enable-cors (allow-origin %2). A browser's preflight (OPTIONS from "
                                "%3, Access-Control-Request-Method %4) is answered 204 by the controller with the "
                                "Access-Control-* headers; a GET from the same Origin reaches the backend and gets "
                                "them too.%5")
                        .arg(QString::fromStdString(ing->meta.name), allowList, allowed, method,
                             restricted ? QObject::tr(" A preflight from %1 gets no CORS headers and goes to the "
                                                      "backend: the browser would block the request.").arg(denied)
                                        : QString());
        corsTopic << cors;
        break;
    }

    // A CORS lesson (with or without HTTPS) is about CORS first; then TLS; then hosts.
    const QVector<TrafficPreset> topics = corsTopic + tlsTopic + hostTopic;
    return canary ? out + topics : topics + out;
}

TrafficPanel::TrafficPanel(LoadGeneratorFactory generators, QWidget* parent)
    : QWidget(parent), m_makeGenerator(std::move(generators)) {
    m_preset = new QComboBox(this);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("presetNote"));
    m_note->setWordWrap(true);
    // Method is the last column so that the first six keep their places (scripts and tests address them).
    m_targets = new QTableWidget(0, 7, this);
    m_targets->setHorizontalHeaderLabels({tr("Scheme"), tr("Host"), tr("Path"), tr("Headers (;)"), tr("Cookies"), tr("Share"), tr("Method")});
    m_targets->horizontalHeader()->setStretchLastSection(false);
    // Host, path and headers take the room (a CORS row's Origin header is long); the short columns fit their text.
    for (int c : {0, 5, 6}) m_targets->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    for (int c : {1, 2, 3}) m_targets->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Stretch);
    m_targets->verticalHeader()->hide();
    m_targets->setWordWrap(false);  // one line per request kind (an Origin header would make rows three lines tall)
    m_targets->setMinimumHeight(90);
    auto* addRow = new QPushButton(tr("+"), this);
    addRow->setToolTip(tr("Add a request kind to the mix"));
    auto* removeRow = new QPushButton(tr("−"), this);
    removeRow->setToolTip(tr("Remove the selected request kind"));
    m_requests = new QSpinBox(this);
    m_requests->setRange(0, 10'000'000);
    m_requests->setSpecialValueText(tr("unlimited"));
    m_duration = new QSpinBox(this);
    m_duration->setRange(0, 3600);
    m_duration->setSuffix(tr(" s"));
    m_duration->setSpecialValueText(tr("no limit"));
    m_rate = new QDoubleSpinBox(this);
    m_rate->setRange(0, 1'000'000);
    m_rate->setDecimals(0);
    m_rate->setSpecialValueText(tr("max"));
    m_rate->setSuffix(tr(" req/s"));
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, 1000);
    m_start = new QPushButton(tr("Send traffic"), this);
    m_start->setObjectName(QStringLiteral("sendTraffic"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_live = new LiveLabel(this, 40, 2);
    m_curl = new QLineEdit(this);
    m_curl->setReadOnly(true);
    auto* copyCurl = new QPushButton(tr("Copy"), this);

    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(m_preset, 1);
    presetRow->addWidget(addRow);
    presetRow->addWidget(removeRow);
    auto* limits = new QHBoxLayout;
    limits->addWidget(new QLabel(tr("Requests"), this));
    limits->addWidget(m_requests);
    limits->addWidget(new QLabel(tr("Duration"), this));
    limits->addWidget(m_duration);
    limits->addWidget(new QLabel(tr("Rate"), this));
    limits->addWidget(m_rate);
    limits->addWidget(new QLabel(tr("Concurrency"), this));
    limits->addWidget(m_concurrency);
    limits->addStretch(1);
    auto* run = new QHBoxLayout;
    run->addWidget(m_start);
    run->addWidget(m_stop);
    run->addWidget(m_progress, 1);
    auto* curlRow = new QHBoxLayout;
    curlRow->addWidget(new QLabel(tr("curl"), this));
    curlRow->addWidget(m_curl, 1);
    curlRow->addWidget(copyCurl);
    // The main action sits right under the preset, so it is on screen however little height the lab gets (a
    // 1280x720 projector: issue 15 item 3); the mix editor below takes the room that is left.
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(presetRow);
    layout->addLayout(run);
    layout->addWidget(m_live);
    layout->addWidget(m_note);
    layout->addWidget(m_targets, 1);
    layout->addLayout(limits);
    layout->addWidget(m_status);
    layout->addLayout(curlRow);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(200);
    connect(m_pollTimer, &QTimer::timeout, this, &TrafficPanel::poll);
    connect(m_preset, &QComboBox::activated, this, &TrafficPanel::applyPreset);
    connect(m_start, &QPushButton::clicked, this, &TrafficPanel::startTraffic);
    connect(m_stop, &QPushButton::clicked, this, &TrafficPanel::stopTraffic);
    connect(copyCurl, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_curl->text()); });
    connect(addRow, &QPushButton::clicked, this, [this] {
        const int r = m_targets->rowCount();
        m_targets->insertRow(r);
        const QStringList defaults = {QStringLiteral("http"), QStringLiteral("localhost"), QStringLiteral("/"),
                                      QString(), QString(), QStringLiteral("1"), QStringLiteral("GET")};
        for (int c = 0; c < defaults.size(); ++c) m_targets->setItem(r, c, new QTableWidgetItem(defaults[c]));
        m_mixEdited = true;
        updateCurl();
    });
    connect(removeRow, &QPushButton::clicked, this, [this] {
        if (m_targets->currentRow() >= 0) m_targets->removeRow(m_targets->currentRow());
        m_mixEdited = true;
        updateCurl();
    });
    connect(m_targets, &QTableWidget::itemChanged, this, [this] {
        m_mixEdited = true;
        updateCurl();
    });
    for (auto* spin : {m_requests, m_duration, m_concurrency})
        connect(spin, &QSpinBox::valueChanged, this, &TrafficPanel::updateCurl);
    setProxyPorts(0, 0);
}

TrafficPanel::~TrafficPanel() {
    if (m_generator) m_generator->stop();  // the destructor joins the worker
}

void TrafficPanel::setWorkspace(const model::Workspace& ws) {
    const int current = std::max(0, m_preset->currentIndex());
    const QString currentName = currentPresetName();
    const bool first = m_presets.isEmpty();
    m_presets = trafficPresets(ws);
    m_preset->clear();
    for (const auto& p : m_presets) m_preset->addItem(p.name);
    // The chosen preset by name: an edit that adds or removes a topic preset (a tls: entry typed in) moves the
    // others in the list.
    int index = first ? 0 : std::min(current, int(m_presets.size()) - 1);
    if (!first)
        for (int i = 0; i < m_presets.size(); ++i)
            if (m_presets[i].name == currentName) index = i;
    m_preset->setCurrentIndex(index);
    if (index < 0) return;
    // The user's own mix is kept; the preset's note and configured shares follow the workspace either way.
    if (first || !m_mixEdited) {
        applyPreset(index);
    } else {
        m_expected = m_presets[index].expectedShares;
        m_note->setText(m_presets[index].note);
    }
}

void TrafficPanel::resetForNewWorkspace() {
    if (isRunning()) stopTraffic();
    m_presets.clear();
    m_preset->clear();
    m_targets->setRowCount(0);
    m_note->clear();
    m_expected.clear();
    m_mixEdited = false;
    m_summary.clear();
    m_runTargets.clear();
    m_lastAnswers.clear();
    m_lastCertificates.clear();
    m_status->clear();
    m_live->setText(QString());
    m_progress->setValue(0);
    updateCurl();
}

int TrafficPanel::presetCount() const { return int(m_presets.size()); }

QString TrafficPanel::currentPresetName() const {
    const int i = m_preset->currentIndex();
    return i >= 0 && i < m_presets.size() ? m_presets[i].name : QString();
}

void TrafficPanel::applyPreset(int index) {
    if (index < 0 || index >= m_presets.size()) return;
    const auto& p = m_presets[index];
    m_preset->setCurrentIndex(index);
    m_note->setText(p.note);
    m_targets->blockSignals(true);
    m_targets->setRowCount(0);
    for (const auto& t : p.targets) {
        const int r = m_targets->rowCount();
        m_targets->insertRow(r);
        const QStringList cells = {t.scheme, t.host, t.path, t.headers.join(QStringLiteral("; ")), t.cookies,
                                   QString::number(t.share), t.method};
        for (int c = 0; c < cells.size(); ++c) m_targets->setItem(r, c, new QTableWidgetItem(cells[c]));
    }
    m_targets->blockSignals(false);
    m_requests->setValue(p.requests);
    m_duration->setValue(p.durationSec);
    m_rate->setValue(p.rate);
    m_concurrency->setValue(p.concurrency);
    m_expected = p.expectedShares;
    m_mixEdited = false;
    updateCurl();
}

void TrafficPanel::setLoad(int requests, int durationSec, double rate, int concurrency) {
    m_requests->setValue(requests);
    m_duration->setValue(durationSec);
    m_rate->setValue(rate);
    m_concurrency->setValue(concurrency);
    updateCurl();
}

QVector<TrafficPreset::Target> TrafficPanel::targetsFromTable() const {
    QVector<TrafficPreset::Target> out;
    for (int r = 0; r < m_targets->rowCount(); ++r) {
        auto text = [&](int c) { return m_targets->item(r, c) ? m_targets->item(r, c)->text().trimmed() : QString(); };
        TrafficPreset::Target t;
        t.scheme = text(0).toLower() == QLatin1String("https") ? QStringLiteral("https") : QStringLiteral("http");
        t.host = text(1);
        t.path = text(2).isEmpty() ? QStringLiteral("/") : text(2);
        if (!t.path.startsWith(QLatin1Char('/'))) t.path.prepend(QLatin1Char('/'));
        for (const auto& h : text(3).split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (h.contains(QLatin1Char(':'))) t.headers << h.trimmed();
        t.cookies = text(4);
        bool ok = false;
        t.share = text(5).toDouble(&ok);
        if (!ok || t.share <= 0) t.share = 1;
        const QString method = text(6).toUpper();
        // A token (RFC 9110): anything else would be sent as typed and make curl write a broken request line.
        if (!method.isEmpty() && !method.contains(QRegularExpression(QStringLiteral("[^A-Z0-9!#$%&'*+.^_`|~-]"))))
            t.method = method;
        if (!t.host.isEmpty()) out << t;
    }
    return out;
}

loadgen::LoadConfig TrafficPanel::config() const {
    loadgen::LoadConfig c;
    for (const auto& t : targetsFromTable()) {
        const int port = t.scheme == QLatin1String("https") ? m_httpsPort : m_httpPort;
        loadgen::RequestTarget rt;
        rt.url = QStringLiteral("%1://%2:%3%4").arg(t.scheme, t.host).arg(port).arg(t.path).toStdString();
        rt.method = t.method.toStdString();
        for (const auto& h : t.headers) rt.headers.push_back(h.toStdString());
        for (const auto& kv : t.cookies.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
            const int eq = kv.indexOf(QLatin1Char('='));
            if (eq > 0) rt.cookies.emplace_back(kv.left(eq).trimmed().toStdString(), kv.mid(eq + 1).trimmed().toStdString());
        }
        rt.share = t.share;
        c.targets.push_back(rt);
        const std::string resolve = QStringLiteral("%1:%2:127.0.0.1").arg(t.host).arg(port).toStdString();
        if (std::find(c.resolve.begin(), c.resolve.end(), resolve) == c.resolve.end()) c.resolve.push_back(resolve);
    }
    c.requests = std::uint64_t(m_requests->value());
    c.duration = std::chrono::milliseconds(qint64(m_duration->value()) * 1000);
    c.rate = m_rate->value();
    c.concurrency = m_concurrency->value();
    c.tlsVerify = loadgen::TlsVerify::Insecure;  // the lab's certificates are self-signed
    c.recordLimit = 0;                           // the lab shows aggregates; the access log has every line
    c.progressInterval = std::chrono::milliseconds(200);
    return c;
}

QString TrafficPanel::curlCommand() const {
    const auto targets = targetsFromTable();
    if (targets.isEmpty()) return {};
    const auto& t = targets.first();
    const int port = t.scheme == QLatin1String("https") ? m_httpsPort : m_httpPort;
    const int shownPort = port > 0 ? port : (t.scheme == QLatin1String("https") ? 8443 : 8080);
    QStringList args = {QStringLiteral("curl"), QStringLiteral("-s")};
    if (t.scheme == QLatin1String("https")) args << QStringLiteral("-k");
    if (t.method != QLatin1String("GET")) args << QStringLiteral("-X") << t.method;
    if (t.method == QLatin1String("OPTIONS")) args << QStringLiteral("-i");  // the answer is in its headers
    args << QStringLiteral("--resolve") << QStringLiteral("%1:%2:127.0.0.1").arg(t.host).arg(shownPort);
    for (const auto& h : t.headers) args << QStringLiteral("-H") << shellQuote(h);
    if (!t.cookies.isEmpty()) args << QStringLiteral("--cookie") << shellQuote(t.cookies);
    args << shellQuote(QStringLiteral("%1://%2:%3%4").arg(t.scheme, t.host).arg(shownPort).arg(t.path));
    const QString one = args.join(QLatin1Char(' '));
    const int n = m_requests->value();
    if (n > 1 && n <= 10000)
        return QStringLiteral("for i in $(seq %1); do %2; echo; done | sort | uniq -c").arg(n).arg(one);
    return one;
}

// What each request row got (the TLS, host and CORS presets are about that): its answers by status, backend and
// Access-Control-Allow-Origin, and the certificates its handshakes were served. Only for a mix of several rows,
// or when there is a certificate or a CORS header to show.
QStringList TrafficPanel::rowLines() const {
    const bool interesting = m_runTargets.size() > 1 || !m_lastCertificates.empty() ||
                             std::any_of(m_lastAnswers.cbegin(), m_lastAnswers.cend(),
                                         [](const loadgen::TargetAnswer& a) { return a.hasAllowOrigin; });
    if (!interesting) return {};
    QStringList lines;
    for (int i = 0; i < m_runTargets.size(); ++i) {
        const auto& t = m_runTargets[i];
        QString what = QStringLiteral("%1%2://%3%4").arg(t.method == QLatin1String("GET") ? QString() : t.method + QLatin1Char(' '),
                                                         t.scheme, t.host, t.path);
        for (const auto& h : t.headers)
            if (h.startsWith(QLatin1String("Origin:"), Qt::CaseInsensitive)) what += QStringLiteral(" (%1)").arg(h);
        QStringList answers;
        for (const auto& a : m_lastAnswers) {
            if (a.target != i) continue;
            QString text = a.status == 0 ? tr("no answer") : QString::number(a.status);
            if (!a.backend.empty()) text += QLatin1Char(' ') + QString::fromStdString(a.backend);
            else if (a.status >= 400) text += tr(" (the controller)");
            text += QStringLiteral(" ×%L1").arg(a.count);
            if (a.hasAllowOrigin) text += tr(", Access-Control-Allow-Origin: %1").arg(QString::fromStdString(a.allowOrigin));
            else if (t.headers.filter(QRegularExpression(QStringLiteral("^Origin:"), QRegularExpression::CaseInsensitiveOption)).size())
                text += tr(", no CORS headers");
            answers << text;
        }
        for (const auto& c : m_lastCertificates) {
            if (c.target != i) continue;
            QString cert = tr("certificate %1").arg(QString::fromStdString(c.subject));
            if (!c.subjectAltName.empty()) cert += QStringLiteral(" [%1]").arg(QString::fromStdString(c.subjectAltName));
            answers << cert;
        }
        lines << tr("Row %1 · %2 — %3").arg(i + 1).arg(what, answers.isEmpty() ? tr("nothing sent") : answers.join(QStringLiteral("; ")));
    }
    return lines;
}

void TrafficPanel::updateCurl() { m_curl->setText(m_remoteSelected && m_destination ? remoteCurlCommand() : curlCommand()); }

bool TrafficPanel::isRunning() const { return m_generator && !m_generator->isFinished(); }

void TrafficPanel::setProxyPorts(int httpPort, int httpsPort) {
    m_httpPort = httpPort;
    m_httpsPort = httpsPort;
    m_start->setEnabled(canStart() && !isRunning());
    m_start->setToolTip(canStart() ? QString() : tr("Start the controller first (F5)."));
    if (httpPort <= 0 && isRunning() && !m_remoteRun) stopTraffic();  // a run to the cluster does not need the lab
    updateCurl();
}

void TrafficPanel::startTraffic() {
    if (isRunning() || !canStart()) return;
    auto cfg = config();
    m_remoteRun = false;
    m_runLabel.clear();
    m_seriesNext = 0;
    if (m_destination && !cfg.targets.empty()) {
        TrafficDestination d = m_destination(cfg);
        if (!d.error.isEmpty()) {
            Q_EMIT message(tr("Cannot send traffic: %1").arg(d.error));
            return;
        }
        cfg = d.config;
        m_remoteRun = d.remote;
        m_runLabel = d.label;
    }
    if (!m_remoteRun && m_httpPort <= 0) return;
    if (cfg.targets.empty()) {
        Q_EMIT message(tr("The request mix is empty: add a host and a path."));
        return;
    }
    m_generator = m_makeGenerator ? m_makeGenerator(cfg) : nullptr;
    if (!m_generator) {
        Q_EMIT message(tr("Cannot send traffic: this window was given no traffic generator."));
        return;
    }
    Q_EMIT trafficAboutToStart();
    QPointer<TrafficPanel> self(this);
    auto started = m_generator->start([self] {
        QMetaObject::invokeMethod(
            qApp, [self] { if (self) self->onFinished(); }, Qt::QueuedConnection);
    });
    if (!started) {
        Q_EMIT message(tr("Cannot send traffic: %1").arg(QString::fromStdString(started.error().message)));
        m_generator.reset();
        return;
    }
    m_start->setEnabled(false);
    m_stop->setEnabled(true);
    m_progress->setRange(0, cfg.requests ? int(std::min<std::uint64_t>(cfg.requests, INT_MAX)) : 0);
    m_progress->setValue(0);
    m_status->setText(m_remoteRun ? tr("Sending to %1…").arg(m_runLabel) : tr("Sending…"));
    m_summary.clear();
    m_runTargets = targetsFromTable();
    m_pollTimer->start();
    Q_EMIT trafficStarted();
}

void TrafficPanel::stopTraffic() {
    if (m_generator) m_generator->stop();
}

void TrafficPanel::poll() {
    // progress() takes the generator's mutex, which its worker holds while publishing; the worker runs at a lower
    // priority than the GUI (thread_priority.h) and can be preempted holding it (gui_stall_bench saw an 88 ms
    // wait here). So a pool thread reads it and posts the copy back; the GUI thread never waits.
    if (!m_generator || m_pollInFlight) return;
    m_pollInFlight = true;
    auto generator = m_generator;
    QPointer<TrafficPanel> self(this);
    const size_t seriesFrom = m_remoteRun ? m_seriesNext : SIZE_MAX;  // the charts need the series of remote runs
    QThreadPool::globalInstance()->start([generator, self, seriesFrom] {
        auto progress = std::make_shared<loadgen::Progress>(generator->progress(seriesFrom));
        QMetaObject::invokeMethod(
            qApp,
            [self, generator, progress] {
                if (!self) return;
                self->m_pollInFlight = false;
                if (self->m_generator == generator) self->showProgress(*progress);
            },
            Qt::QueuedConnection);
    });
}

void TrafficPanel::showProgress(const loadgen::Progress& p) {
    if (m_remoteRun) reportClientProgress(p);
    if (p.planned) m_progress->setValue(int(std::min<std::uint64_t>(p.completed, INT_MAX)));
    else if (p.durationSeconds > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000 * std::min(1.0, p.elapsedSeconds / p.durationSeconds)));
    }
    QStringList parts;
    for (const auto& b : p.backends) {
        if (b.name.empty() || loadgen::isNginxErrorPage(b.name)) continue;  // a redirect, a CORS 204: no backend
        parts << QStringLiteral("%1 %2").arg(QString::fromStdString(b.name)).arg(b.count);
    }
    for (const auto& e : p.errorResponseGroups)
        parts << QStringLiteral("%1 ×%2")
                     .arg(QString::fromStdString(loadgen::errorGroupLabel(e.status, e.reason, {}, false)))
                     .arg(e.count);
    m_live->setText(tr("%L1 done, %L2 errors, %3 s — %4")
                          .arg(p.completed).arg(p.errors + p.errorResponses).arg(p.elapsedSeconds, 0, 'f', 1)
                          .arg(parts.join(QStringLiteral(", "))));
}

void TrafficPanel::onFinished() {
    if (!m_generator) return;
    m_pollTimer->stop();
    showProgress(m_generator->progress(m_remoteRun ? m_seriesNext : SIZE_MAX));  // over: nobody holds the lock long
    // The run is over, whatever the last snapshot said: a full bar (a duration-bound run's last poll is a little
    // short of its end, and a stopped run is finished too).
    m_progress->setRange(0, 1000);
    m_progress->setValue(1000);
    const auto results = m_generator->takeResults();
    m_lastRunPods.clear();
    for (const auto& pc : results.pods()) m_lastRunPods[QString::fromStdString(pc.pod)] += pc.count;
    QStringList lines;
    // Errors are both kinds: requests without an answer and the controller's own error answers (Service not
    // found, no endpoints, upstream timeout, ...), which reached no backend (issue 15 item 4).
    const quint64 errors = results.errors() + results.errorResponses();
    lines << tr("%L1 responses, %L2 errors in %3 s (%4 req/s)")
                 .arg(results.responses()).arg(errors).arg(results.elapsedSeconds(), 0, 'f', 2)
                 .arg(results.requestsPerSecond(), 0, 'f', 0);
    for (const auto& e : results.errorResponseGroups()) {
        QString line = tr("Error: %1 ×%L2").arg(QString::fromStdString(loadgen::errorGroupLabel(e.status, e.reason, {}, false)))
                           .arg(e.count);
        if (!e.detail.empty()) line += QStringLiteral(" (%1)").arg(QString::fromStdString(e.detail));
        lines << line;
    }
    for (const auto& m : results.errorMessages())
        lines << tr("Error: %1 ×%L2 (%3)").arg(QString::fromStdString(std::string(loadgen::errorKindName(m.kind))))
                     .arg(m.count).arg(QString::fromStdString(m.message));
    if (results.responses() > 0 && results.backendResponses() == 0)
        lines << tr("No request reached a backend.");
    for (const auto& b : results.backends()) {
        // The controller's own non-error answers (a 308 redirect page, a CORS preflight's empty 204) are no
        // backend: they show in the statuses and per request row.
        if (b.name.empty() || loadgen::isNginxErrorPage(b.name)) continue;
        const QString name = QString::fromStdString(b.name);
        if (m_expected.contains(name)) {
            const auto check = results.checkShare({b.name, m_expected.value(name)});
            lines << QStringLiteral("%1: %2 — %3").arg(name).arg(b.count).arg(QString::fromStdString(check.verdict));
        } else {
            lines << QStringLiteral("%1: %2").arg(name).arg(b.count);
        }
    }
    QStringList statuses;
    for (const auto& [status, count] : results.statuses()) statuses << QStringLiteral("%1×%2").arg(count).arg(status);
    if (!statuses.isEmpty()) lines << tr("Statuses: %1").arg(statuses.join(QStringLiteral(", ")));
    m_lastAnswers = results.targetAnswers();
    m_lastCertificates = results.certificates();
    lines << rowLines();
    if (m_remoteRun) lines.prepend(tr("Cluster traffic: sent to %1 (client side: status and the backend each response names)").arg(m_runLabel));
    m_summary = lines.join(QLatin1Char('\n'));
    m_status->setText(m_summary);
    m_start->setEnabled(canStart());
    m_stop->setEnabled(false);
    m_generator.reset();
    Q_EMIT trafficFinished(m_summary);
}

// Where runs go (issue 13 item 2).
void TrafficPanel::setDestination(QWidget* choiceRow, DestinationFn destination) {
    m_destination = std::move(destination);
    if (choiceRow) {
        auto* box = qobject_cast<QVBoxLayout*>(layout());
        if (box) box->insertWidget(1, choiceRow);  // under the preset row, above Send traffic
    }
}

void TrafficPanel::setRemoteDestinationSelected(bool remote) {
    m_remoteSelected = remote;
    setProxyPorts(m_httpPort, m_httpsPort);
}

// The cluster target's equivalent curl: the real URL (default port) and --connect-to to its controller.
QString TrafficPanel::remoteCurlCommand() const {
    const auto targets = targetsFromTable();
    if (targets.isEmpty()) return {};
    const TrafficDestination d = m_destination(config());
    if (!d.error.isEmpty() || d.config.targets.empty()) return d.error;
    const auto& t = targets.first();
    QStringList args = {QStringLiteral("curl"), QStringLiteral("-s")};
    if (t.scheme == QLatin1String("https")) args << QStringLiteral("-k");
    for (const auto& c : d.config.connectTo) args << QStringLiteral("--connect-to") << QString::fromStdString(c);
    for (const auto& h : t.headers) args << QStringLiteral("-H") << shellQuote(h);
    if (!t.cookies.isEmpty()) args << QStringLiteral("--cookie") << shellQuote(t.cookies);
    args << shellQuote(QString::fromStdString(d.config.targets.front().url));
    return args.join(QLatin1Char(' '));
}

bool TrafficPanel::canStart() const { return m_httpPort > 0 || m_remoteSelected; }

void TrafficPanel::reportClientProgress(const loadgen::Progress& p) {
    size_t closed = 0;
    while (closed < p.series.size() && p.series[closed].closed) ++closed;
    Q_EMIT clientProgressed(p);
    if (m_seriesNext != SIZE_MAX) m_seriesNext += closed;
}

}  // namespace ilab::ui
