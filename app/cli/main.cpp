#include <cstdio>
#include <cstring>

#include <QCoreApplication>

#include "app/cli/commands.h"
#include "core/common/build_info.h"

namespace {

struct Command {
    const char* name;
    int (*run)(const QStringList&);
    const char* summary;
};

const Command COMMANDS[] = {
    {"validate", ilab::cli::runValidate, "API-server-equivalent validation and controller lint; exit 1 on errors"},
    {"export", ilab::cli::runExport, "normalised, kubectl-ready YAML (or JSON)"},
    {"route", ilab::cli::runRoute, "one routing decision with its trace, without sending traffic"},
    {"serve", ilab::cli::runServe, "the controller and proxy, headless, with simulated pods; logs to stdout"},
    {"traffic", ilab::cli::runTraffic, "the load generator, with a per-backend summary"},
    {"test", ilab::cli::runTest, "golden requests -> expected backend/status; exit 1 on a failure"},
    {"migrate", ilab::cli::runMigrate, "ingress-nginx Ingresses -> Gateway API; --check: what the migration changes"},
    {"lesson", ilab::cli::runLesson, "a lesson's checks against the local controller (Check my work); exit 1 on a failure"},
    {"cluster", ilab::cli::runCluster, "a real cluster (kubeconfig): contexts, info, get, pull, diff, apply, events"},
};

void usage(FILE* to) {
    std::fprintf(to, "usage: ingress-lab-cli COMMAND [ARGS...]\n\ncommands:\n");
    for (const auto& c : COMMANDS) std::fprintf(to, "  %-9s %s\n", c.name, c.summary);
    std::fprintf(to, "\nRun 'ingress-lab-cli COMMAND --help' for a command's options.\n"
                     "Exit codes: 0 success, 1 the check found problems, 2 bad usage or unreadable input.\n");
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ingress-lab-cli"));
    QCoreApplication::setApplicationVersion(QString::fromStdString(ilab::versionString()));
    QStringList args = app.arguments();
    args.removeFirst();
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        usage(args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == QLatin1String("--version")) {
        std::fputs(ilab::buildInfoText("ingress-lab-cli").c_str(), stdout);
        return 0;
    }
    const QString name = args.takeFirst();
    for (const auto& c : COMMANDS)
        if (name == QLatin1String(c.name)) return c.run(args);
    std::fprintf(stderr, "ingress-lab-cli: unknown command '%s'\n\n", qPrintable(name));
    usage(stderr);
    return 2;
}
