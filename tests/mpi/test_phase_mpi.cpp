// gdmft phase under `mpirun -np 2` (built with MPI only): the table is byte-identical to a serial run's,
// and a run whose process group is killed by SIGKILL mid-sweep leaves only whole files; --resume (under
// mpirun again) then finishes it with the same table as an uninterrupted run.
#include "tests/cli_run.hpp"
#include "tests/sweep_check.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using gdmft_test::Run;
using gdmft_test::scratch;
using gdmft_test::slurp;

namespace {

const std::string kMpirun = std::string(GDMFT_MPIEXEC) + " --allow-run-as-root --oversubscribe -np 2 ";

// The binary under mpirun: the launcher goes where run_gdmft puts an environment prefix.
Run mpi(const std::string& args) { return gdmft_test::run_gdmft(args, kMpirun); }

const std::string kModel = " --tau-r 0 --quiet --no-plot --threads 1";

}  // namespace

TEST_CASE("mpirun -np 2 gdmft phase writes the serial table byte for byte") {
    const fs::path dir = scratch() / "phase_mpi";
    const std::string grid = "phase --x g_h:1.5:3.5:4 --y alpha_r:0:10:3" + kModel + " --json --out " + dir.string();
    const Run serial = gdmft_test::run_gdmft(grid);
    REQUIRE_MESSAGE(serial.code == 0, serial.err);
    const std::string reference = slurp(dir / "phase.csv");
    fs::remove_all(dir);

    const Run r = mpi(grid);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);  // one JSON object: only rank 0 prints
    CHECK(j["ranks"] == 2);
    CHECK(j["complete"] == true);
    CHECK(slurp(dir / "phase.csv") == reference);
}

TEST_CASE("mpirun -np 2: a sweep killed mid-run leaves whole files and --resume finishes it identically") {
    const fs::path dir = scratch() / "phase_mpi_kill";
    const std::string grid = "phase --x g_h:1.5:3.5:8 --y alpha_r:0:8:8" + kModel + " --out " + dir.string();
    const Run full = gdmft_test::run_gdmft(grid);
    REQUIRE_MESSAGE(full.code == 0, full.err);
    const std::string reference = slurp(dir / "phase.csv");
    fs::remove_all(dir);

    const pid_t g = gdmft_test::spawn_group(kMpirun + GDMFT_BINARY + " " + grid + " >/dev/null 2>&1");
    REQUIRE_MESSAGE(gdmft_test::kill_after_rows(g, dir, 5, 60), "the sweep ended before it could be killed");
    CHECK(!fs::exists(dir / "phase.csv"));
    CHECK_MESSAGE(gdmft_test::first_broken_file(dir).empty(), gdmft_test::first_broken_file(dir));

    const Run resumed = mpi(grid + " --resume --json");
    REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
    const auto j = nlohmann::json::parse(resumed.out);
    CHECK(j["resumed"].get<int>() >= 5);
    CHECK(j["resumed"].get<int>() + j["computed"].get<int>() == 64);
    CHECK(slurp(dir / "phase.csv") == reference);
}
