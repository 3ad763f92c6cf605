#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

// Log-linear latency histogram (HdrHistogram's layout): values below 2^S are exact, above that each power of two
// is split into 2^S equal sub-buckets, so the relative error is at most 2^-S (S = 6: 1.6 %). Memory is fixed:
// (MAX_EXPONENT − S + 2)·2^S counters (S = 6: 2,304 counters, 18 KB), whatever the number of samples.
// Values are microseconds; anything above 2^40 µs (12.7 days) lands in the last bucket. Not thread-safe: one owner.
namespace ilab::loadgen {

class LatencyHistogram {
public:
    static constexpr int MAX_EXPONENT = 40;

    explicit LatencyHistogram(int subBucketBits = 6);

    void record(int64_t valueUs);
    void merge(const LatencyHistogram& other);  // same subBucketBits required (Q_ASSERT-style abort otherwise)
    void reset();

    uint64_t count() const { return m_count; }
    int64_t min() const { return m_count ? m_min : 0; }
    int64_t max() const { return m_count ? m_max : 0; }
    double mean() const { return m_count ? static_cast<double>(m_sum) / static_cast<double>(m_count) : 0; }
    // Smallest recorded-bucket value v such that at least q·count samples are <= v (q in [0, 1]); reports the
    // bucket's upper bound clamped to the exact max, 0 when empty.
    int64_t percentile(double q) const;

    int subBucketBits() const { return m_bits; }
    // Bucket boundaries, for drawing and for tests: [lowerBound(i), upperBound(i)] holds bucket i.
    size_t bucketCount() const { return m_counts.size(); }
    uint64_t bucketValue(size_t index) const { return m_counts[index]; }
    int64_t lowerBound(size_t index) const;
    int64_t upperBound(size_t index) const;
    size_t indexOf(int64_t valueUs) const;

private:
    int m_bits;
    std::vector<uint64_t> m_counts;
    uint64_t m_count = 0;
    int64_t m_min = 0;
    int64_t m_max = 0;
    int64_t m_sum = 0;
};

}  // namespace ilab::loadgen
