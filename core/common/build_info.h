#pragma once

#include <string>
#include <string_view>

namespace ilab {

// The text both binaries print for --version and the GUI shows in its About dialog:
//   <program> <version> (git <revision>)
//   Qt <runtime> (built with <compile-time>)
//   OpenSSL <runtime OpenSSL_version(OPENSSL_VERSION)>
//   libcurl <runtime curl_version_info()->version> (<ssl backend>)
//   yaml-cpp <version of the package built against>
// The library versions are those the process RUNS with (runtime queries), except yaml-cpp, which has none.
std::string buildInfoText(std::string_view program);

// "0.1.0 (git 2dde5b5)": the project version and the git revision, as configured.
std::string versionString();

}  // namespace ilab
