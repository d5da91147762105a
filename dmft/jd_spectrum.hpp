#pragma once
// Large-N spectrum of J D, J iid Gaussian with variance g^2/N, D diagonal with a given law of entries d
// (docs/complexity.md, "The log-determinant lemma"). The law is a discrete one: values d_k, weights w_k
// (sum w = 1), e.g. quadrature nodes of a fixed-point component law.
//
// Hermitization gives the log-potential of the (rotation-invariant) eigenvalue law at |z| = r:
//   L(r) = (1/N) ln|det(z - J D)| -> (1/2) max_{s >= 0} [ <ln(r^2 + g^2 s d^2)> - s ],
// the maximiser s(r) solving <g^2 d^2 / (r^2 + g^2 s d^2)> = 1 (s = 0 when r^2 >= g^2 <d^2>). At r = 1,
// with t = g^2 s, this is the lemma of THEORY.md 10: (1/N) ln|det(I - J D)| -> (1/2) max_t [<ln(1 + t d^2)> - t/g^2].
// The fraction of eigenvalues inside radius r is r L'(r) = 1 - s(r).
#include <vector>

namespace gdmft {

struct DiagonalLaw {
    std::vector<double> d, w;  // entries of D and their probabilities
};

// s(r) of the hermitized equation (0 outside the support radius sqrt(g^2 <d^2>)).
double jd_hermitized_s(const DiagonalLaw& law, double g, double r);

// lim (1/N) ln|det(I - J D)|: the log-determinant lemma (0 iff g^2 <d^2> <= 1).
double jd_log_det_rate(const DiagonalLaw& law, double g);

// Fraction of eigenvalues of J D with real part > 1, i.e. of -I + J D with real part > 0:
//   U = int_1^R (-ds/dr) arccos(1/r)/pi dr = (1/pi) int_0^{arccos(1/R)} s(1/cos theta) d theta,
// R = sqrt(g^2 <d^2>) (by parts, using rotation invariance; 0 when R <= 1).
double jd_unstable_fraction(const DiagonalLaw& law, double g, int theta_points = 48);

}  // namespace gdmft
