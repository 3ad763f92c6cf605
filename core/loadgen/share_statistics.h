#pragma once

#include <cstdint>
#include <string>

// Binomial arithmetic for "did the traffic split the way the weights say?": the Wilson score interval for an
// observed share, the score test against an expected share (the test whose inversion *is* the Wilson interval,
// so "expected inside the interval" and "p >= alpha" always agree), a plain-language verdict, and the sample
// size needed to tell two shares apart. Pure functions, any thread.
namespace ilab::loadgen {

// A share observed as k successes out of n trials with its Wilson score interval.
struct ShareInterval {
    double observed = 0;  // k / n
    double low = 0;       // Wilson lower bound
    double high = 0;      // Wilson upper bound
    double halfWidth() const { return (high - low) / 2; }
};

// Result of comparing an observed share with an expected one.
struct ShareCheck {
    uint64_t hits = 0;
    uint64_t trials = 0;
    double expected = 0;
    ShareInterval interval;
    double pValue = 1;        // two-sided score test of H0: share == expected
    bool consistent = true;   // pValue >= 1 - confidence (equivalently: expected inside the interval)
    std::string verdict;      // "10.4 % ± 1.9 % — consistent with 10 %" / "… — NOT consistent with 10 % (p = 0.003)"
};

// Standard normal quantile (inverse CDF), |error| < 1.2e-9 (Acklam's rational approximation + one Newton step).
double normalQuantile(double p);
// Two-sided normal tail probability 2·(1 − Φ(|z|)).
double twoSidedNormalP(double z);

// Wilson score interval at `confidence` (e.g. 0.95). n == 0 gives {0, 0, 1}.
ShareInterval wilsonInterval(uint64_t hits, uint64_t trials, double confidence = 0.95);

// Observed k/n against `expected` (a fraction in [0, 1]). The verdict text is what the CLI and GUI print.
ShareCheck checkShare(uint64_t hits, uint64_t trials, double expected, double confidence = 0.95);

// Requests needed so that a two-sided test at `confidence` distinguishes share p0 from p1 with `power`
// (classic normal-approximation formula: n = (z_{a/2}·√(p0(1−p0)) + z_b·√(p1(1−p1)))² / (p1 − p0)², rounded up).
// Returns 0 when p0 == p1 or either is outside (0, 1).
uint64_t requestsToDetect(double p0, double p1, double confidence = 0.95, double power = 0.80);

// "10 %", "12.5 %", "0.3 %": a percentage with at most `maxDecimals` decimals and no trailing zeros.
std::string formatPercent(double fraction, int maxDecimals = 1);

}  // namespace ilab::loadgen
