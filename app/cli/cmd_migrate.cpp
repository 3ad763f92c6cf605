// ingress-lab-cli migrate FILE|DIR... [-o yaml|json] [--out DIR]: ingress-nginx Ingresses -> Gateway API objects
// (as ingress2gateway's ingress-nginx provider does), with every annotation not carried over listed on stderr.
// migrate FILE... --check [--url URL]... [--json]: the behavioural migration diff; exit 1 when behaviour changes.

#include <cstdio>
#include <map>
#include <string>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <yaml-cpp/yaml.h>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/gateway/ingress_converter.h"
#include "core/gateway/migration_check.h"

namespace ilab::cli {

std::string buildRequest(const std::string& url, const std::string& method, const std::vector<std::string>& headers,
                         const std::vector<std::string>& cookies, const std::string& clientIp, const std::string& sni,
                         routing::RequestView& req);

namespace {

const char* MIGRATE_USAGE =
    "usage: ingress-lab-cli migrate FILE|DIR... [-o yaml|json] [--out DIR]\n"
    "       ingress-lab-cli migrate FILE|DIR... --check [--url URL]... [--json]\n"
    "Converts ingress-nginx Ingresses to a Gateway and HTTPRoutes as ingress2gateway (ingress-nginx provider, standard\n"
    "emitter) does; every annotation it cannot carry over is listed on stderr.\n"
    "  --out DIR   write gateway-api.yaml (or .json) into DIR instead of stdout\n"
    "  --check     run a request corpus built from the Ingresses (plus each --url) through the ingress-nginx profile and\n"
    "              through the gateway profile on the converted objects; print every difference, grouped by cause\n"
    "Exit codes: 0 converted / no behaviour change, 1 behaviour changes (--check), 2 bad usage or unreadable input.\n";

int usageError(const std::string& msg) {
    std::fprintf(stderr, "ingress-lab-cli migrate: %s\n\n%s", msg.c_str(), MIGRATE_USAGE);
    return 2;
}

QJsonValue yamlToJson(const YAML::Node& n) {
    if (n.IsMap()) {
        QJsonObject o;
        for (auto it = n.begin(); it != n.end(); ++it) o.insert(QString::fromStdString(it->first.Scalar()), yamlToJson(it->second));
        return o;
    }
    if (n.IsSequence()) {
        QJsonArray a;
        for (const auto& x : n) a.append(yamlToJson(x));
        return a;
    }
    if (n.IsNull()) return QJsonValue::Null;
    const std::string s = n.Scalar();
    if (n.Tag() != "!") {
        if (s == "true" || s == "false") return s == "true";
        bool ok = false;
        const long long v = QString::fromStdString(s).toLongLong(&ok);
        if (ok) return static_cast<double>(v);
    }
    return QString::fromStdString(s);
}

QJsonObject sideJson(const gateway::SideOutcome& s) {
    QJsonObject o;
    o.insert("status", s.status);
    QJsonObject b;
    for (const auto& [k, v] : s.backends) b.insert(QString::fromStdString(k), v);
    o.insert("backends", b);
    if (!s.location.empty()) o.insert("location", QString::fromStdString(s.location));
    if (!s.upstreamPath.empty()) o.insert("upstreamPath", QString::fromStdString(s.upstreamPath));
    if (!s.allowOrigin.empty()) o.insert("accessControlAllowOrigin", QString::fromStdString(s.allowOrigin));
    o.insert("why", QString::fromStdString(s.why));
    return o;
}

std::string sideText(const gateway::SideOutcome& s) {
    std::string t = std::to_string(s.status);
    if (!s.backends.empty()) {
        t += " ->";
        for (const auto& [k, v] : s.backends) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%.0f%%", v * 100);
            t += " " + k + (s.backends.size() > 1 ? " " + std::string(buf) : "");
        }
    }
    if (!s.location.empty()) t += " Location " + s.location;
    if (!s.upstreamPath.empty()) t += " path " + s.upstreamPath;
    if (!s.allowOrigin.empty()) t += " ACAO " + s.allowOrigin;
    return t;
}

}  // namespace

int runMigrate(const QStringList& args) {
    QStringList paths;
    std::string output = "yaml", outDir;
    bool check = false, json = false;
    std::vector<std::string> urls;
    for (int i = 0; i < args.size(); ++i) {
        const QString a = args[i];
        auto next = [&](std::string& into) {
            if (i + 1 >= args.size()) return false;
            into = args[++i].toStdString();
            return true;
        };
        if (a == "--help" || a == "-h") {
            std::fputs(MIGRATE_USAGE, stdout);
            return 0;
        } else if (a == "-o" || a == "--output") {
            if (!next(output) || (output != "yaml" && output != "json")) return usageError("-o takes yaml or json");
        } else if (a.startsWith("--output=")) {
            output = a.mid(9).toStdString();
            if (output != "yaml" && output != "json") return usageError("-o takes yaml or json");
        } else if (a == "--out") {
            if (!next(outDir)) return usageError("--out needs a directory");
        } else if (a.startsWith("--out=")) {
            outDir = a.mid(6).toStdString();
        } else if (a == "--check") {
            check = true;
        } else if (a == "--json") {
            json = true;
        } else if (a == "--url") {
            std::string u;
            if (!next(u)) return usageError("--url needs a value");
            urls.push_back(u);
        } else if (a.startsWith("--url=")) {
            urls.push_back(a.mid(6).toStdString());
        } else if (a.startsWith('-') && a != "-") {
            return usageError("unknown option " + a.toStdString());
        } else {
            paths << a;
        }
    }
    if (paths.isEmpty()) return usageError("no input files");
    if (!check && (json || !urls.empty())) return usageError("--json and --url go with --check");
    model::Workspace ws;
    if (!loadWorkspace(paths, ws, "migrate")) return 2;

    if (!check) {
        const gateway::Conversion c = gateway::convertIngresses(ws);
        for (const auto& n : c.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
        std::string text = c.yaml;
        if (output == "json") {
            QJsonArray items;
            try {
                for (const auto& doc : YAML::LoadAll(c.yaml)) items.append(yamlToJson(doc));
            } catch (const YAML::Exception& e) {
                std::fprintf(stderr, "ingress-lab-cli migrate: internal error: %s\n", e.what());
                return 2;
            }
            QJsonObject list{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
            text = QJsonDocument(list).toJson(QJsonDocument::Indented).toStdString();
        }
        if (outDir.empty()) {
            printText(stdout, text);
        } else {
            QDir().mkpath(QString::fromStdString(outDir));
            const QString file = QDir(QString::fromStdString(outDir)).filePath(output == "json" ? "gateway-api.json" : "gateway-api.yaml");
            QFile f(file);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.data(), static_cast<qint64>(text.size())) < 0) {
                std::fprintf(stderr, "ingress-lab-cli migrate: cannot write %s\n", qPrintable(file));
                return 2;
            }
            std::fprintf(stderr, "wrote %s (%d Gateway(s), %d HTTPRoute(s))\n", qPrintable(file), c.gateways, c.routes);
        }
        return 0;
    }

    std::vector<routing::RequestView> extra;
    for (const auto& u : urls) {
        routing::RequestView r;
        if (auto err = buildRequest(u, "GET", {}, {}, "", "", r); !err.empty()) return usageError(err);
        extra.push_back(r);
    }
    const gateway::MigrationReport rep = gateway::checkMigration(ws, extra);
    std::map<std::string, std::vector<const gateway::Difference*>> byCause;
    for (const auto& d : rep.differences) byCause[d.cause].push_back(&d);
    if (json) {
        QJsonObject o;
        o.insert("requests", rep.requests);
        o.insert("differences", static_cast<int>(rep.differences.size()));
        QJsonArray groups;
        for (const auto& [cause, ds] : byCause) {
            QJsonObject g;
            g.insert("cause", QString::fromStdString(cause));
            QJsonArray items;
            for (const auto* d : ds) {
                QJsonObject x;
                x.insert("request", QString::fromStdString(d->url));
                QJsonArray f;
                for (const auto& s : d->fields) f.append(QString::fromStdString(s));
                x.insert("fields", f);
                x.insert("ingressNginx", sideJson(d->nginx));
                x.insert("gateway", sideJson(d->gateway));
                items.append(x);
            }
            g.insert("requests", items);
            groups.append(g);
        }
        o.insert("groups", groups);
        QJsonArray notes;
        for (const auto& n : rep.notes) notes.append(QString::fromStdString(n));
        o.insert("notCarriedOver", notes);
        printText(stdout, QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString());
    } else {
        std::string out = std::to_string(rep.requests) + " requests, " + std::to_string(rep.differences.size()) + " behave differently after migration\n";
        for (const auto& [cause, ds] : byCause) {
            out += "\n" + cause + " (" + std::to_string(ds.size()) + ")\n";
            for (const auto* d : ds) {
                out += "  " + d->url + "\n";
                out += "    ingress-nginx: " + sideText(d->nginx) + "\n      why: " + d->nginx.why + "\n";
                out += "    gateway:       " + sideText(d->gateway) + "\n      why: " + d->gateway.why + "\n";
            }
        }
        if (!rep.notes.empty()) {
            out += "\nnot carried over by the conversion:\n";
            for (const auto& n : rep.notes) out += "  " + n + "\n";
        }
        printText(stdout, out);
    }
    return rep.differences.empty() ? 0 : 1;
}

}  // namespace ilab::cli
