#include "ui/lab/explainer_panel.h"

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
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QThreadPool>
#include <QUrl>
#include <QVBoxLayout>

#include "core/routing/decision_text.h"
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
        rv.headers.emplace_back(h.left(colon).trimmed().toStdString(), h.mid(colon + 1).trimmed().toStdString());
    }
    if (!req.cookies.trimmed().isEmpty()) rv.headers.emplace_back("Cookie", req.cookies.trimmed().toStdString());
    rv.clientIp = req.clientIp.isEmpty() ? "127.0.0.1" : req.clientIp.toStdString();
    return rv;
}

QString actionText(const routing::Decision& d) { return QString::fromStdString(routing::describeAction(d)); }

}  // namespace

QVector<ExplainResult> ExplainerPanel::explainNow(const model::Workspace& ws, const ExplainRequest& request) {
    QVector<ExplainResult> out;
    const routing::RequestView rv = toRequestView(request);
    for (auto profile : {routing::Profile::IngressNginx, routing::Profile::Kubernetes}) {
        routing::ControllerSettings settings;
        settings.profile = profile;
        const auto compiled = routing::RouteTable::compile(ws, settings);
        const routing::Decision d = compiled.table->route(rv, request.randomValue, true);
        ExplainResult r;
        r.profile = QString::fromLatin1(routing::toString(profile));
        r.summary = actionText(d);
        if (!d.ingress.empty()) r.summary += QObject::tr(" — Ingress %1").arg(QString::fromStdString(d.ingress));
        for (const auto& t : d.trace) r.trace << QString::fromStdString(t);
        r.otherProfileDiffers = QString::fromStdString(d.otherProfileDiffers);
        r.ingress = QString::fromStdString(d.ingress);
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
    m_cookies = new QLineEdit(this);
    m_cookies->setPlaceholderText(tr("name=value; other=value"));
    m_clientIp = new QLineEdit(QStringLiteral("127.0.0.1"), this);
    m_random = new QSpinBox(this);
    m_random->setRange(0, 999999);
    m_random->setToolTip(tr("The random value that decides weighted choices (canary weight: value % 100)."));
    auto* reroll = new QPushButton(tr("Roll"), this);
    m_explain = new QPushButton(tr("Explain"), this);
    m_explain->setDefault(true);

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
}

void ExplainerPanel::setWorkspace(const model::Workspace& ws) { m_ws = ws.clone(); }

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
    QThreadPool::globalInstance()->start([ws, req, generation, self] {
        auto results = explainNow(*ws, req);
        QMetaObject::invokeMethod(
            self.data(),
            [self, results, generation, req] {
                if (!self || generation != self->m_generation) return;
                self->m_explain->setEnabled(true);
                Q_EMIT self->explained(results);
                if (!results.isEmpty()) self->revealMatchedRule(results.first(), req);
            },
            Qt::QueuedConnection);
    });
}

void ExplainerPanel::show(const QVector<ExplainResult>& results) {
    auto html = [](const ExplainResult& r, bool differs) {
        QString s = QStringLiteral("<h3>%1%2</h3><p><b>%3</b></p><ol>")
                        .arg(r.profile.toHtmlEscaped(), differs ? QStringLiteral(" ⚠") : QString(),
                             r.summary.toHtmlEscaped());
        for (const auto& t : r.trace) s += QStringLiteral("<li>%1</li>").arg(t.toHtmlEscaped());
        s += QStringLiteral("</ol>");
        return s;
    };
    if (results.size() < 2) return;
    const bool differ = results[0].summary != results[1].summary || !results[0].otherProfileDiffers.isEmpty();
    m_left->setHtml(html(results[0], differ));
    m_right->setHtml(html(results[1], differ));
    const QString diffText = !results[0].otherProfileDiffers.isEmpty() ? results[0].otherProfileDiffers
                                                                      : results[1].otherProfileDiffers;
    if (differ) {
        m_differs->setText(tr("The two profiles decide differently: %1")
                               .arg(diffText.isEmpty() ? results[1].summary : diffText));
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
