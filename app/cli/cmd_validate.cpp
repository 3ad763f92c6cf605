#include <QCommandLineParser>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/validation/validator.h"

namespace ilab::cli {

int runValidate(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Validate workspace files as the API server and the controller would."));
    p.addHelpOption();
    p.addOption({QStringLiteral("json"), QStringLiteral("Print the diagnostics as a JSON list on stdout.")});
    p.addOption({QStringLiteral("allow-snippet-annotations"), QStringLiteral("Accept *-snippet annotations.")});
    p.addOption({QStringLiteral("no-lint"), QStringLiteral("Only the API server's rules, no controller lint.")});
    p.addPositionalArgument(QStringLiteral("FILE|DIR"), QStringLiteral("Workspace files or folders ('demo' = built-in demo)."));
    if (!p.parse(QStringList{QStringLiteral("validate")} + args)) {
        std::fprintf(stderr, "ingress-lab-cli validate: %s\n", qPrintable(p.errorText()));
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        printText(stdout, p.helpText().toStdString());
        return 0;
    }
    model::Workspace ws;
    if (!loadWorkspace(p.positionalArguments(), ws, "validate")) return 2;
    validation::ValidationOptions opts;
    opts.allowSnippetAnnotations = p.isSet(QStringLiteral("allow-snippet-annotations"));
    opts.lint = !p.isSet(QStringLiteral("no-lint"));
    const Diagnostics diags = validation::validate(ws, opts);
    if (p.isSet(QStringLiteral("json"))) {
        printText(stdout, diagnosticsToJson(diags));
    } else {
        printDiagnostics(diags, stderr);
        int errors = 0, warnings = 0;
        for (const auto& d : diags) (d.severity == Severity::Error ? errors : warnings) += d.severity != Severity::Info;
        std::fprintf(stdout, "%zu object(s) in %zu file(s): %d error(s), %d warning(s)\n", ws.resources.size(),
                     ws.files.size(), errors, warnings);
    }
    return hasErrors(diags) ? 1 : 0;
}

}  // namespace ilab::cli
