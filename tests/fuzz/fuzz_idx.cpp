// IDX data files (plain or gzip): any bytes either read into an IdxArray or raise DataError.
// The reader takes a path, so each input is written to a per-process file first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "mixq/train/dataset.hpp"

namespace {

std::filesystem::path input_file() {
  static const auto path =
      std::filesystem::temp_directory_path() / ("mixq_fuzz_idx_" + std::to_string(::getpid()) + ".idx");
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(input_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    // A bounded subset keeps a header that claims billions of items from allocating them.
    (void)mixq::train::read_idx(input_file(), 1000);
  } catch (const mixq::train::DataError&) {
  }
  return 0;
}
