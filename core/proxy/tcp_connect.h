#pragma once

#include <string>

#include "core/routing/decision.h"

namespace ilab::proxy {

// Opens a non-blocking, close-on-exec TCP socket with TCP_NODELAY to `endpoint` (a literal IPv4 or IPv6 address and
// a port in 1..65535) and starts connecting. Returns the socket, whose connect may still be in progress (writable
// once done, SO_ERROR tells the result), or -1 with `*error` saying why ("not an IP address: …", "invalid port 0",
// or the system's words). Used by the upstream and the mirror connections.
int startTcpConnect(const routing::Endpoint& endpoint, std::string* error);

}  // namespace ilab::proxy
