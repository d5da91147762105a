// gdmft memory: finite-N pulse response (memory trace) and reset by a transient gate drive
// (validation/pulse_response.hpp), against the stationary DMFT response kernel R(tau) when undriven.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/stationary.hpp"
#include "numerics/errors.hpp"
#include "numerics/progress.hpp"
#include "validation/pulse_response.hpp"

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

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MemoryCli {
    CommonOptions common;
    sim::PulseOptions pulse;
    double readout_at = -1;  // < 0: the horizon
    bool no_dmft = false, no_plot = false;
    StationaryOptions dmft;  // the stationary DMFT for R(tau) (undriven runs only)
    std::string dmft_method;
    std::string dmft_csv;    // R(tau) from a `gdmft solve --out` correlations.csv instead of solving
};

// The DMFT comparison on the readout grid.
struct Comparison {
    bool done = false;
    StationaryResult dmft;
    nlohmann::json source;       // the header of a --dmft-csv file (null when solved here)
    std::vector<double> R;       // interpolated onto the readout grid, NaN beyond the DMFT window
    std::size_t n = 0;           // grid points with a DMFT value (a prefix of the grid)
    double tau_sim = kNaN, tau_dmft = kNaN, rel_l2 = kNaN;
};

// Linear interpolation of y(x) (uniform or not, increasing x) at t; NaN outside [x0, x_last].
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double t) {
    if (x.empty() || t < x.front() || t > x.back() * (1 + 1e-12)) return kNaN;
    const auto it = std::upper_bound(x.begin(), x.end(), t);
    if (it == x.end()) return y.back();
    const std::size_t k = static_cast<std::size_t>(it - x.begin());
    if (k == 0) return y.front();
    const double w = (t - x[k - 1]) / (x[k] - x[k - 1]);
    return (1 - w) * y[k - 1] + w * y[k];
}

// Reads a `gdmft solve --out DIR` correlations.csv: its '#' header (params, version, command line, ...)
// and the columns tau and R. Throws BadInput("dmft_csv", ...) if unreadable or solved for another model.
StationaryResult read_dmft_csv(const std::string& path, const ModelParams& model, nlohmann::json& header) {
    std::ifstream in(path);
    if (!in) throw BadInput("dmft_csv", "cannot read '" + path + "'");
    header = nlohmann::json::object();
    std::string line;
    std::vector<std::string> names;
    StationaryResult r;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (line[0] == '#') {
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            const std::string key = line.substr(2, colon - 2);
            try {
                header[key] = nlohmann::json::parse(line.substr(colon + 1));
            } catch (const nlohmann::json::exception&) {
                header[key] = line.substr(colon + 1);
            }
            continue;
        }
        std::stringstream ss(line);
        std::string cell;
        if (names.empty()) {
            while (std::getline(ss, cell, ',')) names.push_back(cell);
            continue;
        }
        std::vector<double> row;
        while (std::getline(ss, cell, ',')) row.push_back(std::strtod(cell.c_str(), nullptr));
        const auto col = [&](const char* n) {
            const auto it = std::find(names.begin(), names.end(), n);
            return it == names.end() || static_cast<std::size_t>(it - names.begin()) >= row.size()
                       ? kNaN : row[static_cast<std::size_t>(it - names.begin())];
        };
        r.tau.push_back(col("tau"));
        r.R.push_back(col("R"));
    }
    if (std::find(names.begin(), names.end(), "R") == names.end() || r.tau.size() < 2)
        throw BadInput("dmft_csv", "'" + path + "' has no tau and R columns (write it with gdmft solve --out DIR)");
    if (!header.contains("params")) throw BadInput("dmft_csv", "'" + path + "' has no '# params' header line");
    const nlohmann::json want = model_json(model);
    for (auto it = want.begin(); it != want.end(); ++it) {
        const auto& have = header["params"];
        const bool same = have.contains(it.key()) &&
                          (it.value().is_number() ? have[it.key()].is_number() &&
                                                        std::abs(have[it.key()].get<double>() - it.value().get<double>()) <=
                                                            1e-12 * (1 + std::abs(it.value().get<double>()))
                                                  : have[it.key()] == it.value());
        if (!same)
            throw BadInput("dmft_csv", "'" + path + "' was solved for " + it.key() + " = " +
                                           (have.contains(it.key()) ? have[it.key()].dump() : "(missing)") + ", not " +
                                           it.value().dump());
    }
    r.converged = true;
    r.method = header.contains("settings") && header["settings"].contains("method")
                   ? header["settings"]["method"].get<std::string>() : "file";
    r.message = "read from " + path;
    r.tau_response = sim::mean_time(r.tau, r.R);  // over the file's lag window
    r.stat_err = kNaN;  // not recorded in the file
    return r;
}

std::size_t readout_index(const MemoryCli& c, const sim::PulseResult& r) {
    const double t = c.readout_at < 0 ? r.t.back() : c.readout_at;
    const auto k = static_cast<std::size_t>(std::lround(t / r.sample_dt));
    return std::min(k, r.t.size() - 1);
}

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

Comparison compare(const MemoryCli& c, const sim::PulseResult& r, const std::string& method) {
    Comparison cmp;
    cmp.tau_sim = sim::mean_time(r.t, r.mean.m);
    if (method.empty()) return cmp;
    cmp.done = true;
    if (method == "file")
        cmp.dmft = read_dmft_csv(c.dmft_csv, c.common.model, cmp.source);
    else
        cmp.dmft = method == "gaussian" ? solve_gaussian(c.common.model, c.dmft) : solve_sampled(c.common.model, c.dmft);
    for (double t : r.t) cmp.R.push_back(interpolate(cmp.dmft.tau, cmp.dmft.R, t));
    while (cmp.n < cmp.R.size() && std::isfinite(cmp.R[cmp.n])) ++cmp.n;
    if (cmp.n >= 2) {
        const std::vector<double> t(r.t.begin(), r.t.begin() + cmp.n);
        const std::vector<double> m(r.mean.m.begin(), r.mean.m.begin() + cmp.n);
        const std::vector<double> R(cmp.R.begin(), cmp.R.begin() + cmp.n);
        cmp.tau_sim = sim::mean_time(t, m);  // over the common range
        cmp.tau_dmft = sim::mean_time(t, R);
        cmp.rel_l2 = sim::rel_l2(t, m, R, cmp.n);
    }
    return cmp;
}

nlohmann::json result_json(const MemoryCli& c, const sim::PulseResult& r, const Comparison& cmp,
                           const std::string& method) {
    nlohmann::json j = run_meta(c.common, settings_json(c, method));
    const double th = c.common.model.tau_h;
    j["tau_response_sim"] = num(cmp.tau_sim);
    j["tau_response_dmft"] = num(cmp.tau_dmft);
    j["m0"] = num(r.mean.m[0]);
    j["m0_expected"] = num(r.mean_sigma_z0 / th);  // <sigma_z(z(0))>/tau_h measured on the same states
    j["R0_dmft"] = cmp.done && !cmp.R.empty() ? num(cmp.R[0]) : nlohmann::json(nullptr);
    j["rel_l2_diff"] = num(cmp.rel_l2);
    j["compare_until"] = cmp.n >= 2 ? num(r.t[cmp.n - 1]) : nlohmann::json(nullptr);
    double dev = 0;
    for (const auto& run : r.runs) dev = std::max(dev, run.m0_max_dev);
    j["m0_max_dev"] = num(dev);  // largest |m_k(0) - <sigma_z(0)>/tau_h| over single directions
    const std::size_t k = readout_index(c, r);
    j["readout_t"] = num(r.t[k]);
    j["m_readout"] = num(r.mean.m[k]);
    j["m_readout_stderr"] = num(r.m_stderr[k]);
    j["R_readout_dmft"] = cmp.done && k < cmp.R.size() ? num(cmp.R[k]) : nlohmann::json(nullptr);
    j["m_horizon"] = num(r.mean.m.back());
    j["m_horizon_stderr"] = num(r.m_stderr.back());
    j["stderr_over"] = r.stderr_over;
    // Where the direction noise (noise_floor, growing with the tangent in chaos) reaches a third of the
    // signal (the DMFT R when computed, else |m|): beyond it the readout no longer resolves the kernel.
    double t_noise = kNaN;
    for (std::size_t s = 0; s < r.t.size() && std::isnan(t_noise); ++s) {
        const double signal = cmp.done && s < cmp.n ? cmp.R[s] : std::abs(r.mean.m[s]);
        if (signal < 3 * r.noise_floor[s]) t_noise = r.t[s];
    }
    j["t_noise"] = num(t_noise);
    j["noise_floor_readout"] = num(r.noise_floor[k]);
    j["mean_sigma_z0"] = num(r.mean_sigma_z0);
    j["drive_active"] = c.pulse.drive.active();
    if (cmp.done) {
        const StationaryResult& d = cmp.dmft;
        nlohmann::json dj;
        dj["method"] = d.method;
        dj["converged"] = d.converged;
        dj["C_h0"] = num(d.C_h0);
        dj["stat_err"] = num(d.stat_err);
        dj["mean_sigma_z"] = num(d.mean_sigma_z);
        dj["tau_response_window"] = num(d.tau_response);  // over the DMFT's own lag window
        dj["window"] = d.tau.empty() ? nlohmann::json(nullptr) : num(d.tau.back());
        dj["message"] = d.message;
        if (!cmp.source.is_null()) {
            dj["file"] = c.dmft_csv;
            for (const char* k : {"version", "command_line", "seed", "settings"})
                if (cmp.source.contains(k)) dj["file_" + std::string(k)] = cmp.source[k];
        }
        j["dmft"] = dj;
    } else {
        j["dmft"] = nullptr;
    }
    j["per_realization"] = nlohmann::json::array();
    for (const auto& run : r.runs) {
        nlohmann::json e;
        e["seed"] = run.seed;
        e["tau_response"] = num(sim::mean_time(r.t, run.curves.m));
        e["m0"] = num(run.curves.m[0]);
        e["mean_sigma_z0"] = num(run.mean_sigma_z0);
        e["steps"] = run.steps;
        e["seconds"] = run.seconds;
        j["per_realization"].push_back(e);
    }
    j["state_dim"] = r.state_dim;
    j["n_samples"] = r.t.size();
    j["seconds"] = r.seconds;
    return j;
}

void write_outputs(const MemoryCli& c, const sim::PulseResult& r, const Comparison& cmp, const std::string& method) {
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

void print_summary(const MemoryCli& c, const sim::PulseResult& r, const Comparison& cmp) {
    std::printf("N = %zu, %zu realization(s) x %d trajectories x %d directions, %.1f s\n", c.pulse.N, r.runs.size(),
                c.pulse.trajectories, c.pulse.directions, r.seconds);
    std::printf("m(0)              = %.6g (expected <sigma_z>/tau_h = %.6g)\n", r.mean.m[0],
                r.mean_sigma_z0 / c.common.model.tau_h);
    std::printf("tau_response sim  = %.6g\n", cmp.tau_sim);
    if (cmp.done) {
        std::printf("tau_response DMFT = %.6g (over t <= %.6g; %s)\n", cmp.tau_dmft, cmp.n ? r.t[cmp.n - 1] : 0.0,
                    cmp.dmft.method.c_str());
        std::printf("rel L2 difference = %.4g\n", cmp.rel_l2);
    }
    const std::size_t k = readout_index(c, r);
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
    cmd->add_option("--dmft-method", cli->dmft_method, "gaussian (alpha_z = 0) or sampled; default by alpha_z")->group("DMFT");
    cmd->add_option("--dmft-csv", cli->dmft_csv, "take R(tau) from the correlations.csv of `gdmft solve --out DIR` (same model)")
        ->group("DMFT");
    cmd->add_option("--dmft-dt", s.grid.dt, "DMFT lag step")->capture_default_str()->group("DMFT");
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
        if (!cli->no_dmft && !o.drive.active() && !cli->dmft_csv.empty()) {
            method = "file";
            nlohmann::json header;
            read_dmft_csv(cli->dmft_csv, m, header);  // fail before a long run
        } else if (!cli->no_dmft && !o.drive.active()) {
            method = cli->dmft_method.empty() ? (m.alpha_z == 0 ? "gaussian" : "sampled") : cli->dmft_method;
            if (method != "gaussian" && method != "sampled")
                throw BadInput("dmft_method", "must be 'gaussian' or 'sampled', got '" + method + "'");
            if (method == "gaussian" && m.alpha_z != 0)
                throw BadInput("dmft_method", "'gaussian' needs alpha_z = 0; use 'sampled'");
            auto& s = cli->dmft;
            s.seed = cli->common.seed;
            if (!(std::isfinite(s.grid.dt) && s.grid.dt > 0)) throw BadInput("dmft_dt", "must be a finite number > 0");
            if (!(std::isfinite(s.grid.window) && s.grid.window >= 0)) throw BadInput("dmft_window", "must be >= 0 (0 = automatic)");
            if (s.paths < 2) throw BadInput("dmft_paths", "must be >= 2");
            if (s.random_sets < 1) throw BadInput("dmft_random_sets", "must be >= 1");
            s.validate();
        }
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);  // fail before a long run
        Progress::set_quiet(cli->common.quiet);
        const sim::PulseResult r = sim::pulse_response(m, o);
        const Comparison cmp = compare(*cli, r, method);
        if (!cli->common.out_dir.empty()) write_outputs(*cli, r, cmp, method);
        if (cli->common.json)
            print_json(result_json(*cli, r, cmp, method));
        else
            print_summary(*cli, r, cmp);
        if (cmp.done && !cmp.dmft.converged) {
            std::fprintf(stderr, "gdmft memory: the DMFT did not converge (%s): %s\n", to_string(cmp.dmft.termination).c_str(),
                         cmp.dmft.message.c_str());
            return kExitNotConverged;
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
