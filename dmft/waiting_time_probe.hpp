#pragma once
// Two-time C_h on sample paths at a few waiting times (dmft/aging_curves.hpp), for the transient DMFT:
// keeps h(t_w) of every path at each waiting-time row, and at every later row k the path average
// (1/M) sum_p h_p(t_k) h_p(t_w). O(W M) per row, summed serially in path order (independent of the
// thread count); no two-time h matrix is stored.
#include <cstddef>
#include <vector>

namespace gdmft::detail {

class WaitingTimeProbe {
public:
    WaitingTimeProbe() = default;
    // Waiting-time rows (increasing) on a grid of n rows, M paths.
    WaitingTimeProbe(std::vector<std::size_t> rows, std::size_t n, std::size_t M);

    bool active() const { return !rows_.empty(); }
    // Clears every product (a new pass over the paths starts at row 0).
    void reset();
    // h of every path at row k; rows must come in order 0, 1, 2, ...
    void observe(std::size_t k, const double* h);
    // products()[w][k] = (1/M) sum_p h_p(t_k) h_p(t_w) for k >= rows[w] (NaN before).
    const std::vector<std::vector<double>>& products() const { return prod_; }

private:
    std::vector<std::size_t> rows_;
    std::size_t n_ = 0, M_ = 0;
    std::vector<std::vector<double>> h_w_, prod_;
};

}  // namespace gdmft::detail
