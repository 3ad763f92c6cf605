#include "core/controller/listen_exposure.h"

#include <QHostAddress>
#include <QString>

namespace ilab::controller {

bool isLoopbackAddress(const std::string& address) {
    const QHostAddress a(QString::fromStdString(address));
    return !a.isNull() && a.isLoopback();
}

std::string exposureWarning(const StartOptions& options) {
    std::string exposed;
    auto check = [&](const char* name, const std::string& address, int port) {
        if (port < 0 || isLoopbackAddress(address)) return;
        if (!exposed.empty()) exposed += ", ";
        const bool v6 = address.find(':') != std::string::npos;
        exposed += std::string(name) + "=" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
    };
    check("http", options.proxy.httpAddress, options.proxy.httpPort);
    check("https", options.proxy.httpsAddress, options.proxy.httpsPort);
    check("admin", options.adminAddress, options.adminPort);
    if (exposed.empty()) return {};
    return "listening on a non-loopback address (" + exposed +
           "): the lab's proxy, its fake certificate (signed with the lab's own key) and the simulated pods behind it "
           "are reachable from the network, not only from this machine; listen on 127.0.0.1 to keep the lab local";
}

}  // namespace ilab::controller
