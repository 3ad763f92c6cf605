#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <regex>

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/annotations/registry.h"
#include "core/tls/certificate.h"
#include "ui/document/templates.h"
#include "ui/forms/form_support.h"
#include "ui/forms/object_forms.h"
#include "ui/models/workspace_tree_model.h"

namespace ilab::ui {

using namespace forms;
using yamltext::ScalarStyle;

namespace {
const char* const CANARY = "nginx.ingress.kubernetes.io/canary";
const char* const CANARY_WEIGHT = "nginx.ingress.kubernetes.io/canary-weight";
const char* const CANARY_TOTAL = "nginx.ingress.kubernetes.io/canary-weight-total";
const char* const CANARY_HEADER = "nginx.ingress.kubernetes.io/canary-by-header";
const char* const CANARY_HEADER_VALUE = "nginx.ingress.kubernetes.io/canary-by-header-value";
const char* const CANARY_COOKIE = "nginx.ingress.kubernetes.io/canary-by-cookie";

std::string idx(const char* prefix, int i) { return std::string(prefix) + "[" + std::to_string(i) + "]"; }

QString backendLabel(const model::IngressBackend& b) {
    if (b.service) {
        const auto& p = b.service->port;
        return QStringLiteral("%1:%2").arg(qs(b.service->name), p.number ? QString::number(*p.number) : qs(p.name.value_or("?")));
    }
    if (b.resource) return QStringLiteral("%1/%2").arg(qs(b.resource->kind), qs(b.resource->name));
    return QObject::tr("(none)");
}

// "a: 90%\nb: 10%" or "a: 90, b: 10"
std::vector<std::pair<QString, double>> parseWeights(const std::string& value) {
    std::vector<std::pair<QString, double>> out;
    static const std::regex item(R"(([A-Za-z0-9.\-]+)\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*%?)");
    for (auto it = std::sregex_iterator(value.begin(), value.end(), item); it != std::sregex_iterator(); ++it)
        out.emplace_back(qs((*it)[1].str()), std::stod((*it)[2].str()));
    return out;
}
}  // namespace

// ---- ObjectForm -------------------------------------------------------------------------------------

ObjectForm::ObjectForm(WorkspaceDocument* doc, QWidget* parent) : QWidget(parent), m_doc(doc) {}

void ObjectForm::showObject(int resourceIndex, int rule, int path) {
    m_index = resourceIndex;
    m_rule = rule;
    m_path = path;
    refresh();
}

bool ObjectForm::set(const std::string& field, const QString& value, ScalarStyle style) {
    return m_doc->setScalar(m_index, field, value, style);
}

QStringList ObjectForm::serviceNames() const {
    QStringList out;
    const model::Resource* r = res();
    for (const auto* s : m_doc->workspace().all<model::Service>())
        if (!r || s->meta.ns == r->meta.ns) out << qs(s->meta.name);
    return out;
}

QStringList ObjectForm::servicePorts(const QString& service) const {
    QStringList out;
    const model::Resource* r = res();
    const model::Service* s = m_doc->workspace().service(r ? r->meta.ns : "default", ss(service));
    if (!s) return out;
    for (const auto& p : s->ports)
        out << (p.name.empty() ? QString::number(p.port) : QStringLiteral("%1 (%2)").arg(p.port).arg(qs(p.name)));
    return out;
}

void ObjectForm::addMetadataRows(QFormLayout* rows, QWidget* box, bool namespaced) {
    m_name = new QLineEdit(box);
    m_name->setObjectName(QStringLiteral("name"));
    rows->addRow(tr("Name"), m_name);
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString& t) { set("metadata.name", t); });
    if (!namespaced) return;
    m_ns = new QLineEdit(box);
    m_ns->setObjectName(QStringLiteral("namespace"));
    m_ns->setPlaceholderText(QStringLiteral("default"));
    rows->addRow(tr("Namespace"), m_ns);
    connect(m_ns, &QLineEdit::textEdited, this,
            [this](const QString& t) { set("metadata.namespace", t.isEmpty() ? QStringLiteral("default") : t); });
}

int ObjectForm::portNumberOf(const QString& portItem) {
    bool ok = false;
    const int n = portItem.section(QLatin1Char(' '), 0, 0).toInt(&ok);
    return ok ? n : 0;
}

// ---- PathEditor -------------------------------------------------------------------------------------

PathEditor::PathEditor(ObjectForm* form, WorkspaceDocument* doc, QWidget* parent) : QWidget(parent), m_doc(doc), m_form(form) {
    auto* lay = new QFormLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    m_pathEdit = new QLineEdit(this);
    m_pathEdit->setObjectName(QStringLiteral("path"));
    m_pathEdit->setPlaceholderText(QStringLiteral("/api"));
    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("pathType"));
    m_type->addItems({QStringLiteral("Prefix"), QStringLiteral("Exact"), QStringLiteral("ImplementationSpecific")});
    m_explain = hintLabel(QString(), this);
    m_explain->setObjectName(QStringLiteral("pathTypeExplanation"));
    m_service = new QComboBox(this);
    m_service->setObjectName(QStringLiteral("service"));
    m_port = new QComboBox(this);
    m_port->setObjectName(QStringLiteral("port"));
    auto* backendRow = new QHBoxLayout;
    backendRow->addWidget(m_service, 3);
    backendRow->addWidget(new QLabel(tr("port"), this));
    backendRow->addWidget(m_port, 2);
    auto* remove = iconButton(QStringLiteral("delete"), tr("Remove this path"), this);
    remove->setObjectName(QStringLiteral("removePath"));
    backendRow->addWidget(remove);
    lay->addRow(tr("Path"), m_pathEdit);
    lay->addRow(tr("Path type"), m_type);
    lay->addRow(QString(), m_explain);
    lay->addRow(tr("Backend"), backendRow);

    connect(m_pathEdit, &QLineEdit::textEdited, this, [this](const QString& t) {
        m_doc->setScalar(m_index, base() + ".path", t);
        m_explain->setText(pathTypeExplanation(t, m_type->currentText()));
    });
    connect(m_type, &QComboBox::activated, this, [this](int) {
        m_doc->setScalar(m_index, base() + ".pathType", m_type->currentText());
    });
    connect(m_service, &QComboBox::activated, this, [this](int) {
        const QString svc = m_service->currentText();
        const model::Resource* r = m_doc->resource(m_index);
        const model::Service* s = m_doc->workspace().service(r ? r->meta.ns : "default", ss(svc));
        int port = ObjectForm::portNumberOf(m_port->currentText());
        if (s && !s->ports.empty() && !s->findPort(port)) port = s->ports.front().port;
        writeBackend(svc, port);
    });
    connect(m_port, &QComboBox::activated, this, [this](int) { writeBackend(m_service->currentText(), ObjectForm::portNumberOf(m_port->currentText())); });
    connect(remove, &QToolButton::clicked, this, [this] {
        const int idxRes = m_index, rule = m_rule;
        m_doc->editResource(m_index, [&](YAML::Node& n) { return yamltext::removeAt(n, base()); }, tr("Remove path"));
        Q_EMIT m_form->selectRequested(idxRes, rule, -1);
    });
}

std::string PathEditor::base() const {
    return "spec.rules[" + std::to_string(m_rule) + "].http.paths[" + std::to_string(m_path) + "]";
}

void PathEditor::writeBackend(const QString& service, int port) {
    if (service.isEmpty()) return;
    m_doc->editResource(m_index, [&](YAML::Node& n) {
        YAML::Node svc(YAML::NodeType::Map);
        svc["name"] = ss(service);
        if (port > 0) svc["port"]["number"] = port;
        YAML::Node backend(YAML::NodeType::Map);
        backend["service"] = svc;
        return yamltext::setAt(n, base() + ".backend", backend);
    }, tr("Set backend %1:%2").arg(service).arg(port));
}

void PathEditor::load(int resourceIndex, int rule, int path, const QStringList& services) {
    m_index = resourceIndex;
    m_rule = rule;
    m_path = path;
    const model::Resource* r = m_doc->resource(m_index);
    const auto* ing = r ? r->as<model::Ingress>() : nullptr;
    if (!ing || rule < 0 || rule >= static_cast<int>(ing->spec.rules.size()) || !ing->spec.rules[static_cast<std::size_t>(rule)].http) return;
    const auto& paths = ing->spec.rules[static_cast<std::size_t>(rule)].http->paths;
    if (path < 0 || path >= static_cast<int>(paths.size())) return;
    const auto& p = paths[static_cast<std::size_t>(path)];
    setTextIdle(m_pathEdit, qs(p.path.value_or("")));
    const QString type = qs(p.pathType.value_or(""));
    setComboIdle(m_type, {QStringLiteral("Prefix"), QStringLiteral("Exact"), QStringLiteral("ImplementationSpecific")}, type);
    m_explain->setText(pathTypeExplanation(qs(p.path.value_or("")), type));
    const QString svc = p.backend.service ? qs(p.backend.service->name) : QString();
    setComboIdle(m_service, services, svc);
    QStringList ports;
    const model::Service* s = m_doc->workspace().service(r->meta.ns, ss(svc));
    if (s)
        for (const auto& sp : s->ports) ports << (sp.name.empty() ? QString::number(sp.port) : QStringLiteral("%1 (%2)").arg(sp.port).arg(qs(sp.name)));
    QString current;
    if (p.backend.service) {
        const auto& bp = p.backend.service->port;
        if (bp.number) {
            for (const QString& item : ports)
                if (ObjectForm::portNumberOf(item) == *bp.number) current = item;
            if (current.isEmpty()) current = QString::number(*bp.number);
        } else if (bp.name) {
            current = qs(*bp.name);
        }
    }
    setComboIdle(m_port, ports, current);
    m_service->setToolTip(s ? tr("Service %1 in %2").arg(svc, qs(r->meta.ns)) : tr("Service %1 does not exist").arg(svc));
}

// ---- IngressForm ------------------------------------------------------------------------------------

IngressForm::IngressForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    auto* meta = section(tr("Ingress"), this);
    auto* ml = new QFormLayout(meta);
    addMetadataRows(ml, meta);
    m_class = new QComboBox(meta);
    m_class->setObjectName(QStringLiteral("ingressClassName"));
    m_class->setEditable(true);
    ml->addRow(tr("Ingress class"), m_class);
    m_defService = new QComboBox(meta);
    m_defService->setObjectName(QStringLiteral("defaultBackendService"));
    m_defPort = new QComboBox(meta);
    m_defPort->setObjectName(QStringLiteral("defaultBackendPort"));
    auto* defRow = new QHBoxLayout;
    defRow->addWidget(m_defService, 3);
    defRow->addWidget(new QLabel(tr("port"), meta));
    defRow->addWidget(m_defPort, 2);
    ml->addRow(tr("Default backend"), defRow);
    outer->addWidget(meta);

    connect(m_class->lineEdit(), &QLineEdit::textEdited, this, [this](const QString& t) { set("spec.ingressClassName", t); });
    connect(m_class, &QComboBox::activated, this, [this](int) { set("spec.ingressClassName", m_class->currentText()); });
    auto writeDefault = [this] {
        const QString svc = m_defService->currentText();
        const int port = ObjectForm::portNumberOf(m_defPort->currentText());
        m_doc->editResource(m_index, [&](YAML::Node& n) {
            if (svc.isEmpty()) return yamltext::removeAt(n, "spec.defaultBackend") || true;
            YAML::Node b(YAML::NodeType::Map);
            b["service"]["name"] = ss(svc);
            const QStringList ports = servicePorts(svc);
            const int p = port > 0 ? port : (ports.isEmpty() ? 80 : ObjectForm::portNumberOf(ports.front()));
            b["service"]["port"]["number"] = p;
            return yamltext::setAt(n, "spec.defaultBackend", b);
        }, tr("Set default backend"));
    };
    connect(m_defService, &QComboBox::activated, this, writeDefault);
    connect(m_defPort, &QComboBox::activated, this, writeDefault);

    // routing overview
    auto* routes = section(tr("Rules and paths"), this);
    auto* rl = new QVBoxLayout(routes);
    m_routes = new QTreeWidget(routes);
    m_routes->setObjectName(QStringLiteral("routes"));
    m_routes->setHeaderLabels({tr("Host"), tr("Path"), tr("Type"), tr("Backend")});
    m_routes->setRootIsDecorated(false);
    m_routes->setUniformRowHeights(true);
    m_routes->setMinimumHeight(110);
    m_routes->header()->setStretchLastSection(true);
    connect(m_routes, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* it, int) {
        Q_EMIT selectRequested(m_index, it->data(0, Qt::UserRole).toInt(), it->data(1, Qt::UserRole).toInt());
    });
    connect(m_routes, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* it, int) {
        Q_EMIT selectRequested(m_index, it->data(0, Qt::UserRole).toInt(), it->data(1, Qt::UserRole).toInt());
    });
    rl->addWidget(m_routes);
    auto* addRule = new QPushButton(themedIcon(QStringLiteral("add")), tr("Add rule"), routes);
    addRule->setObjectName(QStringLiteral("addRule"));
    connect(addRule, &QPushButton::clicked, this, &IngressForm::addRule);
    auto* rb = new QHBoxLayout;
    rb->addWidget(addRule);
    rb->addStretch();
    rl->addLayout(rb);
    outer->addWidget(routes);

    // TLS
    auto* tls = section(tr("TLS"), this);
    auto* tl = new QVBoxLayout(tls);
    m_tlsBox = new QVBoxLayout;
    tl->addLayout(m_tlsBox);
    auto* addTlsBtn = new QPushButton(themedIcon(QStringLiteral("secret")), tr("Add TLS"), tls);
    addTlsBtn->setObjectName(QStringLiteral("addTls"));
    connect(addTlsBtn, &QPushButton::clicked, this, &IngressForm::addTls);
    auto* tb = new QHBoxLayout;
    tb->addWidget(addTlsBtn);
    tb->addStretch();
    tl->addLayout(tb);
    outer->addWidget(tls);

    // traffic split
    m_weights = section(tr("Canary traffic split"), this);
    auto* wl = new QFormLayout(m_weights);
    m_canarySlider = new QSlider(Qt::Horizontal, m_weights);
    m_canarySlider->setObjectName(QStringLiteral("canaryWeight"));
    m_canarySlider->setRange(0, 100);
    m_canaryLabel = new QLabel(m_weights);
    wl->addRow(tr("Weight"), m_canarySlider);
    wl->addRow(QString(), m_canaryLabel);
    m_canaryHeader = new QLineEdit(m_weights);
    m_canaryHeader->setPlaceholderText(QStringLiteral("X-Canary"));
    m_canaryHeaderValue = new QLineEdit(m_weights);
    m_canaryHeaderValue->setPlaceholderText(tr("always / never / a value"));
    m_canaryCookie = new QLineEdit(m_weights);
    m_canaryCookie->setPlaceholderText(QStringLiteral("canary"));
    wl->addRow(tr("By header"), m_canaryHeader);
    wl->addRow(tr("Header value"), m_canaryHeaderValue);
    wl->addRow(tr("By cookie"), m_canaryCookie);
    wl->addRow(QString(), hintLabel(tr("Order: header, then cookie, then weight. The primary Ingress gets the rest of the traffic."), m_weights));
    outer->addWidget(m_weights);
    // written on release while dragging (one undo step), at once for keyboard and clicks
    connect(m_canarySlider, &QSlider::valueChanged, this, [this](int v) {
        const model::Resource* r = res();
        const int total = r ? std::max(100, std::atoi(r->meta.annotation(CANARY_TOTAL, "100").c_str())) : 100;
        m_canaryLabel->setText(tr("canary %1 %  ·  primary %2 %").arg(100.0 * v / total, 0, 'f', 1).arg(100.0 * (total - v) / total, 0, 'f', 1));
        if (!m_canarySlider->isSliderDown()) set(std::string("metadata.annotations[") + CANARY_WEIGHT + "]", QString::number(v));
    });
    connect(m_canarySlider, &QSlider::sliderReleased, this, [this] {
        set(std::string("metadata.annotations[") + CANARY_WEIGHT + "]", QString::number(m_canarySlider->value()));
    });
    auto bindAnn = [this](QLineEdit* e, const char* key) {
        connect(e, &QLineEdit::textEdited, this, [this, key](const QString& t) {
            const std::string field = std::string("metadata.annotations[") + key + "]";
            if (t.isEmpty()) m_doc->editResource(m_index, [&](YAML::Node& n) { return yamltext::removeAt(n, field) || true; }, tr("Remove %1").arg(QLatin1String(key)));
            else set(field, t);
        });
    };
    bindAnn(m_canaryHeader, CANARY_HEADER);
    bindAnn(m_canaryHeaderValue, CANARY_HEADER_VALUE);
    bindAnn(m_canaryCookie, CANARY_COOKIE);

    m_serviceWeights = section(tr("Service weights"), this);
    auto* swl = new QVBoxLayout(m_serviceWeights);
    m_serviceWeightsBox = new QVBoxLayout;
    swl->addLayout(m_serviceWeightsBox);
    swl->addWidget(hintLabel(tr("Shares always sum to 100 %. ingress-nginx ignores this Traefik annotation: use the quick fix "
                                "in Problems to turn it into a canary Ingress."), m_serviceWeights));
    outer->addWidget(m_serviceWeights);

    // annotations
    auto* ann = section(tr("Annotations"), this);
    auto* al = new QVBoxLayout(ann);
    m_annotations = new QTableWidget(0, 3, ann);
    m_annotations->setObjectName(QStringLiteral("annotations"));
    m_annotations->setHorizontalHeaderLabels({tr("Key"), tr("Value"), QString()});
    m_annotations->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_annotations->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_annotations->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_annotations->verticalHeader()->hide();
    m_annotations->setMinimumHeight(120);
    al->addWidget(m_annotations);
    auto* addRow = new QHBoxLayout;
    auto* newKey = new QLineEdit(ann);
    newKey->setObjectName(QStringLiteral("newAnnotationKey"));
    newKey->setPlaceholderText(tr("Add annotation… (type to complete, e.g. ssl-redirect)"));
    QStringList keys;
    for (const auto& spec : annotations::allSpecs()) keys << qs(spec.fullKey());
    auto* completer = new QCompleter(keys, newKey);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    newKey->setCompleter(completer);
    addRow->addWidget(newKey);
    al->addLayout(addRow);
    connect(newKey, &QLineEdit::returnPressed, this, [this, newKey] {
        QString key = newKey->text().trimmed();
        if (key.isEmpty()) return;
        if (!key.contains(QLatin1Char('/')) && annotations::findSpec(ss(key))) key = QLatin1String(annotations::NGINX_PREFIX.data()) + key;
        QString value;
        const std::string shortKey = ss(key).substr(std::min(ss(key).size(), annotations::NGINX_PREFIX.size()));
        if (const auto* spec = annotations::findSpec(shortKey)) {
            value = qs(std::string(spec->defaultText));
            if (value.isEmpty() && spec->type == annotations::ValueType::Bool) value = QStringLiteral("true");
        }
        set("metadata.annotations[" + ss(key) + "]", value);
        newKey->clear();
    });
    outer->addWidget(ann);
    outer->addStretch();
}

void IngressForm::refresh() {
    const model::Resource* r = res();
    const auto* ing = r ? r->as<model::Ingress>() : nullptr;
    if (!ing) return;
    setTextIdle(m_name, qs(r->meta.name));
    setTextIdle(m_ns, r->meta.isNamespaceSet ? qs(r->meta.ns) : QString());
    QStringList classes;
    for (const auto* c : m_doc->workspace().all<model::IngressClass>()) classes << qs(c->meta.name);
    setComboIdle(m_class, classes, qs(ing->spec.ingressClassName.value_or("")));
    const QStringList services = QStringList{QString()} + serviceNames();
    QString defSvc, defPort;
    if (ing->spec.defaultBackend && ing->spec.defaultBackend->service) {
        defSvc = qs(ing->spec.defaultBackend->service->name);
        if (ing->spec.defaultBackend->service->port.number) defPort = QString::number(*ing->spec.defaultBackend->service->port.number);
    }
    setComboIdle(m_defService, services, defSvc);
    QStringList ports = servicePorts(defSvc);
    for (const QString& p : ports)
        if (ObjectForm::portNumberOf(p) == defPort.toInt()) defPort = p;
    setComboIdle(m_defPort, ports, defPort);

    m_routes->clear();
    for (std::size_t ri = 0; ri < ing->spec.rules.size(); ++ri) {
        const auto& rule = ing->spec.rules[ri];
        const QString host = rule.host && !rule.host->empty() ? qs(*rule.host) : tr("* (any host)");
        if (!rule.http || rule.http->paths.empty()) {
            auto* it = new QTreeWidgetItem(m_routes, {host, QString(), QString(), QString()});
            it->setData(0, Qt::UserRole, static_cast<int>(ri));
            it->setData(1, Qt::UserRole, -1);
            continue;
        }
        for (std::size_t pi = 0; pi < rule.http->paths.size(); ++pi) {
            const auto& p = rule.http->paths[pi];
            auto* it = new QTreeWidgetItem(m_routes, {host, qs(p.path.value_or("")), qs(p.pathType.value_or("—")), backendLabel(p.backend)});
            it->setData(0, Qt::UserRole, static_cast<int>(ri));
            it->setData(1, Qt::UserRole, static_cast<int>(pi));
        }
    }
    for (int c = 0; c < 3; ++c) m_routes->resizeColumnToContents(c);
    rebuildTls(*ing);
    rebuildAnnotations(r->meta);
    refreshWeights(r->meta);
}

void IngressForm::addRule() {
    const model::Resource* r = res();
    if (!r) return;
    const auto* ing = r->as<model::Ingress>();
    const int newRule = static_cast<int>(ing->spec.rules.size());
    const QStringList services = serviceNames();
    m_doc->editResource(m_index, [&](YAML::Node& n) {
        YAML::Node rule(YAML::NodeType::Map);
        rule["host"] = newRule == 0 ? "example.com" : "host" + std::to_string(newRule + 1) + ".example.com";
        YAML::Node path(YAML::NodeType::Map);
        path["path"] = "/";
        path["pathType"] = "Prefix";
        if (!services.isEmpty()) {
            path["backend"]["service"]["name"] = ss(services.front());
            const QStringList ports = servicePorts(services.front());
            path["backend"]["service"]["port"]["number"] = ports.isEmpty() ? 80 : ObjectForm::portNumberOf(ports.front());
        } else {
            path["backend"]["service"]["name"] = "web";
            path["backend"]["service"]["port"]["number"] = 80;
        }
        rule["http"]["paths"].push_back(path);
        return yamltext::setAt(n, idx("spec.rules", newRule), rule);
    }, tr("Add rule"));
    Q_EMIT selectRequested(m_index, newRule, -1);
}

void IngressForm::addTls() {
    const model::Resource* r = res();
    if (!r) return;
    const auto* ing = r->as<model::Ingress>();
    std::vector<std::string> hosts;
    for (const auto& rule : ing->spec.rules)
        if (rule.host && !rule.host->empty()) hosts.push_back(*rule.host);
    const int n = static_cast<int>(ing->spec.tls.size());
    const std::string secretName = r->meta.name + "-tls";
    m_doc->editResource(m_index, [&](YAML::Node& node) {
        YAML::Node entry(YAML::NodeType::Map);
        YAML::Node hs(YAML::NodeType::Sequence);
        for (const auto& h : hosts) hs.push_back(h);
        entry["hosts"] = hs;
        entry["secretName"] = secretName;
        return yamltext::setAt(node, idx("spec.tls", n), entry);
    }, tr("Add TLS"));
}

void IngressForm::rebuildTls(const model::Ingress& ing) {
    // rows are rebuilt only when the number of entries changes (keeps focus while typing)
    if (m_tlsRows.size() != ing.spec.tls.size()) {
        for (QWidget* w : m_tlsRows) w->deleteLater();
        m_tlsRows.clear();
        for (std::size_t i = 0; i < ing.spec.tls.size(); ++i) {
            auto* row = new QWidget(this);
            row->setObjectName(QStringLiteral("tls%1").arg(i));
            auto* fl = new QFormLayout(row);
            fl->setContentsMargins(0, 0, 0, 6);
            auto* hosts = new QLineEdit(row);
            hosts->setObjectName(QStringLiteral("tlsHosts"));
            hosts->setPlaceholderText(tr("host names, comma separated"));
            auto* secret = new QComboBox(row);
            secret->setObjectName(QStringLiteral("tlsSecret"));
            secret->setEditable(true);
            auto* create = new QPushButton(themedIcon(QStringLiteral("certificate")), tr("Create…"), row);
            create->setObjectName(QStringLiteral("tlsCreateSecret"));
            auto* remove = iconButton(QStringLiteral("delete"), tr("Remove this TLS entry"), row);
            auto* status = new QLabel(row);
            status->setObjectName(QStringLiteral("tlsStatus"));
            status->setWordWrap(true);
            auto* sr = new QHBoxLayout;
            sr->addWidget(secret, 1);
            sr->addWidget(create);
            sr->addWidget(remove);
            fl->addRow(tr("Hosts"), hosts);
            fl->addRow(tr("Secret"), sr);
            fl->addRow(QString(), status);
            const int entry = static_cast<int>(i);
            connect(hosts, &QLineEdit::textEdited, this, [this, entry](const QString& t) {
                std::vector<std::string> list;
                for (const QString& h : t.split(QLatin1Char(','), Qt::SkipEmptyParts))
                    if (!h.trimmed().isEmpty()) list.push_back(ss(h.trimmed()));
                m_doc->editResource(m_index, [&](YAML::Node& n) {
                    YAML::Node hs(YAML::NodeType::Sequence);
                    for (const auto& h : list) hs.push_back(h);
                    return yamltext::setAt(n, idx("spec.tls", entry) + ".hosts", hs);
                }, tr("Set TLS hosts"));
            });
            connect(secret->lineEdit(), &QLineEdit::textEdited, this, [this, entry](const QString& t) { set(idx("spec.tls", entry) + ".secretName", t); });
            connect(secret, &QComboBox::activated, this, [this, entry, secret](int) { set(idx("spec.tls", entry) + ".secretName", secret->currentText()); });
            connect(create, &QPushButton::clicked, this, [this, entry] {
                const model::Resource* r = res();
                const auto* ing = r ? r->as<model::Ingress>() : nullptr;
                if (!ing || entry >= static_cast<int>(ing->spec.tls.size())) return;
                const auto& t = ing->spec.tls[static_cast<std::size_t>(entry)];
                QStringList hs;
                for (const auto& h : t.hosts) hs << qs(h);
                if (hs.isEmpty())
                    for (const auto& h : templates::hostsOf(*ing)) hs << qs(h);
                Q_EMIT createTlsSecretRequested(qs(r->meta.ns), qs(t.secretName.value_or(r->meta.name + "-tls")), hs);
            });
            connect(remove, &QToolButton::clicked, this, [this, entry] {
                m_doc->editResource(m_index, [&](YAML::Node& n) {
                    yamltext::removeAt(n, idx("spec.tls", entry));
                    if (n["spec"]["tls"].IsSequence() && n["spec"]["tls"].size() == 0) n["spec"].remove("tls");
                    return true;
                }, tr("Remove TLS entry"));
            });
            m_tlsBox->addWidget(row);
            m_tlsRows.push_back(row);
        }
    }
    QStringList secrets;
    const model::Resource* r = res();
    for (const auto* s : m_doc->workspace().all<model::Secret>())
        if (s->isTls() && s->meta.ns == r->meta.ns) secrets << qs(s->meta.name);
    for (std::size_t i = 0; i < ing.spec.tls.size(); ++i) {
        const auto& t = ing.spec.tls[i];
        QWidget* row = m_tlsRows[i];
        QStringList hs;
        for (const auto& h : t.hosts) hs << qs(h);
        setTextIdle(row->findChild<QLineEdit*>(QStringLiteral("tlsHosts")), hs.join(QStringLiteral(", ")));
        setComboIdle(row->findChild<QComboBox*>(QStringLiteral("tlsSecret")), secrets, qs(t.secretName.value_or("")));
        auto* status = row->findChild<QLabel*>(QStringLiteral("tlsStatus"));
        auto* create = row->findChild<QPushButton*>(QStringLiteral("tlsCreateSecret"));
        const model::Secret* s = t.secretName ? m_doc->workspace().secret(r->meta.ns, *t.secretName) : nullptr;
        QString text;
        bool good = false;
        if (!t.secretName || t.secretName->empty()) {
            text = tr("No secretName: the controller serves its default (fake) certificate.");
        } else if (!s) {
            text = tr("Secret %1 does not exist — Create… generates a self-signed one.").arg(qs(*t.secretName));
        } else if (auto info = tls::inspectCertificate(s->tlsCert(), s->tlsKey()); !info) {
            text = tr("Secret %1 holds no usable certificate: %2").arg(qs(*t.secretName), qs(info.message()));
        } else {
            QStringList uncovered;
            for (const auto& h : t.hosts)
                if (!tls::certificateCovers(*info, h)) uncovered << qs(h);
            const std::int64_t now = std::time(nullptr);
            if (!uncovered.isEmpty()) text = tr("Certificate does not cover: %1").arg(uncovered.join(QStringLiteral(", ")));
            else if (info->isExpiredAt(now)) text = tr("Certificate expired.");
            else if (info->keyMatches == std::optional<bool>(false)) text = tr("Private key does not match the certificate.");
            else {
                good = true;
                const qint64 days = (info->notAfter - now) / 86400;
                text = tr("✓ %1 — covers all hosts, valid %2 more days").arg(qs(info->commonName)).arg(days);
            }
        }
        create->setText(s ? tr("Regenerate…") : tr("Create…"));
        status->setText(text);
        status->setStyleSheet(good ? QStringLiteral("color: #16a34a;") : QStringLiteral("color: #d97706;"));
    }
}

void IngressForm::rebuildAnnotations(const model::ObjectMeta& meta) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : meta.annotations) keys.push_back(k);
    const bool rebuild = keys != m_annotationKeys;
    m_annotationKeys = keys;
    if (rebuild) {
        m_annotations->setRowCount(0);
        m_annotations->setRowCount(static_cast<int>(keys.size()));
    }
    int row = 0;
    for (const auto& [k, v] : meta.annotations) {
        const std::string field = "metadata.annotations[" + k + "]";
        const std::string shortKey = k.rfind(annotations::NGINX_PREFIX, 0) == 0 ? k.substr(annotations::NGINX_PREFIX.size()) : std::string();
        const annotations::AnnotationSpec* spec = shortKey.empty() ? nullptr : annotations::findSpec(shortKey);
        if (rebuild) {
            auto* keyItem = new QTableWidgetItem(qs(k));
            keyItem->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
            keyItem->setToolTip(spec ? qs(std::string(spec->doc)) + (spec->simulated ? QString() : tr("\n(not simulated by Ingress Lab)"))
                                     : tr("Not an annotation ingress-nginx knows"));
            m_annotations->setItem(row, 0, keyItem);
            QWidget* editor = nullptr;
            const auto type = spec ? spec->type : annotations::ValueType::String;
            if (type == annotations::ValueType::Bool) {
                auto* c = new QComboBox;
                c->addItems({QStringLiteral("true"), QStringLiteral("false")});
                connect(c, &QComboBox::activated, this, [this, field, c](int) { set(field, c->currentText()); });
                editor = c;
            } else if (type == annotations::ValueType::Enum) {
                auto* c = new QComboBox;
                c->addItems(qs(std::string(spec->allowed)).split(QLatin1Char('|')));
                connect(c, &QComboBox::activated, this, [this, field, c](int) { set(field, c->currentText()); });
                editor = c;
            } else if (type == annotations::ValueType::Int || type == annotations::ValueType::Seconds) {
                auto* s = new QSpinBox;
                s->setRange(-1, 1000000);
                connect(s, &QSpinBox::valueChanged, this, [this, field, s](int v) {
                    if (!s->signalsBlocked()) set(field, QString::number(v));
                });
                editor = s;
            } else {
                auto* e = new QLineEdit;
                e->setFrame(false);
                connect(e, &QLineEdit::textEdited, this, [this, field](const QString& t) { set(field, t); });
                editor = e;
            }
            editor->setObjectName(QStringLiteral("annotationValue"));
            m_annotations->setCellWidget(row, 1, editor);
            auto* remove = iconButton(QStringLiteral("delete"), tr("Remove annotation"), m_annotations);
            connect(remove, &QToolButton::clicked, this, [this, field] {
                m_doc->editResource(m_index, [&](YAML::Node& n) {
                    yamltext::removeAt(n, field);
                    if (n["metadata"]["annotations"].IsMap() && n["metadata"]["annotations"].size() == 0) n["metadata"].remove("annotations");
                    return true;
                }, tr("Remove annotation"));
            });
            m_annotations->setCellWidget(row, 2, remove);
        }
        QWidget* editor = m_annotations->cellWidget(row, 1);
        if (auto* c = qobject_cast<QComboBox*>(editor)) {
            QStringList items;
            for (int i = 0; i < c->count(); ++i) items << c->itemText(i);
            setComboIdle(c, items, qs(v));
        } else if (auto* s = qobject_cast<QSpinBox*>(editor)) {
            setSpinIdle(s, std::atoi(v.c_str()));
        } else if (auto* e = qobject_cast<QLineEdit*>(editor)) {
            setTextIdle(e, qs(v));
        }
        ++row;
    }
}

void IngressForm::refreshWeights(const model::ObjectMeta& meta) {
    const bool canary = meta.annotation(CANARY) == "true";
    m_weights->setVisible(canary);
    if (canary) {
        const int total = std::max(100, std::atoi(meta.annotation(CANARY_TOTAL, "100").c_str()));
        {
            QSignalBlocker b(m_canarySlider);
            m_canarySlider->setRange(0, total);
            if (!m_canarySlider->isSliderDown()) m_canarySlider->setValue(std::atoi(meta.annotation(CANARY_WEIGHT, "0").c_str()));
        }
        const int v = m_canarySlider->value();
        m_canaryLabel->setText(tr("canary %1 %  ·  primary %2 %").arg(100.0 * v / total, 0, 'f', 1).arg(100.0 * (total - v) / total, 0, 'f', 1));
        setTextIdle(m_canaryHeader, qs(meta.annotation(CANARY_HEADER)));
        setTextIdle(m_canaryHeaderValue, qs(meta.annotation(CANARY_HEADER_VALUE)));
        setTextIdle(m_canaryCookie, qs(meta.annotation(CANARY_COOKIE)));
    }
    m_weightsKey.clear();
    std::string value;
    for (const char* k : {"nginx.ingress.kubernetes.io/service-weights", "traefik.ingress.kubernetes.io/service-weights"})
        if (meta.hasAnnotation(k)) {
            m_weightsKey = QLatin1String(k);
            value = meta.annotation(k);
        }
    m_serviceWeights->setVisible(!m_weightsKey.isEmpty());
    if (m_weightsKey.isEmpty()) return;
    auto weights = parseWeights(value);
    bool same = weights.size() == m_weightSliders.size();
    for (std::size_t i = 0; same && i < weights.size(); ++i) same = weights[i].first == m_weightSliders[i].first;
    if (!same) {
        QLayoutItem* item;
        while ((item = m_serviceWeightsBox->takeAt(0))) {
            if (item->widget()) item->widget()->deleteLater();
            delete item;
        }
        m_weightSliders.clear();
        for (const auto& [svc, w] : weights) {
            auto* row = new QWidget(m_serviceWeights);
            auto* hl = new QHBoxLayout(row);
            hl->setContentsMargins(0, 0, 0, 0);
            auto* label = new QLabel(svc, row);
            label->setMinimumWidth(120);
            auto* slider = new QSlider(Qt::Horizontal, row);
            slider->setObjectName(QStringLiteral("weight:") + svc);
            slider->setRange(0, 100);
            auto* pct = new QLabel(row);
            pct->setObjectName(QStringLiteral("pct"));
            pct->setMinimumWidth(48);
            hl->addWidget(label);
            hl->addWidget(slider, 1);
            hl->addWidget(pct);
            m_serviceWeightsBox->addWidget(row);
            m_weightSliders.emplace_back(svc, slider);
            const std::size_t me = m_weightSliders.size() - 1;
            connect(slider, &QSlider::valueChanged, this, [this, me](int v) {
                if (m_weightSliders[me].second->signalsBlocked()) return;
                // keep the sum at 100: the others share the rest in their current proportions
                const int rest = 100 - v;
                int othersSum = 0;
                for (std::size_t i = 0; i < m_weightSliders.size(); ++i)
                    if (i != me) othersSum += m_weightSliders[i].second->value();
                std::vector<int> values(m_weightSliders.size());
                int assigned = 0;
                std::size_t lastOther = me;
                for (std::size_t i = 0; i < m_weightSliders.size(); ++i) {
                    if (i == me) { values[i] = v; continue; }
                    const int cur = m_weightSliders[i].second->value();
                    const int others = static_cast<int>(m_weightSliders.size()) - 1;
                    values[i] = othersSum > 0 ? static_cast<int>(std::floor(double(cur) * rest / othersSum)) : rest / std::max(1, others);
                    assigned += values[i];
                    lastOther = i;
                }
                if (lastOther != me) values[lastOther] += rest - assigned;  // rounding remainder
                QString text;
                for (std::size_t i = 0; i < m_weightSliders.size(); ++i) {
                    QSignalBlocker b(m_weightSliders[i].second);
                    m_weightSliders[i].second->setValue(values[i]);
                    m_weightSliders[i].second->parentWidget()->findChild<QLabel*>(QStringLiteral("pct"))->setText(QStringLiteral("%1 %").arg(values[i]));
                    text += QStringLiteral("%1: %2%\n").arg(m_weightSliders[i].first).arg(values[i]);
                }
                text.chop(1);
                set("metadata.annotations[" + ss(m_weightsKey) + "]", text);
            });
        }
    }
    for (std::size_t i = 0; i < weights.size(); ++i) {
        QSlider* s = m_weightSliders[i].second;
        if (s->isSliderDown()) continue;
        QSignalBlocker b(s);
        s->setValue(static_cast<int>(std::lround(weights[i].second)));
        s->parentWidget()->findChild<QLabel*>(QStringLiteral("pct"))->setText(QStringLiteral("%1 %").arg(weights[i].second));
    }
}

// ---- RuleForm / PathForm ----------------------------------------------------------------------------

RuleForm::RuleForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    m_title = titleLabel(this);
    outer->addWidget(m_title);
    auto* hostBox = section(tr("Rule"), this);
    auto* hl = new QFormLayout(hostBox);
    m_host = new QLineEdit(hostBox);
    m_host->setObjectName(QStringLiteral("host"));
    m_host->setPlaceholderText(tr("empty = any host (e.g. shop.example.com, *.example.com)"));
    hl->addRow(tr("Host"), m_host);
    hl->addRow(QString(), hintLabel(tr("Requests whose Host header matches go to the paths below. A wildcard matches exactly one label."), hostBox));
    outer->addWidget(hostBox);
    connect(m_host, &QLineEdit::textEdited, this, [this](const QString& t) {
        const std::string field = "spec.rules[" + std::to_string(m_rule) + "].host";
        if (t.isEmpty()) m_doc->editResource(m_index, [&](YAML::Node& n) { return yamltext::removeAt(n, field) || true; }, tr("Any host"));
        else set(field, t);
    });
    auto* pathsBox = section(tr("Paths"), this);
    auto* pl = new QVBoxLayout(pathsBox);
    m_paths = new QVBoxLayout;
    pl->addLayout(m_paths);
    auto* buttons = new QHBoxLayout;
    auto* addPath = new QPushButton(themedIcon(QStringLiteral("add")), tr("Add path"), pathsBox);
    addPath->setObjectName(QStringLiteral("addPath"));
    auto* removeRule = new QPushButton(themedIcon(QStringLiteral("delete")), tr("Remove rule"), pathsBox);
    removeRule->setObjectName(QStringLiteral("removeRule"));
    buttons->addWidget(addPath);
    buttons->addStretch();
    buttons->addWidget(removeRule);
    pl->addLayout(buttons);
    outer->addWidget(pathsBox);
    outer->addStretch();
    connect(addPath, &QPushButton::clicked, this, [this] {
        const model::Resource* r = res();
        const auto* ing = r ? r->as<model::Ingress>() : nullptr;
        if (!ing || m_rule >= static_cast<int>(ing->spec.rules.size())) return;
        const auto& rule = ing->spec.rules[static_cast<std::size_t>(m_rule)];
        const int n = rule.http ? static_cast<int>(rule.http->paths.size()) : 0;
        const QStringList services = serviceNames();
        m_doc->editResource(m_index, [&](YAML::Node& node) {
            YAML::Node p(YAML::NodeType::Map);
            p["path"] = n == 0 ? "/" : "/path" + std::to_string(n + 1);
            p["pathType"] = "Prefix";
            const QString svc = services.isEmpty() ? QStringLiteral("web") : services.front();
            p["backend"]["service"]["name"] = ss(svc);
            const QStringList ports = servicePorts(svc);
            p["backend"]["service"]["port"]["number"] = ports.isEmpty() ? 80 : ObjectForm::portNumberOf(ports.front());
            return yamltext::setAt(node, "spec.rules[" + std::to_string(m_rule) + "].http.paths[" + std::to_string(n) + "]", p);
        }, tr("Add path"));
    });
    connect(removeRule, &QPushButton::clicked, this, [this] {
        const int resIdx = m_index;
        m_doc->editResource(m_index, [&](YAML::Node& n) { return yamltext::removeAt(n, "spec.rules[" + std::to_string(m_rule) + "]"); },
                            tr("Remove rule"));
        Q_EMIT selectRequested(resIdx, -1, -1);
    });
}

void RuleForm::refresh() {
    const model::Resource* r = res();
    const auto* ing = r ? r->as<model::Ingress>() : nullptr;
    if (!ing || m_rule < 0 || m_rule >= static_cast<int>(ing->spec.rules.size())) return;
    const auto& rule = ing->spec.rules[static_cast<std::size_t>(m_rule)];
    m_title->setText(tr("Ingress %1 › rule %2").arg(qs(r->meta.name)).arg(m_rule + 1));
    setTextIdle(m_host, qs(rule.host.value_or("")));
    const int n = rule.http ? static_cast<int>(rule.http->paths.size()) : 0;
    if (static_cast<int>(m_editors.size()) != n) {
        QLayoutItem* item;
        while ((item = m_paths->takeAt(0))) {
            if (item->widget()) item->widget()->deleteLater();
            delete item;
        }
        m_editors.clear();
        for (int i = 0; i < n; ++i) {
            auto* box = new QGroupBox(tr("Path %1").arg(i + 1), this);
            auto* bl = new QVBoxLayout(box);
            auto* e = new PathEditor(this, m_doc, box);
            e->setObjectName(QStringLiteral("pathEditor%1").arg(i));
            bl->addWidget(e);
            m_paths->addWidget(box);
            m_editors.push_back(e);
        }
    }
    const QStringList services = serviceNames();
    for (int i = 0; i < n; ++i) m_editors[static_cast<std::size_t>(i)]->load(m_index, m_rule, i, services);
}

PathForm::PathForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    m_title = titleLabel(this);
    outer->addWidget(m_title);
    auto* box = section(tr("Path"), this);
    auto* bl = new QVBoxLayout(box);
    m_editor = new PathEditor(this, doc, box);
    m_editor->setObjectName(QStringLiteral("pathEditor"));
    bl->addWidget(m_editor);
    outer->addWidget(box);
    outer->addStretch();
}

void PathForm::refresh() {
    const model::Resource* r = res();
    const auto* ing = r ? r->as<model::Ingress>() : nullptr;
    if (!ing || m_rule < 0 || m_rule >= static_cast<int>(ing->spec.rules.size())) return;
    const auto& rule = ing->spec.rules[static_cast<std::size_t>(m_rule)];
    m_title->setText(tr("Ingress %1 › %2 › path %3").arg(qs(r->meta.name), rule.host ? qs(*rule.host) : tr("any host")).arg(m_path + 1));
    m_editor->load(m_index, m_rule, m_path, serviceNames());
}

}  // namespace ilab::ui
