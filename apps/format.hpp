// Terminal tables and number formatting for the CLI (the library itself never prints).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mixq::cli {

// "1.23 M", "456 k": counts in engineering units.
std::string human_count(double value);
// Bits as bytes: "12.3 kB", "1.23 MB" (decimal units).
std::string human_bytes_from_bits(std::int64_t bits);

// "12.5%": a fraction as a percentage.
std::string percent(double fraction);
// Seconds and picojoules in the unit that reads best ("44.3 us", "1.1 uJ").
std::string seconds(double s);
std::string energy(double pj);

// A duration (time taken, or time left) as "42s", "3m07s", "2h05m"; "--" when unknown
// (negative or not finite, e.g. an ETA before the first rate is known).
std::string duration_text(double s);
// A progress bar `width` characters wide for a fraction in [0, 1]: `done` characters, then
// `head` at the tip while unfinished (none when head is '\0'), then `rest` characters.
std::string text_bar(double fraction, int width, char done, char head, char rest);

// Progress lines redraw at most ten times a second: more only costs terminal time.
class Redraw {
 public:
  bool due(bool force = false);

 private:
  std::chrono::steady_clock::time_point last_{};
};

// Columns are left-aligned when their header starts with '<', right-aligned otherwise.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add(std::vector<std::string> row);
  void add_rule();
  void print(std::ostream& os) const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> left_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

}  // namespace mixq::cli
