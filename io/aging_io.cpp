// JSON and CSV of an ageing measurement (see the header).
#include "io/aging_io.hpp"

#include "io/json.hpp"

#include <limits>

namespace gdmft::io {

namespace {

nlohmann::json nums(const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v) a.push_back(num(x));
    return a;
}

double size_value(const AgingResult& r) {
    return r.N == 0 ? std::numeric_limits<double>::infinity() : double(r.N);
}

}  // namespace

nlohmann::json to_json(const AgingResult& r) {
    nlohmann::json j;
    j["N"] = r.N == 0 ? nlohmann::json(nullptr) : nlohmann::json(r.N);
    j["networks"] = r.networks;
    j["samples"] = r.samples;
    j["stderr_over"] = r.samples_over;
    j["waiting_times"] = nums(r.waiting_times);
    j["lags"] = nums(r.lags);
    nlohmann::json curves = nlohmann::json::array();
    for (const AgingCurve& c : r.curves) {
        nlohmann::json k;
        k["t_w"] = num(c.t_w);
        k["C_h"] = nums(c.C_h);
        k["C_h_err"] = nums(c.C_h_err);
        k["C_h_norm"] = nums(c.C_h_norm);
        k["C_h_norm_err"] = nums(c.C_h_norm_err);
        curves.push_back(k);
    }
    j["curves"] = curves;
    j["equal_time"] = {{"t", nums(r.t)}, {"C_h_tt", nums(r.C_h_tt)}, {"C_h_tt_err", nums(r.C_h_tt_err)}};
    j["norm_shift"] = nums(r.norm_shift);
    j["norm_shift_err"] = nums(r.norm_shift_err);
    j["max_shift_z"] = num(r.max_shift_z);
    j["seconds"] = num(r.seconds);
    return j;
}

std::vector<std::string> aging_columns() {
    return {"t_w", "tau", "C_h", "C_h_err", "C_h_norm", "C_h_norm_err", "networks", "N"};
}

std::vector<std::vector<double>> aging_table(const AgingResult& r) {
    std::vector<std::vector<double>> cols(aging_columns().size());
    for (const AgingCurve& c : r.curves)
        for (std::size_t l = 0; l < r.lags.size(); ++l) {
            const double row[] = {c.t_w, r.lags[l], c.C_h[l], c.C_h_err[l], c.C_h_norm[l], c.C_h_norm_err[l],
                                  double(r.networks), size_value(r)};
            for (std::size_t i = 0; i < cols.size(); ++i) cols[i].push_back(row[i]);
        }
    return cols;
}

std::vector<std::string> aging_equal_time_columns() { return {"t", "C_h_tt", "C_h_tt_err", "networks", "N"}; }

std::vector<std::vector<double>> aging_equal_time_table(const AgingResult& r) {
    const std::size_t n = r.t.size();
    return {r.t, r.C_h_tt, r.C_h_tt_err, std::vector<double>(n, double(r.networks)), std::vector<double>(n, size_value(r))};
}

}  // namespace gdmft::io
