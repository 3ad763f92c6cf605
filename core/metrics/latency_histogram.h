#pragma once

#include <array>
#include <cstdint>

namespace ilab::metrics {

// Log-scale histogram for percentiles in snapshots: bucket i covers (BASE_MS * GROWTH^(i-1), BASE_MS * GROWTH^i].
// 20 ms resolution is not the point; ~10% relative error from 10 us to 20 s in 80 buckets of 8 bytes is.
// Not thread-safe: each owner guards it.
class LatencyHistogram {
public:
    static constexpr int BUCKETS = 80;
    static constexpr double BASE_MS = 0.01;
    static constexpr double GROWTH = 1.2;

    void add(double ms);
    void merge(const LatencyHistogram& other);
    void clear() { m_counts.fill(0); m_total = 0; }
    std::uint64_t total() const { return m_total; }
    // Upper bound of the bucket holding the q-quantile (0 < q <= 1), in ms; 0 when empty.
    double quantileMs(double q) const;
    static double upperBoundMs(int bucket);

private:
    std::array<std::uint64_t, BUCKETS> m_counts{};
    std::uint64_t m_total = 0;
};

}  // namespace ilab::metrics
