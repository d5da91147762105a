#pragma once
// The sampled solver's tail model (THEORY.md 2.4, 2.6). The map's Jacobian has a continuum of
// eigenvalues close to 1: slowly decaying tail modes (1 - g_h^2 <phi'>^2 ~ 0.05 for SCS at g = 2).
// Estimator noise at large lags, where C - q is already small, is therefore amplified ~20-fold into
// spurious lobes of the fixed point; they make the map non-smooth (clipped weight), hide the decay, and
// cost iterations. So the measured D = C - q is kept down to the lag t_e where it first falls to eps D0
// (eps = max(tail_level, 5 x the estimator noise)) and continued beyond by the exponential
// eps D0 exp(-(t - t_e)/tau_t), whose e-folding time comes from the 1/e and eps crossings:
// tau_t = (t_e - t_1) / ln(1/(e eps)). Both crossings are interpolated, so the map stays continuous. The
// model changes C - q only below eps D0; at alpha_z = 0, C_h(0) depends on that tail only through
// weights ~e^{-s0 t_e/tau_h}.
#include <limits>
#include <vector>

namespace gdmft {

struct TailModel {
    bool applied = false;
    double eps = std::numeric_limits<double>::quiet_NaN();
    double t1 = std::numeric_limits<double>::quiet_NaN();
    double te = std::numeric_limits<double>::quiet_NaN();
    double tau_t = std::numeric_limits<double>::quiet_NaN();
};

// Linear interpolation of C (lags k dt) at lag t, 0 <= t <= dt (n - 1).
double at_lag(const std::vector<double>& C, double dt, double t);

// First lag (interpolated) at which D(k) = C(k) - q falls to frac * D(0); NaN if it never does.
double first_crossing(const std::vector<double>& C, double q, double dt, double frac);

// The model from the 1/e and eps crossings of C (lags k dt, plateau q).
TailModel fit_tail(const std::vector<double>& C, double q, double dt, double eps);

// The same exponential continuation, but anchored at two fixed lags t1 < te: it passes through the
// measured D(te) with the log-slope between t1 and te. The crossings of fit_tail move by whole lobes
// when C - q hovers near eps D0 (noise in a slowly decaying tail), which makes the map jump and stalls
// the secant iteration; at fixed anchors the model is a smooth function of the iterate. Not applied
// when D is not positive and decreasing between the anchors.
TailModel tail_at_anchors(const std::vector<double>& C, double q, double dt, double t1, double te);

// Replaces C beyond the model's t_e by its exponential (no-op when not applied).
void apply_tail(std::vector<double>& C, double q, double dt, const TailModel& m);

// The anchors of the iteration (carried from stage to stage). They are fitted on the first map output where the
// crossings exist and then held, so that the map stays smooth; they move only when the output has
// drifted far from them: when the level at t_e is off the level at which they were placed by more than
// `factor`, at most `max_moves` times a stage. The first stage starts from a guess whose 1/e
// time can be 2.5x short; anchors frozen there modelled the default model's tail from ~0.85 D0 with a
// ~100 tau_h decay, which stalled the stage and lengthened the automatic window.
class TailAnchors {
public:
    TailAnchors(double factor, int max_moves) : factor_(factor), max_moves_(max_moves) {}
    // The model for the map output C at the intended level eps. Sets *moved when anchors that were
    // already set moved (the map changed: the caller clears its secant history).
    TailModel update(const std::vector<double>& C, double q, double dt, double eps, bool* moved);
    // A new stage (more paths, or another random set) keeps the anchors, with a fresh budget of moves.
    void new_stage() { moves_ = 0; }
    bool set() const { return set_; }
    double t1() const { return t1_; }
    double te() const { return te_; }
    int moves() const { return moves_; }

private:
    double factor_;
    int max_moves_;
    bool set_ = false;
    double t1_ = std::numeric_limits<double>::quiet_NaN(), te_ = std::numeric_limits<double>::quiet_NaN();
    double eps_ = std::numeric_limits<double>::quiet_NaN();  // the level at which they were placed
    int moves_ = 0;
};

}  // namespace gdmft
