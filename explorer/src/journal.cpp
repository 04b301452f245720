#include "mixq/explorer/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mixq/common/error.hpp"

namespace mixq::explorer {
namespace {

constexpr const char* kMagic = "mixq-journal 1 ";

[[noreturn]] void io_error(const std::string& what, const std::filesystem::path& file) {
  throw Error(what + " '" + file.string() + "': " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::filesystem::path& file) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write the journal", file);
    }
    done += static_cast<std::size_t>(n);
  }
}

void append_double(std::string& out, double v) {
  char buf[32];
  // Shortest text that reads back to the same double: resumed values are bit-identical.
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Parses the journal; returns the byte length of its valid prefix (header + closed batches).
std::size_t parse(const std::string& text, const std::string& fingerprint,
                  const std::filesystem::path& file, std::vector<JournalBatch>& out) {
  const auto eol = text.find('\n');
  if (eol == std::string::npos) return 0;  // not even a header: start afresh
  const std::string header = text.substr(0, eol);
  if (header != kMagic + fingerprint) {
    throw InputError(InputError::Kind::kValue, SourceLocation{file.string(), 1, 1, ""},
                     "this journal belongs to another sweep (or another version of this one): "
                     "remove it or run without --resume");
  }
  std::size_t valid = eol + 1;
  std::size_t pos = eol + 1;
  JournalBatch pending;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    if (end == std::string::npos) break;  // torn last line
    std::istringstream line(text.substr(pos, end - pos));
    char tag = 0;
    line >> tag;
    if (tag == 'P') {
      PointRecord p;
      std::string genome;
      int feasible = 0;
      line >> p.id >> genome >> feasible;
      p.genome = genome_from_string(genome);
      p.feasible = feasible != 0;
      std::string v;
      while (line >> v) {
        double d = 0;
        std::from_chars(v.data(), v.data() + v.size(), d);
        p.values.push_back(d);
      }
      pending.points.push_back(std::move(p));
    } else if (tag == 'B') {
      std::size_t count = 0;
      line >> pending.batch >> count;
      if (!line || count != pending.points.size()) break;  // corrupt: stop here
      for (auto& p : pending.points) p.batch = pending.batch;
      out.push_back(std::move(pending));
      pending = {};
      valid = end + 1;
    } else {
      break;
    }
    pos = end + 1;
  }
  return valid;
}

}  // namespace

Journal::Journal(std::filesystem::path file, const std::string& fingerprint, bool resume)
    : file_(std::move(file)) {
  std::size_t valid = 0;
  if (resume && std::filesystem::exists(file_)) {
    std::ifstream in(file_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    valid = parse(ss.str(), fingerprint, file_, recovered_);
  }
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) io_error("cannot open the journal", file_);
  // Cut a torn tail off (or everything, for a fresh run), then append after the valid part.
  if (::ftruncate(fd_, static_cast<off_t>(valid)) != 0) io_error("cannot truncate the journal", file_);
  if (::lseek(fd_, static_cast<off_t>(valid), SEEK_SET) < 0) io_error("cannot seek the journal", file_);
  if (valid == 0) {
    write_all(fd_, kMagic + fingerprint + "\n", file_);
    if (::fsync(fd_) != 0) io_error("cannot sync the journal", file_);
  }
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(std::uint32_t batch, std::span<const PointRecord> points) {
  std::string out;
  out.reserve(points.size() * 64);
  for (const auto& p : points) {
    out += "P ";
    out += std::to_string(p.id);
    out += ' ';
    out += genome_to_string(p.genome);
    out += p.feasible ? " 1" : " 0";
    for (const double v : p.values) {
      out += ' ';
      append_double(out, v);
    }
    out += '\n';
  }
  out += "B " + std::to_string(batch) + " " + std::to_string(points.size()) + "\n";
  write_all(fd_, out, file_);
  if (::fdatasync(fd_) != 0) io_error("cannot sync the journal", file_);
}

}  // namespace mixq::explorer
