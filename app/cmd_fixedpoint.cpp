// gdmft fixedpoint: every branch of the mean-field fixed-point equations and its stability (THEORY.md 4).
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/fixed_points.hpp"
#include "validation/fixed_point_count.hpp"
#include "numerics/errors.hpp"

#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct FixedPointCli {
    CommonOptions common;
    int scan_points = 400;
    bool count = false;
    sim::CountOptions counting;
};

// --count: fixed points counted in finite networks (validation/fixed_point_count.hpp).
nlohmann::json count_json(const sim::CountResult& r) {
    nlohmann::json j;
    j["mean_count"] = r.mean_count;
    j["stderr_count"] = r.stderr_count;
    j["mean_log_count"] = r.mean_log_count;
    j["stderr_log_count"] = r.stderr_log_count;
    j["saturated"] = r.saturated;
    j["count_is"] = r.saturated ? "exact_for_the_search" : "lower_bound";
    j["mean_norm2"] = r.mean_norm2;
    j["unstable_fraction"] = r.unstable_fraction;
    j["seconds"] = r.seconds;
    j["networks"] = nlohmann::json::array();
    for (const auto& n : r.networks) {
        nlohmann::json row;
        row["seed"] = n.seed;
        row["count"] = n.roots.size();
        row["saturated"] = n.saturated;
        row["found_in_last_half"] = n.found_late;
        row["starts"] = n.starts;
        row["failed_starts"] = n.failed_starts;
        row["seconds"] = n.seconds;
        int stable = 0;
        double sum_norm2 = 0, sum_unstable = 0;
        for (const auto& root : n.roots) {
            stable += root.stable;
            sum_norm2 += root.norm2;
            sum_unstable += double(root.unstable) / (root.h.size() > 0 ? root.h.size() : 1);
        }
        row["stable_roots"] = stable;
        // Sums over this network's roots of |h|^2/N and of (unstable directions)/N: with the counts they give
        // error bars of the pooled means (ratio estimators over networks, e.g. by jackknife).
        row["sum_norm2"] = sum_norm2;
        row["sum_unstable_fraction"] = sum_unstable;
        j["networks"].push_back(row);
    }
    return j;
}

}  // namespace

Command add_fixedpoint(CLI::App& root) {
    auto cli = std::make_shared<FixedPointCli>();
    CLI::App* cmd = root.add_subcommand("fixedpoint", "all fixed-point branches of the mean-field equations and their stability");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    cmd->add_flag("--count", cli->count, "count fixed points in finite networks instead (Newton, deflation, symmetry)");
    cmd->add_option("--N", cli->counting.N, "with --count: network size")->capture_default_str();
    cmd->add_option("--networks", cli->counting.networks, "with --count: networks (realizations)")->capture_default_str();
    cmd->add_option("--starts", cli->counting.random_starts, "with --count: random Newton starts per network (-1: max(600, 80 N))")
        ->capture_default_str();
    cmd->add_option("--trajectory-starts", cli->counting.trajectory_starts,
                    "with --count: Newton starts taken along a trajectory, per network (-1: max(100, 8 N))")
        ->capture_default_str();
    cmd->add_option("--scan-points", cli->scan_points, "points of the geometric scan in Delta_h used to bracket roots")
        ->capture_default_str();

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        if (cli->count) {
            if (cli->counting.N < 2) throw BadInput("N", "must be >= 2");
            if (cli->counting.networks < 1) throw BadInput("networks", "must be >= 1");
            if (cli->counting.random_starts < -1) throw BadInput("starts", "must be >= 0, or -1 for automatic");
            if (cli->counting.trajectory_starts < -1) throw BadInput("trajectory_starts", "must be >= 0, or -1 for automatic");
            cli->counting.seed = cli->common.seed;
            const sim::CountResult r = sim::count_fixed_points(cli->common.model, cli->counting);
            nlohmann::json settings;
            settings["N"] = cli->counting.N;
            settings["networks"] = cli->counting.networks;
            settings["starts"] = cli->counting.resolved_random_starts();
            settings["trajectory_starts"] = cli->counting.resolved_trajectory_starts();
            nlohmann::json j = run_meta(cli->common, settings);
            j.update(count_json(r));
            if (cli->common.json) print_json(j);
            else
                std::printf("%s %.6g +- %.2g fixed points per network (N = %zu, %d networks); <|h|^2/N> %.6g, unstable fraction %.6g\n",
                            r.saturated ? "saturated:" : "LOWER BOUND (not saturated):", r.mean_count, r.stderr_count,
                            cli->counting.N, cli->counting.networks, r.mean_norm2, r.unstable_fraction);
            return kExitOk;
        }
        if (cli->scan_points < 10) throw BadInput("scan_points", "must be >= 10");
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        const auto branches = fixed_points(cli->common.model, cli->scan_points);
        nlohmann::json settings;
        settings["scan_points"] = cli->scan_points;
        const nlohmann::json meta = run_meta(cli->common, settings);
        if (!cli->common.out_dir.empty()) {
            std::vector<double> Dh, Dr, Dz, G, st;
            for (const auto& b : branches) {
                Dh.push_back(b.Delta_h);
                Dr.push_back(b.Delta_r);
                Dz.push_back(b.Delta_z);
                G.push_back(b.G);
                st.push_back(b.stable ? 1.0 : 0.0);
            }
            write_csv(cli->common.out_dir + "/fixedpoints.csv", meta, {"Delta_h", "Delta_r", "Delta_z", "G", "stable"},
                      {Dh, Dr, Dz, G, st});
        }
        if (cli->common.json) {
            nlohmann::json j = meta;
            j["branches"] = nlohmann::json::array();
            for (const auto& b : branches)
                j["branches"].push_back(io::to_json(b));
            print_json(j);
        } else {
            std::printf("%zu branch(es)\n%14s %14s %14s %14s  stable\n", branches.size(), "Delta_h", "Delta_r", "Delta_z", "G");
            for (const auto& b : branches)
                std::printf("%14.8g %14.8g %14.8g %14.8g  %s\n", b.Delta_h, b.Delta_r, b.Delta_z, b.G, b.stable ? "yes" : "no");
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
