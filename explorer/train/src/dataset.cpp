// IDX reading with zlib. gzopen() reads gzip and plain files alike (it passes non-gzip data
// through), so one path serves both; truncation shows up as a short read, corruption of the
// compressed stream as a gzread() error.
#include "mixq/train/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>

namespace mixq::train {

namespace {

const char* kind_text(DataError::Kind k) {
  switch (k) {
    case DataError::Kind::kMissing: return "missing";
    case DataError::Kind::kTruncated: return "truncated";
    case DataError::Kind::kCorrupt: return "corrupt";
    case DataError::Kind::kMismatch: return "inconsistent";
  }
  return "bad";
}

class GzFile {
 public:
  explicit GzFile(const std::filesystem::path& file) : file_(file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      throw DataError(DataError::Kind::kMissing, file, "no such file");
    }
    f_ = gzopen(file.c_str(), "rb");
    if (f_ == nullptr) throw DataError(DataError::Kind::kMissing, file, "cannot open");
    gzbuffer(f_, 1 << 17);
  }
  ~GzFile() {
    if (f_ != nullptr) gzclose(f_);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads exactly `n` bytes or throws (truncated / corrupt), naming `what`.
  void read(void* dst, std::size_t n, const char* what) {
    auto* p = static_cast<unsigned char*>(dst);
    while (n > 0) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
      const int got = gzread(f_, p, chunk);
      if (got < 0) {
        int errnum = 0;
        const char* msg = gzerror(f_, &errnum);
        throw DataError(DataError::Kind::kCorrupt, file_,
                        std::string("compressed data is corrupt while reading ") + what + ": " +
                            (msg != nullptr ? msg : "zlib error"));
      }
      if (got == 0) {
        int errnum = 0;
        const char* msg = gzerror(f_, &errnum);
        if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
          throw DataError(DataError::Kind::kCorrupt, file_,
                          std::string("compressed data is corrupt while reading ") + what + ": " +
                              (msg != nullptr ? msg : "zlib error"));
        }
        throw DataError(DataError::Kind::kTruncated, file_,
                        std::string("file ends early while reading ") + what);
      }
      p += got;
      n -= static_cast<std::size_t>(got);
    }
  }
  // True when no byte follows (trailing data is tolerated but a bad stream is not).
  void check_clean_end() {
    unsigned char extra = 0;
    const int got = gzread(f_, &extra, 1);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f_, &errnum);
      throw DataError(DataError::Kind::kCorrupt, file_,
                      std::string("compressed data is corrupt: ") + (msg != nullptr ? msg : ""));
    }
  }

 private:
  std::filesystem::path file_;
  gzFile f_ = nullptr;
};

std::uint32_t big_endian(const std::array<unsigned char, 4>& b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

std::filesystem::path find_split_file(const std::filesystem::path& dir, const std::string& stem) {
  for (const char* ext : {".gz", ""}) {
    auto p = dir / (stem + ext);
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  throw DataError(DataError::Kind::kMissing, dir / (stem + ".gz"),
                  "no such file (nor " + stem + " uncompressed); install Debian's "
                  "dataset-fashion-mnist or pass the directory that holds the IDX files");
}

}  // namespace

DataError::DataError(Kind kind, const std::filesystem::path& file, const std::string& message)
    : Error(file.string() + ": " + kind_text(kind) + " IDX data: " + message),
      kind_(kind),
      file_(file) {}

IdxArray read_idx(const std::filesystem::path& file, std::int64_t max_items) {
  GzFile f(file);
  std::array<unsigned char, 4> magic{};
  f.read(magic.data(), 4, "the magic number");
  if (magic[0] != 0 || magic[1] != 0) {
    throw DataError(DataError::Kind::kCorrupt, file, "bad magic number (not an IDX file)");
  }
  if (magic[2] != 0x08) {
    throw DataError(DataError::Kind::kCorrupt, file,
                    "element type " + std::to_string(magic[2]) +
                        " is not supported (only 0x08, unsigned byte)");
  }
  const int ndim = magic[3];
  if (ndim < 1 || ndim > 4) {
    throw DataError(DataError::Kind::kCorrupt, file,
                    "bad number of dimensions " + std::to_string(ndim));
  }
  IdxArray out;
  std::int64_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    std::array<unsigned char, 4> b{};
    f.read(b.data(), 4, "the dimensions");
    const std::int64_t dim = big_endian(b);
    if (dim <= 0 || dim > (1 << 28) || total > (std::int64_t{1} << 34) / dim) {
      throw DataError(DataError::Kind::kCorrupt, file,
                      "implausible dimension " + std::to_string(dim));
    }
    out.dims.push_back(dim);
    total *= dim;
  }
  const bool partial = max_items > 0 && max_items < out.dims[0];
  if (partial) {
    total = total / out.dims[0] * max_items;
    out.dims[0] = max_items;
  }
  // Grown chunk by chunk as the data arrives, so that a header claiming far more elements
  // than the file holds fails as truncated instead of allocating the claim up front.
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  const auto wanted = static_cast<std::size_t>(total);
  out.data.reserve(std::min(wanted, 64 * kChunk));
  while (out.data.size() < wanted) {
    const std::size_t n = std::min(kChunk, wanted - out.data.size());
    const std::size_t at = out.data.size();
    out.data.resize(at + n);
    f.read(out.data.data() + at, n, "the elements");
  }
  if (!partial) f.check_clean_end();
  return out;
}

Dataset Dataset::head(std::int64_t n) const {
  if (n <= 0 || n >= size()) return *this;
  Dataset d;
  d.channels = channels;
  d.height = height;
  d.width = width;
  d.classes = classes;
  d.images.assign(images.begin(), images.begin() + n * sample_elements());
  d.labels.assign(labels.begin(), labels.begin() + n);
  return d;
}

std::filesystem::path default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

Dataset load_mnist_format(const std::filesystem::path& dir, const std::string& split,
                          std::int64_t max_items) {
  const auto img_file = find_split_file(dir, split + "-images-idx3-ubyte");
  const auto lbl_file = find_split_file(dir, split + "-labels-idx1-ubyte");
  const IdxArray img = read_idx(img_file, max_items);
  const IdxArray lbl = read_idx(lbl_file, max_items);
  if (img.dims.size() != 3) {
    throw DataError(DataError::Kind::kCorrupt, img_file,
                    "images must have 3 dimensions, found " + std::to_string(img.dims.size()));
  }
  if (lbl.dims.size() != 1) {
    throw DataError(DataError::Kind::kCorrupt, lbl_file,
                    "labels must have 1 dimension, found " + std::to_string(lbl.dims.size()));
  }
  if (img.dims[0] != lbl.dims[0]) {
    throw DataError(DataError::Kind::kMismatch, lbl_file,
                    std::to_string(lbl.dims[0]) + " labels for " + std::to_string(img.dims[0]) +
                        " images in " + img_file.string());
  }
  Dataset d;
  d.channels = 1;
  d.height = img.dims[1];
  d.width = img.dims[2];
  d.classes = 10;
  for (std::size_t i = 0; i < lbl.data.size(); ++i) {
    if (lbl.data[i] >= d.classes) {
      throw DataError(DataError::Kind::kCorrupt, lbl_file,
                      "label " + std::to_string(lbl.data[i]) + " of sample " + std::to_string(i) +
                          " is outside [0, 10)");
    }
  }
  d.labels = lbl.data;
  d.images.reserve(img.data.size());
  for (const std::uint8_t v : img.data) d.images.push_back(static_cast<float>(v) * (1.0F / 255.0F));
  return d;
}

}  // namespace mixq::train
