#pragma once

#include <string>

#include "core/controller/local_controller.h"

namespace ilab::controller {

// Whether `address` (an IP literal, as the listeners take it) is a loopback address: 127.0.0.0/8 or ::1.
// The wildcard addresses 0.0.0.0 and :: are not: they listen on every interface.
bool isLoopbackAddress(const std::string& address);

// The lab is meant for this machine: the proxy serves the fake certificate (signed with the lab's own key) and
// forwards to simulated pods. A listener bound elsewhere puts all of that on the network. Returns "" when every
// enabled listener of `options` is on loopback, otherwise one sentence naming the exposed listeners, for
// `serve`'s stderr and the lab panel's banner.
std::string exposureWarning(const StartOptions& options);

}  // namespace ilab::controller
