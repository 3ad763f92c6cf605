#include "core/kube/controller_target.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QJsonArray>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <set>
#include <tuple>

#include "core/kube/informer.h"
#include "core/kube/rest_client.h"

namespace ilab::kube {

namespace {

std::string str(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toString().toStdString(); }
QJsonObject obj(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toObject(); }
QJsonArray arr(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toArray(); }
std::string nsName(const QJsonObject& o) {
    const QJsonObject m = obj(o, "metadata");
    const std::string ns = str(m, "namespace");
    return ns.empty() ? str(m, "name") : ns + "/" + str(m, "name");
}

bool hostMatches(const std::string& pattern, const std::string& host) {
    if (pattern.empty() || pattern == host) return true;
    if (pattern.rfind("*.", 0) == 0) {
        const std::string suffix = pattern.substr(1);  // ".example.com"
        if (host.size() <= suffix.size() || host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)
            return false;
        return host.find('.') == host.size() - suffix.size();  // exactly one label in front (Ingress semantics)
    }
    return false;
}

// Does this Ingress serve one of `hosts`? An Ingress with a rule without host (or a default backend) serves any.
bool servesHosts(const QJsonObject& ing, const std::vector<std::string>& hosts) {
    if (hosts.empty()) return true;
    const QJsonObject spec = obj(ing, "spec");
    const QJsonArray rules = arr(spec, "rules");
    if (rules.isEmpty()) return spec.contains(QLatin1String("defaultBackend"));
    for (const auto& r : rules) {
        const std::string pattern = str(r.toObject(), "host");
        for (const auto& h : hosts)
            if (hostMatches(pattern, h)) return true;
    }
    return false;
}

std::string ingressClassOf(const QJsonObject& ing, const std::vector<QJsonObject>& classes) {
    std::string name = str(obj(ing, "spec"), "ingressClassName");
    if (name.empty()) name = str(obj(obj(ing, "metadata"), "annotations"), "kubernetes.io/ingress.class");
    for (const auto& c : classes) {
        const QJsonObject meta = obj(c, "metadata");
        const bool isDefault = str(obj(meta, "annotations"), "ingressclass.kubernetes.io/is-default-class") == "true";
        if ((!name.empty() && str(meta, "name") == name) || (name.empty() && isDefault))
            return str(obj(c, "spec"), "controller");
    }
    return {};
}

// The port numbers of a status.loadBalancer.ingress[] entry (1.20+ `ports`): 80 and 443 when listed, else the
// first listed port is taken as HTTP and the second as HTTPS; without `ports`, 80 and 443.
std::pair<int, int> statusPorts(const QJsonObject& lb) {
    const QJsonArray ports = arr(lb, "ports");
    if (ports.isEmpty()) return {80, 443};
    std::vector<int> nums;
    for (const auto& p : ports) nums.push_back(p.toObject().value(QLatin1String("port")).toInt());
    const bool has80 = std::find(nums.begin(), nums.end(), 80) != nums.end();
    const bool has443 = std::find(nums.begin(), nums.end(), 443) != nums.end();
    int http = has80 ? 80 : 0, https = has443 ? 443 : 0;
    std::vector<int> rest;
    for (int n : nums)
        if (n != 80 && n != 443) rest.push_back(n);
    size_t i = 0;
    if (!http && i < rest.size()) http = rest[i++];
    if (!https && i < rest.size()) https = rest[i++];
    return {http, https};
}

std::string lbAddress(const QJsonObject& lb) {
    std::string a = str(lb, "ip");
    if (a.empty()) a = str(lb, "hostname");
    if (a == "localhost") a = "127.0.0.1";
    return a;
}

bool isHttpsName(const std::string& n) { return n == "https"; }
bool isHttpName(const std::string& n) { return n == "http"; }

struct ServicePorts {
    int port = 0, nodePort = 0;
};
// The Service's HTTP and HTTPS ports: named http/https, else port 80/443.
std::pair<ServicePorts, ServicePorts> servicePorts(const QJsonObject& svc) {
    ServicePorts http, https;
    for (const auto& v : arr(obj(svc, "spec"), "ports")) {
        const QJsonObject p = v.toObject();
        const std::string name = str(p, "name");
        const int port = p.value(QLatin1String("port")).toInt();
        const int nodePort = p.value(QLatin1String("nodePort")).toInt();
        if (name.find("webhook") != std::string::npos) continue;  // ingress-nginx's admission Service (same labels)
        if (isHttpName(name) || (port == 80 && !http.port)) http = {port, nodePort};
        else if (isHttpsName(name) || (port == 443 && !https.port)) https = {port, nodePort};
    }
    return {http, https};
}

struct PodPorts {
    int http = 0, https = 0;          // container ports
    int hostHttp = 0, hostHttps = 0;  // hostPorts
};
PodPorts podPorts(const QJsonObject& pod) {
    PodPorts out;
    for (const auto& c : arr(obj(pod, "spec"), "containers")) {
        for (const auto& v : arr(c.toObject(), "ports")) {
            const QJsonObject p = v.toObject();
            const std::string name = str(p, "name");
            const int cp = p.value(QLatin1String("containerPort")).toInt();
            const int hp = p.value(QLatin1String("hostPort")).toInt();
            if ((isHttpName(name) || cp == 80) && !out.http) {
                out.http = cp;
                out.hostHttp = hp;
            } else if ((isHttpsName(name) || cp == 443) && !out.https) {
                out.https = cp;
                out.hostHttps = hp;
            }
        }
    }
    return out;
}

bool isRunning(const QJsonObject& pod) { return str(obj(pod, "status"), "phase") == "Running"; }

// A node's addresses: InternalIP first, then ExternalIP.
std::vector<std::string> nodeAddresses(const QJsonObject& node) {
    std::vector<std::string> internal, external;
    for (const auto& v : arr(obj(node, "status"), "addresses")) {
        const QJsonObject a = v.toObject();
        const std::string type = str(a, "type"), address = str(a, "address");
        if (type == "InternalIP") internal.push_back(address);
        else if (type == "ExternalIP") external.push_back(address);
    }
    internal.insert(internal.end(), external.begin(), external.end());
    return internal;
}

const QJsonObject* nodeNamed(const std::vector<QJsonObject>& nodes, const std::string& name) {
    for (const auto& n : nodes)
        if (str(obj(n, "metadata"), "name") == name) return &n;
    return nullptr;
}

std::string ports(int http, int https) {
    std::string s;
    if (http) s += "HTTP " + std::to_string(http);
    if (https) s += std::string(s.empty() ? "" : ", ") + "HTTPS " + std::to_string(https);
    return s;
}

}  // namespace

const char* targetRuleId(TargetRule rule) {
    switch (rule) {
    case TargetRule::IngressStatus: return "ingress-status";
    case TargetRule::ServiceLoadBalancer: return "service-loadbalancer";
    case TargetRule::ServiceNodePort: return "service-nodeport";
    case TargetRule::PodHostPort: return "pod-hostport";
    case TargetRule::KindPortMapping: return "kind-port-mapping";
    case TargetRule::MinikubeTunnel: return "minikube-tunnel";
    case TargetRule::PortForward: return "port-forward";
    }
    return "unknown";
}

std::string ControllerTarget::connectTo(const std::string& host, int port, bool https) const {
    const int to = https ? httpsPort : httpPort;
    if (!to || address.empty()) return {};
    const bool v6 = address.find(':') != std::string::npos;
    return host + ":" + std::to_string(port) + ":" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(to);
}

std::string ControllerTarget::describe() const {
    std::string where = address.empty() ? std::string("(not set up)") : address;
    return where + " " + ports(httpPort, httpsPort) + " [" + ruleId() + "]: " + explanation;
}

TargetResolution targetCandidates(const ClusterView& view, const ResolveOptions& options) {
    TargetResolution out;
    std::set<std::tuple<std::string, int, int>> seen;
    auto add = [&](ControllerTarget t) {
        if (t.rule != TargetRule::PortForward) {
            if (t.address.empty() || (!t.httpPort && !t.httpsPort)) return;
            if (!seen.insert({t.address, t.httpPort, t.httpsPort}).second) return;
        }
        out.candidates.push_back(std::move(t));
    };

    // 1. Ingress status of the Ingresses that serve the traffic's hosts.
    std::set<std::string> classes;
    bool anyIngress = false;
    for (const auto& ing : view.ingresses) {
        if (!servesHosts(ing, options.hosts)) continue;
        anyIngress = true;
        const std::string cls = ingressClassOf(ing, view.ingressClasses);
        if (!cls.empty()) classes.insert(cls);
        for (const auto& v : arr(obj(obj(ing, "status"), "loadBalancer"), "ingress")) {
            const QJsonObject lb = v.toObject();
            ControllerTarget t;
            t.rule = TargetRule::IngressStatus;
            t.address = lbAddress(lb);
            std::tie(t.httpPort, t.httpsPort) = statusPorts(lb);
            const std::string written = str(lb, "ip").empty() ? "hostname " + str(lb, "hostname") : "ip " + str(lb, "ip");
            t.explanation = "Ingress " + nsName(ing) + " has status.loadBalancer.ingress " + written +
                            (arr(lb, "ports").isEmpty() ? " (ports 80/443 assumed)" : " with its ports") +
                            ": the controller published it";
            add(std::move(t));
        }
    }
    if (!anyIngress && !options.hosts.empty())
        out.notes.push_back("no Ingress in the cluster serves the traffic's hosts; its status cannot point at the controller");
    if (!classes.empty()) {
        out.controllerClass = *classes.begin();
        for (const auto& c : classes)
            if (c != "k8s.io/ingress-nginx")
                out.notes.push_back("the Ingress class is handled by controller \"" + c +
                                    "\", not ingress-nginx (k8s.io/ingress-nginx): the prediction follows ingress-nginx");
    }

    // 2./3. The controller Service: LoadBalancer, then NodePort on every node address.
    std::vector<const QJsonObject*> services;
    for (const auto& s : view.services) {
        const auto [http, https] = servicePorts(s);
        if (http.port || https.port) services.push_back(&s);  // skips e.g. the admission webhook's Service
    }
    if (services.empty())
        out.notes.push_back("no controller Service (" + options.controllerSelector + ") in namespace " +
                            options.controllerNamespace);
    for (const QJsonObject* s : services) {
        if (str(obj(*s, "spec"), "type") != "LoadBalancer") continue;
        const auto [http, https] = servicePorts(*s);
        for (const auto& v : arr(obj(obj(*s, "status"), "loadBalancer"), "ingress")) {
            ControllerTarget t;
            t.rule = TargetRule::ServiceLoadBalancer;
            t.address = lbAddress(v.toObject());
            t.httpPort = http.port;
            t.httpsPort = https.port;
            t.explanation = "Service " + nsName(*s) + " is type LoadBalancer with status.loadBalancer.ingress " + t.address;
            add(std::move(t));
        }
    }
    for (const QJsonObject* s : services) {
        const std::string type = str(obj(*s, "spec"), "type");
        if (type != "NodePort" && type != "LoadBalancer") continue;
        const auto [http, https] = servicePorts(*s);
        if (!http.nodePort && !https.nodePort) continue;
        for (const auto& node : view.nodes) {
            for (const auto& a : nodeAddresses(node)) {
                ControllerTarget t;
                t.rule = TargetRule::ServiceNodePort;
                t.address = a;
                t.httpPort = http.nodePort;
                t.httpsPort = https.nodePort;
                t.explanation = "Service " + nsName(*s) + " is type " + type + " with nodePort " +
                                ports(http.nodePort, https.nodePort) + ", on node " + str(obj(node, "metadata"), "name") +
                                " address " + a;
                add(std::move(t));
            }
        }
    }

    // 4. Controller pods with hostPorts, on their node's address.
    std::vector<const QJsonObject*> running;
    for (const auto& p : view.pods)
        if (isRunning(p)) running.push_back(&p);
    if (view.pods.empty())
        out.notes.push_back("no controller pod (" + options.controllerSelector + ") in namespace " + options.controllerNamespace);
    else if (running.empty())
        out.notes.push_back("no controller pod is Running in namespace " + options.controllerNamespace);
    for (const QJsonObject* p : running) {
        const PodPorts pp = podPorts(*p);
        if (!pp.hostHttp && !pp.hostHttps) continue;
        std::vector<std::string> addresses;
        const std::string hostIP = str(obj(*p, "status"), "hostIP");
        if (!hostIP.empty()) addresses.push_back(hostIP);
        if (const QJsonObject* n = nodeNamed(view.nodes, str(obj(*p, "spec"), "nodeName")))
            for (const auto& a : nodeAddresses(*n))
                if (a != hostIP) addresses.push_back(a);
        for (const auto& a : addresses) {
            ControllerTarget t;
            t.rule = TargetRule::PodHostPort;
            t.address = a;
            t.httpPort = pp.hostHttp;
            t.httpsPort = pp.hostHttps;
            t.explanation = "controller pod " + nsName(*p) + " uses hostPort " + ports(pp.hostHttp, pp.hostHttps) +
                            " on node " + str(obj(*p, "spec"), "nodeName") + " address " + a;
            add(std::move(t));
        }
    }

    // 5. kind's extraPortMappings / minikube tunnel: the hostPorts (or 80/443) on 127.0.0.1.
    bool kind = view.contextName.rfind("kind-", 0) == 0, minikube = view.contextName == "minikube";
    for (const auto& n : view.nodes) {
        if (str(obj(n, "spec"), "providerID").rfind("kind://", 0) == 0) kind = true;
        if (obj(obj(n, "metadata"), "labels").contains(QLatin1String("minikube.k8s.io/name"))) minikube = true;
    }
    if (kind) {
        for (const QJsonObject* p : running) {
            const PodPorts pp = podPorts(*p);
            if (!pp.hostHttp && !pp.hostHttps) continue;
            ControllerTarget t;
            t.rule = TargetRule::KindPortMapping;
            t.address = "127.0.0.1";
            t.httpPort = pp.hostHttp;
            t.httpsPort = pp.hostHttps;
            t.explanation = "kind cluster: controller pod " + nsName(*p) + " uses hostPort " +
                            ports(pp.hostHttp, pp.hostHttps) +
                            ", which kind's extraPortMappings publish on 127.0.0.1";
            add(std::move(t));
        }
    }
    if (minikube) {
        ControllerTarget t;
        t.rule = TargetRule::MinikubeTunnel;
        t.address = "127.0.0.1";
        t.httpPort = 80;
        t.httpsPort = 443;
        t.explanation = "minikube cluster: while `minikube tunnel` runs, the ingress controller answers on 127.0.0.1:80/443";
        add(std::move(t));
    }

    // 6. Port-forward to the first Running controller pod.
    if (!running.empty()) {
        const QJsonObject& p = *running.front();
        const PodPorts pp = podPorts(p);
        ControllerTarget t;
        t.rule = TargetRule::PortForward;
        t.podNamespace = str(obj(p, "metadata"), "namespace");
        t.podName = str(obj(p, "metadata"), "name");
        t.podHttpPort = pp.http ? pp.http : 80;
        t.podHttpsPort = pp.https ? pp.https : 443;
        t.explanation = "no published address answered: port-forward to controller pod " + nsName(p) + " ports " +
                        ports(t.podHttpPort, t.podHttpsPort);
        add(std::move(t));
    }
    return out;
}

void chooseTarget(TargetResolution& resolution, const TargetProbe& probe) {
    resolution.chosen.reset();
    for (const auto& c : resolution.candidates) {
        if (c.rule == TargetRule::PortForward || probe(c)) {
            resolution.chosen = c;
            return;
        }
        resolution.notes.push_back(c.address + " " + ports(c.httpPort, c.httpsPort) + " [" + c.ruleId() +
                                   "] did not answer a TCP connect");
    }
}

bool tcpReachable(const std::string& address, int port, std::chrono::milliseconds timeout) {
    if (port <= 0 || port > 65535 || address.empty()) return false;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    addrinfo* res = nullptr;
    if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) return false;
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        bool ok = false;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            ok = true;
        } else if (errno == EINPROGRESS) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd pfd{fd, POLLOUT, 0};
            if (left.count() > 0 && ::poll(&pfd, 1, static_cast<int>(left.count())) == 1) {
                int err = 0;
                socklen_t len = sizeof err;
                ok = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
            }
        }
        ::close(fd);
        if (ok) return true;
    }
    return false;
}

bool probeTarget(const ControllerTarget& target) {
    using namespace std::chrono_literals;
    return tcpReachable(target.address, target.httpPort ? target.httpPort : target.httpsPort, 200ms);
}

void collectClusterView(RestClient& client, const std::string& ns, const ResolveOptions& options, QObject* context,
                        std::function<void(ClusterView, std::vector<std::string>, std::optional<RestError>)> done) {
    struct State {
        ClusterView view;
        std::vector<std::string> notes;
        std::optional<RestError> error;
        int pending = 5;
        std::function<void(ClusterView, std::vector<std::string>, std::optional<RestError>)> done;
    };
    auto st = std::make_shared<State>();
    st->done = std::move(done);
    auto finishOne = [st] {
        if (--st->pending == 0) st->done(std::move(st->view), std::move(st->notes), std::move(st->error));
    };
    auto run = [&](const ResourceRef& ref, const std::string& inNs, const std::string& selector,
                   std::vector<QJsonObject> ClusterView::*into, bool optional) {
        ListOptions lo;
        lo.labelSelector = selector;
        listAll(client, ref, inNs, lo, context, [st, into, optional, ref, finishOne](const ListResult& r) {
            if (r.error) {
                const bool forbidden = r.error->kind == RestErrorKind::Api && r.error->api.http == 403;
                if (optional && forbidden)
                    st->notes.push_back("cannot list " + ref.resource + " (403 Forbidden): rules that need them are skipped");
                else if (!st->error)
                    st->error = r.error;
            } else {
                st->view.*into = r.items;
            }
            finishOne();
        });
    };
    run(ingressesV1(), ns, {}, &ClusterView::ingresses, false);
    run(ingressClassesV1(), {}, {}, &ClusterView::ingressClasses, true);
    run(servicesV1(), options.controllerNamespace, options.controllerSelector, &ClusterView::services, true);
    run(podsV1(), options.controllerNamespace, options.controllerSelector, &ClusterView::pods, true);
    run(nodesV1(), {}, {}, &ClusterView::nodes, true);
}

}  // namespace ilab::kube
