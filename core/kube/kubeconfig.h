#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/kube/cluster_connection.h"

namespace ilab::kube {

// Loading and resolving kubeconfig files exactly as kubectl (client-go's clientcmd) does:
//   sources   --kubeconfig FILE (only that file; missing = error), else the KUBECONFIG list (':'-separated, empty
//             names and missing files skipped, duplicates read once), else ~/.kube/config (missing = empty config);
//   merging   "the first file to set a particular value or map key wins": a cluster/user/context entry comes whole
//             from the first file that defines that name, current-context from the first file that sets it;
//   paths     certificate-authority, client-certificate, client-key, tokenFile and an exec command containing a '/'
//             are relative to the file that holds the entry;
//   context   --context, else current-context; namespace: -n, else the context's, else "default".
// Pure functions on value types (no Qt objects kept, no threads): call from any thread; they read files.
// Messages name files, entries and fields, never a credential's value (tokens, keys, passwords in URLs).

enum class KubeconfigError {
    FileNotFound,     // --kubeconfig FILE does not exist
    FileUnreadable,   // a kubeconfig exists but cannot be read
    Malformed,        // YAML syntax error or a field of the wrong type
    NoContext,        // no --context and no current-context
    ContextNotFound,  // the chosen context is not defined
    ClusterNotFound,  // the context's cluster is missing or not defined
    UserNotFound,     // the context's user is not defined
    Invalid,          // an entry kubectl refuses (no server, CA data and file, insecure with a CA, bad exec block...)
    ReferencedFileUnreadable,  // certificate-authority, client-certificate, client-key, tokenFile
};

// Where to look: the command-line flags and environment of one resolution.
struct KubeconfigOptions {
    std::string kubeconfigFlag;                // --kubeconfig; when set, the only file
    std::optional<std::string> kubeconfigEnv;  // KUBECONFIG; nullopt: read from the process environment
    std::string home;                          // empty: $HOME (QDir::homePath)
    std::string contextOverride;               // --context
    std::string namespaceOverride;             // -n / --namespace
};

// One merged kubeconfig entry as written (paths already absolute against its file, data already decoded).
struct KubeconfigCluster {
    std::string server;
    std::string certificateAuthority;  // absolute path
    std::string certificateAuthorityData;  // decoded PEM bytes
    std::string tlsServerName;
    bool insecureSkipTlsVerify = false;
    std::string proxyUrl;
    bool disableCompression = false;
    std::string execConfigJson;  // extensions[name=client.authentication.k8s.io/exec].extension as JSON, or empty
    std::string extensionProvider;  // the first extensions[].extension.provider ("minikube.sigs.k8s.io"), or empty
    std::string sourceFile;
};

struct KubeconfigUser {
    std::string clientCertificate;  // absolute path
    SecretBytes clientCertificateData;
    std::string clientKey;  // absolute path
    SecretBytes clientKeyData;
    SecretBytes token;
    std::string tokenFile;  // absolute path
    std::optional<ExecSpec> exec;
    std::string authProvider;
    bool hasBasicAuth = false;  // username / password present (not supported: removed from the API server in 1.19)
    std::string impersonate;
    std::vector<std::string> impersonateGroups;
    std::string extensionProvider;  // as KubeconfigCluster::extensionProvider
    std::string sourceFile;
};

struct KubeconfigContext {
    std::string cluster;
    std::string user;
    std::string ns;
    std::string extensionProvider;  // as KubeconfigCluster::extensionProvider (minikube writes context_info)
    std::string sourceFile;
};

// The merged view of every file that was read.
struct Kubeconfig {
    std::vector<std::string> files;  // absolute paths that were read, in precedence order
    std::string currentContext;
    std::string currentContextSource;  // the file that set it
    std::map<std::string, KubeconfigCluster> clusters;
    std::map<std::string, KubeconfigUser> users;
    std::map<std::string, KubeconfigContext> contexts;

    std::vector<std::string> contextNames() const;  // sorted, for a context picker
    std::string filesForMessages() const;           // "/a/config" or "/a/x.yaml, /b/y.yaml"; "(no kubeconfig)"
};

// The files kubectl would read for these options, in precedence order (the KUBECONFIG list with empty names and
// duplicates dropped; missing files still listed: load skips them).
std::vector<std::string> kubeconfigPaths(const KubeconfigOptions& options);

// Reads and merges the files. Errors: a missing --kubeconfig file, an unreadable or malformed file (message:
// "FILE:LINE:COL: what" or "FILE: clusters[1].cluster.server: expected a string").
Result<Kubeconfig, KubeconfigError> loadKubeconfig(const KubeconfigOptions& options);

// Resolves one context (contextName empty: current-context) into what the REST client needs: reads the CA,
// client certificate and key files, validates as kubectl's ConfirmUsable + TLS config do. tokenFile is checked for
// readability when it is the only token but read again by the credential provider (core/kube/credentials.h).
Result<ClusterConnection, KubeconfigError> resolveContext(const Kubeconfig& config, const std::string& contextName,
                                                          const std::string& namespaceOverride = {});

// loadKubeconfig + resolveContext with the options' --context and -n.
Result<ClusterConnection, KubeconfigError> resolveKubeconfig(const KubeconfigOptions& options);

}  // namespace ilab::kube
