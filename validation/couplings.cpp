#include "validation/couplings.hpp"

#include "validation/random.hpp"

#include <omp.h>

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

namespace {

// Y.middleRows(c0, nc) = A(:, c0 : c0 + nc)^T X for A with `nrows` rows of stride lda (row-major), X
// nrows x C. Rows of A are taken kRowsT at a time (then one at a time for the remainder): each Y(j, c)
// is the chain y = fma(a_i, x_i, y) over the rows i in order, so the arithmetic does not depend on the
// column ranges, the number of columns or the thread count. A chunk of kRowsT rows x kChunkT columns
// stays in L1 while it serves every column of X, and the rows are read sequentially: A is streamed from
// memory once, in its storage order.
constexpr int kRowsT = 8;
constexpr Eigen::Index kChunkT = 256;

template <class T, int Rows>
inline void transposed_rows(const T* a, Eigen::Index lda, const Eigen::MatrixXd& X, Eigen::Index i,
                            Eigen::MatrixXd& Y, Eigen::Index j0, Eigen::Index nj) {
    for (Eigen::Index c = 0; c < X.cols(); ++c) {
        double x[Rows];
        for (int k = 0; k < Rows; ++k) x[k] = X(i + k, c);
        double* y = Y.col(c).data() + j0;
#pragma omp simd
        for (Eigen::Index j = 0; j < nj; ++j) {
            double acc = y[j];
            for (int k = 0; k < Rows; ++k) acc = std::fma(static_cast<double>(a[k * lda + j]), x[k], acc);
            y[j] = acc;
        }
    }
}

template <class T>
void transposed_columns(const T* A, Eigen::Index lda, Eigen::Index nrows, const Eigen::MatrixXd& X,
                        Eigen::MatrixXd& Y, Eigen::Index c0, Eigen::Index nc) {
    for (Eigen::Index c = 0; c < X.cols(); ++c) Y.col(c).segment(c0, nc).setZero();
    Eigen::Index i = 0;
    for (; i + kRowsT <= nrows; i += kRowsT)
        for (Eigen::Index j0 = c0; j0 < c0 + nc; j0 += kChunkT)
            transposed_rows<T, kRowsT>(A + i * lda + j0, lda, X, i, Y, j0, std::min(kChunkT, c0 + nc - j0));
    for (; i < nrows; ++i)
        for (Eigen::Index j0 = c0; j0 < c0 + nc; j0 += kChunkT)
            transposed_rows<T, 1>(A + i * lda + j0, lda, X, i, Y, j0, std::min(kChunkT, c0 + nc - j0));
}

}  // namespace

void CouplingMatrix::multiply_transposed(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y, std::size_t row0,
                                         std::ptrdiff_t nrows) const {
    const std::size_t nr = nrows < 0 ? rows_ - std::min(row0, rows_) : static_cast<std::size_t>(nrows);
    if (row0 + nr > rows_ || static_cast<std::size_t>(X.rows()) != nr)
        throw std::logic_error("CouplingMatrix::multiply_transposed: size mismatch");
    Y.resize(static_cast<Eigen::Index>(cols_), X.cols());
    const Eigen::Index n = static_cast<Eigen::Index>(nr), lda = static_cast<Eigen::Index>(cols_);
    // Each thread takes a contiguous range of columns of J (rows of Y) and streams J's rows through it;
    // Y's share stays in cache. The ranges do not change any entry's arithmetic (see transposed_columns).
    const bool parallel = static_cast<double>(nr) * static_cast<double>(cols_) * X.cols() >= 65536.0;
    const int threads = parallel ? omp_get_max_threads() : 1;
    const Eigen::Index per = ((lda + threads - 1) / threads + 7) / 8 * 8;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int b = 0; b < threads; ++b) {
        const Eigen::Index c0 = std::min<Eigen::Index>(b * per, lda), nc = std::min<Eigen::Index>(per, lda - c0);
        if (nc <= 0) continue;
        if (single_)
            transposed_columns(f_.data() + row0 * cols_, lda, n, X, Y, c0, nc);
        else
            transposed_columns(d_.data() + row0 * cols_, lda, n, X, Y, c0, nc);
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
