#include <QCommandLineParser>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/export/workspace_export.h"

namespace ilab::cli {

int runExport(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Print the workspace as normalised, kubectl-ready YAML or JSON."));
    p.addHelpOption();
    p.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("yaml (default) or json."),
                 QStringLiteral("FORMAT"), QStringLiteral("yaml")});
    p.addOption({QStringLiteral("include-generated-keys"),
                 QStringLiteral("Also write the certificate and private key Ingress Lab generates for Secrets annotated "
                                "ingress-lab.dev/generate-self-signed (signed with the lab's own key; left empty by default).")});
    p.addOption({QStringLiteral("ingresses-only"), QStringLiteral("Write only the Ingress objects.")});
    p.addOption({QStringLiteral("without-secrets"), QStringLiteral("Leave every Secret out.")});
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
    // Generated key material is written only when asked for: by default those Secrets are exported as the demo
    // and the lessons ship them (tls.crt and tls.key empty, the annotation kept), which `kubectl apply` accepts
    // and the next load fills again. Secrets the user wrote are exported exactly as written.
    const bool includeGeneratedKeys = p.isSet(QStringLiteral("include-generated-keys"));
    model::Workspace ws;
    if (!loadWorkspace(p.positionalArguments(), ws, "export", includeGeneratedKeys)) return 2;
    exporting::ExportOptions options;
    options.format = format == QLatin1String("json") ? exporting::ExportOptions::Format::Json : exporting::ExportOptions::Format::Yaml;
    options.ingressesOnly = p.isSet(QStringLiteral("ingresses-only"));
    options.withoutSecrets = p.isSet(QStringLiteral("without-secrets"));
    options.includeGeneratedKeys = includeGeneratedKeys;
    const exporting::ExportResult result = exporting::exportWorkspace(ws, options);  // the GUI's File > Export… too
    for (const std::string& name : result.withheldKeys)
        std::fprintf(stderr,
                     "ingress-lab-cli export: note: %s: generated certificate and private key not exported (tls.crt and "
                     "tls.key left empty; Ingress Lab generates them on load); use --include-generated-keys to export them\n",
                     name.c_str());
    // Syntax errors mean part of the input could not be read: say so, export what was read, exit 1.
    Diagnostics syntax;
    for (const auto& d : ws.loadDiagnostics)
        if (d.severity == Severity::Error) syntax.push_back(d);
    printDiagnostics(syntax, stderr);
    printText(stdout, result.text);
    return syntax.empty() ? 0 : 1;
}

}  // namespace ilab::cli
