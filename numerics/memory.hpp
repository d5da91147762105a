#pragma once
// Memory checks before large allocations: a run that cannot fit stops with BadInput naming the option
// that sized it and the bytes it would need, instead of failing halfway with std::bad_alloc.
#include <cstddef>
#include <string>

namespace gdmft {

// Bytes of memory available now (MemAvailable of /proc/meminfo; physical memory if that is unreadable).
double available_memory_bytes();

// Throws BadInput(key, ...) if `bytes` exceeds the available memory. `what` names the allocation.
void require_memory(const std::string& key, double bytes, const std::string& what);

}  // namespace gdmft
