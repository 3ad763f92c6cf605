#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace ilab::kube {

// What the user approves before an exec credential plugin runs (cluster.md §7.6.3): the kubeconfig file of the user
// entry, the entry's name, the resolved absolute command, its arguments and the NAMES of the extra environment
// variables (values may be secrets and are not part of the record). Any change re-prompts.
struct ExecConsentRequest {
    std::string kubeconfigFile;
    std::string userName;
    std::string command;  // absolute path of the executable that will run
    std::vector<std::string> args;
    std::vector<std::string> envNames;

    // The full command line for the consent dialog, each word shell-quoted when needed ("/usr/bin/aws" "eks" ...).
    std::string commandLine() const;
    // SHA-256 (hex) over every field, length-prefixed; the identity of a grant.
    std::string hash() const;
};

enum class ConsentStoreError { Unreadable, Unwritable };

// The consent records: a small JSON file, by default $XDG_CONFIG_HOME/ingress-lab/exec-consent.json (else
// ~/.config/...), written atomically with mode 0600 in a 0700 folder. Thread-safe (m_mutex guards the file and
// m_loadError); every call re-reads the file so two processes (GUI and CLI) see each other's grants.
// Owned by the composition root (app/ or the CLI) and passed to the credential providers by reference.
class ExecConsentStore {
public:
    explicit ExecConsentStore(std::string path = defaultPath());

    static std::string defaultPath();
    const std::string& path() const { return m_path; }

    // True unless exactly this request was granted. A corrupt store counts as "no grants".
    bool needsConsent(const ExecConsentRequest& request) const;
    // Records the grant (idempotent). Errors say why the file could not be written.
    Result<bool, ConsentStoreError> grant(const ExecConsentRequest& request);
    // Removes grants of this request (by hash). Returns true if one was removed.
    Result<bool, ConsentStoreError> revoke(const ExecConsentRequest& request);

private:
    std::string m_path;
    mutable std::mutex m_mutex;
};

}  // namespace ilab::kube
