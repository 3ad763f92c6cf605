#include <cstdio>

#include "app/cli/commands.h"

namespace ilab::cli {

// Placeholder until the subsystem lands; exits 2 so nobody mistakes it for a result.
int runTest(const QStringList&) {
    std::fprintf(stderr, "ingress-lab-cli test: not available in this build yet\n");
    return 2;
}

}  // namespace ilab::cli
