#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ilab::kube {

// Secret bytes (tokens, private keys): never printed, zeroed when destroyed. Copyable on purpose (values cross
// threads), but every copy is zeroed the same way.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::string v) : m_value(std::move(v)) {}
    SecretBytes(const SecretBytes&) = default;
    SecretBytes& operator=(const SecretBytes&) = default;
    SecretBytes(SecretBytes&& o) noexcept : m_value(std::move(o.m_value)) { o.wipe(); }
    SecretBytes& operator=(SecretBytes&& o) noexcept {
        wipe();
        m_value = std::move(o.m_value);
        o.wipe();
        return *this;
    }
    ~SecretBytes() { wipe(); }
    const std::string& reveal() const { return m_value; }  // only for libcurl *_BLOB options and headers
    bool empty() const { return m_value.empty(); }
    bool operator==(const SecretBytes& o) const { return m_value == o.m_value; }

private:
    void wipe() {
        volatile char* p = m_value.data();
        for (std::size_t i = 0; i < m_value.size(); ++i) p[i] = 0;
        m_value.clear();
    }
    std::string m_value;
};

// An exec credential plugin as written in the kubeconfig (client.authentication.k8s.io/v1 or v1beta1).
struct ExecSpec {
    std::string apiVersion;
    std::string command;  // as written
    // command resolved as client-go does: absolute against the kubeconfig's folder when it contains a '/', else
    // the bare name (looked up in $PATH when the plugin runs)
    std::string resolvedCommand;
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
    std::string interactiveMode;  // Never | IfAvailable | Always
    bool provideClusterInfo = false;
    std::string installHint;
};

// How the client authenticates. At most one of token / tokenFile / clientCert / exec is used, in kubectl's order.
struct AuthSpec {
    SecretBytes clientCertPem;  // client-certificate(-data)
    SecretBytes clientKeyPem;   // client-key(-data)
    SecretBytes token;
    std::string tokenFile;  // wins over token; re-read at most once a minute (client-go)
    std::optional<ExecSpec> exec;
    std::string authProvider;  // name of a legacy auth-provider (not run natively: the kubectl transport runs it)
    std::string impersonate;   // as
    std::vector<std::string> impersonateGroups;  // as-groups
};

// Everything a REST client needs to reach one cluster as one user: what kubeconfig resolution produces for the
// chosen context (core/kube/kubeconfig), and what the REST client (core/kube/rest) consumes.
struct ClusterConnection {
    std::string contextName;
    std::string clusterName;
    std::string userName;
    std::string server;         // https://host:port[/prefix]
    std::string caPem;          // certificate-authority-data, or the content of certificate-authority
    std::string tlsServerName;  // SNI and verification name, when not the server's host
    bool insecureSkipTlsVerify = false;
    std::string proxyUrl;  // http://, https:// or socks5://; empty: no proxy (never the environment's, as client-go)
    std::string ns = "default";  // the context's namespace, or "default"
    bool disableCompression = false;
    // For exec plugins with provideClusterInfo: the cluster's extensions[client.authentication.k8s.io/exec]
    // as JSON (KUBERNETES_EXEC_INFO spec.cluster.config), empty when absent.
    std::string execClusterConfigJson;
    AuthSpec auth;
    // Where each part came from, for messages and exec-plugin consent: the kubeconfig file of the user entry.
    std::string userSourceFile;
    std::string clusterSourceFile;
    // The kubectl transport (core/kube/kubectl_proxy.h): when set, every request goes as plain HTTP to
    // http://localhost over this unix socket, where `kubectl proxy` adds the credentials; `server` then only names
    // the cluster in messages.
    std::string unixSocket;
};

}  // namespace ilab::kube
