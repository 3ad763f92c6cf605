#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/dialogs/certificate_dialog.h"
#include "ui/document/templates.h"
#include "ui/forms/form_support.h"
#include "ui/forms/object_forms.h"
#include "ui/models/workspace_tree_model.h"

namespace ilab::ui {

using namespace forms;
using yamltext::ScalarStyle;

namespace {
QString mapText(const std::map<std::string, std::string>& m) {
    QStringList parts;
    for (const auto& [k, v] : m) parts << QStringLiteral("%1=%2").arg(qs(k), qs(v));
    return parts.join(QStringLiteral(", "));
}
YAML::Node mapNode(const QString& text) {
    YAML::Node n(YAML::NodeType::Map);
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString k = part.section(QLatin1Char('='), 0, 0).trimmed();
        const QString v = part.section(QLatin1Char('='), 1).trimmed();
        if (!k.isEmpty()) n[ss(k)] = yamltext::stringNode(ss(v));
    }
    return n;
}
// Simulated pod behaviour (pod template annotations read by the local controller's simulated pods).
const char* const BEHAVIOUR_KEYS[] = {"ingress-lab.dev/status",       "ingress-lab.dev/body",
                                      "ingress-lab.dev/content-type", "ingress-lab.dev/latency-ms",
                                      "ingress-lab.dev/failure-rate", "ingress-lab.dev/failure-status",
                                      "ingress-lab.dev/tls"};
}  // namespace

// ---- Service ----------------------------------------------------------------------------------------

ServiceForm::ServiceForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    auto* box = section(tr("Service"), this);
    auto* fl = new QFormLayout(box);
    addMetadataRows(fl, box);
    m_type = new QComboBox(box);
    m_type->setObjectName(QStringLiteral("type"));
    m_type->addItems({QStringLiteral("ClusterIP"), QStringLiteral("NodePort"), QStringLiteral("LoadBalancer"), QStringLiteral("ExternalName")});
    m_selector = new QLineEdit(box);
    m_selector->setObjectName(QStringLiteral("selector"));
    m_selector->setPlaceholderText(QStringLiteral("app=web"));
    fl->addRow(tr("Type"), m_type);
    fl->addRow(tr("Selector"), m_selector);
    m_endpoints = hintLabel(QString(), box);
    m_endpoints->setObjectName(QStringLiteral("endpoints"));
    fl->addRow(tr("Endpoints"), m_endpoints);
    m_createDeployment = new QPushButton(themedIcon(QStringLiteral("deployment")), tr("Create a Deployment for it"), box);
    m_createDeployment->setObjectName(QStringLiteral("createDeployment"));
    fl->addRow(QString(), m_createDeployment);
    outer->addWidget(box);
    auto* portsBox = section(tr("Ports"), this);
    auto* pl = new QVBoxLayout(portsBox);
    m_ports = new QTableWidget(0, 3, portsBox);
    m_ports->setObjectName(QStringLiteral("ports"));
    m_ports->setHorizontalHeaderLabels({tr("Name"), tr("Port"), tr("Target port")});
    m_ports->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_ports->verticalHeader()->hide();
    m_ports->setMinimumHeight(100);
    pl->addWidget(m_ports);
    auto* addPort = new QPushButton(themedIcon(QStringLiteral("add")), tr("Add port"), portsBox);
    addPort->setObjectName(QStringLiteral("addPort"));
    auto* hb = new QHBoxLayout;
    hb->addWidget(addPort);
    hb->addStretch();
    pl->addLayout(hb);
    outer->addWidget(portsBox);
    outer->addStretch();

    connect(m_type, &QComboBox::activated, this, [this](int) { set("spec.type", m_type->currentText()); });
    connect(m_selector, &QLineEdit::textEdited, this, [this](const QString& t) {
        m_doc->editResource(m_index, [&](YAML::Node& n) { return yamltext::setAt(n, "spec.selector", mapNode(t)); }, tr("Set selector"));
    });
    connect(m_ports, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* it) {
        if (m_ports->signalsBlocked()) return;
        static const char* const cols[] = {"name", "port", "targetPort"};
        const std::string field = "spec.ports[" + std::to_string(it->row()) + "]." + cols[it->column()];
        bool isInt = false;
        it->text().toInt(&isInt);
        set(field, it->text(), isInt && it->column() > 0 ? ScalarStyle::Raw : ScalarStyle::String);
    });
    connect(addPort, &QPushButton::clicked, this, [this] {
        const model::Resource* r = res();
        const auto* s = r ? r->as<model::Service>() : nullptr;
        if (!s) return;
        m_doc->editResource(m_index, [&](YAML::Node& n) {
            YAML::Node p(YAML::NodeType::Map);
            p["name"] = s->ports.empty() ? "http" : "port" + std::to_string(s->ports.size() + 1);
            p["port"] = s->ports.empty() ? 80 : 8000 + static_cast<int>(s->ports.size());
            p["targetPort"] = 8080;
            return yamltext::setAt(n, "spec.ports[" + std::to_string(s->ports.size()) + "]", p);
        }, tr("Add port"));
    });
    connect(m_createDeployment, &QPushButton::clicked, this, [this] {
        const model::Resource* r = res();
        const auto* s = r ? r->as<model::Service>() : nullptr;
        if (!s) return;
        int target = 8080;
        if (!s->ports.empty() && s->ports.front().targetPort.number) target = *s->ports.front().targetPort.number;
        else if (!s->ports.empty() && !s->ports.front().targetPort.isSet()) target = s->ports.front().port;
        YAML::Node d = templates::deployment(templates::uniqueName(m_doc->workspace(), "Deployment", s->meta.ns, s->meta.name), s->meta.ns,
                                             "registry.example.com/" + s->meta.name + ":1.0", target);
        if (s->hasSelector && !s->selector.empty()) {
            d["spec"]["selector"]["matchLabels"] = YAML::Node(YAML::NodeType::Map);
            d["spec"]["template"]["metadata"]["labels"] = YAML::Node(YAML::NodeType::Map);
            for (const auto& [k, v] : s->selector) {
                d["spec"]["selector"]["matchLabels"][k] = yamltext::stringNode(v);
                d["spec"]["template"]["metadata"]["labels"][k] = yamltext::stringNode(v);
            }
        }
        const int idx = m_doc->appendResource(d, tr("Create Deployment for %1").arg(qs(s->meta.name)));
        if (idx >= 0) Q_EMIT selectRequested(idx, -1, -1);
    });
}

void ServiceForm::refresh() {
    const model::Resource* r = res();
    const auto* s = r ? r->as<model::Service>() : nullptr;
    if (!s) return;
    setTextIdle(m_name, qs(r->meta.name));
    setTextIdle(m_ns, r->meta.isNamespaceSet ? qs(r->meta.ns) : QString());
    setComboIdle(m_type, {QStringLiteral("ClusterIP"), QStringLiteral("NodePort"), QStringLiteral("LoadBalancer"), QStringLiteral("ExternalName")}, qs(s->type));
    setTextIdle(m_selector, mapText(s->selector));
    if (!m_ports->hasFocus()) {
        QSignalBlocker b(m_ports);
        m_ports->setRowCount(static_cast<int>(s->ports.size()));
        for (int i = 0; i < static_cast<int>(s->ports.size()); ++i) {
            const auto& p = s->ports[static_cast<std::size_t>(i)];
            m_ports->setItem(i, 0, new QTableWidgetItem(qs(p.name)));
            m_ports->setItem(i, 1, new QTableWidgetItem(QString::number(p.port)));
            m_ports->setItem(i, 2, new QTableWidgetItem(p.targetPort.isSet() ? qs(p.targetPort.toString()) : QString()));
        }
    }
    const auto deps = m_doc->workspace().deploymentsSelectedBy(*s);
    int pods = 0;
    QStringList names;
    for (const auto* d : deps) {
        pods += d->replicas;
        names << qs(d->meta.name);
    }
    if (!s->hasSelector) m_endpoints->setText(tr("No selector: endpoints come from Endpoints/EndpointSlice objects."));
    else if (deps.empty()) m_endpoints->setText(tr("⚠ No Deployment's pods match this selector: no endpoints (the controller answers 503)."));
    else m_endpoints->setText(tr("%n pod(s) from %1", nullptr, pods).arg(names.join(QStringLiteral(", "))));
    m_createDeployment->setVisible(s->hasSelector && deps.empty());
}

// ---- Deployment -------------------------------------------------------------------------------------

DeploymentForm::DeploymentForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    auto* box = section(tr("Deployment"), this);
    auto* fl = new QFormLayout(box);
    addMetadataRows(fl, box);
    m_replicas = new QSpinBox(box);
    m_replicas->setObjectName(QStringLiteral("replicas"));
    m_replicas->setRange(0, 50);
    m_image = new QLineEdit(box);
    m_image->setObjectName(QStringLiteral("image"));
    m_image->setPlaceholderText(QStringLiteral("registry.example.com/web:1.0"));
    m_port = new QSpinBox(box);
    m_port->setObjectName(QStringLiteral("containerPort"));
    m_port->setRange(1, 65535);
    m_labels = new QLineEdit(box);
    m_labels->setObjectName(QStringLiteral("podLabels"));
    m_labels->setReadOnly(true);
    fl->addRow(tr("Replicas"), m_replicas);
    fl->addRow(tr("Image"), m_image);
    fl->addRow(tr("Container port"), m_port);
    fl->addRow(tr("Pod labels"), m_labels);
    fl->addRow(QString(), hintLabel(tr("Each replica becomes a simulated pod (a real HTTP server on 127.0.0.1). Its version is the image tag."), box));
    outer->addWidget(box);
    auto* beh = section(tr("Simulated pod behaviour"), this);
    auto* bl = new QVBoxLayout(beh);
    m_behaviour = new QTableWidget(0, 2, beh);
    m_behaviour->setObjectName(QStringLiteral("behaviour"));
    m_behaviour->setHorizontalHeaderLabels({tr("Annotation"), tr("Value")});
    m_behaviour->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_behaviour->verticalHeader()->hide();
    m_behaviour->setMinimumHeight(100);
    bl->addWidget(m_behaviour);
    auto* newKey = new QComboBox(beh);
    newKey->setEditable(true);
    newKey->setObjectName(QStringLiteral("newBehaviour"));
    for (const char* k : BEHAVIOUR_KEYS) newKey->addItem(QLatin1String(k));
    newKey->setCurrentIndex(-1);
    newKey->lineEdit()->setPlaceholderText(tr("Add behaviour… (status, body, latency, failure rate)"));
    auto* add = new QPushButton(themedIcon(QStringLiteral("add")), tr("Add"), beh);
    auto* hb = new QHBoxLayout;
    hb->addWidget(newKey, 1);
    hb->addWidget(add);
    bl->addLayout(hb);
    bl->addWidget(hintLabel(tr("Default: echo JSON (service, pod, namespace, version, method, path, host, headers)."), beh));
    outer->addWidget(beh);
    outer->addStretch();

    connect(m_replicas, &QSpinBox::valueChanged, this, [this](int v) {
        if (!m_replicas->signalsBlocked()) set("spec.replicas", QString::number(v), ScalarStyle::Raw);
    });
    connect(m_image, &QLineEdit::textEdited, this, [this](const QString& t) { set("spec.template.spec.containers[0].image", t); });
    connect(m_port, &QSpinBox::valueChanged, this, [this](int v) {
        if (!m_port->signalsBlocked()) set("spec.template.spec.containers[0].ports[0].containerPort", QString::number(v), ScalarStyle::Raw);
    });
    connect(add, &QPushButton::clicked, this, [this, newKey] {
        const QString key = newKey->currentText().trimmed();
        if (key.isEmpty()) return;
        const QString value = key.endsWith(QLatin1String("failure-status")) ? QStringLiteral("503")
                              : key.endsWith(QLatin1String("status"))       ? QStringLiteral("200")
                              : key.endsWith(QLatin1String("latency-ms"))   ? QStringLiteral("50")
                              : key.endsWith(QLatin1String("failure-rate")) ? QStringLiteral("0.1")
                              : key.endsWith(QLatin1String("/tls"))         ? QStringLiteral("true")
                                                                            : QStringLiteral("ok");
        set("spec.template.metadata.annotations[" + ss(key) + "]", value);
        newKey->setCurrentIndex(-1);
    });
    connect(m_behaviour, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* it) {
        if (m_behaviour->signalsBlocked() || it->column() != 1 || it->row() >= static_cast<int>(m_behaviourKeys.size())) return;
        set("spec.template.metadata.annotations[" + m_behaviourKeys[static_cast<std::size_t>(it->row())] + "]", it->text());
    });
}

void DeploymentForm::refresh() {
    const model::Resource* r = res();
    const auto* d = r ? r->as<model::Deployment>() : nullptr;
    if (!d) return;
    setTextIdle(m_name, qs(r->meta.name));
    setTextIdle(m_ns, r->meta.isNamespaceSet ? qs(r->meta.ns) : QString());
    setSpinIdle(m_replicas, d->replicas);
    setTextIdle(m_image, d->containers.empty() ? QString() : qs(d->containers.front().image));
    setSpinIdle(m_port, d->containers.empty() || d->containers.front().ports.empty() ? 8080 : d->containers.front().ports.front().containerPort);
    setTextIdle(m_labels, mapText(d->templateLabels));
    if (!m_behaviour->hasFocus()) fillKeyValueTable(m_behaviour, d->templateAnnotations, &m_behaviourKeys);
}

// ---- Secret -----------------------------------------------------------------------------------------

SecretForm::SecretForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    auto* box = section(tr("TLS Secret"), this);
    auto* fl = new QFormLayout(box);
    addMetadataRows(fl, box);
    outer->addWidget(box);
    auto* certBox = section(tr("Certificate"), this);
    auto* cl = new QVBoxLayout(certBox);
    m_view = new CertificateView(certBox);
    m_view->setObjectName(QStringLiteral("certificateView"));
    cl->addWidget(m_view);
    auto* buttons = new QHBoxLayout;
    auto* regenerate = new QPushButton(themedIcon(QStringLiteral("certificate")), tr("Generate self-signed…"), certBox);
    regenerate->setObjectName(QStringLiteral("generate"));
    auto* import = new QPushButton(themedIcon(QStringLiteral("import")), tr("Import PEM files…"), certBox);
    import->setObjectName(QStringLiteral("importPem"));
    buttons->addWidget(regenerate);
    buttons->addWidget(import);
    buttons->addStretch();
    cl->addLayout(buttons);
    cl->addWidget(hintLabel(tr("The private key stays in this workspace file (base64 in tls.key) and is never shown or logged."), certBox));
    outer->addWidget(certBox);
    outer->addStretch();
    connect(regenerate, &QPushButton::clicked, this, [this] {
        const model::Resource* r = res();
        if (!r) return;
        QStringList hosts;
        for (const auto* ing : m_doc->workspace().all<model::Ingress>())
            for (const auto& t : ing->spec.tls)
                if (t.secretName == r->meta.name && ing->meta.ns == r->meta.ns)
                    for (const auto& h : t.hosts) hosts << qs(h);
        hosts.removeDuplicates();
        Q_EMIT createTlsSecretRequested(qs(r->meta.ns), qs(r->meta.name), hosts);
    });
    connect(import, &QPushButton::clicked, this, &SecretForm::importPem);
}

void SecretForm::importPem() {
    const QString certPath = QFileDialog::getOpenFileName(this, tr("Certificate (PEM)"), QString(), tr("PEM files (*.crt *.pem *.cer);;All files (*)"));
    if (certPath.isEmpty()) return;
    const QString keyPath = QFileDialog::getOpenFileName(this, tr("Private key (PEM)"), QString(), tr("PEM files (*.key *.pem);;All files (*)"));
    if (keyPath.isEmpty()) return;
    QFile cf(certPath), kf(keyPath);
    if (!cf.open(QIODevice::ReadOnly) || !kf.open(QIODevice::ReadOnly) || cf.size() > 1 << 20 || kf.size() > 1 << 20) {
        QMessageBox::warning(this, tr("Import"), tr("Cannot read the files (or they are larger than 1 MiB)."));
        return;
    }
    const std::string cert = cf.readAll().toStdString(), key = kf.readAll().toStdString();
    auto info = tls::inspectCertificate(cert, key);
    if (!info) {
        QMessageBox::warning(this, tr("Import"), tr("Not a usable certificate and key: %1").arg(qs(info.message())));
        return;
    }
    if (info->keyMatches == std::optional<bool>(false)) {
        QMessageBox::warning(this, tr("Import"), tr("The private key does not belong to this certificate."));
        return;
    }
    const YAML::Node data = templates::tlsSecret("x", "default", cert, key)["data"];
    m_doc->editResource(m_index, [&](YAML::Node& n) {
        n["type"] = "kubernetes.io/tls";
        n.remove("stringData");
        n["data"] = data;
        return true;
    }, tr("Import certificate"));
}

void SecretForm::refresh() {
    const model::Resource* r = res();
    const auto* s = r ? r->as<model::Secret>() : nullptr;
    if (!s) return;
    setTextIdle(m_name, qs(r->meta.name));
    setTextIdle(m_ns, r->meta.isNamespaceSet ? qs(r->meta.ns) : QString());
    QStringList hosts;
    for (const auto* ing : m_doc->workspace().all<model::Ingress>())
        for (const auto& t : ing->spec.tls)
            if (t.secretName == r->meta.name && ing->meta.ns == r->meta.ns)
                for (const auto& h : t.hosts) hosts << qs(h);
    hosts.removeDuplicates();
    m_view->setCertificate(s->tlsCert(), s->tlsKey(), hosts);
}

// ---- IngressClass -----------------------------------------------------------------------------------

IngressClassForm::IngressClassForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    auto* box = section(tr("IngressClass"), this);
    auto* fl = new QFormLayout(box);
    addMetadataRows(fl, box, false);
    m_controller = new QLineEdit(box);
    m_controller->setObjectName(QStringLiteral("controller"));
    m_default = new QCheckBox(tr("Default class (Ingresses without ingressClassName use it)"), box);
    m_default->setObjectName(QStringLiteral("isDefault"));
    fl->addRow(tr("Controller"), m_controller);
    fl->addRow(QString(), m_default);
    outer->addWidget(box);
    outer->addStretch();
    connect(m_controller, &QLineEdit::textEdited, this, [this](const QString& t) { set("spec.controller", t); });
    connect(m_default, &QCheckBox::toggled, this, [this](bool on) {
        if (m_default->signalsBlocked()) return;
        set("metadata.annotations[ingressclass.kubernetes.io/is-default-class]", on ? QStringLiteral("true") : QStringLiteral("false"));
    });
}

void IngressClassForm::refresh() {
    const model::Resource* r = res();
    const auto* c = r ? r->as<model::IngressClass>() : nullptr;
    if (!c) return;
    setTextIdle(m_name, qs(r->meta.name));
    setTextIdle(m_controller, qs(c->controller));
    QSignalBlocker b(m_default);
    m_default->setChecked(c->isDefault());
}

// ---- anything else ----------------------------------------------------------------------------------

GenericForm::GenericForm(WorkspaceDocument* doc, QWidget* parent) : ObjectForm(doc, parent) {
    auto* outer = new QVBoxLayout(this);
    m_title = titleLabel(this);
    outer->addWidget(m_title);
    m_body = hintLabel(QString(), this);
    outer->addWidget(m_body);
    m_data = new QTableWidget(0, 2, this);
    m_data->setObjectName(QStringLiteral("data"));
    m_data->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_data->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_data->verticalHeader()->hide();
    outer->addWidget(m_data, 1);
    connect(m_data, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* it) {
        if (m_data->signalsBlocked() || it->column() != 1 || it->row() >= static_cast<int>(m_keys.size())) return;
        set("data[" + m_keys[static_cast<std::size_t>(it->row())] + "]", it->text());
    });
}

void GenericForm::refresh() {
    const model::Resource* r = res();
    if (!r) return;
    m_title->setText(QStringLiteral("%1 %2").arg(qs(r->kind), qs(r->meta.name)));
    const auto* cm = r->as<model::ConfigMap>();
    if (cm && r->meta.name == model::CONTROLLER_CONFIGMAP_NAME) {
        m_body->setText(tr("Global settings of the ingress-nginx controller (ConfigMap keys such as ssl-redirect, use-forwarded-headers, "
                           "allow-snippet-annotations). Edit values here or in the YAML."));
    } else {
        m_body->setText(tr("%1 objects have no form: edit them in the YAML editor. They are kept as written.").arg(qs(r->kind)));
    }
    m_data->setVisible(cm != nullptr);
    if (cm && !m_data->hasFocus()) fillKeyValueTable(m_data, cm->data, &m_keys);
}

// ---- FormPanel --------------------------------------------------------------------------------------

FormPanel::FormPanel(WorkspaceDocument* doc, QWidget* parent) : QStackedWidget(parent), m_doc(doc) {
    m_empty = new QWidget(this);
    auto* el = new QVBoxLayout(m_empty);
    m_emptyHint = hintLabel(tr("Select an object in the workspace tree."), m_empty);
    m_emptyHint->setObjectName(QStringLiteral("emptyHint"));
    m_emptyHint->setAlignment(Qt::AlignCenter);
    el->addStretch();
    el->addWidget(m_emptyHint);
    el->addStretch();
    addWidget(m_empty);
    m_ingress = new IngressForm(doc, this);
    m_rule = new RuleForm(doc, this);
    m_path = new PathForm(doc, this);
    m_service = new ServiceForm(doc, this);
    m_deployment = new DeploymentForm(doc, this);
    m_secret = new SecretForm(doc, this);
    m_class = new IngressClassForm(doc, this);
    m_generic = new GenericForm(doc, this);
    for (ObjectForm* f : std::initializer_list<ObjectForm*>{m_ingress, m_rule, m_path, m_service, m_deployment, m_secret, m_class, m_generic}) add(f);
    m_ingress->setObjectName(QStringLiteral("ingressForm"));
    m_rule->setObjectName(QStringLiteral("ruleForm"));
    m_path->setObjectName(QStringLiteral("pathForm"));
    m_service->setObjectName(QStringLiteral("serviceForm"));
    m_deployment->setObjectName(QStringLiteral("deploymentForm"));
    m_secret->setObjectName(QStringLiteral("secretForm"));
    m_class->setObjectName(QStringLiteral("ingressClassForm"));
    m_generic->setObjectName(QStringLiteral("genericForm"));
    connect(doc, &WorkspaceDocument::workspaceChanged, this, &FormPanel::refresh);
}

void FormPanel::setEmptyHintActions(const QList<QAction*>& actions) {
    m_hintActions = actions;
    for (QAction* a : actions) connect(a, &QAction::changed, this, &FormPanel::updateEmptyHint, Qt::UniqueConnection);
    updateEmptyHint();
}

// The hint names the actions by their menu text and current shortcut, read from the QActions themselves.
void FormPanel::updateEmptyHint() {
    QStringList names;
    for (QAction* a : std::as_const(m_hintActions)) {
        if (!a || !a->isVisible()) continue;
        QString text = a->text();
        text.replace(QLatin1String("&&"), QStringLiteral("\x01")).remove(QLatin1Char('&')).replace(QStringLiteral("\x01"), QStringLiteral("&"));
        const QString key = a->shortcut().toString(QKeySequence::NativeText);
        names << (key.isEmpty() ? text : tr("%1 (%2)").arg(text, key));
    }
    if (names.isEmpty()) {
        m_emptyHint->setText(tr("Select an object in the workspace tree."));
        return;
    }
    const QString last = names.takeLast();
    const QString list = names.isEmpty() ? last : tr("%1 or %2").arg(names.join(QStringLiteral(", ")), last);
    m_emptyHint->setText(tr("Select an object in the workspace tree, or create one: %1.").arg(list));
}

void FormPanel::add(ObjectForm* f) {
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(f);
    addWidget(scroll);
    connect(f, &ObjectForm::selectRequested, this, &FormPanel::selectRequested);
    connect(f, &ObjectForm::createTlsSecretRequested, this, &FormPanel::createTlsSecretRequested);
}

ObjectForm* FormPanel::currentForm() const {
    auto* scroll = qobject_cast<QScrollArea*>(currentWidget());
    return scroll ? qobject_cast<ObjectForm*>(scroll->widget()) : nullptr;
}

QWidget* FormPanel::markField(const std::string& field) {
    if (m_marked) m_marked->setStyleSheet(QString());
    m_marked = nullptr;
    ObjectForm* form = currentForm();
    if (!form || field.empty()) return nullptr;
    // The form inputs are named after the last element of their field (ingress_form.cpp, workload_forms.cpp).
    auto endsWith = [&](const char* tail) {
        const std::string t = tail;
        return field.size() >= t.size() && field.compare(field.size() - t.size(), t.size(), t) == 0;
    };
    QString name;
    if (endsWith(".service.port.number") || endsWith(".service.port.name")) name = QStringLiteral("port");
    else if (endsWith(".service.name")) name = QStringLiteral("service");
    else if (field == "metadata.name") name = QStringLiteral("name");
    else if (field == "metadata.namespace") name = QStringLiteral("namespace");
    else {
        std::string last = field.substr(field.find_last_of('.') == std::string::npos ? 0 : field.find_last_of('.') + 1);
        if (const auto b = last.find('['); b != std::string::npos) last.resize(b);
        name = QString::fromStdString(last);
    }
    QWidget* target = nullptr;
    for (QWidget* w : form->findChildren<QWidget*>(name))
        if (w->isVisibleTo(form)) {
            target = w;
            break;
        }
    if (!target) return nullptr;
    target->setStyleSheet(QStringLiteral("border: 2px solid #c62828;"));
    target->setFocus(Qt::OtherFocusReason);
    m_marked = target;
    return target;
}

void FormPanel::showNode(int resourceIndex, int rule, int path) {
    if (m_marked) m_marked->setStyleSheet(QString());
    m_marked = nullptr;
    m_resource = resourceIndex;
    m_ruleIdx = rule;
    m_pathIdx = path;
    const model::Resource* r = m_doc->resource(resourceIndex);
    ObjectForm* f = nullptr;
    if (!r) f = nullptr;
    else if (r->as<model::Ingress>()) f = path >= 0 ? static_cast<ObjectForm*>(m_path) : rule >= 0 ? static_cast<ObjectForm*>(m_rule) : m_ingress;
    else if (r->as<model::Service>()) f = m_service;
    else if (r->as<model::Deployment>()) f = m_deployment;
    else if (const auto* s = r->as<model::Secret>(); s && s->isTls()) f = m_secret;
    else if (r->as<model::IngressClass>()) f = m_class;
    else f = m_generic;
    if (!f) {
        setCurrentWidget(m_empty);
        return;
    }
    setCurrentWidget(f->parentWidget()->parentWidget());  // the scroll area (viewport -> area)
    f->showObject(resourceIndex, rule, path);
}

void FormPanel::refresh() {
    if (m_resource < 0) return;
    const model::Resource* r = m_doc->resource(m_resource);
    ObjectForm* f = currentForm();
    if (!r) {
        setCurrentWidget(m_empty);
        m_resource = -1;
        return;
    }
    // the object at this index changed kind (text edit): pick the right form again
    showNode(m_resource, m_ruleIdx, m_pathIdx);
    (void)f;
}

}  // namespace ilab::ui
