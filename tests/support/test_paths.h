#pragma once

#include <QString>

// Where the tests find the project, the shared specs and the built CLI. Set by tests/CMakeLists.txt.
namespace ilab::testing {

QString sourceDir();     // the checkout
QString sharedDir();     // ../shared beside the checkout (conformance cases, semantics)
QString cliPath();       // the built ingress-lab-cli
QString fixture(const QString& relative);  // tests/fixtures/<relative>

}  // namespace ilab::testing
