// gdmft fate: where finite networks end up from a chosen start, fixed point or chaos, and when they
// settle (validation/attractor_fate.hpp): bistability and the lifetime of transient chaos.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "numerics/errors.hpp"
#include "validation/attractor_fate.hpp"

#include <cmath>
#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct FateCli {
    CommonOptions common;
    sim::FateOptions fate;
};

nlohmann::json settings_json(const sim::FateOptions& o) {
    return {{"N", o.N},
            {"networks", o.networks},
            {"trajectories", o.trajectories},
            {"init_std", o.init_std},
            {"t_max", o.t_max},
            {"dt", o.dt},
            {"check_interval", o.check_interval},
            {"speed_threshold", o.speed_threshold},
            {"float32", o.single_precision}};
}

}  // namespace

Command add_fate(CLI::App& root) {
    auto cli = std::make_shared<FateCli>();
    CLI::App* cmd = root.add_subcommand(
        "fate", "finite networks started at a chosen size: do they settle on a fixed point or stay chaotic, and when");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, true);
    auto& o = cli->fate;
    cmd->add_option("--N", o.N, "number of units")->capture_default_str()->group("Simulation");
    cmd->add_option("--networks", o.networks, "independent networks (seeds derived from --seed)")->capture_default_str()->group("Simulation");
    cmd->add_option("--trajectories", o.trajectories, "starts per network, advanced together")->capture_default_str()->group("Simulation");
    cmd->add_option("--init-std", o.init_std, "spread of the initial h_i (z = r = 0)")->capture_default_str()->group("Simulation");
    cmd->add_option("--t-max", o.t_max, "longest time followed; a trajectory not settled by then is censored")->capture_default_str()->group("Simulation");
    cmd->add_option("--dt", o.dt, "RK4 step")->capture_default_str()->group("Simulation");
    cmd->add_option("--check-interval", o.check_interval, "time between checks of the speed |dh/dt|^2/N")->capture_default_str()->group("Simulation");
    cmd->add_option("--speed-threshold", o.speed_threshold, "settled on a fixed point once |dh/dt|^2/N is below this")->capture_default_str()->group("Simulation");
    cmd->add_flag("--float32", o.single_precision, "store couplings in single precision")->group("Simulation");

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        cli->fate.seed = cli->common.seed;
        cli->fate.observer = observer(cli->common);
        cli->fate.validate();
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        const sim::FateSummary r = sim::attractor_fates(cli->common.model, cli->fate);
        const nlohmann::json meta = run_meta(cli->common, settings_json(cli->fate));
        if (!cli->common.out_dir.empty()) {
            std::vector<double> net, traj, settled, t, q, v;
            for (const auto& f : r.fates) {
                net.push_back(f.network);
                traj.push_back(f.trajectory);
                settled.push_back(f.settled ? 1 : 0);
                t.push_back(f.t_settle);
                q.push_back(f.final_q);
                v.push_back(f.final_speed);
            }
            write_csv(cli->common.out_dir + "/fate.csv", meta,
                      {"network", "trajectory", "settled", "t_settle", "final_q", "final_speed"}, {net, traj, settled, t, q, v});
        }
        if (cli->common.json) {
            nlohmann::json j = meta;
            const nlohmann::json body = io::to_json(r);
            for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
            print_json(j);
        } else {
            std::printf("%d of %d trajectories settled on a fixed point (%.3f +- %.3f)\n", r.settled, r.total,
                        r.fraction_settled, r.fraction_err);
            if (r.settled > 0)
                std::printf("chaotic lifetime %.4g +- %.3g (censored at t_max = %g); median settling time %.4g\n", r.lifetime,
                            r.lifetime_err, cli->fate.t_max, r.median_settle);
            else
                std::printf("none settled by t_max = %g: lifetime > %.4g (95%%)\n", cli->fate.t_max, r.lifetime_lower_bound);
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
