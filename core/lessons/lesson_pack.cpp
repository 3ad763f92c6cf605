#include "core/lessons/lesson_pack.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <yaml-cpp/yaml.h>

#include "core/model/workspace.h"
#include "core/yaml/yaml_reader.h"

namespace ilab::lessons {

namespace {

using LessonResult = Result<Lesson, LessonError>;

LessonResult failWith(LessonError e, const std::string& message) { return LessonResult::fail(e, message); }

// Reads `name` in `dir`; `missing` is set when the file does not exist.
Result<std::string, LessonError> readFile(const QString& dir, const char* name, bool required) {
    const QString path = dir + QLatin1Char('/') + QLatin1String(name);
    QFileInfo info(path);
    if (!info.exists()) {
        if (!required) return std::string();
        return Result<std::string, LessonError>::fail(LessonError::MissingFile,
                                                      QDir::toNativeSeparators(dir).toStdString() + " has no " + name +
                                                          " (a lesson folder needs guide.md and workspace.yaml; checks.yaml is optional)");
    }
    if (info.isDir()) return Result<std::string, LessonError>::fail(LessonError::Unreadable, std::string(name) + " is a folder, not a file");
    if (info.size() > MAX_LESSON_FILE_BYTES)
        return Result<std::string, LessonError>::fail(LessonError::TooLarge, std::string(name) + " is larger than 4 MB: not a lesson file");
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<std::string, LessonError>::fail(LessonError::Unreadable, "cannot read " + std::string(name) + ": " + f.errorString().toStdString());
    const QByteArray bytes = f.readAll();
    if (bytes.contains('\0')) return Result<std::string, LessonError>::fail(LessonError::Unreadable, std::string(name) + " is not a text file");
    return bytes.toStdString();
}

std::string titleOf(const std::string& guide, const std::string& fallback) {
    std::size_t pos = 0;
    while (pos < guide.size()) {
        std::size_t end = guide.find('\n', pos);
        if (end == std::string::npos) end = guide.size();
        std::string line = guide.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("# ", 0) == 0) return line.substr(2);
        pos = end + 1;
    }
    return fallback;
}

}  // namespace

Result<LessonSettings, LessonError> parseLessonSettings(const std::string& text, const std::string& fileName) {
    using SettingsResult = Result<LessonSettings, LessonError>;
    auto at = [&](const YAML::Node& n, const std::string& message) {
        const int line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
        return SettingsResult::fail(LessonError::BadSettings, fileName + ":" + std::to_string(line) + ": " + message);
    };
    LessonSettings settings;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return SettingsResult::fail(LessonError::BadSettings, fileName + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
    }
    if (!root || root.IsNull()) return settings;
    if (!root.IsMap()) return at(root, "expected settings such as \"problems: after-check\"");
    for (const auto& kv : root) {
        const std::string key = kv.first.Scalar();
        if (key == "problems") {
            const std::string value = kv.second.IsScalar() ? kv.second.Scalar() : std::string();
            if (value == "always") settings.problems = ProblemsVisibility::Always;
            else if (value == "after-check") settings.problems = ProblemsVisibility::AfterCheck;
            else return at(kv.second, "problems must be always or after-check, not \"" + value + "\"");
        } else {
            return at(kv.first, "unknown key \"" + key + "\" (known: problems)");
        }
    }
    return settings;
}

Result<Lesson, LessonError> loadLessonFolder(const std::string& folderPath) {
    const QString dir = QString::fromStdString(folderPath);
    const QFileInfo info(dir);
    if (!info.exists()) return failWith(LessonError::NotFound, "lesson folder " + folderPath + " does not exist");
    if (!info.isDir()) return failWith(LessonError::NotFound, folderPath + " is not a folder (a lesson is a folder with guide.md and workspace.yaml)");
    Lesson l;
    l.folder = folderPath;
    l.id = info.fileName().toStdString();
    auto guide = readFile(dir, "guide.md", true);
    if (!guide) return failWith(guide.error().code, guide.message());
    auto ws = readFile(dir, "workspace.yaml", true);
    if (!ws) return failWith(ws.error().code, ws.message());
    auto checks = readFile(dir, "checks.yaml", false);
    if (!checks) return failWith(checks.error().code, checks.message());
    auto settingsText = readFile(dir, "lesson.yaml", false);
    if (!settingsText) return failWith(settingsText.error().code, settingsText.message());
    auto settings = parseLessonSettings(*settingsText);
    if (!settings) return failWith(LessonError::BadSettings, settings.message());
    l.settings = *settings;
    l.guide = std::move(*guide);
    l.workspace = std::move(*ws);
    l.title = titleOf(l.guide, l.id);

    model::Workspace parsed;
    yaml::readText(l.workspace, "workspace.yaml", parsed);
    for (const Diagnostic& d : parsed.loadDiagnostics) {
        if (d.code != DiagCode::Syntax || d.severity != Severity::Error) continue;
        const int line = d.pos ? d.pos->line : 0;
        return failWith(LessonError::BadWorkspace, "workspace.yaml:" + std::to_string(line) + ": " + d.message());
    }
    auto parsedChecks = parseChecks(*checks, "checks.yaml");
    if (!parsedChecks) return failWith(LessonError::BadChecks, parsedChecks.message());
    l.checks = std::move(*parsedChecks);
    return l;
}

Result<Lesson, LessonError> loadBuiltinLesson(const std::string& id) {
    if (id.empty() || id.find('/') != std::string::npos || id.find("..") != std::string::npos)
        return failWith(LessonError::NotFound, "no built-in lesson named \"" + id + "\"");
    const std::string folder = ":/lessons/" + id;
    if (!QFileInfo(QString::fromStdString(folder)).isDir()) return failWith(LessonError::NotFound, "no built-in lesson named \"" + id + "\"");
    auto l = loadLessonFolder(folder);
    if (!l) return l;
    l->builtIn = true;
    QFile index(QStringLiteral(":/lessons/index.json"));
    if (index.open(QIODevice::ReadOnly)) {
        for (const QJsonValue& v : QJsonDocument::fromJson(index.readAll()).array()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("id")).toString().toStdString() != id) continue;
            l->title = o.value(QStringLiteral("title")).toString().toStdString();
            l->summary = o.value(QStringLiteral("summary")).toString().toStdString();
        }
    }
    return l;
}

}  // namespace ilab::lessons
