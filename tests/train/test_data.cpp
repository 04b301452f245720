// IDX reading: the real Fashion-MNIST files, and broken files the test writes itself.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mixq/train/dataset.hpp"

namespace fs = std::filesystem;
using mixq::train::DataError;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("mixq_train_data_" + name + "_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::vector<unsigned char> idx_bytes(const std::vector<std::uint32_t>& dims, std::size_t elements_written,
                                     unsigned char type = 0x08) {
  std::vector<unsigned char> b{0, 0, type, static_cast<unsigned char>(dims.size())};
  for (auto d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(d >> s));
  }
  for (std::size_t i = 0; i < elements_written; ++i) b.push_back(static_cast<unsigned char>(i % 10));
  return b;
}

void write_gz(const fs::path& p, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  gzclose(f);
}

void write_plain(const fs::path& p, const std::vector<unsigned char>& bytes) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <typename Fn>
DataError::Kind error_kind(Fn&& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const DataError& e) {
    if (message != nullptr) *message = e.what();
    return e.kind();
  }
  FAIL("no DataError was thrown");
  return DataError::Kind::kMissing;
}

}  // namespace

TEST_CASE("Fashion-MNIST from Debian's package: 60,000 + 10,000 images of 28x28, labels 0-9", "[train][data]") {
  const auto dir = mixq::train::default_fashion_mnist_dir();
  const auto test = mixq::train::load_mnist_format(dir, "t10k");
  CHECK(test.size() == 10000);
  CHECK(test.height == 28);
  CHECK(test.width == 28);
  CHECK(test.images.size() == 10000u * 784u);
  // The test split is balanced: 1,000 images per class (Xiao et al. 2017).
  std::vector<int> per_class(10, 0);
  for (auto l : test.labels) ++per_class[l];
  for (int c : per_class) CHECK(c == 1000);
  float mx = 0;
  for (float v : test.images) mx = std::max(mx, v);
  CHECK(mx == 1.0F);
  CHECK(test.head(100).size() == 100);
  CHECK(test.head(0).size() == 10000);
}

TEST_CASE("IDX: gzip and plain files read the same for a 1-D and a 3-D array", "[train][data]") {
  const auto d = temp_dir("ok");
  write_gz(d / "a-images-idx3-ubyte.gz", idx_bytes({3, 2, 2}, 12));
  write_plain(d / "a-labels-idx1-ubyte", idx_bytes({3}, 3));
  const auto set = mixq::train::load_mnist_format(d, "a");
  CHECK(set.size() == 3);
  CHECK(set.height == 2);
  CHECK(set.labels == std::vector<std::uint8_t>{0, 1, 2});
  CHECK(set.images[11] == Approx(1.0 / 255.0));
  const auto arr = mixq::train::read_idx(d / "a-images-idx3-ubyte.gz");
  CHECK(arr.dims == std::vector<std::int64_t>{3, 2, 2});
  fs::remove_all(d);
}

TEST_CASE("IDX: missing, truncated, corrupt and inconsistent files give typed errors", "[train][data]") {
  const auto d = temp_dir("bad");
  std::string msg;
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "nope.gz"); }, &msg) == DataError::Kind::kMissing);
  CHECK(msg.find("nope.gz") != std::string::npos);
  CHECK(error_kind([&] { (void)mixq::train::load_mnist_format(d, "train"); }, &msg) == DataError::Kind::kMissing);
  CHECK(msg.find("dataset-fashion-mnist") != std::string::npos);

  // Truncated: the header promises 10 images of 2x2, the file holds 5 (gzip and plain).
  write_gz(d / "t.gz", idx_bytes({10, 2, 2}, 20));
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "t.gz"); }, &msg) == DataError::Kind::kTruncated);
  CHECK(msg.find("t.gz") != std::string::npos);
  write_plain(d / "t.idx", idx_bytes({10, 2, 2}, 20));
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "t.idx"); }) == DataError::Kind::kTruncated);
  // A gzip stream cut in half.
  write_gz(d / "half.gz", idx_bytes({100, 10, 10}, 10000));
  {
    const auto size = fs::file_size(d / "half.gz");
    fs::resize_file(d / "half.gz", size / 2);
  }
  const auto half = error_kind([&] { (void)mixq::train::read_idx(d / "half.gz"); });
  CHECK((half == DataError::Kind::kTruncated || half == DataError::Kind::kCorrupt));
  // Corrupt compressed bytes in the middle of the stream.
  write_gz(d / "c.gz", idx_bytes({100, 10, 10}, 10000));
  {
    std::fstream f(d / "c.gz", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    const char junk[16] = {'\x55', '\x12', '\x7f', '\x00', '\x33', '\x44', '\x10', '\x01', '\x55', '\x12', '\x7f', '\x00', '\x33', '\x44', '\x10', '\x01'};
    f.write(junk, sizeof junk);
  }
  const auto corrupt = error_kind([&] { (void)mixq::train::read_idx(d / "c.gz"); }, &msg);
  CHECK((corrupt == DataError::Kind::kCorrupt || corrupt == DataError::Kind::kTruncated));
  // Not IDX: bad magic, an unsupported element type, too many dimensions.
  write_plain(d / "m.idx", {1, 2, 8, 1, 0, 0, 0, 1, 5});
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "m.idx"); }, &msg) == DataError::Kind::kCorrupt);
  CHECK(msg.find("magic") != std::string::npos);
  write_plain(d / "f.idx", idx_bytes({1}, 4, 0x0D));
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "f.idx"); }) == DataError::Kind::kCorrupt);
  write_plain(d / "z.idx", idx_bytes({0}, 0));
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "z.idx"); }) == DataError::Kind::kCorrupt);
  // Labels that do not match the images, and a label outside [0, 10).
  write_gz(d / "x-images-idx3-ubyte.gz", idx_bytes({3, 2, 2}, 12));
  write_gz(d / "x-labels-idx1-ubyte.gz", idx_bytes({4}, 4));
  CHECK(error_kind([&] { (void)mixq::train::load_mnist_format(d, "x"); }) == DataError::Kind::kMismatch);
  auto labels = idx_bytes({3}, 3);
  labels.back() = 12;
  write_gz(d / "x-labels-idx1-ubyte.gz", labels);
  CHECK(error_kind([&] { (void)mixq::train::load_mnist_format(d, "x"); }, &msg) == DataError::Kind::kCorrupt);
  CHECK(msg.find("label 12") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("IDX: a header claiming gigabytes in a tiny file fails as truncated without allocating the claim", "[train][data][fuzz]") {
  // Found by fuzz_idx: 1 × 46,000 × 49,440 bytes (2.27 GB) claimed by a 20-byte file made the
  // reader allocate the claim before reading; it now grows the array as the data arrives.
  const auto d = temp_dir("claim");
  const auto peak_kib = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
  };
  const long before = peak_kib();
  write_plain(d / "big.idx", idx_bytes({1, 46000, 49440}, 4));
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "big.idx", 1000); }) == DataError::Kind::kTruncated);
  write_gz(d / "big.gz", idx_bytes({1, 46000, 49440}, 4));
  CHECK(error_kind([&] { (void)mixq::train::read_idx(d / "big.gz"); }) == DataError::Kind::kTruncated);
  // The peak resident size grew by far less than the 2.27 GB claimed (each test case runs in
  // its own process, so the peak is this test's).
  CHECK(peak_kib() - before < 256 * 1024);
  fs::remove_all(d);
}
