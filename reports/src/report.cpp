#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "mixq/reports/report.hpp"
#include "plots.hpp"
#include "text.hpp"

namespace mixq::reports {
namespace {

using explorer::SweepResult;
using detail::fmt;
using detail::html;

// Bits of a layer list, compressed: "8 4 4 4 2" → "8 4×3 2".
std::string bits_text(const std::vector<int>& bits) {
  std::string out;
  for (std::size_t i = 0; i < bits.size();) {
    std::size_t j = i;
    while (j < bits.size() && bits[j] == bits[i]) ++j;
    out += (out.empty() ? "" : " ") + std::to_string(bits[i]);
    if (j - i > 1) out += "&times;" + std::to_string(j - i);
    i = j;
  }
  return out;
}

std::string page(const SweepResult& r, const std::vector<detail::Plot>& plots,
                 const std::vector<std::string>& warnings) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mixq sweep "
    << html(r.name) << "</title>\n<style>\n"
       "body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}\n"
       "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}\n"
       "th{background:#eee}td.l{text-align:left}tr.knee{background:#e6f4e6}\n"
       "figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}pre{background:#f6f6f6;padding:1em;overflow:auto}\n"
       ".warn{color:#a00}\n</style></head><body>\n";
  h << "<h1>Sweep <code>" << html(r.name) << "</code></h1>\n";
  h << "<table>\n<tr><th>workload</th><td class=l>" << html(r.workload) << "</td></tr>\n"
    << "<tr><th>strategy</th><td class=l>" << html(r.strategy) << " (seed " << r.seed << ")</td></tr>\n"
    << "<tr><th>hardware</th><td class=l>";
  for (std::size_t i = 0; i < r.hardware.size(); ++i) h << (i ? ", " : "") << html(r.hardware[i]);
  h << "</td></tr>\n<tr><th>space</th><td class=l>" << fmt(r.space_size) << " points</td></tr>\n"
    << "<tr><th>evaluated</th><td class=l>" << r.points.size() << " points (" << r.resumed_points
    << " read back from the journal), " << fmt(r.seconds) << " s</td></tr>\n"
    << "<tr><th>Pareto front</th><td class=l>" << r.front.size() << " points</td></tr>\n"
    << "<tr><th>hypervolume</th><td class=l>" << fmt(r.hypervolume) << " against reference (";
  for (std::size_t k = 0; k < r.objectives.size() && k < r.reference.size(); ++k) {
    h << (k ? ", " : "") << explorer::info(r.objectives[k]).name << " = " << fmt(r.reference[k])
      << (*explorer::info(r.objectives[k]).unit ? " " : "") << explorer::info(r.objectives[k]).unit;
  }
  h << "), in the minimized view (maximized objectives negated), natural units</td></tr>\n</table>\n";
  for (const auto& w : warnings) h << "<p class=warn>" << html(w) << "</p>\n";
  h << "<p>Tables: <a href=\"front.csv\">front.csv</a>, <a href=\"front.json\">front.json</a>, "
       "<a href=\"points.csv\">points.csv</a>, <a href=\"points.json\">points.json</a>.</p>\n";

  h << "<h2>Plots</h2>\n";
  for (const auto& p : plots) {
    h << "<figure><a href=\"" << html(p.stem) << ".svg\"><img src=\"" << html(p.stem)
      << ".png\" alt=\"" << html(p.title) << "\"></a><figcaption>" << html(p.title)
      << " (<a href=\"" << html(p.stem) << ".svg\">SVG</a>)</figcaption></figure>\n";
  }

  h << "<h2>Pareto front</h2>\n<table>\n<tr><th>#</th><th>hardware</th>";
  for (const auto k : r.objectives) h << "<th>" << html(display_unit(k).label) << "</th>";
  h << "<th>weight bits per layer</th><th>activation bits per layer</th></tr>\n";
  for (std::size_t k = 0; k < r.front.size(); ++k) {
    const auto& p = r.points[r.front[k]];
    const bool knee = r.knee && *r.knee == k;
    const auto bits = explorer::decode_bits(r, p.genome);
    h << "<tr" << (knee ? " class=knee" : "") << "><td>" << p.id << (knee ? " knee" : "")
      << "</td><td class=l>" << html(r.hardware.at(p.genome.at(0))) << "</td>";
    for (std::size_t o = 0; o < r.objectives.size(); ++o) {
      h << "<td>" << fmt(p.values[o] * display_unit(r.objectives[o]).scale) << "</td>";
    }
    h << "<td class=l>" << bits_text(bits.w) << "</td><td class=l>" << bits_text(bits.a) << "</td></tr>\n";
  }
  h << "</table>\n<p>Layers, in order: " << html([&] {
    std::string s;
    for (std::size_t i = 0; i < r.layers.size(); ++i) s += (i ? ", " : "") + r.layers[i];
    return s;
  }()) << ".</p>\n";
  h << "<h2>Sweep configuration</h2>\n<pre>" << html(r.config_text) << "</pre>\n</body></html>\n";
  return h.str();
}

}  // namespace

Report write_report(const SweepResult& r, const std::filesystem::path& dir,
                    const ReportOptions& options) {
  std::filesystem::create_directories(dir);
  write_tables(r, dir);
  Report rep;
  auto plots = detail::write_plot_script(r, dir, options);
  const int rc = detail::run_gnuplot(dir, options.gnuplot, "plots.gp");
  if (rc != 0) {
    rep.warnings.push_back("gnuplot failed (exit status " + std::to_string(rc) + "): see " +
                           (dir / "gnuplot.log").string() + "; plots are missing");
  }
  // Only plots whose both images exist are shown: the page never links a missing file.
  std::vector<detail::Plot> drawn;
  for (const auto& p : plots) {
    const auto png = dir / (p.stem + ".png");
    const auto svg = dir / (p.stem + ".svg");
    if (std::filesystem::exists(png) && std::filesystem::exists(svg) &&
        std::filesystem::file_size(png) > 0) {
      drawn.push_back(p);
      rep.images.push_back(png);
      rep.images.push_back(svg);
    } else if (rc == 0) {
      rep.warnings.push_back("plot '" + p.stem + "' was not drawn: see gnuplot.log");
    }
  }
  rep.index = dir / "index.html";
  std::ofstream out(rep.index);
  out << page(r, drawn, rep.warnings);
  if (!out) throw Error("cannot write '" + rep.index.string() + "'");
  return rep;
}

}  // namespace mixq::reports
