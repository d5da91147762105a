#pragma once
// A coupling matrix (couplings.hpp) copied once into row panels, for products with many columns (the
// tangent vectors of a Lyapunov run). A general GEMM re-packs the coupling matrix on every call; with a
// few tens of columns that packing costs as much as the arithmetic (measured: bench_lyapunov_spectrum).
// Here the packing is done once: panel p holds rows [p kRows, (p + 1) kRows) stored column by column, so
// the inner loop reads kRows consecutive couplings and broadcasts one entry of each column of X.
//
// Every entry Y(i, c) is one fused multiply-add chain over j = 0, 1, ..., n-1 in order, whatever the
// tiling, the number of columns or the thread count: results are reproducible bit for bit. Panels hold
// kPackets SIMD packets of rows (24 doubles or 48 floats with AVX-512).
#include "validation/couplings.hpp"

#include <Eigen/Dense>

#include <vector>

namespace gdmft::sim {

class CouplingPanels {
public:
    CouplingPanels() = default;
    // An exact copy of J, in J's storage precision (double or float).
    explicit CouplingPanels(const CouplingMatrix& J);

    bool empty() const { return rows_ == 0; }
    bool single_precision() const { return !f_.empty(); }
    std::size_t bytes() const { return d_.size() * sizeof(double) + f_.size() * sizeof(float); }

    // Y = J X (Y resized to J.rows() x X.cols()). Panels are shared among OpenMP threads. Sums are
    // accumulated in double, except that with float storage the columns from `single_from` on (if >= 0)
    // are rounded to float and summed in float: twice the vector width, relative rounding of order
    // 1e-7 sqrt(n) per entry. Each panel serves every column while it is in cache.
    void multiply(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y, Eigen::Index single_from = -1) const;

private:
    std::size_t rows_ = 0, cols_ = 0, panels_ = 0;
    std::vector<double> d_;
    std::vector<float> f_;
    mutable Eigen::MatrixXf xf_;  // X in float (single arithmetic), reused between calls
};

}  // namespace gdmft::sim
