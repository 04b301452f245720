// Image-classification data: IDX files (LeCun's MNIST format, gzip-compressed or plain), as
// Debian's dataset-fashion-mnist ships them under /usr/share/datasets/fashion-mnist.
//
// Contract: a file that is missing, truncated, not IDX, or whose image and label counts
// disagree throws DataError naming the file and what is wrong; nothing is printed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mixq/common/error.hpp"

namespace mixq::train {

class DataError : public Error {
 public:
  enum class Kind { kMissing, kTruncated, kCorrupt, kMismatch };
  DataError(Kind kind, const std::filesystem::path& file, const std::string& message);
  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  Kind kind_;
  std::filesystem::path file_;
};

// One IDX array: magic 0x0000TTDD (TT = 0x08 unsigned byte, the only element type the data
// sets use; DD = number of dimensions), big-endian 32-bit dimensions, then the elements.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
};
// Reads a .gz (detected by its magic bytes, not its name) or a plain IDX file with zlib.
// `max_items` > 0 reads only that many entries of the first dimension (a quick subset).
[[nodiscard]] IdxArray read_idx(const std::filesystem::path& file, std::int64_t max_items = 0);

// N images of channels × height × width, pixels scaled to [0, 1], labels in [0, classes).
struct Dataset {
  std::int64_t channels = 1;
  std::int64_t height = 0;
  std::int64_t width = 0;
  int classes = 10;
  std::vector<float> images;  // sample-major: images[(i·C + c)·H·W + y·W + x]
  std::vector<std::uint8_t> labels;

  [[nodiscard]] std::int64_t size() const noexcept {
    return static_cast<std::int64_t>(labels.size());
  }
  [[nodiscard]] std::int64_t sample_elements() const noexcept { return channels * height * width; }
  // The first `n` samples (all when n <= 0 or n >= size()).
  [[nodiscard]] Dataset head(std::int64_t n) const;
};

// The directory of Debian's dataset-fashion-mnist package.
[[nodiscard]] std::filesystem::path default_fashion_mnist_dir();

// `split` is "train" (60,000 images) or "t10k" (10,000): reads
// DIR/<split>-images-idx3-ubyte(.gz) and DIR/<split>-labels-idx1-ubyte(.gz).
// `max_items` > 0 loads only the first that many samples.
[[nodiscard]] Dataset load_mnist_format(const std::filesystem::path& dir, const std::string& split,
                                        std::int64_t max_items = 0);

}  // namespace mixq::train
