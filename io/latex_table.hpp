#pragma once
// Tables for papers: numbers with their uncertainty in the concise form 0.745(4), and booktabs LaTeX
// tables (written next to the Markdown and CSV of validate and phase).
#include <string>
#include <vector>

namespace gdmft::io {

// `value` with its standard uncertainty `err` as value(err): the error keeps two significant digits
// when its leading digit is 1 or 2, else one, and the value is rounded to the same last digit:
//   (0.74531, 0.0042) -> "0.745(4)",  (0.74531, 0.0016) -> "0.7453(16)",  (12.345, 1.2) -> "12.3(12)",
//   (12345, 340) -> "12300(300)" (last digit left of the point: the error in the value's units).
// err = 0, negative or not finite: the plain value with `plain_digits` significant digits (%g).
// A value that is not finite: "nan", "inf" or "-inf".
std::string format_uncertain(double value, double err, int plain_digits = 6);

// Escapes LaTeX's special characters in text (_ % & # $ { } ~ ^ \).
std::string latex_escape(const std::string& text);

// A booktabs table. Cells are LaTeX as given (escape text with latex_escape; numbers are wrapped in $...$
// by latex_number so that a minus sign is a minus).
struct LatexTable {
    std::string caption, label;       // label empty: no \label
    std::string align;                // column spec, e.g. "lrr"; empty: l then r for each other column
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    // Horizontal rule (\midrule) before these row indices (groups).
    std::vector<std::size_t> rules_before;
};
std::string latex_number(const std::string& formatted);
// The table as a LaTeX table environment (needs \usepackage{booktabs}). Throws std::logic_error for a row
// whose width differs from the header.
std::string latex_table(const LatexTable& t);

}  // namespace gdmft::io
