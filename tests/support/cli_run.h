#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QStringList>

// Runs the built ingress-lab-cli once and collects what it printed (tests/e2e and the CLI-facing core tests).
namespace ilab::testing {

struct CliRun {
    int exitCode = -1;  // -1: crashed or did not finish in time (then it was killed)
    QByteArray out, err;
    QByteArray all() const { return out + err; }
};

CliRun runCli(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
              int timeoutMs = 60000);

}  // namespace ilab::testing
