#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/proxy/proxy_server.h"

namespace ilab::events {

enum class KlogSeverity : char { Info = 'I', Warning = 'W', Error = 'E' };

// One controller log line in klog's text format, as ingress-nginx writes it:
//   I1126 22:30:01.123456   12345 controller.go:190] "Configuration changes detected, backend reload required"
// `source` is "file.go:line". With `structured` (klog.InfoS), the message is quoted and `kv` pairs follow as
// key="value"; otherwise (klog.Infof) the message is written as is. Times are UTC, microseconds since epoch.
std::string formatKlog(KlogSeverity severity, std::int64_t timeUs, int pid, std::string_view source,
                       std::string_view message, bool structured = true,
                       const std::vector<std::pair<std::string, std::string>>& kv = {});

// The access-log line of ingress-nginx's default log-format-upstream:
//   $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
//   "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]
//   $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id
// Variables nginx leaves empty print as "-"; strings are escaped the way nginx escapes them (\xHH).
std::string formatAccessLog(const proxy::AccessRecord& r);

// nginx's $time_local in UTC: 26/Nov/2026:22:30:01 +0000
std::string formatTimeLocal(std::int64_t timeMs);
// nginx's escape=default for quoted variables: ", \ and bytes < 0x20 or >= 0x7f become \xHH.
std::string nginxEscape(std::string_view s);

// Microseconds since epoch, now.
std::int64_t nowUs();

}  // namespace ilab::events
