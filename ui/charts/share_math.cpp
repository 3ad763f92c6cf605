#include <cmath>

#include "ui/charts/traffic_sample.h"

namespace ilab::ui::charts {

ShareInterval wilsonInterval(quint64 k, quint64 n, double z) {
    if (n == 0) return {};
    const double nn = double(n);
    const double p = double(k) / nn;
    const double z2 = z * z;
    const double denom = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2.0 * nn)) / denom;
    const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace ilab::ui::charts
