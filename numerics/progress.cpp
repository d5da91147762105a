#include "numerics/progress.hpp"

#include <atomic>
#include <cstdio>

namespace gdmft {

namespace {
std::atomic<bool> g_quiet{false};
}

void Progress::set_quiet(bool q) { g_quiet = q; }
bool Progress::quiet() { return g_quiet; }

Progress::Progress(std::string label, double total, double interval_seconds)
    : label_(std::move(label)), total_(total), interval_(interval_seconds),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

double Progress::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(double done, const std::string& extra) {
    if (g_quiet) return;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_).count() < interval_) return;
    last_ = now;
    printed_ = true;
    const double el = elapsed();
    const double frac = total_ > 0 ? done / total_ : 0;
    const double eta = frac > 0 ? el * (1 - frac) / frac : 0;
    std::fprintf(stderr, "%s: %5.1f%%  elapsed %.1f s  ETA %.1f s%s%s\n", label_.c_str(), 100 * frac, el, eta,
                 extra.empty() ? "" : "  ", extra.c_str());
}

void Progress::finish(const std::string& extra) {
    if (g_quiet || !printed_) return;
    std::fprintf(stderr, "%s: done in %.1f s%s%s\n", label_.c_str(), elapsed(), extra.empty() ? "" : "  ",
                 extra.c_str());
}

void log_line(const std::string& s) {
    if (!g_quiet) std::fprintf(stderr, "%s\n", s.c_str());
}

}  // namespace gdmft
