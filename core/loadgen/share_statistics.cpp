#include "core/loadgen/share_statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ilab::loadgen {

namespace {

// Φ(x), the standard normal CDF.
double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

std::string formatFixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string formatPValue(double p) {
    if (p < 0.001) return "p < 0.001";
    char buf[32];
    std::snprintf(buf, sizeof buf, "p = %.3f", p);
    return buf;
}

}  // namespace

double normalQuantile(double p) {
    if (p <= 0) return -INFINITY;
    if (p >= 1) return INFINITY;
    // Peter Acklam's algorithm; relative error 1.15e-9, refined by one Halley step below.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double pLow = 0.02425;
    double x;
    if (p < pLow) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - pLow) {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double e = normalCdf(x) - p;
    const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double twoSidedNormalP(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

ShareInterval wilsonInterval(uint64_t hits, uint64_t trials, double confidence) {
    ShareInterval out;
    if (trials == 0) {
        out.low = 0;
        out.high = 1;
        return out;
    }
    hits = std::min(hits, trials);
    const double n = static_cast<double>(trials);
    const double p = static_cast<double>(hits) / n;
    const double z = normalQuantile(1 - (1 - confidence) / 2);
    const double z2 = z * z;
    const double denom = 1 + z2 / n;
    const double centre = (p + z2 / (2 * n)) / denom;
    const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
    out.observed = p;
    out.low = std::max(0.0, centre - half);
    out.high = std::min(1.0, centre + half);
    return out;
}

ShareCheck checkShare(uint64_t hits, uint64_t trials, double expected, double confidence) {
    ShareCheck out;
    out.hits = hits;
    out.trials = trials;
    out.expected = expected;
    out.interval = wilsonInterval(hits, trials, confidence);
    const double alpha = 1 - confidence;
    if (trials == 0) {
        out.pValue = 1;
        out.consistent = true;
        out.verdict = "no responses — cannot compare with " + formatPercent(expected);
        return out;
    }
    const double p = out.interval.observed;
    if (expected <= 0 || expected >= 1) {
        // Degenerate null: any hit (or miss) contradicts it outright.
        const bool exact = expected <= 0 ? hits == 0 : hits == trials;
        out.pValue = exact ? 1.0 : 0.0;
    } else {
        const double se = std::sqrt(expected * (1 - expected) / static_cast<double>(trials));
        out.pValue = twoSidedNormalP((p - expected) / se);
    }
    out.consistent = out.pValue >= alpha;
    std::string text = formatFixed(p * 100, 1) + " % ± " + formatFixed(out.interval.halfWidth() * 100, 1) + " %";
    if (out.consistent)
        text += " — consistent with " + formatPercent(expected);
    else
        text += " — NOT consistent with " + formatPercent(expected) + " (" + formatPValue(out.pValue) + ")";
    out.verdict = std::move(text);
    return out;
}

uint64_t requestsToDetect(double p0, double p1, double confidence, double power) {
    if (!(p0 > 0 && p0 < 1 && p1 > 0 && p1 < 1) || p0 == p1) return 0;
    const double za = normalQuantile(1 - (1 - confidence) / 2);
    const double zb = normalQuantile(power);
    const double num = za * std::sqrt(p0 * (1 - p0)) + zb * std::sqrt(p1 * (1 - p1));
    const double n = num * num / ((p1 - p0) * (p1 - p0));
    return static_cast<uint64_t>(std::ceil(n - 1e-9));
}

std::string formatPercent(double fraction, int maxDecimals) {
    std::string s = formatFixed(fraction * 100, maxDecimals);
    if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s + " %";
}

}  // namespace ilab::loadgen
