// Internal: the gnuplot script and data files of a report.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mixq/reports/report.hpp"

namespace mixq::reports::detail {

struct Plot {
  std::string stem;   // file name without extension
  std::string title;  // caption in index.html
};

// Writes the data files and plots.gp into `dir`; returns the plots it draws.
[[nodiscard]] std::vector<Plot> write_plot_script(const explorer::SweepResult& r,
                                                  const std::filesystem::path& dir,
                                                  const ReportOptions& options);

// Front points shown in the heatmap and the energy bars: all when few, else evenly spaced
// along the front (sorted by the first objective) with the knee always included.
[[nodiscard]] std::vector<std::size_t> shown_front(const explorer::SweepResult& r, std::size_t max);

}  // namespace mixq::reports::detail
