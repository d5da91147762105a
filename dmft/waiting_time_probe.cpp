// Two-time C_h at waiting-time rows (see the header).
#include "dmft/waiting_time_probe.hpp"

#include <limits>
#include <utility>

namespace gdmft::detail {

WaitingTimeProbe::WaitingTimeProbe(std::vector<std::size_t> rows, std::size_t n, std::size_t M)
    : rows_(std::move(rows)), n_(n), M_(M) {
    h_w_.assign(rows_.size(), std::vector<double>(M, 0.0));
    reset();
}

void WaitingTimeProbe::reset() { prod_.assign(rows_.size(), std::vector<double>(n_, std::numeric_limits<double>::quiet_NaN())); }

void WaitingTimeProbe::observe(std::size_t k, const double* h) {
    for (std::size_t w = 0; w < rows_.size(); ++w) {
        if (k < rows_[w]) continue;
        std::vector<double>& hw = h_w_[w];
        if (k == rows_[w]) hw.assign(h, h + M_);
        double s = 0;
        for (std::size_t p = 0; p < M_; ++p) s += h[p] * hw[p];
        prod_[w][k] = s / double(M_);
    }
}

}  // namespace gdmft::detail
