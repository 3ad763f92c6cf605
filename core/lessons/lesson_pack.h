#pragma once

#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/lessons/lesson_checks.h"

namespace ilab::lessons {

// A lesson (issue 15 item 8): one folder holding
//   guide.md        the guide, Markdown; its first "# " heading is the lesson's title   (required)
//   workspace.yaml  the workspace the student starts from                              (required)
//   checks.yaml     what "Check my work" sends and expects (lesson_checks.h)            (optional)
//   lesson.yaml     settings of the lesson (LessonSettings below)                       (optional)
// The built-in lessons are such folders compiled in as Qt resources (":/lessons/<id>", listed in
// ":/lessons/index.json"); an instructor's lesson is the same folder on disk. Plain value; any thread.
enum class LessonError { NotFound, MissingFile, Unreadable, TooLarge, BadWorkspace, BadChecks, BadSettings };

// When the Problems panel shows the workspace's problems. An exercise whose point is to find planted mistakes
// (a Service not found, a wrong port name) would be given away by it: `problems: after-check` hides them until
// the student has run Check my work once (or chosen View > Show problems anyway).
enum class ProblemsVisibility { Always, AfterCheck };

// lesson.yaml:
//   problems: after-check     # always (default) | after-check
struct LessonSettings {
    ProblemsVisibility problems = ProblemsVisibility::Always;
};

// Parses lesson.yaml's text ("" gives the defaults). Errors name the file and line: "lesson.yaml:1: problems
// must be always or after-check, not \"later\"", "lesson.yaml:2: unknown key \"tabs\" (known: problems)".
Result<LessonSettings, LessonError> parseLessonSettings(const std::string& text, const std::string& fileName = "lesson.yaml");

struct Lesson {
    std::string id;         // the folder's name
    std::string folder;     // where it was read from (a path or ":/lessons/<id>")
    std::string title;
    std::string summary;    // index.json's summary for built-ins; "" for folders
    std::string guide;      // Markdown
    std::string workspace;  // YAML text, as written
    LessonChecks checks;
    LessonSettings settings;
    bool builtIn = false;
};


// Files larger than this are not a lesson (a guide, a workspace and checks are a few kilobytes).
constexpr long long MAX_LESSON_FILE_BYTES = 4 * 1024 * 1024;

// Reads a lesson folder. Errors name the folder and the file: "…/my-lesson has no guide.md",
// "checks.yaml:12: unknown key …", "workspace.yaml:3: YAML syntax error: …". The workspace must parse as YAML;
// planted mistakes (a missing Service, a wrong port name) are fine — that is what exercises are made of.
Result<Lesson, LessonError> loadLessonFolder(const std::string& folder);
// A built-in lesson by id (":/lessons/<id>"), with its index.json title and summary.
Result<Lesson, LessonError> loadBuiltinLesson(const std::string& id);

}  // namespace ilab::lessons
