#pragma once
// Chebyshev interpolation on an interval: the representation used for smooth functions of one variable
// that solvers evaluate at many points (e.g. Gaussian pair averages as functions of the covariance).
//
// Nodes are the Chebyshev-Lobatto points x_j = (a+b)/2 + (b-a)/2 cos(pi j / N), j = 0..N, which nest
// when N doubles, so adaptive refinement reuses every value already computed. Coefficients come from a
// type-I cosine transform; evaluation is Clenshaw's recurrence.
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

namespace gdmft {

class Chebyshev {
public:
    Chebyshev() = default;
    // Interpolant through `values` at the N+1 Lobatto nodes of [a, b] (N = values.size() - 1).
    // a == b gives the constant values[0].
    Chebyshev(double a, double b, const std::vector<double>& values);

    // The N+1 Lobatto nodes of [a, b] (node 0 is b, node N is a).
    static std::vector<double> nodes(double a, double b, int N);

    // Value at x; x is clamped to [a, b] (a polynomial must not be extrapolated).
    double operator()(double x) const;
    // Integral over [a, b].
    double integral() const;
    // Largest |coefficient| among the last four: the truncation-error estimate used for adaptivity.
    double tail() const;
    int degree() const { return static_cast<int>(coef_.size()) - 1; }
    double lo() const { return a_; }
    double hi() const { return b_; }
    const std::vector<double>& coefficients() const { return coef_; }

private:
    double a_ = 0, b_ = 0;
    std::vector<double> coef_{0.0};
};

// Adaptive interpolation of K functions at once: f(x) returns std::array<double, K>. The degree doubles
// from 16 until every interpolant's tail is below tol * (the largest |value| of any of the K functions:
// one absolute scale, so that a function that is small through cancellation, e.g. a derivative, is not
// asked for more relative accuracy than its computation has), or max_degree is reached (then
// `converged` is false). Nested nodes: each refinement evaluates f only at the new points.
template <std::size_t K>
struct ChebyshevSet {
    std::array<Chebyshev, K> fn;
    bool converged = false;
};

template <std::size_t K, class F>
ChebyshevSet<K> chebyshev_adaptive(F&& f, double a, double b, double tol, int max_degree = 512) {
    ChebyshevSet<K> out;
    if (!(b > a)) {
        const auto v = f(a);
        for (std::size_t m = 0; m < K; ++m) out.fn[m] = Chebyshev(a, a, {v[m]});
        out.converged = true;
        return out;
    }
    int N = 16;
    std::vector<std::array<double, K>> vals;
    for (const double x : Chebyshev::nodes(a, b, N)) vals.push_back(f(x));
    while (true) {
        double scale = 0, worst = 0;
        for (const auto& v : vals)
            for (const double x : v) scale = std::max(scale, std::abs(x));
        for (std::size_t m = 0; m < K; ++m) {
            std::vector<double> v(vals.size());
            for (std::size_t j = 0; j < vals.size(); ++j) v[j] = vals[j][m];
            out.fn[m] = Chebyshev(a, b, v);
            worst = std::max(worst, out.fn[m].tail());
        }
        if (worst <= tol * scale) {
            out.converged = true;
            return out;
        }
        if (2 * N > max_degree) return out;
        // Double the degree: old node j becomes node 2j; the odd nodes are new.
        const auto x2 = Chebyshev::nodes(a, b, 2 * N);
        std::vector<std::array<double, K>> v2(2 * N + 1);
        for (int j = 0; j <= N; ++j) v2[2 * j] = vals[j];
        for (int j = 1; j < 2 * N; j += 2) v2[j] = f(x2[j]);
        vals.swap(v2);
        N *= 2;
    }
}

}  // namespace gdmft
