#pragma once

#include <vector>

#include <QAbstractItemModel>
#include <QIcon>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::ui {

// The workspace as a tree: categories (IngressClasses, Ingresses, Services, Deployments, TLS Secrets,
// Controller ConfigMap, Other), objects, and for Ingresses their rules and paths. Rebuilt from the
// parsed workspace after every reparse; when only labels change (the usual case while typing) it emits
// dataChanged instead of a reset, so selection and expansion stay put. Node keys ("r3/rule1/path0") are
// stable across renames and identify a node for selection restore. GUI thread; owned by the MainWindow.
class WorkspaceTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum class NodeKind { Category, Resource, Rule, Path };
    enum Role {
        NodeKindRole = Qt::UserRole + 1,
        ResourceIndexRole,  // int, -1 for categories
        RuleIndexRole,      // int, -1 unless Rule/Path
        PathIndexRole,      // int, -1 unless Path
        KeyRole,            // QString
        ProblemCountRole,   // int: errors + warnings on this object
        KindRole,           // QString: the Kubernetes kind of the object
    };

    explicit WorkspaceTreeModel(QObject* parent = nullptr);

    // `heldBack`: objects the text lost to a YAML syntax error (WorkspaceDocument::heldBackObjects); shown dimmed
    // in their category ("YAML error: held back"), with no resource index, so typing never empties the tree.
    void rebuild(const model::Workspace& ws, const Diagnostics& diags, const std::vector<model::Resource>& heldBack = {});

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    QModelIndex indexForKey(const QString& key) const;
    // The deepest node for a resource / rule / path (rule and path may be -1).
    QModelIndex indexFor(int resourceIndex, int rule = -1, int path = -1) const;
    static QString keyFor(int resourceIndex, int rule = -1, int path = -1);

private:
    struct Node {
        int parent = -1;
        int row = 0;
        std::vector<int> children;
        NodeKind kind = NodeKind::Category;
        int resource = -1, rule = -1, path = -1;
        QString label, detail, key, objectKind;
        QIcon icon;
        int errors = 0, warnings = 0;
        bool dim = false;
    };
    int nodeOf(const QModelIndex& idx) const;
    int addNode(std::vector<Node>& nodes, int parent, Node n) const;

    std::vector<Node> m_nodes;  // m_nodes[0] is the invisible root
};

// Shared icon lookup (":/icons/<name>.svg"), cached.
QIcon themedIcon(const QString& name);

}  // namespace ilab::ui
