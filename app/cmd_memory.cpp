// gdmft memory: finite-N pulse response (memory trace) and reset by a transient gate drive
// (validation/pulse_response.hpp), against the stationary DMFT response kernel R(tau) when undriven.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/solve.hpp"
#include "io/stationary_csv.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "validation/pulse_response.hpp"
#include "validation/response_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <memory>
#include <string>

namespace gdmft::app {

namespace {

struct MemoryCli {
    CommonOptions common;
    sim::PulseOptions pulse;
    double readout_at = -1;  // < 0: the horizon
    bool no_dmft = false, no_plot = false;
    StationaryOptions dmft;  // the stationary DMFT for R(tau) (undriven runs only)
    std::string dmft_method;
    std::string dmft_csv;    // R(tau) from a `gdmft solve --out` correlations.csv instead of solving
};

// The DMFT side of the comparison: solved here, read from a file, or none.
struct Dmft {
    bool present = false;
    StationaryResult result;
    nlohmann::json file_header;  // the header of a --dmft-csv file (null when solved here)
};

nlohmann::json settings_json(const MemoryCli& c, const std::string& method) {
    const auto& o = c.pulse;
    nlohmann::json s;
    s["N"] = o.N;
    s["realizations"] = o.realizations;
    s["trajectories"] = o.trajectories;
    s["directions"] = o.directions;
    s["t_burn"] = o.t_burn;
    s["horizon"] = o.horizon;
    s["dt"] = o.dt;
    s["sample_dt"] = std::max(1L, std::lround(o.sample_dt / o.dt)) * o.dt;
    s["eps"] = o.eps;
    s["float32"] = o.single_precision;
    s["drive_amp_z"] = o.drive.amp_z;
    s["drive_amp_r"] = o.drive.amp_r;
    s["drive_t_on"] = o.drive.t_on;
    s["drive_t_off"] = o.drive.t_off;
    s["drive_rise"] = o.drive.rise;
    if (method == "file") {
        s["dmft_csv"] = c.dmft_csv;
    } else if (!method.empty()) {
        s["dmft_method"] = method;
        s["dmft_dt"] = c.dmft.grid.dt;
        s["dmft_window"] = c.dmft.grid.window;
        if (method == "sampled") {
            s["dmft_paths"] = c.dmft.paths;
            s["dmft_random_sets"] = c.dmft.random_sets;
        }
    }
    return s;
}

nlohmann::json result_json(const MemoryCli& c, const sim::PulseResult& r, const sim::ResponseComparison& cmp,
                           const Dmft& d, const std::string& method) {
    nlohmann::json j = run_meta(c.common, settings_json(c, method));
    const nlohmann::json body = io::to_json(r, cmp, d.present ? &d.result : nullptr, sim::readout_index(r, c.readout_at));
    for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
    j["m0_expected"] = num(r.mean_sigma_z0 / c.common.model.tau_h);  // <sigma_z(z(0))>/tau_h on the same states
    j["drive_active"] = c.pulse.drive.active();
    if (!d.file_header.is_null()) {
        j["dmft"]["file"] = c.dmft_csv;
        for (const char* k : {"version", "command_line", "seed", "settings"})
            if (d.file_header.contains(k)) j["dmft"]["file_" + std::string(k)] = d.file_header[k];
    }
    return j;
}

void write_outputs(const MemoryCli& c, const sim::PulseResult& r, const sim::ResponseComparison& cmp,
                   const std::string& method) {
    const std::string& dir = c.common.out_dir;
    const nlohmann::json meta = run_meta(c.common, settings_json(c, method));
    std::vector<std::string> names{"t", "m_mean", "m_stderr"};
    std::vector<std::vector<double>> cols{r.t, r.mean.m, r.m_stderr};
    if (cmp.done) names.push_back("R_dmft"), cols.push_back(cmp.R);
    names.push_back("noise_floor"), cols.push_back(r.noise_floor);
    write_csv(dir + "/response.csv", meta, names, cols);
    write_csv(dir + "/gates.csv", meta, {"t", "b_z", "b_r", "sigma_z_mean", "sigma_r_mean", "var_h", "tangent_norm"},
              {r.t, r.b_z, r.b_r, r.mean.sigma_z, r.mean.sigma_r, r.mean.var_h, r.mean.tangent_norm});
    if (c.no_plot) return;
    run_plot("memory", "plot_response.py", {dir + "/response.csv", dir + "/gates.csv", dir + "/response.png"});
}

void print_summary(const MemoryCli& c, const sim::PulseResult& r, const sim::ResponseComparison& cmp, const Dmft& d) {
    std::printf("N = %zu, %zu realization(s) x %d trajectories x %d directions, %.1f s\n", c.pulse.N, r.runs.size(),
                c.pulse.trajectories, c.pulse.directions, r.seconds);
    std::printf("m(0)              = %.6g (expected <sigma_z>/tau_h = %.6g)\n", r.mean.m[0],
                r.mean_sigma_z0 / c.common.model.tau_h);
    std::printf("tau_response sim  = %.6g\n", cmp.tau_sim);
    if (cmp.done) {
        std::printf("tau_response DMFT = %.6g (over t <= %.6g; %s)\n", cmp.tau_dmft, cmp.n ? r.t[cmp.n - 1] : 0.0,
                    d.result.method.c_str());
        std::printf("rel L2 difference = %.4g\n", cmp.rel_l2);
    }
    const std::size_t k = sim::readout_index(r, c.readout_at);
    std::printf("m(%g)            = %.6g +- %.2g (stderr over %s)\n", r.t[k], r.mean.m[k], r.m_stderr[k],
                r.stderr_over.c_str());
}

}  // namespace

Command add_memory(CLI::App& root) {
    auto cli = std::make_shared<MemoryCli>();
    CLI::App* cmd = root.add_subcommand("memory", "finite-N pulse response and reset by a gate drive, against the DMFT R(tau)");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    auto& o = cli->pulse;
    auto& d = o.drive;
    cmd->add_option("--N", o.N, "number of units (>= 2)")->capture_default_str()->group("Simulation");
    cmd->add_option("--realizations", o.realizations, "independent networks (seeds derived from --seed)")->capture_default_str()->group("Simulation");
    cmd->add_option("--trajectories", o.trajectories, "independent trajectories per network")->capture_default_str()->group("Simulation");
    cmd->add_option("--directions", o.directions, "random pulse directions per trajectory")->capture_default_str()->group("Simulation");
    cmd->add_option("--t-burn", o.t_burn, "burn-in before the pulse (>= 0)")->capture_default_str()->group("Simulation");
    cmd->add_option("--horizon", o.horizon, "readout time after the pulse (> 0)")->capture_default_str()->group("Simulation");
    cmd->add_option("--dt", o.dt, "RK4 step")->capture_default_str()->group("Simulation");
    cmd->add_option("--sample-dt", o.sample_dt, "readout interval (rounded to whole RK4 steps)")->capture_default_str()->group("Simulation");
    cmd->add_option("--eps", o.eps, "pulse size: 0 = exact linear response (tangent), > 0 = difference of two trajectories")
        ->capture_default_str()->group("Simulation");
    cmd->add_flag("--float32", o.single_precision, "store couplings in single precision")->group("Simulation");
    cmd->add_option("--readout-at", cli->readout_at, "time of the scalar readout m_readout (default: the horizon)")->group("Simulation");
    cmd->add_option("--drive-amp-z", d.amp_z, "gate drive amplitude into the z equation (> 0 opens the update gate)")
        ->capture_default_str()->group("Drive");
    cmd->add_option("--drive-amp-r", d.amp_r, "gate drive amplitude into the r equation (< 0 closes the output gate)")
        ->capture_default_str()->group("Drive");
    cmd->add_option("--drive-t-on", d.t_on, "start of the drive's rise (time after the pulse)")->capture_default_str()->group("Drive");
    cmd->add_option("--drive-t-off", d.t_off, "start of the drive's fall (>= drive_t_on)")->capture_default_str()->group("Drive");
    cmd->add_option("--drive-rise", d.rise, "rise and fall duration (> 0)")->capture_default_str()->group("Drive");
    auto& s = cli->dmft;
    cmd->add_flag("--no-dmft", cli->no_dmft, "skip the stationary DMFT comparison")->group("DMFT");
    cmd->add_option("--dmft-method", cli->dmft_method, "auto, gaussian (alpha_z = 0) or sampled; auto: by alpha_z")->group("DMFT");
    cmd->add_option("--dmft-csv", cli->dmft_csv, "take R(tau) from the correlations.csv of `gdmft solve --out DIR` (same model)")
        ->group("DMFT");
    cmd->add_option("--dmft-dt", s.grid.dt, "DMFT lag step (0 = the method's default: 0.05 gaussian, 0.1 sampled)")->capture_default_str()->group("DMFT");
    cmd->add_option("--dmft-window", s.grid.window, "DMFT lag window (0 = automatic)")->capture_default_str()->group("DMFT");
    cmd->add_option("--dmft-paths", s.paths, "sampled DMFT: sample paths")->capture_default_str()->group("DMFT");
    cmd->add_option("--dmft-random-sets", s.random_sets, "sampled DMFT: independent random sets")->capture_default_str()->group("DMFT");
    cmd->add_flag("--no-plot", cli->no_plot, "skip DIR/response.png");

    Command c;
    c.app = cmd;
    c.run = [cli, cmd]() {
        resolve_model(cli->common);
        const ModelParams& m = cli->common.model;
        auto& o = cli->pulse;
        o.seed = cli->common.seed;
        o.validate();
        if (o.drive.amp_z != 0 && m.alpha_z == 0)
            throw BadInput("drive_amp_z", "drives the update gate, which is constant when alpha_z = 0");
        if (o.drive.amp_r != 0 && m.alpha_r == 0)
            throw BadInput("drive_amp_r", "drives the output gate, which is constant when alpha_r = 0");
        if (cmd->count("--readout-at") > 0 && !(cli->readout_at >= 0 && cli->readout_at <= o.horizon))
            throw BadInput("readout_at", "must lie in [0, horizon]");
        // The stationary DMFT applies to the undriven network only.
        std::string method;
        Dmft d;
        StationaryOptions run;
        if (!cli->no_dmft && !o.drive.active() && !cli->dmft_csv.empty()) {
            method = "file";
            io::StationaryFile f = io::read_stationary_csv(cli->dmft_csv, m, "dmft_csv");  // fail before a long run
            d.present = true;
            d.result = std::move(f.result);
            d.file_header = std::move(f.header);
        } else if (!cli->no_dmft && !o.drive.active()) {
            auto& s = cli->dmft;
            s.seed = cli->common.seed;
            s.method = parse_method(cli->dmft_method, "dmft_method");
            try {  // the library names its option; the flag carries the dmft_ prefix
                run = resolved_options(m, s);
                run.validate();
            } catch (const BadInput& e) {
                throw BadInput("dmft_" + e.name, e.rule);
            }
            method = to_string(run.method);
            s.grid.dt = run.grid.dt;  // recorded in the settings
        }
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);  // fail before a long run
        o.observer = observer(cli->common);
        run.observer = o.observer;
        const sim::PulseResult r = sim::pulse_response(m, o);
        if (!method.empty() && method != "file") {
            d.present = true;
            d.result = solve_stationary(m, run);
        }
        const sim::ResponseComparison cmp = sim::compare_response(r, d.present ? &d.result : nullptr);
        if (!cli->common.out_dir.empty()) write_outputs(*cli, r, cmp, method);
        if (cli->common.json)
            print_json(result_json(*cli, r, cmp, d, method));
        else
            print_summary(*cli, r, cmp, d);
        if (d.present && !d.result.converged) {
            std::fprintf(stderr, "gdmft memory: the DMFT did not converge (%s): %s\n",
                         to_string(d.result.termination).c_str(), d.result.message.c_str());
            return kExitNotConverged;
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
