#include <cstdio>

#include "app/cli/commands.h"

namespace ilab::cli {

// Placeholder until the subsystem lands; exits 2 so nobody mistakes it for a result.
int runRoute(const QStringList&) {
    std::fprintf(stderr, "ingress-lab-cli route: not available in this build yet\n");
    return 2;
}

}  // namespace ilab::cli
