#pragma once
// Large-N singular values of K = A + B Jr C and the spectrum of Jh K (the gated Kac-Rice determinant;
// docs/complexity.md section 8). A, B, C are diagonal with entries a_i, b_i, c_i drawn from a given discrete
// law (at the dominant fixed points: a = sigma_r(r) phi'(x), b = sigma_r'(r) phi(x), c = phi'(x)); Jr is iid
// Gaussian with variance g_r^2/N (a matrix B Jr C with a rank-one variance profile b_i^2 c_j^2 g_r^2/N).
//
// Hermitization at spectral parameter i eta, t = 1/eta^2: with p, p' the rescaled self-energies and
//   W = (1 + b^2 p)(1 + c^2 p') + t a^2,
//   f(t) = (1/N) ln det(I + t K K^T) = <ln(1 + t s^2)>_s = stat_{p, p'} { <ln W> - p p' / (t g_r^2) },
// stationarity p = t g_r^2 <c^2 (1 + b^2 p) / W>, p' = t g_r^2 <b^2 (1 + c^2 p') / W> (p, p' >= 0), and by the
// envelope theorem f'(t) = <s^2 / (1 + t s^2)> = <a^2 / W> + p p' / (t^2 g_r^2). Limits: b = 0 gives <ln(1 + t a^2)>;
// a = 0, b = c = 1 the square Marchenko-Pastur law, p (1 + p) = t g_r^2, f = 2 ln(1 + p) - p / (1 + p).
//
// Jh K (Jh iid, variance g_h^2/N, independent of K) has the spectrum of Jh S, S = diag(singular values of K)
// (orthogonal invariance of Jh), so the results of dmft/jd_spectrum carry over with <h(d^2)> -> <h(s^2)>:
//   (1/N) ln|det(I - Jh K)| -> (1/2) max_t [ f(t) - t / g_h^2 ],
// and the radial mass of the (rotation-invariant) eigenvalue law: at radius r, tau solving f'(tau) = r^2/g_h^2,
// the fraction outside r is s(r) = tau r^2 / g_h^2 (0 beyond R = g_h sqrt(<s^2>), <s^2> = <a^2> + g_r^2 <b^2><c^2>).
#include <vector>

namespace gdmft {

struct GateSiteLaw {
    std::vector<double> a2, b2, c2, w;  // a^2, b^2, c^2 at the law's atoms and their probabilities (sum 1)
    double mean_s2(double g_r) const;   // (1/N) tr K K^T = <a^2> + g_r^2 <b^2> <c^2>
};

struct KLogDet {
    double f = 0;        // <ln(1 + t s^2)>
    double slope = 0;    // f'(t) = <s^2 / (1 + t s^2)>
    double p = 0, pp = 0;
    bool converged = false;
};

// f(t), f'(t) and the self-energies (t >= 0). p_hint, pp_hint < 0: start from the small-t values
// p = t g_r^2 <c^2>, p' = t g_r^2 <b^2>.
KLogDet k_log_det(const GateSiteLaw& law, double g_r, double t, double p_hint = -1, double pp_hint = -1);

// lim (1/N) ln|det(I - Jh K)| = (1/2) max_t [f(t) - t/g_h^2]; 0 iff g_h^2 <s^2> <= 1. t_out: the maximiser.
double jk_log_det_rate(const GateSiteLaw& law, double g_r, double g_h, double* t_out = nullptr);

// Fraction of eigenvalues of Jh K with real part > 1 (of -I + Jh K with real part > 0):
// (1/pi) int_0^{arccos(1/R)} s(1/cos theta) d theta, as in jd_unstable_fraction (Simpson). t_hint > 0: a guess of
// the lemma's maximiser (tau at theta = 0), e.g. the saddle's t; otherwise it is computed.
double jk_unstable_fraction(const GateSiteLaw& law, double g_r, double g_h, int theta_points = 32, double t_hint = -1);

}  // namespace gdmft
