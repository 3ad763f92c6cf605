#include "ui/lab/explainer_panel.h"

#include <cmath>

#include <QComboBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSet>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QThreadPool>
#include <QUrl>
#include <QVBoxLayout>

#include "core/routing/decision_text.h"
#include "core/gateway/gateway_reader.h"
#include "core/routing/route_table.h"

namespace ilab::ui {

namespace {

routing::RequestView toRequestView(const ExplainRequest& req) {
    routing::RequestView rv;
    const QUrl url = QUrl::fromUserInput(req.url.trimmed());
    rv.method = req.method.isEmpty() ? "GET" : req.method.toUpper().toStdString();
    rv.scheme = url.scheme() == QLatin1String("https") ? "https" : "http";
    const int port = url.port(-1);
    rv.host = url.host().toStdString() + (port > 0 ? ":" + std::to_string(port) : std::string());
    QString target = url.path(QUrl::FullyEncoded);
    if (target.isEmpty()) target = QStringLiteral("/");
    if (url.hasQuery()) target += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
    rv.target = target.toStdString();
    rv.listenPort = port > 0 ? port : (rv.scheme == "https" ? 443 : 80);
    if (rv.scheme == "https" && !url.host().isEmpty()) rv.sni = url.host().toStdString();
    for (const auto& h : req.headers) {
        const int colon = h.indexOf(QLatin1Char(':'));
        if (colon <= 0) continue;
        const QString name = h.left(colon).trimmed(), value = h.mid(colon + 1).trimmed();
        // A Content-Length line stands for a body of that size (proxy-body-size, 413): no body needs typing.
        bool isNumber = false;
        const qulonglong length = value.toULongLong(&isNumber);
        if (name.compare(QLatin1String("Content-Length"), Qt::CaseInsensitive) == 0 && isNumber) rv.contentLength = length;
        rv.headers.emplace_back(name.toStdString(), value.toStdString());
    }
    if (!req.cookies.trimmed().isEmpty()) rv.headers.emplace_back("Cookie", req.cookies.trimmed().toStdString());
    rv.clientIp = req.clientIp.isEmpty() ? "127.0.0.1" : req.clientIp.toStdString();
    return rv;
}

QString actionText(const routing::Decision& d) { return QString::fromStdString(routing::describeAction(d)); }

// Ingress vs HTTPRoute: the same answer, or the same backends in the same shares (within 5 points; one random
// value maps to different backends when the profiles order weighted backends differently).
bool sameOutcome(const ExplainResult& a, const ExplainResult& b) {
    if (a.shares.isEmpty() || b.shares.isEmpty()) return a.action == b.action;
    QSet<QString> keys;
    for (auto it = a.shares.begin(); it != a.shares.end(); ++it) keys.insert(it.key());
    for (auto it = b.shares.begin(); it != b.shares.end(); ++it) keys.insert(it.key());
    for (const QString& k : keys)
        if (std::abs(a.shares.value(k) - b.shares.value(k)) > 0.05) return false;
    return true;
}

QString sharesText(const QMap<QString, double>& shares) {
    QStringList parts;
    for (auto it = shares.begin(); it != shares.end(); ++it) parts << QStringLiteral("%1 %2 %").arg(it.key()).arg(qRound(it.value() * 100));
    return parts.join(QStringLiteral(", "));
}

QString profileTitle(const QString& profile) {
    return profile == QLatin1String("gateway") ? QObject::tr("Gateway API") : profile;
}

}  // namespace

QVector<ExplainResult> ExplainerPanel::explainNow(const model::Workspace& ws, const ExplainRequest& request, routing::Profile right) {
    QVector<ExplainResult> out;
    const routing::RequestView rv = toRequestView(request);
    for (auto profile : {routing::Profile::IngressNginx, right}) {
        routing::ControllerSettings settings;
        settings.profile = profile;
        // ingress-nginx vs kubernetes: each table also compiles the other to say where they differ; the gateway
        // profile has no such partner (the two columns say it)
        settings.compileOtherProfile = right != routing::Profile::Gateway;
        const auto compiled = routing::RouteTable::compile(ws, settings);
        const routing::Decision d = compiled.table->route(rv, request.randomValue, true);
        ExplainResult r;
        r.profile = QString::fromLatin1(routing::toString(profile));
        r.objectKind = profile == routing::Profile::Gateway ? QStringLiteral("HTTPRoute") : QStringLiteral("Ingress");
        r.action = actionText(d);
        r.summary = r.action;
        if (!d.ingress.empty()) r.summary += QStringLiteral(" — %1 %2").arg(r.objectKind, QString::fromStdString(d.ingress));
        for (const auto& t : d.trace) r.trace << QString::fromStdString(t);
        r.otherProfileDiffers = QString::fromStdString(d.otherProfileDiffers);
        r.ingress = QString::fromStdString(d.ingress);
        if (d.contactsBackend()) {
            routing::Decision x;
            for (int i = 0; i < SHARE_SAMPLES; ++i) {
                // spread over the residues of any weight total (100, 1000, a sum of backendRef weights)
                compiled.table->routeInto(rv, request.randomValue + std::uint64_t(i) * 7919u, false, x);
                if (x.contactsBackend() && x.backend)
                    r.shares[QString::fromStdString(x.backend->ns + "/" + x.backend->service + ":" + x.backend->port)] += 1.0 / SHARE_SAMPLES;
            }
        }
        r.service = d.backend ? QString::fromStdString(d.backend->service) : QString();
        r.status = d.status;
        out << r;
    }
    return out;
}

ExplainerPanel::ExplainerPanel(QWidget* parent) : QWidget(parent) {
    m_method = new QComboBox(this);
    m_method->setEditable(true);
    m_method->addItems({"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"});
    m_url = new QLineEdit(QStringLiteral("http://api.example.com/version"), this);
    m_headers = new QPlainTextEdit(this);
    m_headers->setPlaceholderText(tr("One header per line, e.g.\nX-Canary: always"));
    m_headers->setMaximumHeight(70);
    m_headers->setToolTip(tr("One header per line. Content-Length: N stands for a request body of N bytes (checked "
                             "against proxy-body-size)."));
    m_cookies = new QLineEdit(this);
    m_cookies->setPlaceholderText(tr("name=value; other=value"));
    m_clientIp = new QLineEdit(QStringLiteral("127.0.0.1"), this);
    m_random = new QSpinBox(this);
    m_random->setRange(0, 999999);
    m_random->setToolTip(tr("The random value that decides weighted choices (canary weight: value % 100)."));
    auto* reroll = new QPushButton(tr("Roll"), this);
    m_explain = new QPushButton(tr("Explain"), this);
    m_explain->setDefault(true);
    m_profile = new QComboBox(this);
    m_profile->setObjectName(QStringLiteral("explainerProfile"));
    m_profile->addItem(tr("kubernetes (the Ingress API spec)"), int(routing::Profile::Kubernetes));
    m_profile->addItem(tr("Gateway API (the workspace's Gateways and HTTPRoutes)"), int(routing::Profile::Gateway));
    m_profile->setToolTip(tr("The profile of the right column; the left one is always ingress-nginx."));

    auto* urlRow = new QHBoxLayout;
    urlRow->addWidget(m_method);
    urlRow->addWidget(m_url, 1);
    auto* randomRow = new QHBoxLayout;
    randomRow->addWidget(m_random);
    randomRow->addWidget(reroll);
    randomRow->addStretch(1);
    randomRow->addWidget(m_explain);
    auto* form = new QFormLayout;
    form->addRow(tr("Request"), urlRow);
    form->addRow(tr("Headers"), m_headers);
    form->addRow(tr("Cookies"), m_cookies);
    form->addRow(tr("Client IP"), m_clientIp);
    form->addRow(tr("Random value"), randomRow);
    form->addRow(tr("Compare with"), m_profile);
    m_profileLabel = qobject_cast<QLabel*>(form->labelForField(m_profile));

    m_differs = new QLabel(this);
    m_differs->setWordWrap(true);
    m_differs->hide();
    m_left = new QTextBrowser(this);
    m_right = new QTextBrowser(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_left);
    split->addWidget(m_right);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_differs);
    layout->addWidget(split, 1);

    connect(m_explain, &QPushButton::clicked, this, &ExplainerPanel::explain);
    connect(m_url, &QLineEdit::returnPressed, this, &ExplainerPanel::explain);
    connect(reroll, &QPushButton::clicked, this, [this] {
        m_random->setValue(int(QRandomGenerator::global()->bounded(1000000)));
        explain();
    });
    connect(this, &ExplainerPanel::explained, this, &ExplainerPanel::show);
    connect(m_profile, &QComboBox::activated, this, [this](int i) {
        m_wanted = routing::Profile(m_profile->itemData(i).toInt());
        explain();
    });
    updateProfileChoice();
}

void ExplainerPanel::setWorkspace(const model::Workspace& ws) {
    m_ws = ws.clone();
    m_hasGatewayObjects = !gateway::read(m_ws).empty();
    updateProfileChoice();
}

void ExplainerPanel::setComparedProfile(routing::Profile right) {
    m_wanted = right == routing::Profile::Gateway ? right : routing::Profile::Kubernetes;
    updateProfileChoice();
}

void ExplainerPanel::setFixedComparedProfile(routing::Profile right) {
    m_profileFixed = true;
    setComparedProfile(right);
}

routing::Profile ExplainerPanel::comparedProfile() const {
    if (m_profileFixed) return m_wanted;
    return m_hasGatewayObjects ? m_wanted : routing::Profile::Kubernetes;
}

bool ExplainerPanel::isProfileChoiceOffered() const { return !m_profileFixed && m_hasGatewayObjects; }

void ExplainerPanel::updateProfileChoice() {
    const bool offered = isProfileChoiceOffered();
    m_profile->setVisible(offered);
    if (m_profileLabel) m_profileLabel->setVisible(offered);
    const int i = m_profile->findData(int(comparedProfile()));
    if (i >= 0) m_profile->setCurrentIndex(i);
}

void ExplainerPanel::setRequest(const ExplainRequest& r) {
    m_method->setCurrentText(r.method);
    m_url->setText(r.url);
    m_headers->setPlainText(r.headers.join(QLatin1Char('\n')));
    m_cookies->setText(r.cookies);
    m_clientIp->setText(r.clientIp);
    m_random->setValue(int(r.randomValue % 1000000));
}

ExplainRequest ExplainerPanel::request() const {
    ExplainRequest r;
    r.method = m_method->currentText().trimmed();
    r.url = m_url->text().trimmed();
    for (const auto& line : m_headers->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        if (!line.trimmed().isEmpty()) r.headers << line.trimmed();
    r.cookies = m_cookies->text();
    r.clientIp = m_clientIp->text().trimmed();
    r.randomValue = quint64(m_random->value());
    return r;
}

void ExplainerPanel::explain() {
    const ExplainRequest req = request();
    auto ws = std::make_shared<model::Workspace>(m_ws.clone());
    const int generation = ++m_generation;
    QPointer<ExplainerPanel> self(this);
    m_explain->setEnabled(false);
    const routing::Profile right = comparedProfile();
    QThreadPool::globalInstance()->start([ws, req, generation, self, right] {
        auto results = explainNow(*ws, req, right);
        QMetaObject::invokeMethod(
            self.data(),
            [self, results, generation, req] {
                if (!self || generation != self->m_generation) return;
                self->m_explain->setEnabled(true);
                Q_EMIT self->explained(results);
                for (const auto& r : results)  // the ingress-nginx column first; the other when it found nothing
                    if (!r.ingress.isEmpty()) {
                        self->revealMatchedRule(r, req);
                        break;
                    }
            },
            Qt::QueuedConnection);
    });
}

void ExplainerPanel::show(const QVector<ExplainResult>& results) {
    auto html = [](const ExplainResult& r, bool differs) {
        QString s = QStringLiteral("<h3>%1%2</h3><p><b>%3</b></p><ol>")
                        .arg(profileTitle(r.profile).toHtmlEscaped(), differs ? QStringLiteral(" ⚠") : QString(),
                             r.summary.toHtmlEscaped());
        for (const auto& t : r.trace) s += QStringLiteral("<li>%1</li>").arg(t.toHtmlEscaped());
        s += QStringLiteral("</ol>");
        if (r.shares.size() > 1)
            s += QStringLiteral("<p>%1</p>").arg(QObject::tr("Over %1 random values: %2").arg(SHARE_SAMPLES).arg(sharesText(r.shares)).toHtmlEscaped());
        return s;
    };
    if (results.size() < 2) return;
    // Ingress vs Ingress: the object counts too; Ingress vs HTTPRoute: only what the controller does
    const bool sameKind = results[0].objectKind == results[1].objectKind;
    const bool differ = (sameKind ? results[0].summary != results[1].summary : !sameOutcome(results[0], results[1])) ||
                        !results[0].otherProfileDiffers.isEmpty();
    m_left->setHtml(html(results[0], differ));
    m_right->setHtml(html(results[1], differ));
    const QString diffText = !results[0].otherProfileDiffers.isEmpty() ? results[0].otherProfileDiffers
                                                                      : results[1].otherProfileDiffers;
    if (differ) {
        m_differs->setText(tr("The two profiles decide differently: %1")
                               .arg(diffText.isEmpty() ? profileTitle(results[1].profile) + QStringLiteral(": ") + results[1].summary : diffText));
        m_differs->setStyleSheet(QStringLiteral("background:#fff3cd; padding:4px;"));
        m_differs->show();
    } else {
        m_differs->hide();
    }
}

void ExplainerPanel::revealMatchedRule(const ExplainResult& r, const ExplainRequest& req) {
    if (r.ingress.isEmpty()) return;
    const QString ns = r.ingress.section(QLatin1Char('/'), 0, 0);
    const QString name = r.ingress.section(QLatin1Char('/'), 1);
    if (r.objectKind == QLatin1String("HTTPRoute")) {
        Q_EMIT selectObjectRequested(r.objectKind, ns, name);
        const model::Resource* res = m_ws.find("HTTPRoute", ns.toStdString(), name.toStdString());
        if (!res) return;
        // the rule with a backendRef to the chosen Service; else the document
        // (a missing key of a const yaml-cpp node is an invalid node that throws on use: look before each step)
        const auto child = [](const YAML::Node& n, const char* key) { return n.IsMap() && n[key] ? n[key] : YAML::Node(); };
        std::string field;
        const YAML::Node rules = child(child(res->node, "spec"), "rules");
        for (std::size_t i = 0; rules.IsSequence() && i < rules.size() && field.empty(); ++i) {
            const YAML::Node refs = child(rules[i], "backendRefs");
            for (std::size_t j = 0; refs.IsSequence() && j < refs.size(); ++j)
                if (const YAML::Node name = child(refs[j], "name"); name.IsScalar() && QString::fromStdString(name.Scalar()) == r.service) {
                    field = "spec.rules[" + std::to_string(i) + "].backendRefs[" + std::to_string(j) + "]";
                    break;
                }
        }
        const SourcePos pos = field.empty() ? res->source.pos : res->source.find(field);
        Q_EMIT revealSourceRequested(QString::fromStdString(res->source.file), pos.line, pos.column);
        return;
    }
    Q_EMIT selectObjectRequested(QStringLiteral("Ingress"), ns, name);
    const model::Resource* res = m_ws.find("Ingress", ns.toStdString(), name.toStdString());
    if (!res) return;
    const auto* ing = res->as<model::Ingress>();
    // The rule whose host matches the request and whose backend is the chosen Service; else the document.
    std::string field;
    const std::string host = QUrl::fromUserInput(req.url).host().toStdString();
    if (ing) {
        for (std::size_t i = 0; i < ing->spec.rules.size() && field.empty(); ++i) {
            const auto& rule = ing->spec.rules[i];
            if (rule.host && *rule.host != host && !(rule.host->rfind("*.", 0) == 0)) continue;
            if (!rule.http) continue;
            for (std::size_t j = 0; j < rule.http->paths.size(); ++j) {
                const auto& p = rule.http->paths[j];
                if (p.backend.service && QString::fromStdString(p.backend.service->name) == r.service) {
                    field = "spec.rules[" + std::to_string(i) + "].http.paths[" + std::to_string(j) + "]";
                    break;
                }
            }
        }
    }
    const SourcePos pos = field.empty() ? res->source.pos : res->source.find(field);
    Q_EMIT revealSourceRequested(QString::fromStdString(res->source.file), pos.line, pos.column);
}

}  // namespace ilab::ui
