#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/kube/cluster_connection.h"
#include "core/kube/exec_consent.h"

namespace ilab::kube {

// What the REST client puts on a request: a bearer token and/or a client certificate + key (PEM).
struct Credentials {
    SecretBytes bearerToken;
    SecretBytes clientCertPem;
    SecretBytes clientKeyPem;
    // Increases each time the provider obtains different credentials; pass it back to refreshAfterUnauthorized.
    // A change of clientCertPem between generations means open TLS connections must be closed (client-go
    // connTracker.CloseAll); a token change does not.
    std::uint64_t generation = 0;
    std::optional<std::chrono::system_clock::time_point> expiresAt;  // exec plugins' status.expirationTimestamp

    bool hasToken() const { return !bearerToken.empty(); }
    bool hasClientCertificate() const { return !clientCertPem.empty() && !clientKeyPem.empty(); }
};

enum class CredentialError {
    ConsentRequired,      // exec plugin not approved yet: show consentRequest(), grant, call credentials() again
    InteractiveRequired,  // interactiveMode: Always and no terminal
    PluginNotFound,       // executable missing (message carries installHint)
    PluginFailed,         // exit code != 0 or crashed; lastPluginStderr() has its output (login hints)
    PluginTimedOut,
    PluginCancelled,
    PluginBadOutput,      // not an ExecCredential of the configured apiVersion, no token or cert/key, ...
    TokenFileUnreadable,
    Rejected,             // refreshAfterUnauthorized: nothing new to try (static token/certificate)
    Unsupported,          // auth-provider (legacy): use the kubectl proxy transport
};

struct CredentialOptions {
    // Required for exec plugins (not owned; must outlive the provider). Without one, every plugin needs consent.
    ExecConsentStore* consentStore = nullptr;
    std::chrono::milliseconds execTimeout{std::chrono::minutes(2)};  // kubelogin may wait for a browser login
    // Extra folders searched before $PATH for a bare exec command (a desktop launcher's PATH is short, §7.6.4).
    std::vector<std::string> extraSearchPaths;
    // Polled every 50 ms while a plugin runs; true kills it (PluginCancelled). Not owned.
    const std::atomic<bool>* cancel = nullptr;
    std::function<std::chrono::system_clock::time_point()> now;  // injected clock; empty: system_clock::now
    // The tokenFile re-read period (client-go NewCachedFileTokenSource: one minute).
    std::chrono::seconds tokenFileRefresh{60};
};

// Produces credentials for one resolved ClusterConnection, the way client-go's transport does:
//   token / tokenFile  bearer token; tokenFile wins and is re-read at most once per tokenFileRefresh (the last good
//                      value, else the kubeconfig token, stays in use when a re-read fails); a kubeconfig client
//                      certificate is sent alongside;
//   exec plugin        runs only with consent; KUBERNETES_EXEC_INFO as client-go builds it; cached until
//                      status.expirationTimestamp (forever without one); single flight; re-run once per 401;
//   client cert        static;
//   auth-provider      Unsupported (cluster.md §1.6: the kubectl proxy transport handles it);
//   nothing            anonymous (empty Credentials).
// Thread-safe. credentials() and refreshAfterUnauthorized() may block (file read, plugin run up to execTimeout):
// call them from a credential worker thread, never the GUI or the libcurl I/O thread; cachedCredentials() never
// blocks on a plugin. Messages never contain a credential, the plugin's stdout or KUBERNETES_EXEC_INFO.
class CredentialProvider {
public:
    CredentialProvider(ClusterConnection connection, CredentialOptions options);
    ~CredentialProvider();
    CredentialProvider(const CredentialProvider&) = delete;
    CredentialProvider& operator=(const CredentialProvider&) = delete;

    // Credentials valid now: cached ones when fresh, else obtained (token file read, plugin run).
    Result<Credentials, CredentialError> credentials();
    // Credentials usable without blocking on a plugin or a re-read (cached and not expired), if any.
    std::optional<Credentials> cachedCredentials() const;
    // The REST client calls this once after a 401 with the generation of the credentials it sent. If they are still
    // the current ones, the plugin is re-run / the token file re-read; if another request refreshed meanwhile, the
    // newer credentials are returned without running anything. Retry the request once with the result when its
    // generation differs from `rejectedGeneration`; otherwise (or on error) report the 401.
    Result<Credentials, CredentialError> refreshAfterUnauthorized(std::uint64_t rejectedGeneration);

    // The plugin that would run and what the user must approve; nullopt when this connection has no exec plugin.
    // Fails (PluginNotFound) when a bare command is not on the search path.
    std::optional<Result<ExecConsentRequest, CredentialError>> consentRequest() const;
    // What the credentials come from, for messages: "token", "tokenFile /p", "exec plugin /usr/bin/x",
    // "client certificate", "no credentials".
    std::string describe() const;
    // The last plugin run's stderr (at most 8 KiB, tail), to show login hints; never part of an error message.
    std::string lastPluginStderr() const;
    // How many times the plugin was started (diagnostics, tests).
    int pluginRunsForTest() const;

    // KUBERNETES_EXEC_INFO exactly as client-go builds it for this connection (interactive false).
    std::string execInfoJson() const;

private:
    struct State;
    std::unique_ptr<State> m;
};

using CredentialProviderSharedPtr = std::shared_ptr<CredentialProvider>;

}  // namespace ilab::kube
