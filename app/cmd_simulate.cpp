// gdmft simulate: direct finite-N simulation of the gated network (validation/simulation.hpp); with
// --waiting-times, the ageing test from the random start instead (validation/aging.hpp).
#include "app/aging_cli.hpp"
#include "app/commands.hpp"
#include "app/output.hpp"
#include "io/aging_io.hpp"
#include "validation/aging.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "validation/kaplan_yorke.hpp"
#include "validation/simulation.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

namespace gdmft::app {

namespace {

struct SimulateCli {
    CommonOptions common;
    sim::SimulationOptions sim;
    std::string integrator = "rk4";
    bool lyapunov = false;
    int lyapunov_k = 0;  // 0: not given
    bool lyapunov_k_given = false;
    AgingGrid aging;     // --waiting-times: the ageing test
};

nlohmann::json settings_json(const SimulateCli& c) {
    const auto& o = c.sim;
    nlohmann::json s;
    s["N"] = o.N;
    s["realizations"] = o.realizations;
    s["trajectories"] = o.trajectories;
    s["t_max"] = o.t_max;
    s["t_burn"] = o.t_burn;
    s["dt"] = o.integrator.dt;
    s["integrator"] = sim::to_string(o.integrator.kind);
    if (o.integrator.kind == sim::IntegratorKind::Dopri5) {
        s["abs_tol"] = o.integrator.abs_tol;
        s["rel_tol"] = o.integrator.rel_tol;
    }
    s["sample_dt"] = sim::effective_sample_dt(o);
    s["float32"] = o.single_precision;
    s["track_gates"] = o.track_gates;
    s["lyapunov_k"] = o.lyapunov_k;
    if (o.lyapunov_k > 0) {
        s["renorm_interval"] = o.renorm_interval;
        s["lyapunov_blocks"] = o.lyapunov_blocks;
    }
    return s;
}

nlohmann::json result_json(const SimulateCli& c, const sim::SimulationResult& r) {
    nlohmann::json j = run_meta(c.common, settings_json(c));
    const nlohmann::json body = io::to_json(r);
    for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
    return j;
}

void write_outputs(const SimulateCli& c, const sim::SimulationResult& r) {
    const std::string& dir = c.common.out_dir;
    ensure_dir(dir);
    const nlohmann::json meta = run_meta(c.common, settings_json(c));
    write_csv(dir + "/correlations.csv", meta, {"tau", "C_h", "C_phi", "C_r", "C_z"},
              {r.curves.tau, r.curves.C_h, r.curves.C_phi, r.curves.C_r, r.curves.C_z});
    write_csv(dir + "/sigma_z_hist.csv", meta, {"sigma_z", "density"}, {r.sigma_z_centers, r.sigma_z_density});
    if (!r.lyapunov.empty()) {
        std::vector<double> index;
        for (std::size_t k = 0; k < r.lyapunov.size(); ++k) index.push_back(static_cast<double>(k + 1));
        write_csv(dir + "/lyapunov.csv", meta, {"index", "exponent", "stderr"}, {index, r.lyapunov, r.lyapunov_stderr});
    }
}

// The ageing test: the networks of `simulate` (same seeds, same initial states), from t = 0.
sim::AgingOptions aging_options(const SimulateCli& c) {
    sim::AgingOptions a;
    a.N = c.sim.N;
    a.networks = c.sim.realizations;
    a.trajectories = c.sim.trajectories;
    a.seed = c.sim.seed;
    a.single_precision = c.sim.single_precision;
    a.grid = c.aging;
    a.grid.max_lag = c.sim.max_lag;  // < 0 (not given): max(t_w)
    a.integrator = c.sim.integrator;
    return a;
}

nlohmann::json aging_settings_json(const SimulateCli& c, const sim::AgingOptions& a) {
    nlohmann::json s;
    s["mode"] = "aging";
    s["N"] = a.N;
    s["realizations"] = a.networks;
    s["trajectories"] = a.trajectories;
    s["dt"] = a.integrator.dt;
    s["integrator"] = sim::to_string(a.integrator.kind);
    s["float32"] = a.single_precision;
    add_aging_settings(s, a.grid, a.max_lag());
    return s;
}

int run_aging(const CLI::App& cmd, SimulateCli& c) {
    reject_flags(cmd,
                 {"--t-max", "--t-burn", "--sample-dt", "--record-mb", "--hist-bins", "--track-gates", "--lyapunov",
                  "--lyapunov-k", "--renorm-interval", "--lyapunov-blocks"},
                 "not used with --waiting-times (the ageing run starts at t = 0 without burn-in and lasts max(t_w) + max_lag)");
    if (c.sim.realizations < 1) throw BadInput("realizations", "must be >= 1");
    sim::AgingOptions a = aging_options(c);
    a.validate();
    if (!c.common.out_dir.empty()) ensure_dir(c.common.out_dir);  // fail before a long run
    a.observer = observer(c.common);
    const AgingResult r = sim::measure_aging(c.common.model, a);
    const nlohmann::json meta = run_meta(c.common, aging_settings_json(c, a));
    if (!c.common.out_dir.empty()) write_aging_files(c.common.out_dir, meta, r);
    if (c.common.json) {
        nlohmann::json j = meta;
        // The stationary statistics are not measured in this mode.
        for (const char* key : {"C_h0", "C_phi0", "C_r0", "C_z0", "tau_corr", "mean_sigma_z", "stderr_C_h0", "lambda_max"})
            j[key] = nullptr;
        j["mode"] = "aging";
        j["realizations"] = a.networks;
        j["aging"] = io::to_json(r);
        print_json(j);
    } else {
        print_aging_summary(r);
    }
    return kExitOk;
}

void print_summary(const SimulateCli& c, const sim::SimulationResult& r) {
    std::printf("N = %zu, %zu realization(s), %.1f s\n", c.sim.N, r.runs.size(), r.seconds);
    std::printf("C_h0         = %.6g +- %.2g\n", r.C_h0.mean, r.C_h0.stderr_);
    std::printf("C_phi0       = %.6g +- %.2g\n", r.C_phi0.mean, r.C_phi0.stderr_);
    std::printf("tau_corr     = %.6g\n", r.tau_corr);
    std::printf("tail         = %s\n", tail_summary(r.tail).c_str());
    std::printf("mean_sigma_z = %.6g\n", r.mean_sigma_z.mean);
    std::printf("participation_ratio = %.6g\n", r.participation_ratio.mean);
    for (std::size_t k = 0; k < r.lyapunov.size(); ++k)
        std::printf("lambda_%zu     = %.6g +- %.2g\n", k + 1, r.lyapunov[k], r.lyapunov_stderr[k]);
    if (!r.lyapunov.empty()) {
        const sim::KaplanYorke ky = sim::kaplan_yorke(r);
        if (ky.exceeds_k)
            std::printf("kaplan_yorke_dim > %zu (every partial sum of the exponents is >= 0: raise --lyapunov-k)\n",
                        r.lyapunov.size());
        else
            std::printf("kaplan_yorke_dim = %.6g +- %.2g\n", ky.value, ky.stderr_);
    }
}

}  // namespace

Command add_simulate(CLI::App& root) {
    auto cli = std::make_shared<SimulateCli>();
    CLI::App* cmd = root.add_subcommand("simulate", "direct finite-N simulation of the gated network");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    auto& o = cli->sim;
    cmd->add_option("--N", o.N, "number of units (>= 2)")->capture_default_str()->group("Simulation");
    cmd->add_option("--t-max", o.t_max, "end time")->capture_default_str()->group("Simulation");
    cmd->add_option("--t-burn", o.t_burn, "burn-in time discarded before measuring (< t_max)")->capture_default_str()->group("Simulation");
    cmd->add_option("--dt", o.integrator.dt, "RK4 step (dopri5: first trial step)")->capture_default_str()->group("Simulation");
    cmd->add_option("--integrator", cli->integrator, "rk4 (fixed step) or dopri5 (adaptive)")->capture_default_str()->group("Simulation");
    cmd->add_option("--abs-tol", o.integrator.abs_tol, "dopri5 absolute tolerance")->capture_default_str()->group("Simulation");
    cmd->add_option("--rel-tol", o.integrator.rel_tol, "dopri5 relative tolerance")->capture_default_str()->group("Simulation");
    cmd->add_option("--realizations", o.realizations, "independent networks (seeds derived from --seed)")->capture_default_str()->group("Simulation");
    cmd->add_option("--trajectories", o.trajectories, "trajectories of each network advanced together")->capture_default_str()->group("Simulation");
    cmd->add_flag("--float32", o.single_precision, "store couplings in single precision (half the memory traffic); Lyapunov tangent sums in float too")->group("Simulation");
    cmd->add_flag("--track-gates", o.track_gates, "simulate z and r even when their gate is constant (for C_z, C_r)")->group("Simulation");
    cmd->add_option("--sample-dt", o.sample_dt, "sampling interval after burn-in (RK4: rounded to whole steps)")->capture_default_str()->group("Measurement");
    cmd->add_option("--max-lag", o.max_lag, "largest lag of the correlation functions (default min(50 tau_h, (t_max - t_burn)/2); with --waiting-times: max(t_w))")->group("Measurement");
    cmd->add_option("--record-mb", o.record_mb, "memory for recorded time series (MiB); beyond it a subset of units is recorded")->capture_default_str()->group("Measurement");
    cmd->add_option("--hist-bins", o.hist_bins, "bins of the sigma_z histogram on [0, 1]")->capture_default_str()->group("Measurement");
    cmd->add_flag("--lyapunov", cli->lyapunov, "largest Lyapunov exponent (Benettin, exact tangent of the step)")->group("Lyapunov");
    cmd->add_option("--lyapunov-k", cli->lyapunov_k, "leading K Lyapunov exponents by periodic QR (implies --lyapunov)")->group("Lyapunov");
    cmd->add_option("--renorm-interval", o.renorm_interval, "time between QR re-orthonormalisations")->capture_default_str()->group("Lyapunov");
    cmd->add_option("--lyapunov-blocks", o.lyapunov_blocks, "time blocks for the error bars")->capture_default_str()->group("Lyapunov");
    add_aging_flags(*cmd, cli->aging);

    Command c;
    c.app = cmd;
    c.run = [cli, cmd]() {
        resolve_model(cli->common);
        auto& o = cli->sim;
        o.seed = cli->common.seed;
        o.integrator.kind = sim::parse_integrator(cli->integrator);
        if (cmd->count("--lyapunov-k") > 0 && cli->lyapunov_k < 1) throw BadInput("lyapunov_k", "must be >= 1");
        if (aging_requested(*cmd)) {
            if (cmd->count("--max-lag") > 0 && !(o.max_lag > 0)) throw BadInput("max_lag", "must be a number > 0");
            return run_aging(*cmd, *cli);
        }
        if (cmd->count("--max-lag") > 0 && !(o.max_lag >= 0)) throw BadInput("max_lag", "must be a number >= 0");
        o.lyapunov_k = cmd->count("--lyapunov-k") > 0 ? cli->lyapunov_k : (cli->lyapunov ? 1 : 0);
        o.validate();
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);  // fail before a long run
        o.observer = observer(cli->common);
        const sim::SimulationResult r = sim::simulate(cli->common.model, o);
        if (!cli->common.out_dir.empty()) write_outputs(*cli, r);
        if (cli->common.json)
            print_json(result_json(*cli, r));
        else
            print_summary(*cli, r);
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
