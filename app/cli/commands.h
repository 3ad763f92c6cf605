#pragma once

#include <QStringList>

// Each `ingress-lab-cli` subcommand lives in its own file (cmd_<name>.cpp) and is listed in main.cpp.
// args: the arguments after the subcommand name. Returns the exit code:
//   0 success, 1 the check found problems, 2 bad usage or unreadable input (design.md "Command line").
// Results go to stdout; diagnostics and errors to stderr.
namespace ilab::cli {

int runValidate(const QStringList& args);
int runExport(const QStringList& args);
int runRoute(const QStringList& args);
int runServe(const QStringList& args);
int runTraffic(const QStringList& args);
int runTest(const QStringList& args);
int runMigrate(const QStringList& args);  // cmd_migrate.cpp: Ingresses -> Gateway API, --check: behaviour diff
int runCluster(const QStringList& args);
int runLesson(const QStringList& args);   // cmd_lesson.cpp: lesson check DIR|NAME (Check my work), lesson list  // cmd_cluster.cpp: contexts, info, get, pull, diff, apply, events

}  // namespace ilab::cli
