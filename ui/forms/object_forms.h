#pragma once

#include <string>
#include <vector>

#include <QPointer>
#include <QStackedWidget>
#include <QWidget>

#include "ui/document/workspace_document.h"

class QAction;
class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableWidget;
class QTreeWidget;
class QVBoxLayout;

namespace ilab::ui {

class CertificateView;

// Base of the per-kind forms. A form shows one object (and for Ingresses one rule or path) of the document
// and writes each edit straight into the YAML text through the document. GUI thread; owned by FormPanel.
class ObjectForm : public QWidget {
    Q_OBJECT
public:
    ObjectForm(WorkspaceDocument* doc, QWidget* parent);
    void showObject(int resourceIndex, int rule, int path);
    virtual void refresh() = 0;
    int resourceIndex() const { return m_index; }
    static int portNumberOf(const QString& portItem);  // "80 (http)" -> 80

Q_SIGNALS:
    void selectRequested(int resourceIndex, int rule, int path);
    void createTlsSecretRequested(const QString& ns, const QString& name, const QStringList& hosts);

protected:
    const model::Resource* res() const { return m_doc->resource(m_index); }
    bool set(const std::string& field, const QString& value, yamltext::ScalarStyle style = yamltext::ScalarStyle::String);
    QStringList serviceNames() const;  // in the object's namespace
    QStringList servicePorts(const QString& service) const;  // "80 (http)"
    // The Name (and, for namespaced kinds, Namespace) rows every object form starts with: creates m_name and
    // m_ns, adds them to `rows` and writes edits to metadata.name / metadata.namespace.
    void addMetadataRows(QFormLayout* rows, QWidget* box, bool namespaced = true);

    WorkspaceDocument* m_doc;
    int m_index = -1, m_rule = -1, m_path = -1;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_ns = nullptr;  // null for cluster-scoped kinds
};

// One path of an Ingress rule: path, pathType with what it will match, backend Service and port.
class PathEditor : public QWidget {
    Q_OBJECT
public:
    PathEditor(ObjectForm* form, WorkspaceDocument* doc, QWidget* parent);
    void load(int resourceIndex, int rule, int path, const QStringList& services);

private:
    std::string base() const;
    void writeBackend(const QString& service, int port);
    WorkspaceDocument* m_doc;
    ObjectForm* m_form;
    int m_index = -1, m_rule = -1, m_path = -1;
    QLineEdit* m_pathEdit;
    QComboBox* m_type;
    QLabel* m_explain;
    QComboBox* m_service;
    QComboBox* m_port;
};

class IngressForm : public ObjectForm {
    Q_OBJECT
public:
    IngressForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    void rebuildTls(const model::Ingress& ing);
    void rebuildAnnotations(const model::ObjectMeta& meta);
    void refreshWeights(const model::ObjectMeta& meta);
    void addRule();
    void addTls();
    QComboBox* m_class;
    QComboBox* m_defService;
    QComboBox* m_defPort;
    QTreeWidget* m_routes;
    QVBoxLayout* m_tlsBox;
    std::vector<QWidget*> m_tlsRows;
    QTableWidget* m_annotations;
    std::vector<std::string> m_annotationKeys;
    QWidget* m_weights;
    QSlider* m_canarySlider;
    QLabel* m_canaryLabel;
    QLineEdit* m_canaryHeader;
    QLineEdit* m_canaryHeaderValue;
    QLineEdit* m_canaryCookie;
    QWidget* m_serviceWeights;
    QVBoxLayout* m_serviceWeightsBox;
    std::vector<std::pair<QString, QSlider*>> m_weightSliders;
    QString m_weightsKey;
};

class RuleForm : public ObjectForm {
    Q_OBJECT
public:
    RuleForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    QLineEdit* m_host;
    QLabel* m_title;
    QVBoxLayout* m_paths;
    std::vector<PathEditor*> m_editors;
};

class PathForm : public ObjectForm {
    Q_OBJECT
public:
    PathForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    QLabel* m_title;
    PathEditor* m_editor;
};

class ServiceForm : public ObjectForm {
    Q_OBJECT
public:
    ServiceForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    QComboBox* m_type;
    QLineEdit* m_selector;
    QTableWidget* m_ports;
    QLabel* m_endpoints;
    QPushButton* m_createDeployment;
};

class DeploymentForm : public ObjectForm {
    Q_OBJECT
public:
    DeploymentForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    QSpinBox* m_replicas;
    QLineEdit* m_image;
    QSpinBox* m_port;
    QLineEdit* m_labels;
    QTableWidget* m_behaviour;
    std::vector<std::string> m_behaviourKeys;
};

class SecretForm : public ObjectForm {
    Q_OBJECT
public:
    SecretForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    void importPem();
    CertificateView* m_view;
};

class IngressClassForm : public ObjectForm {
    Q_OBJECT
public:
    IngressClassForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    QLineEdit* m_controller;
    QCheckBox* m_default;
};

class GenericForm : public ObjectForm {
    Q_OBJECT
public:
    GenericForm(WorkspaceDocument* doc, QWidget* parent);
    void refresh() override;

private:
    QLabel* m_title;
    QLabel* m_body;
    QTableWidget* m_data;
    std::vector<std::string> m_keys;
};

// Picks the form for the selected tree node and keeps it in sync with the document.
class FormPanel : public QStackedWidget {
    Q_OBJECT
public:
    explicit FormPanel(WorkspaceDocument* doc, QWidget* parent = nullptr);
    void showNode(int resourceIndex, int rule, int path);
    void refresh();
    ObjectForm* currentForm() const;
    // Marks the form's input for `field` (an API field path such as spec.rules[0].http.paths[0].backend.service.
    // port.number -> the "port" box) with a red frame and gives it the focus: where a server or validation error
    // points. Returns the widget (null when the shown form has no input for it). The mark goes with the next node.
    QWidget* markField(const std::string& field);
    QWidget* markedField() const { return m_marked; }
    // The actions the empty page's hint names, with their shortcuts as the actions have them now (and later).
    void setEmptyHintActions(const QList<QAction*>& actions);

Q_SIGNALS:
    void selectRequested(int resourceIndex, int rule, int path);
    void createTlsSecretRequested(const QString& ns, const QString& name, const QStringList& hosts);

private:
    void add(ObjectForm* f);
    void updateEmptyHint();
    WorkspaceDocument* m_doc;
    QWidget* m_empty;
    QLabel* m_emptyHint;
    QList<QAction*> m_hintActions;
    IngressForm* m_ingress;
    RuleForm* m_rule;
    PathForm* m_path;
    ServiceForm* m_service;
    DeploymentForm* m_deployment;
    SecretForm* m_secret;
    IngressClassForm* m_class;
    GenericForm* m_generic;
    int m_resource = -1, m_ruleIdx = -1, m_pathIdx = -1;
    QPointer<QWidget> m_marked;
};

}  // namespace ilab::ui
