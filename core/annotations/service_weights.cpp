#include "core/annotations/service_weights.h"

#include <cmath>
#include <cstdlib>

#include <yaml-cpp/yaml.h>

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"service-weights", ValueType::Map, "", "",
     "Ingress Lab extension (Traefik 1.x form): 'svc: 90%' lines split one path's traffic; ingress-nginx ignores it",
     "service-weights"},
};

std::optional<std::uint32_t> parsePercent(std::string s) {
    s = trim(s);
    if (!s.empty() && s.back() == '%') s.pop_back();
    s = trim(s);
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 0 || v > 100) return std::nullopt;
    const auto dot = s.find('.');
    if (dot != std::string::npos && s.size() - dot - 1 > 3) return std::nullopt;  // Traefik: at most 3 decimals
    return static_cast<std::uint32_t>(std::llround(v * 1000.0));
}
}  // namespace

std::span<const AnnotationSpec> serviceWeightsSpecs() { return SPECS; }

ServiceWeightsConfig parseServiceWeights(const AnnotationReader& r) {
    ServiceWeightsConfig c;
    auto raw = r.raw("service-weights");
    if (!raw) return c;
    YAML::Node n;
    try {
        n = YAML::Load(*raw);
    } catch (const YAML::Exception& e) {
        r.error("service-weights", std::string("not a YAML map of service: percentage (") + e.what() + ")", "service-weights-invalid");
        c.invalid = true;
        return c;
    }
    if (!n.IsMap() || n.size() == 0) {
        r.error("service-weights", "must be a YAML map such as 'my-app: 90%' / 'my-app-canary: 10%'", "service-weights-invalid");
        c.invalid = true;
        return c;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar() || !it->second.IsScalar()) {
            r.error("service-weights", "each entry must be 'service: percentage'", "service-weights-invalid");
            c.invalid = true;
            return c;
        }
        auto pct = parsePercent(it->second.Scalar());
        if (!pct) {
            r.error("service-weights", "weight of " + it->first.Scalar() + " (\"" + it->second.Scalar() +
                                           "\") must be a percentage between 0 and 100 with at most 3 decimals",
                    "service-weights-invalid");
            c.invalid = true;
            return c;
        }
        c.weights.push_back({it->first.Scalar(), *pct});
        c.totalMilli += *pct;
    }
    if (c.totalMilli > SERVICE_WEIGHT_SCALE) {
        r.error("service-weights", "weights add up to more than 100%", "service-weights-invalid");
        c.invalid = true;
    }
    return c;
}

}  // namespace ilab::annotations
