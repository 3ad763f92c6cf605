#pragma once

#include <QCommandLineParser>
#include <QJsonObject>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/kube/cluster_connection.h"
#include "core/kube/credentials.h"
#include "core/kube/informer.h"
#include "core/kube/kubectl_proxy.h"
#include "core/kube/resource.h"
#include "core/kube/rest_client.h"

// Shared by the `ingress-lab-cli cluster ...` subcommands (cmd_cluster*.cpp): kubectl-style connection flags,
// one blocking REST session on top of core/kube (the CLI has nothing else to do while it waits), kubectl-style
// tables and error texts. Never prints a credential: errors come from core/kube, which leaves them out.
namespace ilab::cli::cluster {

// --kubeconfig, --context, -n/--namespace (and -A/--all-namespaces when `allNamespaces`).
void addConnectionOptions(QCommandLineParser& p, bool allNamespaces);

// The resolved connection and a REST client for it. Construct with open(); all calls block on a local event loop.
class Session {
public:
    // Resolves the kubeconfig as kubectl does and prepares the client (token files and exec plugins get their
    // first credentials here, so a failure is reported before any request). nullptr after printing the error.
    static std::unique_ptr<Session> open(const QCommandLineParser& p, const char* command);
    ~Session();

    const kube::ClusterConnection& connection() const { return m_conn; }
    // The namespace to use: -n, else the context's, else "default". Empty with -A.
    const std::string& ns() const { return m_ns; }
    bool allNamespaces() const { return m_all; }
    kube::RestClient& client() { return *m_client; }
    // The provider behind client() (token file, exec plugin with the consent given at open()); null for static
    // credentials. What talks to the API server outside the REST client (port-forwards) uses it too.
    std::shared_ptr<kube::CredentialProvider> credentialProvider() const { return m_provider; }

    kube::RestReply call(kube::RestRequest request);
    kube::ListResult list(const kube::ResourceRef& ref, const std::string& ns, const kube::ListOptions& options = {});
    std::optional<kube::ResourceRef> endpointSlices();  // v1 or v1beta1, by discovery; nullopt when not served

private:
    Session() = default;
    kube::ClusterConnection m_conn;
    std::string m_ns;
    bool m_all = false;
    std::unique_ptr<kube::KubectlProxy> m_kubectl;  // auth-provider users: the kubectl transport; outlives m_client
    std::shared_ptr<kube::CredentialSource> m_credentials;
    std::shared_ptr<kube::CredentialProvider> m_provider;
    std::unique_ptr<kube::RestClient> m_client;
};

// kubectl's text for a failed request: "Error from server (Forbidden): ..." or the transport error.
std::string errorText(const kube::RestError& e);

// A kubectl-style table (text/tabwriter: columns padded to their widest cell + 3 spaces, min width 6).
class Table {
public:
    explicit Table(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    std::size_t rows() const { return m_rows.size() - 1; }
    std::string text() const;

private:
    std::vector<std::vector<std::string>> m_rows;
};

// kubectl's AGE / LAST SEEN (duration.HumanDuration): "45s", "3m12s", "5h3m", "2d3h", "400d", "<unknown>".
std::string humanAge(const QString& rfc3339Timestamp);

// The resource type of a kind at an apiVersion (the kinds a workspace holds), or nullopt for a kind the CLI does
// not know.
std::optional<kube::ResourceRef> resourceForKind(const std::string& apiVersion, const std::string& kind);
// kubectl's short names and plurals ("ing", "ingress", "ingresses", "svc", ...) -> the resource's ref; the
// EndpointSlice version is filled in by the caller.
std::optional<kube::ResourceRef> resourceForName(const std::string& name);
// "ingress.networking.k8s.io" / "service": how kubectl names a type in "TYPE/NAME serverside-applied".
std::string kubectlTypeName(const kube::ResourceRef& ref);

// Secret data/stringData values replaced by "***" (never printed in clear).
QJsonObject maskSecret(QJsonObject object);

// Set by SIGINT/SIGTERM once installStopSignals() ran; quits `loop` (if any) on the next event loop turn.
void installStopSignals();
bool stopRequested();

}  // namespace ilab::cli::cluster
