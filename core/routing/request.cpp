#include "core/routing/request.h"

#include <strings.h>

namespace ilab::routing {

std::optional<std::string> RequestView::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    return std::nullopt;
}

std::optional<std::string> RequestView::cookie(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (strcasecmp(k.c_str(), "cookie") != 0) continue;
        std::size_t pos = 0;
        while (pos < v.size()) {
            std::size_t end = v.find(';', pos);
            if (end == std::string::npos) end = v.size();
            std::size_t b = pos;
            while (b < end && (v[b] == ' ' || v[b] == '\t')) ++b;
            std::size_t eq = v.find('=', b);
            if (eq != std::string::npos && eq < end && v.compare(b, eq - b, name) == 0 && eq - b == name.size()) {
                std::size_t e = end;
                while (e > eq + 1 && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
                return v.substr(eq + 1, e - eq - 1);
            }
            pos = end + 1;
        }
    }
    return std::nullopt;
}

}  // namespace ilab::routing
