// The sweep journal: every evaluated point, appended one batch at a time with a single
// write() followed by fsync(), so that a batch is durable once append() returns and a crash
// (kill -9, power loss) leaves at worst one torn batch at the end.
//
// Format (text, one record per line):
//   mixq-journal 1 <fingerprint>
//   P <id> <genome> <feasible 0|1> <value>...     (values with 17 significant digits)
//   B <batch> <points in batch>                   (closes a batch)
// Only batches closed by their B line count; a reader drops anything after the last one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "mixq/explorer/results.hpp"

namespace mixq::explorer {

struct JournalBatch {
  std::uint32_t batch = 0;
  std::vector<PointRecord> points;
};

class Journal {
 public:
  // Opens `file` for appending. With `resume`, reads the complete batches back (checking the
  // fingerprint: a journal of another sweep is an error) and cuts off a torn tail; without,
  // starts a new file (an existing one is replaced).
  Journal(std::filesystem::path file, const std::string& fingerprint, bool resume);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  [[nodiscard]] const std::vector<JournalBatch>& recovered() const noexcept { return recovered_; }
  // Appends one batch durably (write + fsync). Throws mixq::Error on an I/O failure.
  void append(std::uint32_t batch, std::span<const PointRecord> points);

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  std::vector<JournalBatch> recovered_;
};

}  // namespace mixq::explorer
