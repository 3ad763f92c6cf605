#include "ui/document/workspace_document.h"

#include <QDateTime>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QUndoCommand>
#include <QtConcurrent/QtConcurrentRun>

#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"

namespace ilab::ui {

namespace {

constexpr int EDITOR_MERGE_ID = 1;
constexpr int FIELD_MERGE_ID = 2;
constexpr qint64 MERGE_WINDOW_MS = 1500;  // a pause longer than this starts a new undo step

// One undo step: the whole text before and after. Workspaces are small (kilobytes), so snapshots are
// simpler and more robust than diffs; the editor applies only the changed span (see YamlEditor).
class TextCommand : public QUndoCommand {
public:
    TextCommand(WorkspaceDocument* doc, QString before, QString after, const QString& text, int mergeId, QString mergeKey,
                WorkspaceDocument::Origin firstOrigin)
        : QUndoCommand(text), m_doc(doc), m_before(std::move(before)), m_after(std::move(after)), m_mergeId(mergeId),
          m_mergeKey(std::move(mergeKey)), m_firstOrigin(firstOrigin), m_time(QDateTime::currentMSecsSinceEpoch()) {}

    void undo() override { m_doc->applyText(m_before, WorkspaceDocument::Origin::UndoRedo); }
    void redo() override {
        m_doc->applyText(m_after, m_first ? m_firstOrigin : WorkspaceDocument::Origin::UndoRedo);
        m_first = false;
    }
    int id() const override { return m_mergeId; }
    bool mergeWith(const QUndoCommand* other) override {
        auto* o = static_cast<const TextCommand*>(other);
        if (o->m_mergeKey != m_mergeKey || o->m_time - m_time > MERGE_WINDOW_MS) return false;
        m_after = o->m_after;
        m_time = o->m_time;
        return true;
    }

private:
    WorkspaceDocument* m_doc;
    QString m_before, m_after;
    int m_mergeId;
    QString m_mergeKey;
    WorkspaceDocument::Origin m_firstOrigin;
    qint64 m_time;
    bool m_first = true;
};

bool isCommentOrBlank(const QString& line) {
    const QString t = line.trimmed();
    return t.isEmpty() || t.startsWith(QLatin1Char('#'));
}

}  // namespace

yaml::YamlLayout WorkspaceDocument::layoutFor(const QString& docText) const {
    if (auto own = yaml::detectLayout(docText.toStdString())) return *own;
    if (auto file = yaml::detectLayout(m_text.toStdString())) return *file;
    return {};
}

WorkspaceDocument::WorkspaceDocument(QObject* parent) : QObject(parent) {
    m_reparseTimer.setSingleShot(true);
    m_reparseTimer.setInterval(REPARSE_DEBOUNCE_MS);
    connect(&m_reparseTimer, &QTimer::timeout, this, &WorkspaceDocument::reparseNow);
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modificationChanged(!clean); });
    m_watcher = new QFutureWatcher<Diagnostics>(this);
    connect(m_watcher, &QFutureWatcher<Diagnostics>::finished, this, [this] {
        m_validationRunning = false;
        const quint64 gen = m_watcher->property("generation").toULongLong();
        if (gen == m_generation) {
            m_diags = m_watcher->result();
            Q_EMIT diagnosticsChanged();
        } else {
            startValidation();  // the text moved on while this one ran
        }
    });
    reparseNow();
}

WorkspaceDocument::~WorkspaceDocument() {
    if (m_watcher) m_watcher->waitForFinished();
}

void WorkspaceDocument::setFilePath(const QString& path) {
    if (path == m_filePath) return;
    m_filePath = path;
    Q_EMIT filePathChanged(path);
    reparseNow();  // positions carry the file name
}

QString WorkspaceDocument::displayName() const {
    return m_filePath.isEmpty() ? QStringLiteral("untitled.yaml") : QFileInfo(m_filePath).fileName();
}

void WorkspaceDocument::markSaved() { m_undo.setClean(); }

void WorkspaceDocument::load(const QString& text, const QString& filePath) {
    m_undo.clear();
    m_filePath = filePath;
    Q_EMIT filePathChanged(filePath);
    m_text = text;
    Q_EMIT textChanged(Origin::Load);
    m_undo.setClean();
    reparseNow();
}

void WorkspaceDocument::setTextFromEditor(const QString& text) {
    if (text == m_text) return;
    pushText(text, tr("Edit YAML"), EDITOR_MERGE_ID, QStringLiteral("editor"));
}

void WorkspaceDocument::replaceText(const QString& text, const QString& description) {
    if (text == m_text) return;
    pushText(text, description, -1, {});
}

void WorkspaceDocument::pushText(const QString& text, const QString& description, int mergeId, const QString& mergeKey) {
    const Origin first = mergeId == EDITOR_MERGE_ID ? Origin::Editor : Origin::Form;
    m_undo.push(new TextCommand(this, m_text, text, description, mergeId, mergeKey, first));
}

void WorkspaceDocument::applyText(const QString& text, Origin origin) {
    m_text = text;
    Q_EMIT textChanged(origin);
    if (origin == Origin::Editor) m_reparseTimer.start();
    else reparseNow();
}

void WorkspaceDocument::reparseNow() {
    m_reparseTimer.stop();
    model::Workspace ws;
    yaml::readText(m_text.toStdString(), displayName().toStdString(), ws);
    ws.files.push_back(displayName().toStdString());
    m_ws = std::move(ws);
    bool syntaxError = false;
    for (const auto& d : m_ws.loadDiagnostics) syntaxError = syntaxError || d.code == DiagCode::Syntax;
    if (!syntaxError) m_lastParsed = m_ws.resources;
    ++m_generation;
    Q_EMIT workspaceChanged();
    startValidation();
}

void WorkspaceDocument::startValidation() {
    if (static_cast<int>(m_ws.resources.size()) <= INLINE_VALIDATION_LIMIT) {
        validateNow();
        return;
    }
    if (m_validationRunning) return;  // the finished handler restarts with the newest generation
    m_validationRunning = true;
    m_watcher->setProperty("generation", QVariant::fromValue<qulonglong>(m_generation));
    m_watcher->setFuture(QtConcurrent::run([ws = m_ws.clone()] { return validation::validate(ws); }));
}

void WorkspaceDocument::validateNow() {
    m_diags = validation::validate(m_ws);
    Q_EMIT diagnosticsChanged();
}

std::vector<model::Resource> WorkspaceDocument::heldBackObjects() const {
    std::vector<model::Resource> out;
    bool syntaxError = false;
    for (const auto& d : m_ws.loadDiagnostics) syntaxError = syntaxError || d.code == DiagCode::Syntax;
    if (!syntaxError) return out;
    for (const auto& r : m_lastParsed)
        if (indexOf(r.kind, r.meta.ns, r.meta.name) < 0) out.push_back(r);
    return out;
}

int WorkspaceDocument::indexOf(const std::string& kind, const std::string& ns, const std::string& name) const {
    for (std::size_t i = 0; i < m_ws.resources.size(); ++i) {
        const auto& r = m_ws.resources[i];
        if (r.kind == kind && r.meta.ns == ns && r.meta.name == name) return static_cast<int>(i);
    }
    return -1;
}

const model::Resource* WorkspaceDocument::resource(int index) const {
    if (index < 0 || index >= static_cast<int>(m_ws.resources.size())) return nullptr;
    return &m_ws.resources[static_cast<std::size_t>(index)];
}

bool WorkspaceDocument::setScalar(int index, const std::string& fieldPath, const QString& value, yamltext::ScalarStyle style,
                                  const QString& description) {
    if (isParsePending()) reparseNow();
    const model::Resource* r = resource(index);
    if (!r) return false;
    const QString desc = description.isEmpty() ? tr("Set %1").arg(QString::fromStdString(fieldPath)) : description;
    const QString mergeKey = QStringLiteral("field:%1:%2").arg(index).arg(QString::fromStdString(fieldPath));
    {
        const YAML::Node current = yamltext::nodeAt(r->node, fieldPath);
        if (current.IsScalar() && current.Scalar() == value.toStdString()) return true;  // nothing to do
    }
    auto it = r->source.fields.find(fieldPath);
    if (it != r->source.fields.end()) {
        const int offset = yamltext::offsetOf(m_text, it->second.line, it->second.column);
        if (auto ext = yamltext::scalarAt(m_text, offset)) {
            // keep the user's quotes, except the empty "" a cleared field leaves behind
            const bool keepQuotes = ext->quote != 0 && ext->end - ext->begin > 2;
            const QString candidate = m_text.left(ext->begin) + yamltext::formatScalar(value, style, keepQuotes) + m_text.mid(ext->end);
            // Verify by reading it back: the in-place write must give exactly this value and the same objects.
            model::Workspace check;
            yaml::readText(candidate.toStdString(), displayName().toStdString(), check);
            if (check.resources.size() == m_ws.resources.size()) {
                const YAML::Node n = yamltext::nodeAt(check.resources[static_cast<std::size_t>(index)].node, fieldPath);
                if (n.IsScalar() && n.Scalar() == value.toStdString()) {
                    pushText(candidate, desc, FIELD_MERGE_ID, mergeKey);
                    return true;
                }
            }
        }
    }
    const std::string v = value.toStdString();
    return editResource(
        index,
        [&](YAML::Node& node) {
            return yamltext::setAt(node, fieldPath, style == yamltext::ScalarStyle::String ? yamltext::stringNode(v) : YAML::Node(v));
        },
        desc);
}

QString WorkspaceDocument::reemitDocument(int index, const YAML::Node& node, bool* ok) const {
    *ok = false;
    const model::Resource* r = resource(index);
    if (!r) return {};
    int sharing = 0;  // a `kind: List` document holds several objects: cannot re-emit one of them alone
    for (const auto& other : m_ws.resources)
        if (other.source.documentIndex == r->source.documentIndex) ++sharing;
    if (sharing != 1) return {};
    auto range = yamltext::contentDocument(m_text, r->source.documentIndex);
    if (!range) return {};
    const QString docText = m_text.mid(range->begin, range->end - range->begin);
    const QString trimmed = docText.trimmed();
    if (trimmed.startsWith(QLatin1Char('{')) || trimmed.startsWith(QLatin1Char('['))) return {};  // JSON: edit as text
    // keep the document's leading and trailing comment lines
    QStringList lines = docText.split(QLatin1Char('\n'));
    const bool endsWithNewline = docText.endsWith(QLatin1Char('\n'));
    if (endsWithNewline) lines.removeLast();
    int head = 0;
    while (head < lines.size() && isCommentOrBlank(lines[head])) ++head;
    int tail = static_cast<int>(lines.size());
    while (tail > head && isCommentOrBlank(lines[tail - 1]) && !lines[tail - 1].startsWith(QLatin1Char(' '))) --tail;
    model::Resource tmp;
    tmp.node = node;
    tmp.kind = node.IsMap() && node["kind"].IsScalar() ? node["kind"].Scalar() : std::string();
    // written in the document's own list style (else the file's), so an edit changes only what it edits
    QString emitted = QString::fromStdString(yaml::toYaml(tmp, layoutFor(docText)));
    QString out;
    for (int i = 0; i < head; ++i) out += lines[i] + QLatin1Char('\n');
    out += emitted;
    for (int i = tail; i < lines.size(); ++i) out += lines[i] + QLatin1Char('\n');
    if (!endsWithNewline && out.endsWith(QLatin1Char('\n')) && range->end < m_text.size()) out.chop(1);
    *ok = true;
    return m_text.left(range->begin) + out + m_text.mid(range->end);
}

bool WorkspaceDocument::editResource(int index, const std::function<bool(YAML::Node&)>& mutate, const QString& description) {
    if (isParsePending()) reparseNow();
    const model::Resource* r = resource(index);
    if (!r) return false;
    YAML::Node node = YAML::Clone(r->node);
    if (!mutate(node)) return false;
    // nothing changed (the same value chosen again, a remove of what is not there): no re-emit, no undo step
    model::Resource before, after;
    before.node = r->node;
    after.node = node;
    if (yaml::toYaml(before) == yaml::toYaml(after)) return true;
    bool ok = false;
    const QString text = reemitDocument(index, node, &ok);
    if (!ok) return false;
    if (text != m_text) pushText(text, description, -1, {});
    return true;
}

int WorkspaceDocument::appendResource(const YAML::Node& node, const QString& description) {
    return appendResources({node}, description);
}

int WorkspaceDocument::appendResources(const std::vector<YAML::Node>& nodes, const QString& description) {
    if (nodes.empty()) return -1;
    if (isParsePending()) reparseNow();
    const int first = static_cast<int>(m_ws.resources.size());
    QString text = m_text;
    const yaml::YamlLayout layout = layoutFor(m_text);
    for (const YAML::Node& node : nodes) {
        model::Resource tmp;
        tmp.node = node;
        tmp.kind = node["kind"].IsScalar() ? node["kind"].Scalar() : std::string();
        const QString emitted = QString::fromStdString(yaml::toYaml(tmp, layout));
        if (!text.trimmed().isEmpty()) {
            if (!text.endsWith(QLatin1Char('\n'))) text += QLatin1Char('\n');
            text += QStringLiteral("---\n");
        }
        text += emitted;
    }
    pushText(text, description, -1, {});
    return static_cast<int>(m_ws.resources.size()) > first ? first : -1;
}

bool WorkspaceDocument::removeResource(int index, const QString& description) {
    if (isParsePending()) reparseNow();
    const model::Resource* r = resource(index);
    if (!r) return false;
    auto range = yamltext::contentDocument(m_text, r->source.documentIndex);
    if (!range) return false;
    // remove the document together with the separator line that follows (or precedes, for the last one)
    int begin = range->begin, end = range->end;
    const int nextSep = end;
    if (nextSep < m_text.size()) {
        const int nl = m_text.indexOf(QLatin1Char('\n'), nextSep);
        end = nl < 0 ? static_cast<int>(m_text.size()) : nl + 1;
    } else if (begin > 0) {
        const int prevLineStart = m_text.lastIndexOf(QLatin1Char('\n'), begin - 2) + 1;
        if (m_text.mid(prevLineStart, 3) == QLatin1String("---")) begin = prevLineStart;
    }
    pushText(m_text.left(begin) + m_text.mid(end), description, -1, {});
    return true;
}

}  // namespace ilab::ui
