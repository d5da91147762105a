#include "io/stationary_csv.hpp"

#include "io/csv.hpp"
#include "io/json.hpp"
#include "numerics/errors.hpp"
#include "numerics/timescales.hpp"

#include <cmath>
#include <stdexcept>

namespace gdmft::io {

void write_stationary_csv(const std::string& path, const nlohmann::json& meta, const StationaryResult& r) {
    write_csv(path, meta, {"tau", "C_h", "C_phi", "C_r", "C_z", "C_srphi", "R"},
              {r.tau, r.C_h, r.C_phi, r.C_r, r.C_z, r.C_srphi, r.R});
}

StationaryFile read_stationary_csv(const std::string& path, const ModelParams& model, const std::string& key) {
    CsvTable t;
    try {
        t = read_csv(path);
    } catch (const std::runtime_error& e) {
        throw BadInput(key, e.what());
    }
    StationaryFile f;
    f.header = t.header;
    StationaryResult& r = f.result;
    const auto take = [&](const char* name, std::vector<double>& into) {
        if (const auto* c = t.column(name)) into = *c;
    };
    take("tau", r.tau);
    take("C_h", r.C_h);
    take("C_phi", r.C_phi);
    take("C_r", r.C_r);
    take("C_z", r.C_z);
    take("C_srphi", r.C_srphi);
    take("R", r.R);
    if (r.R.empty() || r.tau.size() < 2)
        throw BadInput(key, "'" + path + "' has no tau and R columns (write it with gdmft solve --out DIR)");
    if (!t.header.contains("params")) throw BadInput(key, "'" + path + "' has no '# params' header line");
    const nlohmann::json want = to_json(model);
    const auto& have = t.header["params"];
    for (auto it = want.begin(); it != want.end(); ++it) {
        const bool same = have.contains(it.key()) &&
                          (it.value().is_number()
                               ? have[it.key()].is_number() &&
                                     std::abs(have[it.key()].get<double>() - it.value().get<double>()) <=
                                         1e-12 * (1 + std::abs(it.value().get<double>()))
                               : have[it.key()] == it.value());
        if (!same)
            throw BadInput(key, "'" + path + "' was solved for " + it.key() + " = " +
                                    (have.contains(it.key()) ? have[it.key()].dump() : "(missing)") + ", not " +
                                    it.value().dump());
    }
    r.converged = true;
    r.termination = Termination::Converged;
    r.method = t.header.contains("settings") && t.header["settings"].contains("method")
                   ? t.header["settings"]["method"].get<std::string>() : "file";
    r.message = "read from " + path;
    if (!r.C_h.empty()) r.C_h0 = r.C_h[0];
    r.tau_response = mean_response_time(r.tau, r.R);  // over the file's lag window
    r.stat_err = std::nan("");  // not recorded in the file
    return f;
}

}  // namespace gdmft::io
