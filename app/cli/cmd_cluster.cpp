// `ingress-lab-cli cluster ...`: a real cluster through core/kube, with kubectl's flags and output shapes.
// This file: the dispatcher and the read-only subcommands (contexts, info, get, events); pull, diff and apply are in
// cmd_cluster_apply.cpp.
#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <algorithm>
#include <set>

#include "app/cli/cli_common.h"
#include "app/cli/cluster_session.h"
#include "app/cli/cmd_cluster_internal.h"
#include "app/cli/commands.h"
#include "core/kube/apply.h"
#include "core/kube/distribution.h"
#include "core/kube/ingress_classes.h"
#include "core/kube/kubeconfig.h"

namespace ilab::cli {

using namespace cluster;

namespace cluster {

std::string str(const QJsonValue& v) { return v.toString().toStdString(); }

QJsonObject obj(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toObject(); }

bool parseArgs(QCommandLineParser& p, const QStringList& args, const char* sub) {
    p.addHelpOption();
    if (!p.parse(QStringList{QStringLiteral("cluster ") + QLatin1String(sub)} + args)) {
        std::fprintf(stderr, "ingress-lab-cli cluster %s: %s\n", sub, qPrintable(p.errorText()));
        return false;
    }
    return true;
}

std::string ingressClassOf(const QJsonObject& ingress) { return kube::ingressClassOf(ingress); }

void warnAboutIngressClasses(Session& s, const std::vector<QJsonObject>& ingresses, const char* sub,
                             std::vector<std::string>* lines) {
    const kube::ListResult classes = s.list(kube::ingressClassesV1(), {});
    if (classes.error) return;  // not allowed to read IngressClasses: nothing to compare
    const std::vector<kube::IngressClassInfo> infos = kube::ingressClassInfos(classes.items);
    if (lines)
        for (const auto& c : infos) lines->push_back(c.name + " (" + c.controller + (c.isDefault ? ", default" : "") + ")");
    for (const auto& w : kube::foreignIngressClassWarnings(infos, ingresses))
        std::fprintf(stderr, "ingress-lab-cli cluster %s: warning: %s\n", sub, w.c_str());
}

}  // namespace cluster

namespace {

// ---- contexts --------------------------------------------------------------------------------------------------

int runContexts(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List the kubeconfig contexts, like kubectl config get-contexts, plus "
                                               "each context's server."));
    p.addOption({QStringLiteral("kubeconfig"), QStringLiteral("Path to the kubeconfig file."), QStringLiteral("FILE")});
    p.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("name: context names only."),
                 QStringLiteral("FORMAT")});
    p.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Only these contexts."), QStringLiteral("[NAME...]"));
    if (!parseArgs(p, args, "contexts")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    const QString format = p.value(QStringLiteral("output"));
    if (!format.isEmpty() && format != QLatin1String("name")) {
        std::fprintf(stderr, "ingress-lab-cli cluster contexts: output format must be name, not '%s'\n", qPrintable(format));
        return 2;
    }
    kube::KubeconfigOptions o;
    o.kubeconfigFlag = p.value(QStringLiteral("kubeconfig")).toStdString();
    auto config = kube::loadKubeconfig(o);
    if (!config) {
        std::fprintf(stderr, "ingress-lab-cli cluster contexts: %s\n", config.message().c_str());
        return 2;
    }
    std::vector<std::string> names;
    for (const QString& n : p.positionalArguments()) {
        if (!config->contexts.count(n.toStdString())) {
            std::fprintf(stderr, "ingress-lab-cli cluster contexts: context %s not found\n", qPrintable(n));
            return 2;
        }
        names.push_back(n.toStdString());
    }
    if (names.empty()) names = config->contextNames();
    if (format == QLatin1String("name")) {
        for (const auto& n : names) printText(stdout, n + "\n");
        return 0;
    }
    Table t({"CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE", "SERVER", "DISTRIBUTION"});
    for (const auto& n : names) {
        const kube::KubeconfigContext& c = config->contexts.at(n);
        auto cl = config->clusters.find(c.cluster);
        t.add({n == config->currentContext ? "*" : "", n, c.cluster, c.user, c.ns,
               cl == config->clusters.end() ? "<cluster not defined>" : cl->second.server,
               kube::distributionFromKubeconfig(*config, n).label()});
    }
    printText(stdout, t.text());
    return 0;
}

// ---- info ------------------------------------------------------------------------------------------------------

int runInfo(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("The chosen context, its server's version and its IngressClasses."));
    addConnectionOptions(p, false);
    if (!parseArgs(p, args, "info")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    auto s = Session::open(p, "info");
    if (!s) return 2;
    const auto& c = s->connection();
    std::string out = "Context:    " + c.contextName + "\nCluster:    " + c.clusterName + "\nServer:     " + c.server +
                      "\nUser:       " + c.userName + "\nNamespace:  " + s->ns() + "\n";
    kube::RestRequest r;
    r.path = "/version";
    const kube::RestReply v = s->call(r);
    if (!v.ok()) {
        printText(stdout, out);
        std::fprintf(stderr, "ingress-lab-cli cluster info: %s\n", errorText(*v.error).c_str());
        return 2;
    }
    const QJsonObject ver = v.json();
    out += "Version:    " + str(ver.value(QStringLiteral("gitVersion"))) + " (" +
           str(ver.value(QStringLiteral("platform"))) + ")\n";
    {
        kube::KubeconfigOptions o;
        o.kubeconfigFlag = p.value(QStringLiteral("kubeconfig")).toStdString();
        auto config = kube::loadKubeconfig(o);
        const kube::Distribution fromConfig =
            config ? kube::distributionFromKubeconfig(*config, c.contextName) : kube::Distribution{};
        const kube::ListResult nodes = s->list(kube::nodesV1(), {});  // not readable: the kubeconfig alone decides
        const kube::Distribution d =
            kube::combineDistribution(nodes.error ? kube::Distribution{} : kube::distributionFromNodes(nodes.items), fromConfig);
        out += "Distribution: " + d.text() + "\n";
    }
    std::vector<std::string> classes;
    warnAboutIngressClasses(*s, {}, "info", &classes);
    std::string joined;
    for (const auto& l : classes) joined += (joined.empty() ? "" : ", ") + l;
    out += "IngressClasses: " + (joined.empty() ? std::string("<none>") : joined) + "\n";
    printText(stdout, out);
    return 0;
}

// ---- get -------------------------------------------------------------------------------------------------------

std::string joinList(const std::vector<std::string>& v, const char* sep = ",") {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

std::string orNone(const std::string& s, const char* none = "<none>") { return s.empty() ? none : s; }

std::vector<std::string> row(const std::string& kind, const QJsonObject& o) {
    const QJsonObject meta = obj(o, "metadata"), spec = obj(o, "spec"), status = obj(o, "status");
    const std::string name = str(meta.value(QStringLiteral("name")));
    const std::string age = humanAge(meta.value(QStringLiteral("creationTimestamp")).toString());
    if (kind == "Ingress") {
        std::vector<std::string> hosts, addrs;
        for (const auto& r : spec.value(QStringLiteral("rules")).toArray()) {
            const std::string h = str(r.toObject().value(QStringLiteral("host")));
            hosts.push_back(h.empty() ? "*" : h);
        }
        for (const auto& a : obj(status, "loadBalancer").value(QStringLiteral("ingress")).toArray()) {
            const QJsonObject ao = a.toObject();
            addrs.push_back(str(ao.value(ao.contains(QStringLiteral("ip")) ? QStringLiteral("ip") : QStringLiteral("hostname"))));
        }
        const bool tls = !spec.value(QStringLiteral("tls")).toArray().isEmpty();
        return {name, orNone(ingressClassOf(o)), hosts.empty() ? "*" : joinList(hosts), joinList(addrs),
                tls ? "80, 443" : "80", age};
    }
    if (kind == "Service") {
        std::vector<std::string> ports, ext;
        for (const auto& pv : spec.value(QStringLiteral("ports")).toArray()) {
            const QJsonObject po = pv.toObject();
            std::string s = std::to_string(po.value(QStringLiteral("port")).toInt());
            if (po.contains(QStringLiteral("nodePort"))) s += ":" + std::to_string(po.value(QStringLiteral("nodePort")).toInt());
            ports.push_back(s + "/" + str(po.value(QStringLiteral("protocol"))));
        }
        const std::string type = str(spec.value(QStringLiteral("type")));
        for (const auto& a : obj(status, "loadBalancer").value(QStringLiteral("ingress")).toArray())
            ext.push_back(str(a.toObject().value(QStringLiteral("ip"))));
        for (const auto& a : spec.value(QStringLiteral("externalIPs")).toArray()) ext.push_back(str(a));
        std::string external = joinList(ext);
        if (type == "ExternalName") external = str(spec.value(QStringLiteral("externalName")));
        if (external.empty()) external = type == "LoadBalancer" ? "<pending>" : "<none>";
        return {name, type, orNone(str(spec.value(QStringLiteral("clusterIP")))), external, orNone(joinList(ports)), age};
    }
    if (kind == "IngressClass") {
        const QJsonObject params = obj(spec, "parameters");
        return {name, str(spec.value(QStringLiteral("controller"))),
                params.isEmpty() ? "<none>" : str(params.value(QStringLiteral("kind"))) + "/" + str(params.value(QStringLiteral("name"))),
                age};
    }
    if (kind == "Secret")  // values never shown: only how many keys
        return {name, str(o.value(QStringLiteral("type"))), std::to_string(obj(o, "data").size()), age};
    if (kind == "EndpointSlice") {
        std::vector<std::string> ports, addrs;
        for (const auto& pv : o.value(QStringLiteral("ports")).toArray())
            ports.push_back(std::to_string(pv.toObject().value(QStringLiteral("port")).toInt()));
        for (const auto& e : o.value(QStringLiteral("endpoints")).toArray())
            for (const auto& a : e.toObject().value(QStringLiteral("addresses")).toArray()) addrs.push_back(str(a));
        std::string eps = joinList(std::vector<std::string>(addrs.begin(), addrs.begin() + std::min<std::size_t>(3, addrs.size())));
        if (addrs.size() > 3) eps += " + " + std::to_string(addrs.size() - 3) + " more...";
        return {name, str(o.value(QStringLiteral("addressType"))), ports.empty() ? "<unset>" : joinList(ports),
                orNone(eps), age};
    }
    if (kind == "Pod") {
        int ready = 0, restarts = 0;
        for (const auto& cs : status.value(QStringLiteral("containerStatuses")).toArray()) {
            ready += cs.toObject().value(QStringLiteral("ready")).toBool();
            restarts += cs.toObject().value(QStringLiteral("restartCount")).toInt();
        }
        const int total = spec.value(QStringLiteral("containers")).toArray().size();
        std::string phase = str(status.value(QStringLiteral("reason")));
        if (phase.empty()) phase = str(status.value(QStringLiteral("phase")));
        return {name, std::to_string(ready) + "/" + std::to_string(total), phase, std::to_string(restarts), age};
    }
    if (kind == "Deployment") {
        const int want = spec.contains(QStringLiteral("replicas")) ? spec.value(QStringLiteral("replicas")).toInt() : 1;
        return {name,
                std::to_string(status.value(QStringLiteral("readyReplicas")).toInt()) + "/" + std::to_string(want),
                std::to_string(status.value(QStringLiteral("updatedReplicas")).toInt()),
                std::to_string(status.value(QStringLiteral("availableReplicas")).toInt()), age};
    }
    if (kind == "Event") {
        QString last = o.value(QStringLiteral("lastTimestamp")).toString();
        if (last.isEmpty()) last = o.value(QStringLiteral("eventTime")).toString();
        if (last.isEmpty()) last = o.value(QStringLiteral("firstTimestamp")).toString();
        const QJsonObject inv = obj(o, "involvedObject");
        std::string k = str(inv.value(QStringLiteral("kind")));
        std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string message = str(o.value(QStringLiteral("message")));
        std::replace(message.begin(), message.end(), '\n', ' ');
        return {humanAge(last), str(o.value(QStringLiteral("type"))), str(o.value(QStringLiteral("reason"))),
                k + "/" + str(inv.value(QStringLiteral("name"))), message};
    }
    return {name, age};
}

std::vector<std::string> headerFor(const std::string& kind) {
    if (kind == "Ingress") return {"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"};
    if (kind == "Service") return {"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"};
    if (kind == "IngressClass") return {"NAME", "CONTROLLER", "PARAMETERS", "AGE"};
    if (kind == "Secret") return {"NAME", "TYPE", "DATA", "AGE"};
    if (kind == "EndpointSlice") return {"NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"};
    if (kind == "Pod") return {"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
    if (kind == "Deployment") return {"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"};
    if (kind == "Event") return {"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"};
    return {"NAME", "AGE"};
}

QString eventTime(const QJsonObject& e) {
    for (const char* k : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
        const QString t = e.value(QLatin1String(k)).toString();
        if (!t.isEmpty()) return t;
    }
    return obj(e, "metadata").value(QStringLiteral("creationTimestamp")).toString();
}

void sortItems(const std::string& kind, std::vector<QJsonObject>& items) {
    if (kind == "Event")  // kubectl get events: oldest first
        std::stable_sort(items.begin(), items.end(), [](const QJsonObject& a, const QJsonObject& b) {
            return QDateTime::fromString(eventTime(a), Qt::ISODate) < QDateTime::fromString(eventTime(b), Qt::ISODate);
        });
}

Table tableFor(const std::string& kind, const std::vector<QJsonObject>& items, bool withNamespace,
               const std::string& namePrefix = {}) {
    std::vector<std::string> header = headerFor(kind);
    if (withNamespace) header.insert(header.begin(), "NAMESPACE");
    Table t(header);
    for (const auto& o : items) {
        std::vector<std::string> r = row(kind, o);
        if (!namePrefix.empty() && kind != "Event") r[0] = namePrefix + "/" + r[0];
        if (withNamespace) r.insert(r.begin(), str(obj(o, "metadata").value(QStringLiteral("namespace"))));
        t.add(std::move(r));
    }
    return t;
}

std::string printed(const QJsonObject& o, const QString& format) {
    if (format == QLatin1String("json"))
        return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
    return kube::toYaml(o);
}

std::string noResources(const Session& s) {
    return s.allNamespaces() ? "No resources found\n" : "No resources found in " + s.ns() + " namespace.\n";
}

int runGet(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "List cluster objects like kubectl get. TYPE: ingresses, services, ingressclasses, secrets, endpointslices, "
        "pods, deployments, events or all. Secret values are always masked."));
    addConnectionOptions(p, true);
    p.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("yaml, json or name (default: a table)."),
                 QStringLiteral("FORMAT")});
    p.addPositionalArgument(QStringLiteral("TYPE"), QStringLiteral("What to list (default: ingresses)."));
    p.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("Only these objects."), QStringLiteral("[NAME...]"));
    if (!parseArgs(p, args, "get")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    const QString format = p.value(QStringLiteral("output"));
    if (!format.isEmpty() && format != QLatin1String("yaml") && format != QLatin1String("json") &&
        format != QLatin1String("name")) {
        std::fprintf(stderr, "ingress-lab-cli cluster get: unknown output format '%s' (use yaml, json or name)\n",
                     qPrintable(format));
        return 2;
    }
    QStringList pos = p.positionalArguments();
    const std::string type = pos.isEmpty() ? std::string("ingresses") : pos.takeFirst().toStdString();
    std::vector<kube::ResourceRef> refs;
    const bool all = type == "all";
    if (all) {
        for (const char* n : {"pods", "services", "deployments", "endpointslices", "ingresses", "ingressclasses"})
            refs.push_back(*resourceForName(n));
    } else if (auto r = resourceForName(type)) {
        refs.push_back(*r);
    } else {
        std::fprintf(stderr,
                     "ingress-lab-cli cluster get: unknown resource type '%s' (ingresses, services, ingressclasses, "
                     "secrets, endpointslices, pods, deployments, events, all)\n",
                     type.c_str());
        return 2;
    }
    if (all && !pos.isEmpty()) {
        std::fprintf(stderr, "ingress-lab-cli cluster get: names cannot be given with 'all'\n");
        return 2;
    }
    auto s = Session::open(p, "get");
    if (!s) return 2;
    std::vector<QJsonObject> listed;   // for -o yaml/json
    std::vector<QJsonObject> ingresses;
    std::string tables, names;
    for (kube::ResourceRef ref : refs) {
        if (ref.kind == "EndpointSlice") {
            auto es = s->endpointSlices();
            if (!es) {
                if (all) continue;
                std::fprintf(stderr, "ingress-lab-cli cluster get: the server does not serve EndpointSlices\n");
                return 2;
            }
            ref = *es;
        }
        std::vector<QJsonObject> items;
        if (!pos.isEmpty()) {
            for (const QString& n : pos) {
                kube::RestRequest r;
                r.path = ref.itemPath(s->ns().empty() ? s->connection().ns : s->ns(), n.toStdString());
                const kube::RestReply reply = s->call(r);
                if (!reply.ok()) {
                    std::fprintf(stderr, "%s\n", errorText(*reply.error).c_str());
                    return 2;
                }
                items.push_back(reply.json());
            }
        } else {
            kube::ListResult l = s->list(ref, s->ns());
            if (l.error) {
                std::fprintf(stderr, "%s\n", errorText(*l.error).c_str());
                return 2;
            }
            items = std::move(l.items);
        }
        sortItems(ref.kind, items);
        for (auto& o : items) o = maskSecret(o);
        if (ref.kind == "Ingress") ingresses = items;
        if (items.empty()) continue;
        const std::string prefix = all ? kubectlTypeName(ref) : std::string();
        for (const auto& o : items) {
            listed.push_back(o);
            names += kubectlTypeName(ref) + "/" + str(obj(o, "metadata").value(QStringLiteral("name"))) + "\n";
        }
        if (!tables.empty()) tables += "\n";
        tables += tableFor(ref.kind, items, s->allNamespaces(), prefix).text();
    }
    if (format == QLatin1String("yaml") || format == QLatin1String("json")) {
        if (listed.size() == 1 && !pos.isEmpty()) {
            printText(stdout, printed(listed.front(), format));
        } else {
            QJsonArray a;
            for (const auto& o : listed) a.append(o);
            printText(stdout, printed(QJsonObject{{"apiVersion", "v1"}, {"kind", "List"}, {"items", a},
                                                  {"metadata", QJsonObject{{"resourceVersion", ""}}}},
                                      format));
        }
    } else if (format == QLatin1String("name")) {
        printText(stdout, names);
    } else if (listed.empty()) {
        printText(stderr, noResources(*s));
    } else {
        printText(stdout, tables);
    }
    if (!ingresses.empty()) warnAboutIngressClasses(*s, ingresses, "get", nullptr);
    return 0;
}

// ---- events ----------------------------------------------------------------------------------------------------

int runEvents(const QStringList& args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("The namespace's events (core v1), oldest first; -w keeps watching "
                                               "until SIGINT/SIGTERM."));
    addConnectionOptions(p, true);
    p.addOption({{QStringLiteral("w"), QStringLiteral("watch")}, QStringLiteral("After the list, print new events as they come.")});
    p.addOption({QStringLiteral("for"), QStringLiteral("Only events of this object (KIND/NAME, e.g. ingress/shop)."),
                 QStringLiteral("KIND/NAME")});
    p.addOption({QStringLiteral("watch-timeout"),
                 QStringLiteral("With -w: the server ends each watch request after this many seconds; the watch then "
                                "resumes from the last resourceVersion (default 300)."),
                 QStringLiteral("SECONDS"), QStringLiteral("300")});
    if (!parseArgs(p, args, "events")) return 2;
    if (p.isSet(QStringLiteral("help"))) return printText(stdout, p.helpText().toStdString()), 0;
    bool timeoutOk = false;
    const int watchTimeout = p.value(QStringLiteral("watch-timeout")).toInt(&timeoutOk);
    if (!timeoutOk || watchTimeout < 1) {
        std::fprintf(stderr, "ingress-lab-cli cluster events: --watch-timeout wants a number of seconds >= 1, not '%s'\n",
                     qPrintable(p.value(QStringLiteral("watch-timeout"))));
        return 2;
    }
    kube::ListOptions lo;
    if (p.isSet(QStringLiteral("for"))) {
        const QStringList kn = p.value(QStringLiteral("for")).split(QLatin1Char('/'));
        auto ref = kn.size() == 2 ? resourceForName(kn[0].toStdString()) : std::nullopt;
        if (!ref) {
            std::fprintf(stderr, "ingress-lab-cli cluster events: --for wants KIND/NAME, e.g. ingress/shop\n");
            return 2;
        }
        lo.fieldSelector = "involvedObject.kind=" + ref->kind + ",involvedObject.name=" + kn[1].toStdString();
    }
    const bool watch = p.isSet(QStringLiteral("watch"));
    if (watch) installStopSignals();
    auto s = Session::open(p, "events");
    if (!s) return 2;
    kube::ListResult l = s->list(kube::eventsV1(), s->ns(), lo);
    if (l.error) {
        std::fprintf(stderr, "%s\n", errorText(*l.error).c_str());
        return 2;
    }
    std::vector<QJsonObject> items = l.items;
    sortItems("Event", items);
    std::set<std::string> seen;  // uid@resourceVersion already printed
    auto key = [](const QJsonObject& e) {
        const QJsonObject m = obj(e, "metadata");
        return str(m.value(QStringLiteral("uid"))) + "@" + str(m.value(QStringLiteral("resourceVersion")));
    };
    for (const auto& e : items) seen.insert(key(e));
    if (items.empty()) printText(stderr, noResources(*s));
    else printText(stdout, tableFor("Event", items, s->allNamespaces()).text());
    std::fflush(stdout);
    if (!watch) return 0;

    std::string rv = l.resourceVersion;
    int exitCode = 0;
    QEventLoop loop;
    std::optional<kube::RestClient::RequestId> current;
    std::function<void()> startWatch;
    auto printOne = [&](const QJsonObject& e) {
        if (!seen.insert(key(e)).second) return;
        Table t(std::vector<std::string>{});
        std::vector<std::string> r = row("Event", e);
        if (s->allNamespaces()) r.insert(r.begin(), str(obj(e, "metadata").value(QStringLiteral("namespace"))));
        printText(stdout, joinList(r, "   ") + "\n");
        std::fflush(stdout);
    };
    startWatch = [&] {
        kube::RestRequest r;
        r.path = kube::eventsV1().collectionPath(s->ns());
        r.query = {{"watch", "1"}, {"resourceVersion", rv}, {"allowWatchBookmarks", "true"}, {"timeoutSeconds", std::to_string(watchTimeout)}};
        if (!lo.fieldSelector.empty()) r.query.emplace_back("fieldSelector", lo.fieldSelector);
        r.timeout = std::chrono::milliseconds(0);
        kube::StreamHandlers h;
        h.onLine = [&](std::string line) {
            std::string why;
            auto ev = kube::parseWatchEvent(line, &why);
            if (!ev) return;
            const std::string newRv = str(obj(ev->object, "metadata").value(QStringLiteral("resourceVersion")));
            if (ev->type == kube::WatchEvent::Type::Error) {
                if (ev->object.value(QStringLiteral("code")).toInt() == 410) rv.clear();  // relist below
                return;
            }
            if (!newRv.empty()) rv = newRv;
            if (ev->type == kube::WatchEvent::Type::Added || ev->type == kube::WatchEvent::Type::Modified) printOne(ev->object);
        };
        h.onDone = [&](const kube::RestReply& reply) {
            current.reset();
            if (stopRequested()) return loop.quit();
            if (!reply.ok() && !(reply.error->kind == kube::RestErrorKind::Api && reply.error->api.isExpired())) {
                std::fprintf(stderr, "%s\n", errorText(*reply.error).c_str());
                exitCode = 2;
                return loop.quit();
            }
            if (rv.empty() || !reply.ok()) {  // 410 Expired: list again, print what is new
                kube::ListResult again = s->list(kube::eventsV1(), s->ns(), lo);
                if (again.error) {
                    std::fprintf(stderr, "%s\n", errorText(*again.error).c_str());
                    exitCode = 2;
                    return loop.quit();
                }
                sortItems("Event", again.items);
                for (const auto& e : again.items) printOne(e);
                rv = again.resourceVersion;
            }
            startWatch();
        };
        current = s->client().stream(std::move(r), &loop, std::move(h));
    };
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (!stopRequested()) return;
        if (current) s->client().cancel(*current);
        loop.quit();
    });
    poll.start(100);
    startWatch();
    loop.exec();
    return exitCode;
}

void usage(FILE* to) {
    std::fprintf(to,
                 "usage: ingress-lab-cli cluster SUBCOMMAND [ARGS...] [--kubeconfig FILE] [--context NAME] [-n NS]\n\n"
                 "subcommands:\n"
                 "  contexts  the kubeconfig contexts (like kubectl config get-contexts) and their servers\n"
                 "  info      the chosen context, the server's version and IngressClasses\n"
                 "  get       list ingresses, services, ingressclasses, secrets, endpointslices, pods, deployments,\n"
                 "            events or all, as a table or -o yaml|json (Secret values always masked)\n"
                 "  pull      write the namespace's Ingresses and what they use as clean YAML into a folder\n"
                 "  diff      server-side dry-run apply of FILEs, diffed against the live objects (exit 1: differences)\n"
                 "  apply     server-side apply of FILEs (field manager ingress-lab)\n"
                 "  events    the events table; -w watches\n"
                 "\nRun 'ingress-lab-cli cluster SUBCOMMAND --help' for its options. Exit codes: 0 success, 1 differences,\n"
                 "conflicts or invalid objects, 2 bad usage, unreadable input or a failed request.\n");
}

}  // namespace

int runCluster(const QStringList& args) {
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        usage(args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    const QString sub = args.first();
    const QStringList rest = args.mid(1);
    if (sub == QLatin1String("contexts")) return runContexts(rest);
    if (sub == QLatin1String("info")) return runInfo(rest);
    if (sub == QLatin1String("get")) return runGet(rest);
    if (sub == QLatin1String("events")) return runEvents(rest);
    if (sub == QLatin1String("pull")) return runClusterPull(rest);
    if (sub == QLatin1String("diff")) return runClusterDiff(rest);
    if (sub == QLatin1String("apply")) return runClusterApply(rest);
    std::fprintf(stderr, "ingress-lab-cli cluster: unknown subcommand '%s'\n\n", qPrintable(sub));
    usage(stderr);
    return 2;
}

}  // namespace ilab::cli
