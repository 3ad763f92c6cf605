#include "core/metrics/latency_histogram.h"

#include <cmath>

namespace ilab::metrics {

double LatencyHistogram::upperBoundMs(int bucket) { return BASE_MS * std::pow(GROWTH, bucket); }

void LatencyHistogram::add(double ms) {
    int i = 0;
    if (ms > BASE_MS) {
        i = static_cast<int>(std::ceil(std::log(ms / BASE_MS) / std::log(GROWTH) - 1e-9));
        if (i >= BUCKETS) i = BUCKETS - 1;
        if (i < 0) i = 0;
    }
    ++m_counts[static_cast<std::size_t>(i)];
    ++m_total;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < m_counts.size(); ++i) m_counts[i] += other.m_counts[i];
    m_total += other.m_total;
}

double LatencyHistogram::quantileMs(double q) const {
    if (m_total == 0) return 0;
    std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_total)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (int i = 0; i < BUCKETS; ++i) {
        seen += m_counts[static_cast<std::size_t>(i)];
        if (seen >= rank) return upperBoundMs(i);
    }
    return upperBoundMs(BUCKETS - 1);
}

}  // namespace ilab::metrics
