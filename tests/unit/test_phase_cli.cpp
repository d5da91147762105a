// gdmft phase as a user runs it: bad input (exit 2, the flag named), a whole phase.csv from a 3x3 serial
// run, an existing sweep refused without --resume, --resume with other parameters refused with nothing
// overwritten, a sweep killed by SIGKILL leaving only whole files and finished by --resume with the
// same table, and --shard K/M slices merged by --resume.
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

Run cli(const std::string& args) { return gdmft_test::run_gdmft(args); }

// A cheap grid: Gaussian closure, instantaneous output gate.
const std::string kModel = " --tau-r 0 --quiet --no-plot";

std::string body(const std::string& csv) {  // the rows without the '#' header
    std::string out;
    std::size_t pos = 0;
    while (pos < csv.size()) {
        const auto nl = csv.find('\n', pos);
        const std::string line = csv.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos + 1);
        if (line.empty() || line[0] != '#') out += line;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("phase: bad input exits 2 with one line naming the flag") {
    const fs::path dir = scratch() / "phase_bad";
    struct Case {
        std::string args, flag;
    };
    for (const Case& c : {Case{"--x foo:1:2:3 --y alpha_r:0:1:3", "--x"}, Case{"--x g_h:2:1:3 --y alpha_r:0:1:3", "--x"},
                          Case{"--x g_h:1:2:1 --y alpha_r:0:1:3", "--x"}, Case{"--x g_h:1:2:3 --y alpha_r:0:1:1", "--y"},
                          Case{"--x g_h:1:2:3 --y g-h:0:1:3", "--y"}, Case{"--x g_h:1:2:3 --y alpha_r:1:1:3", "--y"},
                          Case{"--x g_h:1:2:3 --y alpha_r:0:1:3 --shard 2/2", "--shard"},
                          Case{"--x g_h:1:2:3 --y alpha_r:0:1:3 --resume", "--resume"}}) {
        const Run r = cli("phase " + c.args + kModel + " --out " + dir.string());
        CHECK_MESSAGE(r.code == 2, c.args);
        CHECK_MESSAGE(r.err.find(c.flag) != std::string::npos, std::string(c.args + " -> " + r.err));
        CHECK_MESSAGE(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
    }
    CHECK(!fs::exists(dir / "phase.csv"));
}

TEST_CASE("phase: a 3x3 serial run writes a whole phase.csv; reruns need --resume; other parameters are refused") {
    const fs::path dir = scratch() / "phase_3x3";
    const std::string grid = "phase --x g_h:1.5:3.5:3 --y alpha_r:0:10:3" + kModel + " --json --latex --out " + dir.string();
    const Run r = cli(grid);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["complete"] == true);
    CHECK(j["points"] == 9);
    int sum = 0;
    for (auto& [label, n] : j["counts"].items()) sum += n.get<int>();
    CHECK(sum == 9);
    CHECK(j["counts"]["chaotic"].get<int>() >= 1);
    CHECK(j["counts"]["stable"].get<int>() >= 1);

    const auto t = gdmft::io::read_text_csv((dir / "phase.csv").string());
    CHECK(t.names == std::vector<std::string>{"x", "y", "phase", "C_h0", "lambda_max", "G", "Delta_h_fp", "method", "termination"});
    REQUIRE(t.rows.size() == 9);
    CHECK(t.header["x_name"] == "g_h");
    CHECK(t.header["y_name"] == "alpha_r");
    CHECK(t.header.contains("version"));
    CHECK(t.header.contains("seed"));
    CHECK(t.header["params"]["tau_r"] == 0.0);
    CHECK(t.rows[0][0] == "1.5");  // x varies fastest
    CHECK(t.rows[1][0] == "2.5");
    CHECK(t.rows[3][1] == "5");
    CHECK(t.rows[0][2] == "stable");   // g_h = 1.5, alpha_r = 0: g_eff = 0.75
    CHECK(t.rows[2][2] == "chaotic");  // g_h = 3.5, alpha_r = 0: g_eff = 1.75
    CHECK(fs::exists(dir / "sweep.json"));
    CHECK(slurp(dir / "phase_summary.tex").find("\\toprule") != std::string::npos);
    CHECK(gdmft_test::first_broken_file(dir).empty());

    // The same command again: the directory holds a sweep.
    const Run again = cli(grid);
    CHECK(again.code == 2);
    CHECK(again.err.find("--out") != std::string::npos);
    CHECK(again.err.find("--resume") != std::string::npos);

    // --resume with nothing left: recomputes nothing, same table.
    const std::string before = slurp(dir / "phase.csv"), manifest = slurp(dir / "sweep.json");
    const Run done = cli(grid + " --resume");
    REQUIRE_MESSAGE(done.code == 0, done.err);
    CHECK(nlohmann::json::parse(done.out)["computed"] == 0);
    CHECK(slurp(dir / "phase.csv") == before);

    // --resume with another model parameter or grid: exit 2 naming the first difference; nothing changes.
    const auto files_before = std::distance(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator());
    const Run other = cli("phase --x g_h:1.5:3.5:3 --y alpha_r:0:10:3 --g-r 2" + kModel + " --resume --out " + dir.string());
    CHECK(other.code == 2);
    CHECK(other.err.find("--resume") != std::string::npos);
    CHECK(other.err.find("params.g_r") != std::string::npos);
    const Run grid2 = cli("phase --x g_h:1.5:3.5:4 --y alpha_r:0:10:3" + kModel + " --resume --out " + dir.string());
    CHECK(grid2.code == 2);
    CHECK(grid2.err.find("x: ") != std::string::npos);
    CHECK(slurp(dir / "phase.csv") == before);
    CHECK(slurp(dir / "sweep.json") == manifest);
    CHECK(std::distance(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator()) == files_before);
}

TEST_CASE("phase: a sweep killed by SIGKILL leaves whole files; --resume finishes it with the same table") {
    const fs::path dir = scratch() / "phase_kill";
    const std::string grid = "phase --x g_h:1.5:3.5:8 --y alpha_r:0:8:8" + kModel + " --threads 1 --out " + dir.string();
    // The uninterrupted table, in the same directory (the header records the command line).
    const Run full = cli(grid);
    REQUIRE_MESSAGE(full.code == 0, full.err);
    const std::string reference = slurp(dir / "phase.csv");
    fs::remove_all(dir);

    const pid_t g = gdmft_test::spawn_group(std::string(GDMFT_BINARY) + " " + grid + " >/dev/null 2>&1");
    const bool killed = gdmft_test::kill_after_rows(g, dir, 5, 60);
    REQUIRE_MESSAGE(killed, "the sweep ended before it could be killed");
    CHECK(!fs::exists(dir / "phase.csv"));
    CHECK_MESSAGE(gdmft_test::first_broken_file(dir).empty(), gdmft_test::first_broken_file(dir));

    const Run resumed = cli(grid + " --resume --json");
    REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
    const auto j = nlohmann::json::parse(resumed.out);
    CHECK(j["resumed"].get<int>() >= 5);
    CHECK(j["computed"].get<int>() == 64 - j["resumed"].get<int>());
    CHECK(slurp(dir / "phase.csv") == reference);
}

TEST_CASE("phase --shard K/M computes its slice; a --resume merges the slices into the same table") {
    const fs::path dir = scratch() / "phase_shard";
    const std::string grid = "phase --x g_h:1.5:3.5:3 --y alpha_r:0:10:3" + kModel + " --out " + dir.string();
    REQUIRE(cli(grid).code == 0);
    const std::string reference = slurp(dir / "phase.csv");
    fs::remove_all(dir);

    const Run a = cli(grid + " --shard 0/2 --json");
    REQUIRE_MESSAGE(a.code == 0, a.err);
    const auto ja = nlohmann::json::parse(a.out);
    CHECK(ja["computed"] == 5);  // indices 0, 2, 4, 6, 8
    CHECK(ja["complete"] == false);
    CHECK(!fs::exists(dir / "phase.csv"));
    const Run b = cli(grid + " --shard 1/2 --json");
    REQUIRE_MESSAGE(b.code == 0, b.err);
    CHECK(nlohmann::json::parse(b.out)["complete"] == true);  // the last shard merges
    CHECK(body(slurp(dir / "phase.csv")) == body(reference));
    const Run merge = cli(grid + " --resume --json");
    REQUIRE(merge.code == 0);
    CHECK(nlohmann::json::parse(merge.out)["computed"] == 0);
}
