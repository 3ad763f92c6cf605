#pragma once

#include <functional>
#include <memory>

#include <QObject>
#include <QString>
#include <QTimer>
#include <QUndoStack>
#include <yaml-cpp/yaml.h>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"
#include "core/yaml/yaml_writer.h"
#include "ui/document/yaml_text.h"

template <class T>
class QFutureWatcher;

namespace ilab::ui {

// The edited workspace: its YAML text is the single source of truth. The YAML editor and the forms both
// change it through this class, so one QUndoStack (of text snapshots) spans both. Text edits reparse after
// a short debounce; form edits patch the text (a scalar replaced where it was written, or only the edited
// document re-emitted when the structure changes), so comments and formatting elsewhere survive. A text
// that does not parse is kept as is, with its syntax problems. Validation runs on the global thread pool
// (style.md F.18) on a clone of the workspace; stale results are dropped.
//
// Lives on the GUI thread; owned by the MainWindow (or a test).
class WorkspaceDocument : public QObject {
    Q_OBJECT
public:
    // Who made a text change, so the editor does not echo its own typing back into itself.
    enum class Origin { Load, Editor, Form, UndoRedo };
    Q_ENUM(Origin)

    explicit WorkspaceDocument(QObject* parent = nullptr);
    ~WorkspaceDocument() override;

    const QString& text() const { return m_text; }
    // Workspace as of the last reparse (positions match text() once isParsePending() is false).
    const model::Workspace& workspace() const { return m_ws; }
    // Load diagnostics + validation, as of the last finished validation.
    const Diagnostics& diagnostics() const { return m_diags; }
    // Objects of the last text that parsed which the current text lost to a YAML syntax error (a half-typed
    // `{` swallows its document): the tree keeps showing them, marked, until the text parses again.
    std::vector<model::Resource> heldBackObjects() const;
    QUndoStack* undoStack() { return &m_undo; }

    // File the text belongs to ("" = untitled). Display name is used in positions ("untitled.yaml").
    QString filePath() const { return m_filePath; }
    void setFilePath(const QString& path);
    QString displayName() const;
    bool isModified() const { return !m_undo.isClean(); }
    void markSaved();  // after a successful save

    // Replaces everything (open, new, recovery): clears undo history, reparses and validates at once.
    void load(const QString& text, const QString& filePath = {});

    // A text change from the YAML editor (typing is merged into one undo step per burst).
    void setTextFromEditor(const QString& text);
    // A text change made by a command (quick fix, paste of a template...), one undo step.
    void replaceText(const QString& text, const QString& description);

    // ---- form edits: each is one undo step; the text is reparsed at once so positions stay exact ----
    // Sets a scalar field of resource `index`. Written in place when the field is a one-line scalar,
    // otherwise the resource's document is re-emitted. `mergeKey` merges consecutive edits of the same field.
    bool setScalar(int index, const std::string& fieldPath, const QString& value,
                   yamltext::ScalarStyle style = yamltext::ScalarStyle::String, const QString& description = {});
    // Changes the structure of resource `index` through its YAML node and re-emits that document only.
    bool editResource(int index, const std::function<bool(YAML::Node&)>& mutate, const QString& description);
    // Appends a new document; returns its resource index (or -1).
    int appendResource(const YAML::Node& node, const QString& description);
    // Several documents appended as one undo step (e.g. a Service and its Deployment).
    int appendResources(const std::vector<YAML::Node>& nodes, const QString& description);
    bool removeResource(int index, const QString& description);

    int indexOf(const std::string& kind, const std::string& ns, const std::string& name) const;
    const model::Resource* resource(int index) const;

    bool isParsePending() const { return m_reparseTimer.isActive(); }
    bool isValidationRunning() const { return m_validationRunning; }
    // Parses the current text now (cancels a pending debounce) and starts validation.
    void reparseNow();
    // Blocking validation on the calling thread (tests, CLI-like use).
    void validateNow();

    static constexpr int REPARSE_DEBOUNCE_MS = 150;  // typing bursts: one parse per pause
    // Above this many resources validation runs on a worker; below, inline (cheaper than the hop).
    static constexpr int INLINE_VALIDATION_LIMIT = 40;

    // Internal: applied by the undo commands.
    void applyText(const QString& text, Origin origin);

Q_SIGNALS:
    void textChanged(ilab::ui::WorkspaceDocument::Origin origin);
    void workspaceChanged();    // after a reparse
    void diagnosticsChanged();  // after validation
    void filePathChanged(const QString& path);
    void modificationChanged(bool modified);

private:
    void startValidation();
    QString reemitDocument(int index, const YAML::Node& node, bool* ok) const;
    // The list style to write in: `docText`'s own, else the whole text's, else yaml-cpp's default.
    yaml::YamlLayout layoutFor(const QString& docText) const;
    void pushText(const QString& text, const QString& description, int mergeId, const QString& mergeKey);

    QString m_text;
    QString m_filePath;
    model::Workspace m_ws;
    std::vector<model::Resource> m_lastParsed;  // resources of the last text without a syntax error
    Diagnostics m_diags;
    QUndoStack m_undo;
    QTimer m_reparseTimer;
    quint64 m_generation = 0;  // bumped per parse; validation results of older generations are dropped
    bool m_validationRunning = false;
    QFutureWatcher<Diagnostics>* m_watcher = nullptr;
};

}  // namespace ilab::ui
