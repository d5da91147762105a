#include "validation/integrator.hpp"

#include "numerics/errors.hpp"

#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

// Eigen 3.4 gives dense matrices begin()/end(), which makes odeint treat them as ranges and copy them
// element by element through iterators that only exist for vectors. State matrices are assigned instead.
namespace boost::numeric::odeint {
template <>
struct copy_impl<Eigen::MatrixXd, Eigen::MatrixXd> {
    static void copy(const Eigen::MatrixXd& from, Eigen::MatrixXd& to) { to = from; }
};
}  // namespace boost::numeric::odeint

namespace gdmft::sim {

namespace odeint = boost::numeric::odeint;
using State = Eigen::MatrixXd;
using Rk4 = odeint::runge_kutta4<State, double, State, double, odeint::vector_space_algebra>;
using Dopri5 = odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;
using ControlledDopri5 = odeint::controlled_runge_kutta<Dopri5>;

struct Integrator::Steppers {
    Rk4 rk4;
    ControlledDopri5 dopri5;
    explicit Steppers(const IntegratorOptions& o)
        : dopri5(ControlledDopri5::error_checker_type(o.abs_tol, o.rel_tol)) {}
};

IntegratorKind parse_integrator(const std::string& s) {
    if (s == "rk4") return IntegratorKind::Rk4;
    if (s == "dopri5") return IntegratorKind::Dopri5;
    throw BadInput("integrator", "must be 'rk4' or 'dopri5', got '" + s + "'");
}

std::string to_string(IntegratorKind k) { return k == IntegratorKind::Rk4 ? "rk4" : "dopri5"; }

Integrator::Integrator(const IntegratorOptions& o)
    : opt_(o), s_(std::make_unique<Steppers>(o)), dt_next_(o.dt) {}

Integrator::~Integrator() = default;

void Integrator::state_changed() { s_->dopri5.reset(); }

void Integrator::advance(const System& f, Eigen::MatrixXd& x, double& t, double t_end) {
    const double span = t_end - t;
    if (span <= 0) return;
    if (opt_.kind == IntegratorKind::Rk4) {
        const auto n = static_cast<std::size_t>(std::ceil(span / opt_.dt - 1e-9));
        const double h = span / static_cast<double>(n);
        const double t0 = t;
        for (std::size_t k = 0; k < n; ++k) {
            s_->rk4.do_step(f, x, t0 + static_cast<double>(k) * h, h);
            ++steps_;
        }
        t = t_end;
        return;
    }
    // Dopri5: controlled steps, the last one clipped to land on t_end. dt_next_ keeps the controller's
    // suggestion so that clipping does not shrink later steps.
    while (t < t_end) {
        const double remaining = t_end - t;
        const bool clipped = dt_next_ >= remaining;
        double dt = clipped ? remaining : dt_next_;
        odeint::controlled_step_result res;
        int tries = 0;
        do {
            res = s_->dopri5.try_step(f, x, t, dt);
            if (res == odeint::fail) {
                ++rejected_;
                if (dt < opt_.min_dt || !std::isfinite(dt) || ++tries > 500) {
                    std::ostringstream os;
                    os << "dopri5 step size collapsed to " << dt << " at t = " << t
                       << " (non-finite or exploding state)";
                    throw NumericalFailure(os.str());
                }
            }
        } while (res == odeint::fail);
        ++steps_;
        if (!clipped || dt > dt_next_) dt_next_ = dt;
        if (t_end - t <= 1e-12 * std::max(1.0, std::abs(t_end))) t = t_end;  // round-off at the landing step
    }
}

}  // namespace gdmft::sim
