// Reports of a finished sweep (explorer::SweepResult only): tables (CSV and JSON of all points
// and of the front), gnuplot plots (SVG and PNG) and an index.html that shows them.
//
// Layout of DIR (the report folder, usually RESULTS/report):
//   points.csv points.json front.csv front.json      the tables
//   front_<y>_vs_<x>.{png,svg}                        2-D fronts for objective pairs
//   hardware_fronts.{png,svg}                         each hardware variant's front, one picture
//   bits_heatmap.{png,svg}                            per-layer w/a bits of front points
//   energy_breakdown.{png,svg}                        energy by component of front points
//   *.gp *.dat gnuplot.log                            what drew them (rerun by hand if needed)
//   index.html
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mixq/explorer/comparison.hpp"
#include "mixq/explorer/results.hpp"

namespace mixq::reports {

struct ReportOptions {
  std::string gnuplot = "gnuplot";     // the program; plots are skipped (with a warning) when absent
  std::size_t max_cloud_points = 20000;  // grey background points per plot, evenly subsampled
  std::size_t max_bar_points = 24;       // front points in the heatmap and energy bars
};

struct Report {
  std::filesystem::path index;              // index.html
  std::vector<std::filesystem::path> images;  // every image index.html references
  std::vector<std::string> warnings;        // e.g. gnuplot missing or failing
};

// Writes the four tables into `dir`.
void write_tables(const explorer::SweepResult& r, const std::filesystem::path& dir);

// Tables, plots and index.html. Throws mixq::Error when `dir` cannot be written; a failing
// gnuplot is a warning (the tables and the page are still written).
[[nodiscard]] Report write_report(const explorer::SweepResult& r, const std::filesystem::path& dir,
                                  const ReportOptions& options = {});

// The report of a comparison of strategies (explorer::run_comparison) in `dir`: comparison.csv
// and comparison.json (save_comparison), comparison.{png,svg} — every strategy's points and
// 2-D front, accuracy against the budget objective (else the first two objectives), with the
// budget drawn — and an index.html with the table, linking each strategy's own report in
// ../LABEL/report/. Errors as write_report.
[[nodiscard]] Report write_comparison_report(const explorer::ComparisonResult& c,
                                             const std::filesystem::path& dir,
                                             const ReportOptions& options = {});

// Display units of an objective in tables and plots: "latency (ms)" with its scale.
struct DisplayUnit {
  std::string label;
  double scale = 1;
};
[[nodiscard]] DisplayUnit display_unit(explorer::ObjectiveKind kind);

}  // namespace mixq::reports
