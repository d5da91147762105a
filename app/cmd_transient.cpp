// gdmft transient: the two-time DMFT with a time-dependent gate input (dmft/transient_dmft.hpp): the
// readout R(t, 0) of a pulse at t = 0 while a drive b_z(t), b_r(t) acts on the gates; with --start network
// --waiting-times, the ageing curves C_h(t_w + tau, t_w) from the random start (dmft/aging_curves.hpp).
#include "app/aging_cli.hpp"
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/transient_dmft.hpp"
#include "io/aging_io.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

namespace gdmft::app {

namespace {

struct TransientCli {
    CommonOptions common;
    TransientOptions opts;
    GateDrive drive;
    bool two_time = false;
    std::string start = "stationary";
    std::string grid = "uniform";
    bool no_reference = false;
    bool no_plot = false;
};

nlohmann::json settings_json(const TransientCli& c) {
    const auto& o = c.opts;
    nlohmann::json s;
    s["dt"] = o.grid.dt;
    s["t_before"] = o.grid.t_before;
    s["horizon"] = o.grid.horizon;
    s["t_burn"] = o.grid.t_burn;
    s["grid"] = c.grid;
    if (o.grid.kind == TwoTimeGrid::Log) {
        s["grid_recent"] = o.grid.recent;
        s["grid_per_octave"] = o.grid.per_octave;
    }
    s["paths"] = o.paths;
    s["random_sets"] = o.random_sets;
    s["tol"] = o.tol;
    s["max_iter"] = o.max_iterations;
    s["stationary_paths"] = o.stationary.paths;
    s["start"] = c.start;
    s["reference"] = o.reference;
    s["drive_amp_z"] = c.drive.amp_z;
    s["drive_amp_r"] = c.drive.amp_r;
    s["drive_t_on"] = c.drive.t_on;
    s["drive_t_off"] = c.drive.t_off;
    s["drive_rise"] = c.drive.rise;
    if (!o.aging.waiting_times.empty()) add_aging_settings(s, o.aging, o.aging.max_lag);
    return s;
}

// Value of f at the grid time nearest to t (NaN outside the window).
double at_time(const TransientResult& r, const std::vector<double>& f, double t) {
    if (r.t.empty() || t < r.t.front() - 0.5 * r.dt || t > r.t.back() + 0.5 * r.dt) return std::nan("");
    const auto i = static_cast<std::size_t>(std::llround((t - r.t.front()) / r.dt));
    return f[std::min(i, f.size() - 1)];
}

nlohmann::json result_json(const TransientCli& c, const TransientResult& r) {
    nlohmann::json j = run_meta(c.common, settings_json(c));
    j["converged"] = r.converged;
    j["termination"] = to_string(r.termination);
    j["message"] = r.message;
    j["iterations"] = r.iterations;
    j["residual"] = num(r.residual);
    nlohmann::json hist = nlohmann::json::array();
    for (double v : r.residual_history) hist.push_back(num(v));
    j["residual_history"] = hist;
    j["clipped_weight"] = num(r.clipped_weight);
    j["active_pivot_fraction"] = num(r.active_pivot_fraction);
    j["grid"] = to_string(r.grid);
    j["rows"] = r.rows;
    j["memory_rows"] = r.memory_rows;
    j["field_variance_ratio"] = num(r.field_variance_ratio);
    j["paths"] = r.paths;
    j["random_sets"] = r.random_sets;
    j["times"] = r.t.size();
    j["t_burn"] = num(r.t_burn);
    j["tau_response"] = num(r.tau_response);
    j["R0"] = r.R.empty() ? nlohmann::json(nullptr) : num(r.R[r.pulse_index]);
    j["R_end"] = r.R.empty() ? nlohmann::json(nullptr) : num(r.R.back());
    j["R_end_err"] = r.R_err.empty() ? nlohmann::json(nullptr) : num(r.R_err.back());
    if (c.drive.active()) {
        const double t_end = c.drive.t_off + c.drive.rise;  // the drive is back to 0 here
        j["R_at_drive_end"] = num(at_time(r, r.R, t_end));
        j["R_at_drive_end_err"] = num(at_time(r, r.R_err, t_end));
        j["R_stationary_at_drive_end"] = num(at_time(r, r.R_stationary, t_end));
    }
    j["start"] = c.start;
    j["has_reference"] = r.has_reference;
    j["pre_drive_C_h"] = num(r.pre_drive_C_h);
    j["pre_drive_C_h_err"] = num(r.pre_drive_C_h_err);
    j["pre_drive_R_max_dev"] = num(r.pre_drive_R_max_dev);
    j["stationary"] = r.has_reference ? io::to_json(r.stationary) : nlohmann::json(nullptr);
    j["aging"] = r.aging.empty() ? nlohmann::json(nullptr) : io::to_json(r.aging);
    return j;
}

void print_summary(const TransientResult& r) {
    std::printf("converged     = %s (%s, residual %.3g)\n", r.converged ? "true" : "false",
                to_string(r.termination).c_str(), r.residual);
    std::printf("window        = [%g, %g], dt %g, burn-in %g, %zu paths x %d sets\n", r.t.empty() ? 0.0 : r.t.front(),
                r.t.empty() ? 0.0 : r.t.back(), r.dt, r.t_burn, r.paths, r.random_sets);
    if (!r.R.empty())
        std::printf("R(0)          = %.6g\nR(end)        = %.6g +- %.2g\ntau_response  = %.6g (stationary %.6g)\n",
                    r.R[r.pulse_index], r.R.back(), r.R_err.back(), r.tau_response, r.stationary.tau_response);
    std::printf("pre-drive C_h = %.6g +- %.2g (stationary %.6g +- %.2g)\n", r.pre_drive_C_h, r.pre_drive_C_h_err,
                r.stationary.C_h0, r.stationary.stat_err);
    if (!r.message.empty()) std::printf("%s\n", r.message.c_str());
}

}  // namespace

Command add_transient(CLI::App& root) {
    auto cli = std::make_shared<TransientCli>();
    CLI::App* cmd = root.add_subcommand("transient", "two-time DMFT with a time-dependent gate input: readout R(t, 0) of a pulse");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    auto& o = cli->opts;
    auto& d = cli->drive;
    cmd->add_option("--drive-amp-z", d.amp_z, "drive amplitude into the z (update gate) equation")->capture_default_str()->group("Drive");
    cmd->add_option("--drive-amp-r", d.amp_r, "drive amplitude into the r (output gate) equation")->capture_default_str()->group("Drive");
    cmd->add_option("--drive-t-on", d.t_on, "start of the drive's rise (time after the pulse)")->capture_default_str()->group("Drive");
    cmd->add_option("--drive-t-off", d.t_off, "start of the drive's fall (>= t_on)")->capture_default_str()->group("Drive");
    cmd->add_option("--drive-rise", d.rise, "rise and fall duration (> 0)")->capture_default_str()->group("Drive");
    cmd->add_option("--t-before", o.grid.t_before, "reported stationary lead-in before the pulse")->capture_default_str()->group("Grid");
    cmd->add_option("--horizon", o.grid.horizon, "reported time after the pulse")->capture_default_str()->group("Grid");
    cmd->add_option("--t-burn", o.grid.t_burn, "burn-in before the reported window; 0 = automatic")->capture_default_str()->group("Grid");
    cmd->add_option("--dt", o.grid.dt, "time step (units of tau_h)")->capture_default_str()->group("Grid");
    cmd->add_option("--grid", cli->grid,
                    "two-time grid of the march: 'uniform' (every pair of times) or 'log' (a log-spaced memory of block "
                    "means: long waiting times at cost ~ n log n; a dynamic output gate is sampled on the paths; check by doubling --paths)")
        ->capture_default_str()->group("Grid");
    cmd->add_option("--grid-recent", o.grid.recent, "log grid: latest single steps kept in memory")->capture_default_str()->group("Grid");
    cmd->add_option("--grid-per-octave", o.grid.per_octave, "log grid: blocks (step means) kept of each length 2, 4, 8, ...")
        ->capture_default_str()->group("Grid");
    cmd->add_option("--paths", o.paths, "sample paths per random set")->capture_default_str()->group("Solver");
    cmd->add_option("--random-sets", o.random_sets, "independent random sets (statistical errors)")->capture_default_str()->group("Solver");
    cmd->add_option("--tol", o.tol, "residual tolerance of the fixed-point check")->capture_default_str()->group("Solver");
    cmd->add_option("--max-iter", o.max_iterations, "batch-map applications (1 = check only)")->capture_default_str()->group("Solver");
    cmd->add_option("--stationary-paths", o.stationary.paths, "paths of the stationary reference (sampled method)")
        ->capture_default_str()->group("Solver");
    cmd->add_option("--start", cli->start,
                    "initial state: 'stationary' (stationary one-time marginals) or 'network' (h ~ N(0,1), z = r = 0, as the "
                    "finite-N simulator)")
        ->capture_default_str()->group("Grid");
    cmd->add_flag("--no-reference", cli->no_reference, "network start: skip the stationary reference solve")->group("Solver");
    cmd->add_flag("--no-plot", cli->no_plot, "with --out: do not draw transient.png (nor aging.png)")->group("Output");
    cmd->add_flag("--two-time", cli->two_time, "also write the two-time C_phi (two_time.csv, with --out)")->group("Output");
    add_aging_flags(*cmd, o.aging);
    cmd->add_option("--max-lag", o.aging.max_lag,
                    "ageing: largest lag (default: to the end of the grid, t_burn + t_before + horizon since the start)")
        ->group("Ageing");

    Command c;
    c.app = cmd;
    c.run = [cli, cmd]() {
        resolve_model(cli->common);
        const ModelParams& m = cli->common.model;
        auto& o = cli->opts;
        o.seed = cli->common.seed;
        o.keep_two_time = cli->two_time && !cli->common.out_dir.empty();
        o.start = parse_transient_start(cli->start);
        o.grid.kind = parse_two_time_grid(cli->grid);
        if (o.grid.kind == TwoTimeGrid::Uniform) reject_flags(*cmd, {"--grid-recent", "--grid-per-octave"}, "needs --grid log");
        if (o.grid.kind == TwoTimeGrid::Log && cli->two_time)
            throw BadInput("two_time", "the two-time C_phi is written on the uniform grid only (--grid log keeps a log-spaced memory)");
        o.reference = !cli->no_reference;
        if (o.start == TransientStart::Stationary && !o.reference)
            throw BadInput("no_reference", "the stationary start needs the stationary reference");
        if (!aging_requested(*cmd)) reject_flags(*cmd, {"--max-lag"}, "needs --waiting-times");
        if (cmd->count("--max-lag") > 0 && !(o.aging.max_lag > 0)) throw BadInput("max_lag", "must be a number > 0");
        cli->drive.validate();
        o.validate();
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        o.observer = observer(cli->common);
        const TransientResult r = solve_transient(m, cli->drive, o);
        if (!cli->common.out_dir.empty() && !r.t.empty()) {
            const auto meta = run_meta(cli->common, settings_json(*cli));
            write_csv(cli->common.out_dir + "/transient.csv", meta,
                      {"t", "R", "R_err", "C_h_tt", "C_phi_tt", "mean_sigma_z", "mean_sigma_r", "C_h_tt_err", "R_stationary"},
                      {r.t, r.R, r.R_err, r.C_h_tt, r.C_phi_tt, r.mean_sigma_z, r.mean_sigma_r, r.C_h_tt_err, r.R_stationary});
            if (o.keep_two_time && !r.C_phi_two_time.empty()) {
                // Every `stride`-th time (at most ~300 per axis): t, t', C_phi(t, t') (connected).
                const std::size_t w = r.t.size(), stride = std::max<std::size_t>(1, (w + 299) / 300);
                std::vector<double> a, b, v;
                for (std::size_t i = 0; i < w; i += stride)
                    for (std::size_t jj = 0; jj < w; jj += stride) {
                        a.push_back(r.t[i]);
                        b.push_back(r.t[jj]);
                        v.push_back(r.C_phi_two_time[i * w + jj]);
                    }
                write_csv(cli->common.out_dir + "/two_time.csv", meta, {"t", "t_prime", "C_phi"}, {a, b, v});
            }
            if (!r.aging.empty()) write_aging_files(cli->common.out_dir, meta, r.aging);
            if (!cli->no_plot) {
                const std::string& dir = cli->common.out_dir;
                std::ostringstream title;
                title << "g_h = " << m.g_h << ", alpha_z = " << m.alpha_z << ", alpha_r = " << m.alpha_r << ", "
                      << r.paths << " paths x " << r.random_sets << " sets";
                run_plot("transient", "plot_transient.py", {dir + "/transient.csv", dir + "/transient.png", title.str()});
                if (!r.aging.empty()) run_plot("transient", "plot_aging.py", {dir + "/aging.png", dir + "/aging.csv"});
            }
        }
        if (cli->common.json)
            print_json(result_json(*cli, r));
        else {
            print_summary(r);
            if (!r.aging.empty()) print_aging_summary(r.aging);
        }
        if (!r.converged) {
            std::fprintf(stderr, "gdmft transient: not converged (%s): %s\n", to_string(r.termination).c_str(),
                         r.message.c_str());
            return kExitNotConverged;
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
