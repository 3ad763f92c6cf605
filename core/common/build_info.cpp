#include "core/common/build_info.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <QtGlobal>

#include "ilab_version.h"

namespace ilab {

std::string versionString() {
    return std::string(ILAB_VERSION) + " (git " + ILAB_GIT_REVISION + ")";
}

std::string buildInfoText(std::string_view program) {
    std::string out(program);
    out += ' ';
    out += versionString();
    out += "\nQt ";
    out += qVersion();
    out += " (built with " QT_VERSION_STR ")\n";
    out += OpenSSL_version(OPENSSL_VERSION);
    const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
    out += "\nlibcurl ";
    out += curl && curl->version ? curl->version : "unknown";
    if (curl && curl->ssl_version) {
        out += " (";
        out += curl->ssl_version;
        out += ')';
    }
    out += "\nyaml-cpp ";
    out += ILAB_YAML_CPP_PACKAGE_VERSION[0] ? ILAB_YAML_CPP_PACKAGE_VERSION : "unknown";
    out += " (compile-time package version)\n";
    return out;
}

}  // namespace ilab
