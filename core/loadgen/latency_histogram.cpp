#include "core/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>

namespace ilab::loadgen {

LatencyHistogram::LatencyHistogram(int subBucketBits) : m_bits(std::clamp(subBucketBits, 1, 12)) {
    m_counts.assign(static_cast<size_t>(MAX_EXPONENT - m_bits + 2) << m_bits, 0);
}

size_t LatencyHistogram::indexOf(int64_t valueUs) const {
    const uint64_t v = valueUs < 0 ? 0 : static_cast<uint64_t>(valueUs);
    const uint64_t sub = uint64_t{1} << m_bits;
    if (v < sub) return static_cast<size_t>(v);
    const int msb = 63 - std::countl_zero(v);
    const size_t index = (static_cast<size_t>(msb - m_bits + 1) << m_bits) + ((v >> (msb - m_bits)) - sub);
    return std::min(index, m_counts.size() - 1);
}

int64_t LatencyHistogram::lowerBound(size_t index) const {
    const size_t sub = size_t{1} << m_bits;
    if (index < sub) return static_cast<int64_t>(index);
    const size_t group = index >> m_bits;  // >= 1
    const uint64_t mantissa = (index & (sub - 1)) + sub;
    return static_cast<int64_t>(mantissa << (group - 1));
}

int64_t LatencyHistogram::upperBound(size_t index) const {
    const size_t sub = size_t{1} << m_bits;
    if (index < sub) return static_cast<int64_t>(index);
    const size_t group = index >> m_bits;
    return lowerBound(index) + static_cast<int64_t>((uint64_t{1} << (group - 1)) - 1);
}

void LatencyHistogram::record(int64_t valueUs) {
    if (valueUs < 0) valueUs = 0;
    ++m_counts[indexOf(valueUs)];
    if (m_count == 0) {
        m_min = m_max = valueUs;
    } else {
        m_min = std::min(m_min, valueUs);
        m_max = std::max(m_max, valueUs);
    }
    ++m_count;
    m_sum += valueUs;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    if (other.m_bits != m_bits) std::abort();  // broken invariant: histograms of one run share a layout
    if (other.m_count == 0) return;
    for (size_t i = 0; i < m_counts.size(); ++i) m_counts[i] += other.m_counts[i];
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = m_count ? std::max(m_max, other.m_max) : other.m_max;
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void LatencyHistogram::reset() {
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_count = 0;
    m_min = m_max = m_sum = 0;
}

int64_t LatencyHistogram::percentile(double q) const {
    if (m_count == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(m_count))));
    uint64_t seen = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank) return std::clamp(upperBound(i), m_min, m_max);
    }
    return m_max;
}

}  // namespace ilab::loadgen
