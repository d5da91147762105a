#include "numerics/memory.hpp"

#include "numerics/errors.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace gdmft {

double available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    double kb = 0;
    while (in >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024.0;
    return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

void require_memory(const std::string& key, double bytes, const std::string& what) {
    const double avail = available_memory_bytes();
    if (bytes <= avail) return;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s needs %.0f bytes (%.3g GB), more than the %.3g GB available", what.c_str(), bytes,
                  bytes / 1e9, avail / 1e9);
    throw BadInput(key, buf);
}

}  // namespace gdmft
