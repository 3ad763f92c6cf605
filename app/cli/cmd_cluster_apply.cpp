// `ingress-lab-cli cluster pull | diff | apply`: between workspace files and a real cluster (server-side apply with
// field manager ingress-lab, core/kube/apply.h).
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <map>
#include <set>

#include "app/cli/cli_common.h"
#include "app/cli/cmd_cluster_internal.h"
#include "core/kube/apply.h"
#include "core/kube/pull_plan.h"
#include "core/kube/workspace_objects.h"
#include "core/yaml/yaml_writer.h"

namespace ilab::cli {

using namespace cluster;

namespace {

using kube::WITHHELD_ANNOTATION;

// ---- one object of a workspace, ready for the server -----------------------------------------------------------

struct Target {
    const model::Resource* res = nullptr;
    kube::ResourceRef ref;
    std::string ns, name, body;  // body: JSON (JSON is YAML) of the normalised document
    std::string where;           // "file:line" of the document
};

SourcePos positionOf(const model::Resource& r, const std::string& field) { return kube::positionOfField(r, field); }

std::string at(const SourcePos& p) {
    return p.file + (p.line > 0 ? ":" + std::to_string(p.line) + ":" + std::to_string(p.column) : std::string());
}

// The targets of the files, or false after printing why (unknown kinds, namespace mismatches, syntax errors).
bool loadTargets(const QCommandLineParser& p, const Session& s, const char* sub, model::Workspace& ws,
                 std::vector<Target>& out) {
    // Secrets are sent as written: generated lab key material stays on this machine (as `export` does).
    if (!loadWorkspace(p.positionalArguments(), ws, sub, false)) return false;
    Diagnostics syntax;
    for (const auto& d : ws.loadDiagnostics)
        if (d.severity == Severity::Error) syntax.push_back(d);
    printDiagnostics(ws.loadDiagnostics, stderr);  // conversions (v1beta1 Ingress -> v1) as warnings, errors
    if (!syntax.empty()) {
        std::fprintf(stderr, "ingress-lab-cli cluster %s: nothing sent: fix the errors above first\n", sub);
        return false;
    }
    const std::string nsFlag = p.value(QStringLiteral("namespace")).toStdString();
    bool ok = true;
    for (const auto& r : ws.resources) {
        Target t;
        t.res = &r;
        t.where = r.source.file + ":" + std::to_string(r.source.pos.line);
        auto ref = resourceForKind(r.apiVersion, r.kind);
        if (!ref) {
            std::fprintf(stderr, "ingress-lab-cli cluster %s: %s: %s %s: kind not supported here (use kubectl)\n", sub,
                         t.where.c_str(), r.apiVersion.c_str(), r.kind.c_str());
            ok = false;
            continue;
        }
        t.ref = *ref;
        t.name = r.meta.name;
        if (t.ref.namespaced) {
            t.ns = r.meta.ns.empty() ? s.connection().ns : r.meta.ns;
            if (!nsFlag.empty() && !r.meta.ns.empty() && r.meta.ns != nsFlag) {  // kubectl's rule
                std::fprintf(stderr,
                             "ingress-lab-cli cluster %s: %s: the namespace from the provided object \"%s\" does not "
                             "match the namespace \"%s\". You must pass '--namespace=%s' to perform this operation.\n",
                             sub, t.where.c_str(), r.meta.ns.c_str(), nsFlag.c_str(), r.meta.ns.c_str());
                ok = false;
                continue;
            }
        }
        if (t.name.empty()) {
            std::fprintf(stderr, "ingress-lab-cli cluster %s: %s: %s without metadata.name\n", sub, t.where.c_str(),
                         r.kind.c_str());
            ok = false;
            continue;
        }
        t.body = kube::applyBody(r, t.ref, t.ns);
        out.push_back(std::move(t));
    }
    return ok;
}

bool withheld(const Target& t) { return kube::isWithheldSecret(*t.res); }

std::string label(const Target& t) {
    return t.ref.kind + " " + (t.ns.empty() ? std::string() : t.ns + "/") + t.name;
}

// A failed apply / dry-run, reported the way the user can act on it. Returns the exit code: 1 for conflicts and
// invalid objects (the input has a problem the user can fix), 2 for everything else.
int reportFailure(const Target& t, const kube::RestError& e, const char* sub, bool forceHint) {
    if (e.kind == kube::RestErrorKind::Api && e.api.isConflictWithManagers()) {
        std::fprintf(stderr, "ingress-lab-cli cluster %s: %s: %s: apply failed with %zu conflict(s): these fields are "
                             "managed by another field manager:\n",
                     sub, t.where.c_str(), label(t).c_str(), e.api.causes.size());
        for (const auto& c : e.api.causes) {
            if (c.reason != "FieldManagerConflict") continue;
            std::fprintf(stderr, "  %s: %s (%s)\n", at(positionOf(*t.res, c.field)).c_str(),
                         c.field.c_str(), c.message.c_str());
        }
        if (forceHint)
            std::fprintf(stderr, "Re-run with --force-conflicts to take these fields over, or leave them out of the file "
                                 "to keep them with their manager.\n");
        return 1;
    }
    if (e.kind == kube::RestErrorKind::Api && e.api.http == 422) {
        std::fprintf(stderr, "ingress-lab-cli cluster %s: %s: %s is invalid:\n", sub, t.where.c_str(), label(t).c_str());
        if (e.api.causes.empty()) std::fprintf(stderr, "  %s\n", e.api.message.c_str());
        for (const auto& c : e.api.causes)
            std::fprintf(stderr, "  %s: error: %s: %s\n", at(positionOf(*t.res, c.field)).c_str(), c.field.c_str(),
                         c.message.c_str());
        return 1;
    }
    std::fprintf(stderr, "ingress-lab-cli cluster %s: %s: %s: %s\n", sub, t.where.c_str(), label(t).c_str(),
                 errorText(e).c_str());
    return 2;
}

QStringList dryRunAsFlag(QStringList args) {
    for (QString& a : args)  // kubectl spells it --dry-run=server
        if (a == QLatin1String("--dry-run=server")) a = QStringLiteral("--dry-run");
    return args;
}

}  // namespace

// ---- apply -----------------------------------------------------------------------------------------------------

int runClusterApply(const QStringList& rawArgs) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Server-side apply of workspace files with field manager ingress-lab, like kubectl apply --server-side. "
        "Exit 1 on a field-manager conflict or an invalid object, 2 on other errors."));
    addConnectionOptions(p, false);
    p.addOption({QStringLiteral("dry-run"), QStringLiteral("Server dry run (dryRun=All): validated and defaulted, nothing stored.")});
    p.addOption({QStringLiteral("force-conflicts"), QStringLiteral("Take over fields that another field manager owns.")});
    p.addPositionalArgument(QStringLiteral("FILE|DIR"), QStringLiteral("Workspace files or folders."));
    if (!parseArgs(p, dryRunAsFlag(rawArgs), "apply")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    auto s = Session::open(p, "apply");
    if (!s) return 2;
    model::Workspace ws;
    std::vector<Target> targets;
    if (!loadTargets(p, *s, "apply", ws, targets)) return 2;
    kube::ApplyOptions o;
    o.dryRun = p.isSet(QStringLiteral("dry-run"));
    o.force = p.isSet(QStringLiteral("force-conflicts"));
    int exitCode = 0;
    for (const auto& t : targets) {
        if (withheld(t)) {
            std::fprintf(stderr, "ingress-lab-cli cluster apply: %s: %s skipped: it was pulled without its data (%s)\n",
                         t.where.c_str(), label(t).c_str(), WITHHELD_ANNOTATION);
            continue;
        }
        const kube::RestReply r = s->call(kube::applyRequest(t.ref, t.ns, t.name, t.body, o));
        if (!r.ok()) {
            exitCode = std::max(exitCode, reportFailure(t, *r.error, "apply", !o.force));
            continue;
        }
        printText(stdout, kubectlTypeName(t.ref) + "/" + t.name + " serverside-applied" +
                              (o.dryRun ? " (server dry run)" : "") + "\n");
    }
    return exitCode;
}

// ---- diff ------------------------------------------------------------------------------------------------------

int runClusterDiff(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "What apply would change, like kubectl diff --server-side: a server-side dry-run apply of each object, "
        "diffed against the live object (Secret values masked). Exit 0: no differences, 1: differences, 2: error."));
    addConnectionOptions(p, false);
    p.addOption({QStringLiteral("force-conflicts"), QStringLiteral("Preview taking over fields another manager owns.")});
    p.addPositionalArgument(QStringLiteral("FILE|DIR"), QStringLiteral("Workspace files or folders."));
    if (!parseArgs(p, args, "diff")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    auto s = Session::open(p, "diff");
    if (!s) return 2;
    model::Workspace ws;
    std::vector<Target> targets;
    if (!loadTargets(p, *s, "diff", ws, targets)) return 2;
    kube::ApplyOptions o;
    o.force = p.isSet(QStringLiteral("force-conflicts"));
    bool changed = false, failed = false;
    for (const auto& t : targets) {
        if (withheld(t)) {
            std::fprintf(stderr, "ingress-lab-cli cluster diff: %s: %s skipped: it was pulled without its data (%s)\n",
                         t.where.c_str(), label(t).c_str(), WITHHELD_ANNOTATION);
            continue;
        }
        QEventLoop loop;
        kube::DiffResult result;
        kube::diffServerSide(s->client(), t.ref, t.ns, t.name, t.body, o, &loop, [&](const kube::DiffResult& d) {
            result = d;
            loop.quit();
        });
        loop.exec();
        if (result.error) {
            reportFailure(t, *result.error, "diff", !o.force);
            failed = true;
            continue;
        }
        if (result.changed) {
            changed = true;
            printText(stdout, result.text);
        }
    }
    return failed ? 2 : changed ? 1 : 0;
}

// ---- pull ------------------------------------------------------------------------------------------------------

namespace {

struct Pulled {
    kube::ResourceRef ref;
    QJsonObject object;
};

QJsonObject clean(QJsonObject o, const std::string& kind, bool includeSecrets, bool* withheldData) {
    return kube::cleanPulledObject(std::move(o), kind, includeSecrets, withheldData);
}

}  // namespace

int runClusterPull(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Write the namespace's Ingresses and what they use (Services, IngressClasses, TLS Secrets, the ingress-nginx "
        "controller ConfigMap if readable) as clean, kubectl-ready YAML: one file per object, DIR/<namespace>/"
        "<kind>-<name>.yaml (cluster-scoped: DIR/<kind>-<name>.yaml). Secret values are left empty unless "
        "--include-secrets."));
    addConnectionOptions(p, true);
    p.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("The folder to write (created)."),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("include-secrets"),
                 QStringLiteral("Write Secret values (real keys; files get mode 0600).")});
    p.addPositionalArgument(QStringLiteral("KIND/NAME"),
                            QStringLiteral("Only these objects (ingress/x, service/x, secret/x, ingressclass/x, "
                                           "configmap/x); an Ingress brings what it uses."),
                            QStringLiteral("[KIND/NAME...]"));
    if (!parseArgs(p, args, "pull")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    const QString dir = p.value(QStringLiteral("output"));
    if (dir.isEmpty()) {
        std::fprintf(stderr, "ingress-lab-cli cluster pull: -o DIR is required\n");
        return 2;
    }
    std::vector<std::pair<kube::ResourceRef, std::string>> named;
    for (const QString& a : p.positionalArguments()) {
        const QStringList kn = a.split(QLatin1Char('/'));
        auto ref = kn.size() == 2 && !kn[1].isEmpty() ? resourceForName(kn[0].toStdString()) : std::nullopt;
        if (!ref || (ref->kind != "Ingress" && ref->kind != "Service" && ref->kind != "Secret" &&
                     ref->kind != "IngressClass" && ref->kind != "ConfigMap")) {
            std::fprintf(stderr,
                         "ingress-lab-cli cluster pull: '%s': expected KIND/NAME with KIND ingress, service, secret, "
                         "ingressclass or configmap\n",
                         qPrintable(a));
            return 2;
        }
        named.emplace_back(*ref, kn[1].toStdString());
    }
    auto s = Session::open(p, "pull");
    if (!s) return 2;
    const bool includeSecrets = p.isSet(QStringLiteral("include-secrets"));
    std::map<std::string, Pulled> objects;  // "Kind ns/name" -> object (each once, sorted)
    int exitCode = 0;
    auto get = [&](const kube::ResourceRef& ref, const std::string& ns, const std::string& name,
                   const std::string& why) -> std::optional<QJsonObject> {
        const std::string key = ref.kind + " " + ns + "/" + name;
        if (auto it = objects.find(key); it != objects.end()) return it->second.object;
        kube::RestRequest r;
        r.path = ref.itemPath(ns, name);
        const kube::RestReply reply = s->call(r);
        if (!reply.ok()) {
            const bool optional = why.empty() ? false : true;
            std::fprintf(stderr, "ingress-lab-cli cluster pull: %s%s%s: %s\n", optional ? "note: " : "", key.c_str(),
                         why.c_str(), errorText(*reply.error).c_str());
            if (!optional) exitCode = 2;
            return std::nullopt;
        }
        QJsonObject o = reply.json();
        o.insert(QStringLiteral("apiVersion"), QString::fromStdString(ref.apiVersion()));
        o.insert(QStringLiteral("kind"), QString::fromStdString(ref.kind));
        objects[key] = {ref, o};
        return o;
    };
    std::vector<QJsonObject> ingresses;
    if (named.empty()) {
        kube::ListResult l = s->list(kube::ingressesV1(), s->ns());
        if (l.error) {
            std::fprintf(stderr, "%s\n", errorText(*l.error).c_str());
            return 2;
        }
        ingresses = l.items;
        for (const auto& ing : ingresses) {
            const QJsonObject m = obj(ing, "metadata");
            objects["Ingress " + str(m.value(QStringLiteral("namespace"))) + "/" + str(m.value(QStringLiteral("name")))] = {
                kube::ingressesV1(), ing};
        }
    } else {
        for (const auto& [ref, name] : named) {
            auto o = get(ref, ref.namespaced ? s->connection().ns : std::string(), name, {});
            if (o && ref.kind == "Ingress") ingresses.push_back(*o);
        }
        if (exitCode) return exitCode;
    }
    // What the Ingresses use (core/kube/pull_plan.h, as the GUI's Pull).
    std::string defaultClass;
    if (kube::needsDefaultIngressClass(ingresses)) defaultClass = kube::defaultIngressClassName(s->list(kube::ingressClassesV1(), {}).items);
    for (const auto& d : kube::ingressDependencies(ingresses, defaultClass)) get(d.ref, d.ns, d.name, d.usedBy);
    // The controller's ConfigMap (ingress-nginx's manifests put it in namespace ingress-nginx), if readable.
    if (named.empty()) {
        kube::RestRequest r;
        r.path = kube::configMapsV1().itemPath(kube::CONTROLLER_CONFIGMAP_NAMESPACE, kube::CONTROLLER_CONFIGMAP_NAME);
        const kube::RestReply reply = s->call(r);
        if (reply.ok()) {
            QJsonObject o = reply.json();
            o.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
            o.insert(QStringLiteral("kind"), QStringLiteral("ConfigMap"));
            objects["ConfigMap ingress-nginx/ingress-nginx-controller"] = {kube::configMapsV1(), o};
        } else if (reply.error->kind == kube::RestErrorKind::Api && reply.error->api.http != 404) {
            std::fprintf(stderr, "ingress-lab-cli cluster pull: note: ConfigMap ingress-nginx/ingress-nginx-controller not "
                                 "pulled: %s\n", errorText(*reply.error).c_str());
        }
    }
    if (!ingresses.empty()) warnAboutIngressClasses(*s, ingresses, "pull", nullptr);
    if (objects.empty()) {
        printText(stderr, s->allNamespaces() ? "No Ingresses found\n" : "No Ingresses found in " + s->ns() + " namespace.\n");
        return exitCode;
    }
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "ingress-lab-cli cluster pull: cannot create %s\n", qPrintable(dir));
        return 2;
    }
    int written = 0;
    for (const auto& [key, pulled] : objects) {
        bool withheldData = false;
        const QJsonObject o = clean(pulled.object, pulled.ref.kind, includeSecrets, &withheldData);
        const QJsonObject meta = obj(o, "metadata");
        std::string kind = pulled.ref.kind;
        std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
        const QString ns = meta.value(QStringLiteral("namespace")).toString();
        const QString folder = pulled.ref.namespaced ? dir + QLatin1Char('/') + ns : dir;
        QDir().mkpath(folder);
        const QString path = folder + QLatin1Char('/') + QString::fromStdString(kind) + QLatin1Char('-') +
                             meta.value(QStringLiteral("name")).toString() + QStringLiteral(".yaml");
        std::string text = kube::toYaml(o);
        if (withheldData)
            text = "# Pulled by ingress-lab-cli without the Secret's values (use --include-secrets to write them).\n"
                   "# `ingress-lab-cli cluster apply` skips this Secret; kubectl apply would empty it in the cluster.\n" +
                   text;
        QFile f(path);
        const bool secretData = pulled.ref.kind == "Secret" && !withheldData;
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            (secretData && !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner)) ||
            f.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size())) {
            std::fprintf(stderr, "ingress-lab-cli cluster pull: cannot write %s: %s\n", qPrintable(path),
                         qPrintable(f.errorString()));
            return 2;
        }
        ++written;
        printText(stdout, qPrintable(path) + std::string(withheldData ? "   (values left empty)" : "") + "\n");
    }
    std::fprintf(stderr, "ingress-lab-cli cluster pull: %d object(s) written to %s\n", written, qPrintable(dir));
    return exitCode;
}

}  // namespace ilab::cli
