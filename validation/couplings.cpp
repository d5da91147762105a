#include "validation/couplings.hpp"

#include "validation/random.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace gdmft::sim {

CouplingMatrix::CouplingMatrix(std::size_t N, std::uint64_t seed, const std::vector<std::uint64_t>& streams,
                               const std::vector<double>& gains, bool single_precision)
    : rows_(N * streams.size()), cols_(N), single_(single_precision) {
    if (streams.size() != gains.size()) throw std::logic_error("CouplingMatrix: streams and gains differ in size");
    if (single_)
        f_.resize(rows_, cols_);
    else
        d_.resize(rows_, cols_);
    const std::ptrdiff_t total = static_cast<std::ptrdiff_t>(rows_);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t row = 0; row < total; ++row) {
        const std::size_t b = static_cast<std::size_t>(row) / N, i = static_cast<std::size_t>(row) % N;
        NormalStream rng(derive_seed(derive_seed(seed, streams[b]), i));
        const double sd = gains[b] / std::sqrt(static_cast<double>(N));
        for (std::size_t j = 0; j < N; ++j) {
            const double v = sd * rng.normal();
            if (single_)
                f_(row, j) = static_cast<float>(v);
            else
                d_(row, j) = v;
        }
    }
}

CouplingMatrix::CouplingMatrix(RowMatrixD values)
    : rows_(static_cast<std::size_t>(values.rows())), cols_(static_cast<std::size_t>(values.cols())), single_(false),
      d_(std::move(values)) {
    if (cols_ == 0 || rows_ % cols_ != 0)
        throw std::logic_error("CouplingMatrix: given couplings must stack square blocks");
}

RowMatrixD CouplingMatrix::values() const { return single_ ? RowMatrixD(f_.cast<double>()) : d_; }

void CouplingMatrix::multiply_transposed(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y, std::size_t row0,
                                         std::ptrdiff_t nrows) const {
    const std::size_t nr = nrows < 0 ? rows_ - std::min(row0, rows_) : static_cast<std::size_t>(nrows);
    if (row0 + nr > rows_ || static_cast<std::size_t>(X.rows()) != nr)
        throw std::logic_error("CouplingMatrix::multiply_transposed: size mismatch");
    Y.resize(static_cast<Eigen::Index>(cols_), X.cols());
    const Eigen::Index r0 = static_cast<Eigen::Index>(row0), n = static_cast<Eigen::Index>(nr);
    const std::ptrdiff_t nblocks = static_cast<std::ptrdiff_t>((cols_ + kTransposedBlock - 1) / kTransposedBlock);
    const bool parallel = nblocks > 1 && static_cast<double>(nr) * static_cast<double>(cols_) * X.cols() >= 65536.0;
#pragma omp parallel for schedule(static) if (parallel)
    for (std::ptrdiff_t b = 0; b < nblocks; ++b) {
        const Eigen::Index c0 = b * static_cast<Eigen::Index>(kTransposedBlock);
        const Eigen::Index nc = std::min<Eigen::Index>(kTransposedBlock, static_cast<Eigen::Index>(cols_) - c0);
        if (single_)
            Y.middleRows(c0, nc).noalias() = f_.block(r0, c0, n, nc).cast<double>().transpose() * X;
        else
            Y.middleRows(c0, nc).noalias() = d_.block(r0, c0, n, nc).transpose() * X;
    }
}

double CouplingMatrix::max_abs_row_sum(std::size_t row0, std::size_t n) const {
    const auto r0 = static_cast<Eigen::Index>(row0), nr = static_cast<Eigen::Index>(n);
    if (n == 0) return 0.0;
    if (single_) return static_cast<double>(f_.middleRows(r0, nr).cwiseAbs().rowwise().sum().maxCoeff());
    return d_.middleRows(r0, nr).cwiseAbs().rowwise().sum().maxCoeff();
}

namespace {

constexpr int kLanes = 8;  // partial sums per dot product (one AVX-512 register of doubles)

// out[r G + g] = sum_j a_r[j] x_g[j] for R rows a_r = a + r lda and G columns x_g = x + g ldx, accumulated
// in double. Each of the R x G dot products uses the same arithmetic whatever R and G (lane l sums
// j = l mod kLanes in order, then lanes 0..kLanes-1, then the tail), so a product never depends on
// the tiling, the block partition or the thread count.
template <class T, int R, int G>
inline void dot_tile(const T* a, Eigen::Index lda, const double* x, Eigen::Index ldx, Eigen::Index n, double* out) {
    double acc[R][G][kLanes] = {};
    Eigen::Index j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (int r = 0; r < R; ++r)
            for (int g = 0; g < G; ++g)
#pragma omp simd
                for (int l = 0; l < kLanes; ++l)
                    acc[r][g][l] = std::fma(static_cast<double>(a[r * lda + j + l]), x[g * ldx + j + l], acc[r][g][l]);
    for (int r = 0; r < R; ++r)
        for (int g = 0; g < G; ++g) {
            double s = 0;
            for (int l = 0; l < kLanes; ++l) s += acc[r][g][l];
            for (Eigen::Index t = j; t < n; ++t) s = std::fma(static_cast<double>(a[r * lda + t]), x[g * ldx + t], s);
            out[r * G + g] = s;
        }
}

// Y.middleRows(r0, nr) = A.middleRows(r0, nr) X with register tiles of 8 rows x 2 columns: each load of
// the coupling matrix serves two columns and each load of X eight rows, so a few columns (trajectories,
// tangent vectors) cost little more memory traffic than one.
template <class T>
void multiply_rows(const T* A, Eigen::Index n, const Eigen::MatrixXd& X, Eigen::MatrixXd& Y, Eigen::Index r0,
                   Eigen::Index nr) {
    constexpr int R = 8, G = 2;
    const Eigen::Index C = X.cols(), ldx = X.outerStride();
    double out[R * G];
    Eigen::Index i = r0;
    for (; i + R <= r0 + nr; i += R) {
        Eigen::Index c = 0;
        for (; c + G <= C; c += G) {
            dot_tile<T, R, G>(A + i * n, n, X.data() + c * ldx, ldx, n, out);
            for (int r = 0; r < R; ++r)
                for (int g = 0; g < G; ++g) Y(i + r, c + g) = out[r * G + g];
        }
        if (c < C) {
            dot_tile<T, R, 1>(A + i * n, n, X.data() + c * ldx, ldx, n, out);
            for (int r = 0; r < R; ++r) Y(i + r, c) = out[r];
        }
    }
    for (; i < r0 + nr; ++i)
        for (Eigen::Index c = 0; c < C; ++c) {
            dot_tile<T, 1, 1>(A + i * n, n, X.data() + c * ldx, ldx, n, out);
            Y(i, c) = out[0];
        }
}

}  // namespace

void CouplingMatrix::multiply(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y) const {
    if (static_cast<std::size_t>(X.rows()) != cols_) throw std::logic_error("CouplingMatrix::multiply: size mismatch");
    Y.resize(static_cast<Eigen::Index>(rows_), X.cols());
    const Eigen::Index n = static_cast<Eigen::Index>(cols_), C = X.cols();
    const std::ptrdiff_t nblocks = static_cast<std::ptrdiff_t>((rows_ + kBlockRows - 1) / kBlockRows);
    // Kernel choice (measured in bench/bench_rk4_step): Eigen's GEMV for one column in double, Eigen's
    // GEMM for many columns in double, the tiled kernel above otherwise (float storage always: it reads
    // float couplings and accumulates in double).
    enum class Kernel { Gemv, Gemm, Tiled } kernel = Kernel::Tiled;
    if (!single_) kernel = C == 1 ? Kernel::Gemv : (C > kMaxTiledColumns ? Kernel::Gemm : Kernel::Tiled);
    // Threads only pay off above a few tens of thousands of multiply-adds (a parallel region costs
    // microseconds, far more when the cores are shared).
    const bool parallel = nblocks > 1 && static_cast<double>(rows_) * static_cast<double>(cols_) * C >= 65536.0;
#pragma omp parallel for schedule(static) if (parallel)
    for (std::ptrdiff_t b = 0; b < nblocks; ++b) {
        const Eigen::Index r0 = b * static_cast<Eigen::Index>(kBlockRows);
        const Eigen::Index nr = std::min<Eigen::Index>(kBlockRows, static_cast<Eigen::Index>(rows_) - r0);
        if (kernel == Kernel::Tiled) {
            if (single_)
                multiply_rows(f_.data(), n, X, Y, r0, nr);
            else
                multiply_rows(d_.data(), n, X, Y, r0, nr);
        } else {
            Y.middleRows(r0, nr).noalias() = d_.middleRows(r0, nr) * X;
        }
    }
}

}  // namespace gdmft::sim
