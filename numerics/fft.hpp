#pragma once
// FFTW conventions shared by every module: plan creation is serialised by one mutex (FFTW's planner
// is not thread-safe); plans are made once and executed with the new-array interface from any thread.
#include <fftw3.h>

#include <mutex>

namespace gdmft::fft {

std::mutex& planner_mutex();

// Smallest size >= n of the form 2^a 3^b 5^c (fast for FFTW).
std::size_t good_size(std::size_t n);

}  // namespace gdmft::fft
