#include "format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mixq::cli {

std::string human_count(double value) {
  const char* units[] = {"", " k", " M", " G", " T", " P"};
  int unit = 0;
  while (std::fabs(value) >= 1000.0 && unit < 5) {
    value /= 1000.0;
    ++unit;
  }
  char buf[64];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g%s", value, units[unit]);
  }
  return buf;
}

std::string human_bytes_from_bits(std::int64_t bits) {
  double bytes = static_cast<double>(bits) / 8.0;
  const char* units[] = {" B", " kB", " MB", " GB", " TB"};
  int unit = 0;
  while (bytes >= 1000.0 && unit < 4) {
    bytes /= 1000.0;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.4g%s" : "%.3g%s", bytes, units[unit]);
  return buf;
}

std::string duration_text(double s) {
  if (!std::isfinite(s) || s < 0) return "--";
  const auto t = static_cast<long long>(s + 0.5);
  char buf[32];
  if (t < 60) {
    std::snprintf(buf, sizeof buf, "%llds", t);
  } else if (t < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, t / 60 % 60);
  }
  return buf;
}

std::string text_bar(double fraction, int width, char done, char head, char rest) {
  // Clamped before the cast: a double beyond int's range converts with undefined behaviour.
  const double f = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
  const int filled = std::min(width, static_cast<int>(f * width));
  std::string bar(static_cast<std::size_t>(filled), done);
  if (filled < width && head != '\0') bar += head;
  bar.resize(static_cast<std::size_t>(width), rest);
  return bar;
}

bool Redraw::due(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(100)) return false;
  last_ = now;
  return true;
}

Table::Table(std::vector<std::string> headers) {
  for (auto& h : headers) {
    const bool left = !h.empty() && h.front() == '<';
    left_.push_back(left);
    headers_.push_back(left ? h.substr(1) : h);
  }
}

void Table::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

void Table::add_rule() { rows_.emplace_back(); }

void Table::print(std::ostream& os) const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      os << (c == 0 ? "" : "  ") << (left_[c] ? cells[c] + pad : pad + cells[c]);
    }
    os << '\n';
  };
  std::size_t total = 0;
  for (const auto w : width) total += w + 2;
  const std::string rule(total > 2 ? total - 2 : 0, '-');
  line(headers_);
  os << rule << '\n';
  for (const auto& row : rows_) {
    if (row.empty()) {
      os << rule << '\n';
    } else {
      line(row);
    }
  }
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}

std::string seconds(double s) {
  char buf[32];
  if (s >= 1) {
    std::snprintf(buf, sizeof buf, "%.3g s", s);
  } else if (s >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  }
  return buf;
}

std::string energy(double pj) {
  char buf[32];
  if (pj >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3g mJ", pj * 1e-9);
  } else if (pj >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3g uJ", pj * 1e-6);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g nJ", pj * 1e-3);
  }
  return buf;
}

}  // namespace mixq::cli
