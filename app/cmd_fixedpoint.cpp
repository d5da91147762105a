// gdmft fixedpoint: every branch of the mean-field fixed-point equations and its stability (THEORY.md 4).
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/fixed_points.hpp"
#include "numerics/errors.hpp"

#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct FixedPointCli {
    CommonOptions common;
    int scan_points = 400;
};

}  // namespace

Command add_fixedpoint(CLI::App& root) {
    auto cli = std::make_shared<FixedPointCli>();
    CLI::App* cmd = root.add_subcommand("fixedpoint", "all fixed-point branches of the mean-field equations and their stability");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, false);
    cmd->add_option("--scan-points", cli->scan_points, "points of the geometric scan in Delta_h used to bracket roots")
        ->capture_default_str();

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
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
