// gdmft spectrum: eigenvalues of the finite-N Jacobian against the DMFT support boundary (THEORY.md section 4).
//
// The state: the network is integrated from its initial state to --t-burn; with --at fixedpoint, Newton's method
// then converges to a fixed point (exit 3 if it does not); with --at snapshot the Jacobian is taken at the state as
// it is. The choice of state for --at auto and of the boundary's theory: validation/spectrum_theory.hpp.
//
// --exact-ensemble K: K draws of the boundary model's own random matrix (the state's per-unit factors with fresh
// couplings, sim::exact_ensemble), whose support is the predicted one as N -> infinity: the spread of their rightmost
// eigenvalues is the finite-N scatter of the measured edge to expect without any state-coupling correlation.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/fixed_points.hpp"
#include "dmft/stationary.hpp"
#include "dmft/support_boundary.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "validation/jacobian_spectrum.hpp"
#include "validation/spectrum_theory.hpp"
#include "validation/random.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>

namespace gdmft::app {

namespace {

struct SpectrumCli {
    CommonOptions common;
    std::size_t N = 1000;
    double t_burn = 100, dt = 0.05;
    std::string at = "auto";
    double epsilon = 0.05, inflate = 1.05;
    int rays = 360;
    int exact_draws = 0;
    std::size_t exact_size = 0;
    bool empirical = false, no_plot = false;
    sim::NewtonOptions newton;
};

void validate(const SpectrumCli& c) {
    if (c.N < 2) throw BadInput("N", "must be >= 2");
    if (!(c.epsilon > 0) || !std::isfinite(c.epsilon)) throw BadInput("epsilon", "must be a finite number > 0");
    if (!(c.inflate >= 1) || !std::isfinite(c.inflate)) throw BadInput("inflate", "must be a finite number >= 1");
    if (!(c.t_burn >= 0) || !std::isfinite(c.t_burn)) throw BadInput("t_burn", "must be a finite number >= 0");
    if (!(c.dt > 0) || !std::isfinite(c.dt)) throw BadInput("dt", "must be a finite number > 0");
    if (c.at != "auto" && c.at != "fixedpoint" && c.at != "snapshot")
        throw BadInput("at", "must be 'auto', 'fixedpoint' or 'snapshot', got '" + c.at + "'");
    BoundaryOptions{c.rays, 400, 1e-10}.validate();
    if (c.exact_draws < 0) throw BadInput("exact_ensemble", "must be >= 0");
    c.newton.validate();
}

nlohmann::json settings_json(const SpectrumCli& c) {
    return {{"N", c.N},           {"t_burn", c.t_burn},   {"dt", c.dt},         {"at", c.at},
            {"epsilon", c.epsilon}, {"inflate", c.inflate}, {"rays", c.rays},     {"empirical_stats", c.empirical},
            {"exact_ensemble", c.exact_draws}, {"exact_size", c.exact_size},
            {"newton_tol", c.newton.tol}, {"newton_iterations", c.newton.max_iterations}};
}

}  // namespace

Command add_spectrum(CLI::App& root) {
    auto c = std::make_shared<SpectrumCli>();
    CLI::App* cmd = root.add_subcommand("spectrum", "eigenvalues of the finite-N Jacobian against the DMFT support boundary");
    add_model_options(*cmd, c->common);
    add_output_options(*cmd, c->common, true);
    cmd->add_option("--N", c->N, "network size (the Jacobian is dense: dim = N + N per gate state)")->capture_default_str();
    cmd->add_option("--t-burn", c->t_burn, "integration time before the spectrum (and before Newton)")->capture_default_str();
    cmd->add_option("--dt", c->dt, "RK4 step")->capture_default_str();
    cmd->add_option("--at", c->at,
                    "fixedpoint (Newton from the simulated state), snapshot (the state at t_burn), or auto: "
                    "fixedpoint if the fixed-point analysis has a stable branch (G < 1), else snapshot")
        ->capture_default_str();
    cmd->add_option("--epsilon", c->epsilon, "radius for the near-zero fraction |lambda| < epsilon")->capture_default_str();
    cmd->add_option("--inflate", c->inflate, "inflation of the support about its center for the inside test")->capture_default_str();
    cmd->add_option("--rays", c->rays, "rays from the center used to trace the boundary")->capture_default_str();
    cmd->add_option("--newton-tol", c->newton.tol, "Newton tolerance on the fixed-point residual")->capture_default_str();
    cmd->add_option("--newton-iterations", c->newton.max_iterations, "Newton iteration cap")->capture_default_str();
    cmd->add_option("--exact-ensemble", c->exact_draws,
                    "draws of the boundary model's own random matrix (the state's per-unit factors, fresh couplings): "
                    "the finite-N scatter of the rightmost eigenvalue")
        ->capture_default_str();
    cmd->add_option("--exact-size", c->exact_size,
                    "units of each exact-ensemble draw, resampled from the state's (0: the state's own N units)")
        ->capture_default_str();
    cmd->add_flag("--empirical-stats", c->empirical, "boundary from the network state's own single-site statistics");
    cmd->add_flag("--no-plot", c->no_plot, "skip DIR/spectrum.png");

    return {cmd, [c]() {
        const auto wall0 = std::chrono::steady_clock::now();
        const Observer* obs = observer(c->common);
        c->newton.observer = obs;
        resolve_model(c->common);
        validate(*c);
        const ModelParams& m = c->common.model;
        if (!c->common.out_dir.empty()) ensure_dir(c->common.out_dir);

        const sim::SpectrumAt at = sim::choose_spectrum_at(m, c->at);

        const sim::NetworkOptions net_opt{c->N, c->common.seed, false, false};
        const sim::Network net(m, net_opt);
        if (net.dim() > 4000)
            log_line(obs, "spectrum: dim = " + std::to_string(net.dim()) +
                     ": the dense eigenvalue solve costs ~ (dim/1000)^3 x 5 s and dim^2 x 8 bytes per matrix");
        sim::IntegratorOptions integ;
        integ.dt = c->dt;
        const sim::SpectrumState st = sim::prepare_state(net, net_opt, at, c->t_burn, integ, c->newton);

        nlohmann::json j = run_meta(c->common, settings_json(*c));
        j["N"] = c->N;
        j["dim"] = net.dim();
        j["at"] = sim::to_string(at);
        j["newton_converged"] = st.newton_run ? nlohmann::json(st.newton.converged) : nlohmann::json(nullptr);
        j["residual"] = st.newton_run ? num(st.newton.residual) : nlohmann::json(nullptr);
        j["newton_iterations"] = st.newton_run ? nlohmann::json(st.newton.iterations) : nlohmann::json(nullptr);
        j["newton_message"] = st.newton_run ? nlohmann::json(st.newton.message) : nlohmann::json(nullptr);
        const bool ok = !st.newton_run || st.newton.converged;
        j["converged"] = ok;
        for (const char* k : {"n_eigenvalues", "n_bulk", "rightmost_measured", "rightmost_predicted", "rightmost_boundary",
                              "fraction_inside", "fraction_inside_inflated", "near_zero_fraction"})
            j[k] = nullptr;
        if (!ok) {
            log_line(obs, "spectrum: Newton did not converge: " + st.newton.message);
            if (c->common.json) print_json(j);
            else std::printf("Newton did not converge: %s\n", st.newton.message.c_str());
            return kExitNotConverged;
        }

        // Theory: the support model (the per-unit samples also feed the exact ensemble below).
        const SiteSamples samples = sim::site_samples(net, st.x);
        const sim::SpectrumTheory th =
            sim::spectrum_theory(m, at, c->empirical, st.x, c->N, samples, c->common.seed, obs);
        const SupportModel& model = th.model;
        nlohmann::json theory;
        if (th.branch) {
            theory["Delta_h_measured"] = num(th.Delta_h_measured);
            theory["branch"] = io::to_json(*th.branch);
        }
        if (th.dmft_used) {
            theory["dmft_converged"] = th.dmft_converged;
            theory["dmft_C_h0"] = num(th.dmft_C_h0);
            theory["dmft_C_r0"] = num(th.dmft_C_r0);
        }
        theory["source"] = model.source;
        theory["G"] = num(model.G());
        theory["z_term"] = model.z_term();
        theory["r_term"] = model.r_term();
        Progress tp(obs, "spectrum: boundary", 1);
        const Boundary bnd = trace_boundary(model, {c->rays, 400, 1e-10});
        tp.finish();
        if (model.per_unit()) {  // the same statistics factorized (THEORY.md 4 as written), for the record
            SupportModel fact = model;
            fact.units.clear();
            theory["rightmost_predicted_factorized"] = num(rightmost_on_real_axis(fact, 2 * bnd.R_max));
        }

        // Measurement: the dense Jacobian and its eigenvalues.
        Progress jp(obs, "spectrum: Jacobian and eigenvalues (dim " + std::to_string(net.dim()) + ")", 1);
        const Eigen::MatrixXd J = sim::dense_jacobian(net, st.x);
        const Eigen::VectorXcd eig = sim::eigenvalues_of(J);
        jp.finish();
        const sim::SpectrumComparison cmp = sim::compare_spectrum(net, eig, model, c->inflate, c->epsilon);
        sim::ExactEnsemble ens;
        if (c->exact_draws > 0)
            ens = sim::exact_ensemble(net, samples, c->exact_draws,
                                      sim::derive_seed(c->common.seed, 0x5eedULL), c->exact_size, obs);

        j["n_eigenvalues"] = cmp.n_eigenvalues;
        j["n_bulk"] = cmp.n_bulk;
        j["rightmost_measured"] = num(cmp.rightmost_measured);
        j["rightmost_predicted"] = num(bnd.rightmost_on_axis);
        j["rightmost_boundary"] = num(bnd.rightmost);
        j["fraction_inside"] = num(cmp.fraction_inside);
        j["fraction_inside_inflated"] = num(cmp.fraction_inside_inflated);
        j["near_zero_fraction"] = num(cmp.near_zero_fraction);
        j["near_zero_per_unit"] = num(cmp.near_zero_per_unit);
        j["outliers"] = nlohmann::json::array();
        for (const auto& o : cmp.outliers)
            j["outliers"].push_back({{"block", o.block}, {"point", num(o.point.real())}, {"count", o.count},
                                     {"max_distance", num(o.max_distance)}});
        j["boundary"] = {{"center", num(bnd.center.real())}, {"R_max", num(bnd.R_max)},
                         {"star_shaped", bnd.star_shaped},
                         {"rays_with_several_crossings", bnd.rays_with_several_crossings}};
        j["theory"] = theory;
        j["exact_ensemble"] = nullptr;
        if (c->exact_draws > 0) {
            nlohmann::json r = nlohmann::json::array();
            for (double v : ens.rightmost) r.push_back(num(v));
            j["exact_ensemble"] = {{"size", ens.size}, {"draws", c->exact_draws}, {"rightmost", r},
                                   {"mean", num(ens.mean)}, {"sd", num(ens.sd)}};
        }
        j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

        if (!c->common.out_dir.empty()) {
            const std::string& dir = c->common.out_dir;
            const nlohmann::json meta = run_meta(c->common, settings_json(*c));
            std::vector<double> re, im, outl;
            for (Eigen::Index k = 0; k < eig.size(); ++k) {
                re.push_back(eig(k).real());
                im.push_back(eig(k).imag());
                outl.push_back(cmp.outlier[static_cast<std::size_t>(k)]);
            }
            write_csv(dir + "/eigenvalues.csv", meta, {"re", "im", "outlier"}, {re, im, outl});
            std::vector<double> bx, by, ba, bc, bm;
            for (const auto& p : bnd.points) {
                bx.push_back(p.x), by.push_back(p.y), ba.push_back(p.angle), bc.push_back(p.crossing);
                bm.push_back(p.component);
            }
            auto bmeta = meta;
            bmeta["center"] = bnd.center.real();
            bmeta["centers"] = nlohmann::json::array();
            for (const auto& cc : bnd.centers) bmeta["centers"].push_back(cc.real());
            bmeta["inflate"] = c->inflate;
            bmeta["rightmost_predicted"] = num(bnd.rightmost_on_axis);
            bmeta["star_shaped"] = bnd.star_shaped;
            write_csv(dir + "/boundary.csv", bmeta, {"x", "y", "angle", "crossing", "component"}, {bx, by, ba, bc, bm});
            if (!c->no_plot) {
                std::ostringstream title;
                title << sim::to_string(at) << ", N = " << c->N << ", g_h = " << m.g_h << ", alpha_z = " << m.alpha_z
                      << ", alpha_r = " << m.alpha_r;
                run_plot("spectrum", "plot_spectrum.py",
                         {dir + "/eigenvalues.csv", dir + "/boundary.csv", dir + "/spectrum.png", title.str()});
            }
            j["out"] = dir;
        }

        if (c->common.json) {
            print_json(j);
        } else {
            std::printf("at %s, N = %zu, dim = %zu%s\n", sim::to_string(at).c_str(), c->N, net.dim(),
                        st.newton_run ? (", Newton: " + st.newton.message).c_str() : "");
            std::printf("boundary from %s (G = F(0) = %.6g)%s\n", model.source.c_str(), model.G(),
                        bnd.star_shaped ? "" : "; not star-shaped about its center");
            for (const auto& o : cmp.outliers)
                std::printf("outliers: %d eigenvalues of the %s block at %.6g (max distance %.3g)\n", o.count,
                            o.block.c_str(), o.point.real(), o.max_distance);
            std::printf("rightmost bulk eigenvalue %.6g, predicted %.6g\n", cmp.rightmost_measured, bnd.rightmost_on_axis);
            if (c->exact_draws > 0)
                std::printf("exact ensemble (%d draws, %zu units): rightmost %.6g, sd %.3g\n", c->exact_draws, ens.size,
                            ens.mean, ens.sd);
            std::printf("inside the support: %.4f; inflated by %g: %.4f (%d bulk eigenvalues)\n", cmp.fraction_inside,
                        c->inflate, cmp.fraction_inside_inflated, cmp.n_bulk);
            std::printf("near zero (|lambda| < %g): %.4f of the eigenvalues, %.4f per unit\n", c->epsilon,
                        cmp.near_zero_fraction, cmp.near_zero_per_unit);
        }
        return kExitOk;
    }};
}

}  // namespace gdmft::app
