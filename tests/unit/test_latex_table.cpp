// io/latex_table.hpp: value(uncertainty) formatting against hand-worked cases, and the booktabs frame.
#include "io/latex_table.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using gdmft::io::format_uncertain;

TEST_CASE("format_uncertain: one significant digit of the error, two when it leads with 1 or 2") {
    CHECK(format_uncertain(0.74531, 0.0042) == "0.745(4)");
    CHECK(format_uncertain(0.74531, 0.0016) == "0.7453(16)");
    CHECK(format_uncertain(0.74531, 0.0029) == "0.7453(29)");
    CHECK(format_uncertain(0.74531, 0.0031) == "0.745(3)");
    CHECK(format_uncertain(12.345, 1.2) == "12.3(12)");
    CHECK(format_uncertain(12.345, 0.5) == "12.3(5)");
    CHECK(format_uncertain(12345.0, 340.0) == "12300(300)");
    CHECK(format_uncertain(-1.23456, 0.0123) == "-1.235(12)");
    CHECK(format_uncertain(1.0, 0.25) == "1.00(25)");
    // Rounding the error carries into the next decade: 0.0096 -> 0.010, which leads with 1 (two digits).
    CHECK(format_uncertain(0.5, 0.0096) == "0.500(10)");
    CHECK(format_uncertain(0.5, 0.00096) == "0.5000(10)");
    // A value smaller than its error.
    CHECK(format_uncertain(0.0004, 0.003) == "0.000(3)");
}

TEST_CASE("format_uncertain: no error, or a value that is not finite") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(format_uncertain(0.745312, 0.0) == "0.745312");
    CHECK(format_uncertain(0.745312, nan) == "0.745312");
    CHECK(format_uncertain(0.745312, -1.0) == "0.745312");
    CHECK(format_uncertain(1.924805123, 0.0, 5) == "1.9248");
    CHECK(format_uncertain(nan, 0.1) == "nan");
    CHECK(format_uncertain(INFINITY, 0.1) == "inf");
}

TEST_CASE("latex_table: booktabs rules, escaped text, rows of the header's width") {
    gdmft::io::LatexTable t;
    t.header = {"phase", "points"};
    t.rows = {{gdmft::io::latex_escape("C_h0 & 50%"), gdmft::io::latex_number("-0.5(1)")}};
    t.caption = "x";
    const std::string s = gdmft::io::latex_table(t);
    CHECK(s.find("\\toprule") != std::string::npos);
    CHECK(s.find("\\midrule") != std::string::npos);
    CHECK(s.find("\\bottomrule") != std::string::npos);
    CHECK(s.find("C\\_h0 \\& 50\\%") != std::string::npos);
    CHECK(s.find("$-0.5(1)$") != std::string::npos);
    CHECK(s.find("{lr}") != std::string::npos);
    t.rows.push_back({"one cell"});
    CHECK_THROWS_AS(gdmft::io::latex_table(t), std::logic_error);
}
