// Ageing flags, files and summary shared by simulate and transient (see the header).
#include "app/aging_cli.hpp"

#include "app/output.hpp"
#include "io/aging_io.hpp"
#include "numerics/errors.hpp"

#include <cmath>
#include <cstdio>

namespace gdmft::app {

void add_aging_flags(CLI::App& cmd, AgingGrid& g) {
    cmd.add_option("--waiting-times", g.waiting_times,
                   "ageing: C_h(t_w + tau, t_w) at these times since the random start (comma-separated, increasing)")
        ->delimiter(',')
        ->group("Ageing");
    cmd.add_option("--aging-lags", g.lags, "ageing: number of log-spaced lags (tau = 0 is added)")
        ->capture_default_str()
        ->group("Ageing");
    cmd.add_option("--aging-min-lag", g.min_lag, "ageing: smallest nonzero lag")->capture_default_str()->group("Ageing");
}

void reject_flags(const CLI::App& cmd, const std::vector<std::string>& flags, const std::string& why) {
    for (const auto& f : flags)
        if (cmd.count(f) > 0) {
            std::string key = f.substr(2);
            for (char& c : key)
                if (c == '-') c = '_';
            throw BadInput(key, why);
        }
}

bool aging_requested(const CLI::App& cmd) {
    if (cmd.count("--waiting-times") > 0) return true;
    reject_flags(cmd, {"--aging-lags", "--aging-min-lag"}, "needs --waiting-times");
    return false;
}

void add_aging_settings(nlohmann::json& s, const AgingGrid& g, double max_lag) {
    s["waiting_times"] = g.waiting_times;
    s["max_lag"] = io::num(max_lag);
    s["aging_lags"] = g.lags;
    s["aging_min_lag"] = g.min_lag;
}

void write_aging_files(const std::string& dir, const nlohmann::json& meta, const AgingResult& r) {
    write_csv(dir + "/aging.csv", meta, io::aging_columns(), io::aging_table(r));
    write_csv(dir + "/aging_equal_time.csv", meta, io::aging_equal_time_columns(), io::aging_equal_time_table(r));
}

void print_aging_summary(const AgingResult& r) {
    std::printf("ageing: %s, %d sample(s) (errors over %s)\n",
                r.N == 0 ? "DMFT" : ("N = " + std::to_string(r.N)).c_str(), r.samples, r.samples_over.c_str());
    // About six lags, evenly spread over the list.
    std::vector<std::size_t> pick;
    const std::size_t L = r.lags.size();
    for (std::size_t i = 1; i <= 6 && L > 1; ++i) {
        const std::size_t l = std::min(L - 1, i * (L - 1) / 6);
        if (pick.empty() || pick.back() != l) pick.push_back(l);
    }
    std::printf("%10s %18s", "t_w", "C_h(t_w,t_w)");
    for (std::size_t l : pick) std::printf("   norm(tau=%-7.4g)", r.lags[l]);
    std::printf("\n");
    for (const AgingCurve& c : r.curves) {
        std::printf("%10.4g %10.5g +- %-6.2g", c.t_w, c.C_h[0], c.C_h_err[0]);
        for (std::size_t l : pick) std::printf(" %8.4f +- %-6.2g", c.C_h_norm[l], c.C_h_norm_err[l]);
        std::printf("\n");
    }
    if (r.curves.size() > 1)
        std::printf("last minus first t_w (normalised): largest |shift| / error over lags = %.3g\n", r.max_shift_z);
}

}  // namespace gdmft::app
