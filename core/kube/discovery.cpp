#include "core/kube/discovery.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <memory>

namespace ilab::kube {

namespace {

std::string s(const QJsonObject& o, const char* k) { return o.value(QLatin1String(k)).toString().toStdString(); }

std::vector<std::string> strings(const QJsonValue& v) {
    std::vector<std::string> out;
    for (const QJsonValue& x : v.toArray()) out.push_back(x.toString().toStdString());
    return out;
}

}  // namespace

std::vector<std::string> parseApiVersions(const QJsonObject& o) { return strings(o.value(QLatin1String("versions"))); }

std::vector<ApiGroupInfo> parseApiGroupList(const QJsonObject& o) {
    std::vector<ApiGroupInfo> out;
    for (const QJsonValue& gv : o.value(QLatin1String("groups")).toArray()) {
        const QJsonObject g = gv.toObject();
        ApiGroupInfo info;
        info.name = s(g, "name");
        for (const QJsonValue& v : g.value(QLatin1String("versions")).toArray())
            info.versions.push_back(s(v.toObject(), "version"));
        info.preferredVersion = s(g.value(QLatin1String("preferredVersion")).toObject(), "version");
        out.push_back(std::move(info));
    }
    return out;
}

std::vector<ApiResourceInfo> parseApiResourceList(const QJsonObject& o) {
    std::vector<ApiResourceInfo> out;
    const std::string gv = s(o, "groupVersion");
    const auto slash = gv.find('/');
    const std::string group = slash == std::string::npos ? std::string() : gv.substr(0, slash);
    const std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
    for (const QJsonValue& rv : o.value(QLatin1String("resources")).toArray()) {
        const QJsonObject r = rv.toObject();
        ApiResourceInfo info;
        info.ref.group = group;
        info.ref.version = version;
        info.ref.resource = s(r, "name");
        if (info.ref.resource.find('/') != std::string::npos) continue;  // subresource
        info.ref.kind = s(r, "kind");
        info.ref.namespaced = r.value(QLatin1String("namespaced")).toBool();
        info.verbs = strings(r.value(QLatin1String("verbs")));
        info.shortNames = strings(r.value(QLatin1String("shortNames")));
        out.push_back(std::move(info));
    }
    return out;
}

bool DiscoveryResult::hasGroupVersion(const std::string& group, const std::string& version) const {
    if (group.empty()) return std::find(coreVersions.begin(), coreVersions.end(), version) != coreVersions.end();
    for (const auto& g : groups)
        if (g.name == group) return std::find(g.versions.begin(), g.versions.end(), version) != g.versions.end();
    return false;
}

std::optional<ResourceRef> DiscoveryResult::find(const std::string& group, const std::string& version,
                                                 const std::string& resource) const {
    for (const auto& r : resources)
        if (r.ref.group == group && r.ref.version == version && r.ref.resource == resource) return r.ref;
    return std::nullopt;
}

void discover(RestClient& client, QObject* context,
              std::function<void(const DiscoveryResult&, const std::optional<RestError>&)> done) {
    struct State {
        DiscoveryResult result;
        std::optional<RestError> error;
        int pending = 0;
        bool rootsDone = false;
        std::function<void(const DiscoveryResult&, const std::optional<RestError>&)> done;
    };
    auto st = std::make_shared<State>();
    st->done = std::move(done);
    RestClient* c = &client;

    auto finishIfDone = [st] {
        if (st->pending > 0) return;
        auto& r = st->result;
        r.ingress = r.find("networking.k8s.io", "v1", "ingresses");
        r.ingressClass = r.find("networking.k8s.io", "v1", "ingressclasses");
        r.endpointSlice = r.find("discovery.k8s.io", "v1", "endpointslices");
        if (!r.endpointSlice) r.endpointSlice = r.find("discovery.k8s.io", "v1beta1", "endpointslices");
        st->done(st->result, st->error);
    };
    auto fetchResources = [st, c, context, finishIfDone](const std::string& path) {
        ++st->pending;
        RestRequest r;
        r.path = path;
        c->send(r, context, [st, finishIfDone](const RestReply& reply) {
            --st->pending;
            if (reply.ok()) {
                auto list = parseApiResourceList(reply.json());
                st->result.resources.insert(st->result.resources.end(), list.begin(), list.end());
            } else if (!(reply.error->kind == RestErrorKind::Api && reply.error->api.http == 404) && !st->error) {
                st->error = reply.error;
            }
            finishIfDone();
        });
    };
    auto afterRoots = [st, fetchResources, finishIfDone] {
        if (st->error) {
            st->done(st->result, st->error);
            return;
        }
        auto& r = st->result;
        if (r.hasGroupVersion("", "v1")) fetchResources("/api/v1");
        if (r.hasGroupVersion("networking.k8s.io", "v1")) fetchResources("/apis/networking.k8s.io/v1");
        if (r.hasGroupVersion("discovery.k8s.io", "v1")) fetchResources("/apis/discovery.k8s.io/v1");
        else if (r.hasGroupVersion("discovery.k8s.io", "v1beta1")) fetchResources("/apis/discovery.k8s.io/v1beta1");
        finishIfDone();
    };
    st->pending = 2;
    RestRequest api;
    api.path = "/api";
    client.send(api, context, [st, afterRoots](const RestReply& reply) {
        if (reply.ok()) st->result.coreVersions = parseApiVersions(reply.json());
        else if (!st->error) st->error = reply.error;
        if (--st->pending == 0) afterRoots();
    });
    RestRequest apis;
    apis.path = "/apis";
    client.send(apis, context, [st, afterRoots](const RestReply& reply) {
        if (reply.ok()) st->result.groups = parseApiGroupList(reply.json());
        else if (!st->error) st->error = reply.error;
        if (--st->pending == 0) afterRoots();
    });
}

}  // namespace ilab::kube
