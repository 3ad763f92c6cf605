#include <QCommandLineParser>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/yaml/yaml_writer.h"

namespace ilab::cli {

int runExport(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Print the workspace as normalised, kubectl-ready YAML or JSON."));
    p.addHelpOption();
    p.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("yaml (default) or json."),
                 QStringLiteral("FORMAT"), QStringLiteral("yaml")});
    p.addPositionalArgument(QStringLiteral("FILE|DIR"), QStringLiteral("Workspace files or folders ('demo' = built-in demo)."));
    if (!p.parse(QStringList{QStringLiteral("export")} + args)) {
        std::fprintf(stderr, "ingress-lab-cli export: %s\n", qPrintable(p.errorText()));
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        printText(stdout, p.helpText().toStdString());
        return 0;
    }
    const QString format = p.value(QStringLiteral("output"));
    if (format != QLatin1String("yaml") && format != QLatin1String("json")) {
        std::fprintf(stderr, "ingress-lab-cli export: unknown output format '%s' (use yaml or json)\n", qPrintable(format));
        return 2;
    }
    model::Workspace ws;
    if (!loadWorkspace(p.positionalArguments(), ws, "export")) return 2;
    // Syntax errors mean part of the input could not be read: say so, export what was read, exit 1.
    Diagnostics syntax;
    for (const auto& d : ws.loadDiagnostics)
        if (d.severity == Severity::Error) syntax.push_back(d);
    printDiagnostics(syntax, stderr);
    printText(stdout, format == QLatin1String("json") ? yaml::toJson(ws) : yaml::toYaml(ws));
    return syntax.empty() ? 0 : 1;
}

}  // namespace ilab::cli
