#include "validation/coupling_panels.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace gdmft::sim {

namespace {

namespace ei = Eigen::internal;

// Packets per panel (rows = kPackets x packet size) and columns per register tile: kPackets x kTile
// accumulators plus kPackets coupling packets and one broadcast fit the vector register file
// (32 registers with AVX-512, 16 otherwise).
constexpr int kPackets = 3;
#ifdef EIGEN_VECTORIZE_AVX512
constexpr int kTile = 8;
#else
constexpr int kTile = 4;
#endif

template <class S>
constexpr int lanes() {
    return ei::packet_traits<S>::size;
}

template <class S>
constexpr int panel_rows() {
    return kPackets * lanes<S>();
}

// out (PR x R, column-major) = panel (PR x n, column-major) times the R columns x[r], all in S.
// Each entry is the chain acc = fma(a_j, x_j, acc) over j in order, so it does not depend on R.
template <class S, int R>
void tile(const S* panel, const S* const* x, Eigen::Index n, double* out) {
    using Packet = typename ei::packet_traits<S>::type;
    constexpr int L = lanes<S>(), P = kPackets, PR = P * L;
    Packet acc[P][R];
    for (int p = 0; p < P; ++p)
        for (int r = 0; r < R; ++r) acc[p][r] = ei::pset1<Packet>(S(0));
    for (Eigen::Index j = 0; j < n; ++j) {
        const S* a = panel + j * PR;
        Packet av[P];
        for (int p = 0; p < P; ++p) av[p] = ei::ploadu<Packet>(a + p * L);
        for (int r = 0; r < R; ++r) {
            const Packet b = ei::pset1<Packet>(x[r][j]);
            for (int p = 0; p < P; ++p) acc[p][r] = ei::pmadd(av[p], b, acc[p][r]);
        }
    }
    alignas(64) S buf[PR];
    for (int r = 0; r < R; ++r) {
        for (int p = 0; p < P; ++p) ei::pstoreu(buf + p * L, acc[p][r]);
        for (int i = 0; i < PR; ++i) out[r * PR + i] = static_cast<double>(buf[i]);
    }
}

// The same with float couplings and double X and sums. With AVX-512 the float panel is widened to double
// packets in registers (6 for 48 rows) so that the R chains of 6 accumulators stay in registers;
// otherwise the compiler vectorises the row loop.
template <int R>
void tile_mixed(const float* panel, const double* const* x, Eigen::Index n, double* out) {
    constexpr int PR = panel_rows<float>();
#ifdef __AVX512F__
    static_assert(PR == 48, "AVX-512 float panels hold 48 rows");
    __m512d acc[6][R];
    for (int q = 0; q < 6; ++q)
        for (int r = 0; r < R; ++r) acc[q][r] = _mm512_setzero_pd();
    for (Eigen::Index j = 0; j < n; ++j) {
        const float* a = panel + j * PR;
        __m512d av[6];
        for (int q = 0; q < 6; ++q) av[q] = _mm512_cvtps_pd(_mm256_loadu_ps(a + 8 * q));
        for (int r = 0; r < R; ++r) {
            const __m512d b = _mm512_set1_pd(x[r][j]);
            for (int q = 0; q < 6; ++q) acc[q][r] = _mm512_fmadd_pd(av[q], b, acc[q][r]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int q = 0; q < 6; ++q) _mm512_storeu_pd(out + r * PR + 8 * q, acc[q][r]);
#else
    double acc[R][PR] = {};
    for (Eigen::Index j = 0; j < n; ++j) {
        const float* a = panel + j * PR;
        for (int r = 0; r < R; ++r) {
            const double b = x[r][j];
#pragma omp simd
            for (int i = 0; i < PR; ++i) acc[r][i] = std::fma(static_cast<double>(a[i]), b, acc[r][i]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int i = 0; i < PR; ++i) out[r * PR + i] = acc[r][i];
#endif
}

// Columns per tile of float couplings with double sums (6 R accumulators plus 6 widened couplings).
constexpr int kTileMixed = kTile / 2;

// Tile of `cols` <= kTile columns (kTileMixed for mixed precision), dispatched to the compile-time width.
template <class S, class X, int R = (std::is_same_v<S, X> ? kTile : kTileMixed)>
void tile_any(int cols, const S* panel, const X* const* x, Eigen::Index n, double* out) {
    if constexpr (R > 1) {
        if (cols < R) return tile_any<S, X, R - 1>(cols, panel, x, n, out);
    }
    if constexpr (std::is_same_v<S, X>)
        tile<S, R>(panel, x, n, out);
    else
        tile_mixed<R>(panel, x, n, out);
}

// Columns [c0, c0 + nc) of the PR rows of Y from row r0 (nr of them valid): the panel times the
// columns xs, xs + ldx, ... (type X) of X.
template <class S, class X>
void panel_columns(const S* panel, Eigen::Index n, const X* xs, Eigen::Index ldx, Eigen::Index c0, Eigen::Index nc,
                   Eigen::Index r0, Eigen::Index nr, Eigen::MatrixXd& Y) {
    constexpr int PR = panel_rows<S>(), T = std::is_same_v<S, X> ? kTile : kTileMixed;
    double out[PR * T];
    const X* x[T];
    for (Eigen::Index c = 0; c < nc; c += T) {
        const int w = static_cast<int>(std::min<Eigen::Index>(T, nc - c));
        for (int r = 0; r < w; ++r) x[r] = xs + (c + r) * ldx;
        tile_any<S, X>(w, panel, x, n, out);
        for (int r = 0; r < w; ++r)
            for (Eigen::Index i = 0; i < nr; ++i) Y(r0 + i, c0 + c + r) = out[r * PR + i];
    }
}

// Y = J X panel by panel: columns [0, split) from X in double, columns [split, C) from Xs (X's columns
// from split on, in S) when given.
template <class S>
void multiply_panels(const std::vector<S>& data, std::size_t rows, std::size_t panels, const Eigen::MatrixXd& X,
                     Eigen::Index split, const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>* Xs, Eigen::MatrixXd& Y) {
    constexpr int PR = panel_rows<S>();
    const Eigen::Index n = X.rows(), C = X.cols();
    const std::ptrdiff_t np = static_cast<std::ptrdiff_t>(panels);
    const bool parallel =
        np > 1 && static_cast<double>(rows) * static_cast<double>(n) * static_cast<double>(C) >= 65536.0;
#pragma omp parallel for schedule(static) if (parallel)
    for (std::ptrdiff_t p = 0; p < np; ++p) {
        const S* panel = data.data() + static_cast<std::size_t>(p) * static_cast<std::size_t>(n) * PR;
        const Eigen::Index r0 = p * PR;
        const Eigen::Index nr = std::min<Eigen::Index>(PR, static_cast<Eigen::Index>(rows) - r0);
        panel_columns(panel, n, X.data(), X.outerStride(), 0, split, r0, nr, Y);
        if (Xs) panel_columns(panel, n, Xs->data(), Xs->outerStride(), split, C - split, r0, nr, Y);
    }
}

template <class S>
std::size_t pack(const CouplingMatrix& J, std::vector<S>& data) {
    constexpr std::size_t PR = panel_rows<S>();
    const std::size_t n = J.cols(), rows = J.rows(), panels = (rows + PR - 1) / PR;
    data.assign(panels * n * PR, S(0));  // rows beyond J.rows() stay zero
    const std::ptrdiff_t np = static_cast<std::ptrdiff_t>(panels);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t p = 0; p < np; ++p) {
        const std::size_t i0 = static_cast<std::size_t>(p) * PR;
        for (std::size_t i = 0; i < PR && i0 + i < rows; ++i)
            for (std::size_t j = 0; j < n; ++j) data[(i0 / PR * n + j) * PR + i] = static_cast<S>(J(i0 + i, j));
    }
    return panels;
}

}  // namespace

CouplingPanels::CouplingPanels(const CouplingMatrix& J) : rows_(J.rows()), cols_(J.cols()) {
    panels_ = J.single_precision() ? pack(J, f_) : pack(J, d_);
}

void CouplingPanels::multiply(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y, Eigen::Index single_from) const {
    if (static_cast<std::size_t>(X.rows()) != cols_) throw std::logic_error("CouplingPanels::multiply: size mismatch");
    const Eigen::Index C = X.cols();
    Y.resize(static_cast<Eigen::Index>(rows_), C);
    if (C == 0 || rows_ == 0) return;
    if (!single_precision()) {
        multiply_panels<double>(d_, rows_, panels_, X, C, nullptr, Y);
    } else if (single_from < 0 || single_from >= C) {
        multiply_panels<float>(f_, rows_, panels_, X, C, nullptr, Y);
    } else {
        xf_ = X.rightCols(C - single_from).cast<float>();
        multiply_panels<float>(f_, rows_, panels_, X, single_from, &xf_, Y);
    }
}

}  // namespace gdmft::sim
