#pragma once
// One number formatted by a printf specification (for log lines and result messages).
#include <cstdio>
#include <string>

namespace gdmft {

inline std::string fmt(const char* spec, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

}  // namespace gdmft
