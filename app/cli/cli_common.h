#pragma once

#include <cstdio>
#include <string>

#include <QStringList>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::cli {

// Loads FILE|DIR arguments into a workspace. Returns false (after printing why) when nothing usable was read.
// The pseudo-path "demo" names the built-in demo workspace. Secrets that ask for a generated certificate
// (lessons::GENERATE_ANNOTATION) get it unless `generateSecrets` is false (export without its key material).
bool loadWorkspace(const QStringList& paths, model::Workspace& ws, const char* command, bool generateSecrets = true);

// "file:line:col: error: spec.rules[0].host: Invalid value: ..." (compiler style, clickable in editors).
std::string formatDiagnostic(const Diagnostic& d);
void printDiagnostics(const Diagnostics& diags, FILE* to);
// JSON array of diagnostics (the `--json` contract of validate).
std::string diagnosticsToJson(const Diagnostics& diags);

inline void printText(FILE* to, const std::string& s) { std::fwrite(s.data(), 1, s.size(), to); }

}  // namespace ilab::cli
