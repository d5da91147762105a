#pragma once
// The lag functions of a stationary DMFT solution as CSV (`gdmft solve --out DIR`:
// DIR/correlations.csv, columns tau,C_h,C_phi,C_r,C_z,C_srphi,R) and the reader of the same file, so a
// solution computed once can feed later runs (gdmft memory --dmft-csv).
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace gdmft::io {

void write_stationary_csv(const std::string& path, const nlohmann::json& meta, const StationaryResult& r);

struct StationaryFile {
    StationaryResult result;  // tau and every column present; converged, method from the header
    nlohmann::json header;    // the '#' lines: params, settings, version, command line, seed
};

// Throws BadInput(key, ...) if the file is unreadable, lacks the tau and R columns or a '# params' line,
// or was solved for another model than `model` (every parameter compared).
StationaryFile read_stationary_csv(const std::string& path, const ModelParams& model, const std::string& key);

}  // namespace gdmft::io
