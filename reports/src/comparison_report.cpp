// The comparison page: one table row and one colour per strategy (report.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "mixq/explorer/pareto.hpp"
#include "mixq/reports/report.hpp"
#include "text.hpp"

namespace mixq::reports {
namespace {

using explorer::ObjectiveKind;
using detail::fmt;
using detail::gnuplot_string;
using detail::html;

// The picture's axes: accuracy (y) against the budget objective (x), else against the first
// cost, else the first two objectives.
std::pair<std::size_t, std::size_t> axes(const explorer::ComparisonResult& c) {
  const auto& o = c.objectives;
  const auto find = [&](ObjectiveKind k) { return static_cast<std::size_t>(std::find(o.begin(), o.end(), k) - o.begin()); };
  const std::size_t acc = find(ObjectiveKind::kAccuracy);
  if (acc < o.size()) {
    if (c.budget) return {find(c.budget->objective), acc};
    for (std::size_t k = 0; k < o.size(); ++k) {
      if (k != acc) return {k, acc};
    }
  }
  return {0, o.size() > 1 ? 1 : 0};
}

}  // namespace

Report write_comparison_report(const explorer::ComparisonResult& c, const std::filesystem::path& dir,
                               const ReportOptions& options) {
  std::filesystem::create_directories(dir);
  explorer::save_comparison(c, dir);
  Report rep;
  const auto [x, y] = axes(c);
  const auto ux = display_unit(c.objectives[x]);
  const auto uy = display_unit(c.objectives[y]);
  // Data: every feasible point of each run, and its 2-D front on (x, y), sorted by x.
  for (std::size_t i = 0; i < c.runs.size(); ++i) {
    const auto& r = c.runs[i];
    std::vector<std::size_t> members;
    std::vector<explorer::Vector> v;
    std::ofstream pts(dir / ("cmp_" + std::to_string(i) + "_points.dat"));
    for (std::size_t p = 0; p < r.points.size(); ++p) {
      if (!r.points[p].feasible) continue;
      const auto m = explorer::to_minimized(c.objectives, r.points[p].values);
      members.push_back(p);
      v.push_back({m[x], m[y]});
      pts << r.points[p].values[x] * ux.scale << ' ' << r.points[p].values[y] * uy.scale << '\n';
    }
    std::vector<std::size_t> front;
    for (const std::size_t k : explorer::non_dominated(v)) front.push_back(members[k]);
    std::sort(front.begin(), front.end(), [&r, xi = x](std::size_t a, std::size_t b) {
      return r.points[a].values[xi] < r.points[b].values[xi];
    });
    std::ofstream f(dir / ("cmp_" + std::to_string(i) + "_front.dat"));
    for (const std::size_t p : front) {
      f << r.points[p].values[x] * ux.scale << ' ' << r.points[p].values[y] * uy.scale << '\n';
    }
  }
  std::ostringstream body;
  body << "set title " << gnuplot_string("Strategies on " + c.workload + (c.hardware.size() == 1 ? " / " + c.hardware[0] : "")) << "\n"
       << "set xlabel " << gnuplot_string(ux.label) << "\nset ylabel " << gnuplot_string(uy.label) << "\n"
       << "set grid\nset key outside right top\n";
  const bool budget_line = c.budget && c.objectives[x] == c.budget->objective && !c.w8a8_cost.empty();
  if (budget_line) {
    const double bx = c.budget->fraction_of_w8a8 * c.w8a8_cost[0] * ux.scale;
    body << "set arrow from " << bx << ", graph 0 to " << bx << ", graph 1 nohead dt 2 lw 1.5 lc rgb '#444444'\n"
         << "set label " << gnuplot_string("budget " + fmt(c.budget->fraction_of_w8a8, "%.2g") + " x w8a8")
         << " at " << bx << ", graph 0.03 left offset 0.5,0\n";
  }
  body << "plot ";
  for (std::size_t i = 0; i < c.runs.size(); ++i) {
    const std::string lt = std::to_string(i + 1);
    body << (i ? ", \\\n     " : "") << gnuplot_string("cmp_" + std::to_string(i) + "_points.dat")
         << " using 1:2 with points pt 7 ps 0.45 lc " << lt << " notitle, \\\n     "
         << gnuplot_string("cmp_" + std::to_string(i) + "_front.dat")
         << " using 1:2 with linespoints pt 7 ps 0.9 lw 2 lc " << lt << " title "
         << gnuplot_string(c.rows[i].label);
  }
  body << "\n";
  {
    std::ofstream gp(dir / "comparison.gp");
    for (const char* term : {"png", "svg"}) {
      const std::string t = term;
      gp << (t == "png" ? "set terminal pngcairo size 1000,650 noenhanced font 'sans,10'\n"
                        : "set terminal svg size 1000,650 noenhanced font 'sans,10' background '#ffffff'\n")
         << "set output 'comparison." << t << "'\n" << body.str() << "set output\nreset\n";
    }
  }
  const int rc = detail::run_gnuplot(dir, options.gnuplot, "comparison.gp");
  const bool drawn = rc == 0 && std::filesystem::exists(dir / "comparison.png") &&
                     std::filesystem::exists(dir / "comparison.svg") &&
                     std::filesystem::file_size(dir / "comparison.png") > 0;
  if (drawn) {
    rep.images = {dir / "comparison.png", dir / "comparison.svg"};
  } else {
    rep.warnings.push_back("gnuplot failed (exit status " + std::to_string(rc) + "): see " +
                           (dir / "gnuplot.log").string() + "; the comparison plot is missing");
  }

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mixq comparison "
    << html(c.name) << "</title>\n<style>\nbody{font-family:sans-serif;margin:2em;max-width:1200px}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    << "td.l{text-align:left}img{max-width:100%}.warn{color:#a00}\n</style></head><body>\n";
  h << "<h1>Comparison <code>" << html(c.name) << "</code></h1>\n<p>" << html(c.workload) << " on ";
  for (std::size_t i = 0; i < c.hardware.size(); ++i) h << (i ? ", " : "") << html(c.hardware[i]);
  if (c.budget) {
    h << "; budget: " << info(c.budget->objective).name << " &le; "
      << fmt(c.budget->fraction_of_w8a8) << " &times; w8a8 (";
    const auto ub = display_unit(c.budget->objective);
    for (std::size_t i = 0; i < c.w8a8_cost.size(); ++i) {
      h << (i ? ", " : "") << fmt(c.w8a8_cost[i] * ub.scale) << " " << html(ub.label);
    }
    h << " at w8a8)";
  }
  if (c.finetune) h << "; best points fine-tuned for " << c.finetune->epochs << " epoch(s) at their bits";
  h << ". Hypervolumes against one reference point (";
  for (std::size_t k = 0; k < c.objectives.size(); ++k) {
    h << (k ? ", " : "") << info(c.objectives[k]).name << " " << fmt(c.reference[k]);
  }
  h << ").</p>\n";
  for (const auto& w : rep.warnings) h << "<p class=warn>" << html(w) << "</p>\n";
  h << "<table>\n<tr><th>strategy</th><th>search</th><th>precision</th><th>evaluations</th><th>time (s)</th>"
       "<th>front</th><th>hypervolume</th><th>within budget</th><th>best accuracy</th><th>its cost / w8a8</th>";
  if (c.finetune) h << "<th>after fine-tune</th>";
  h << "<th>its bits</th></tr>\n";
  for (const auto& r : c.rows) {
    h << "<tr><td class=l><a href=\"../" << html(r.label) << "/report/index.html\">" << html(r.label)
      << "</a></td><td class=l>" << html(r.strategy) << "</td><td class=l>" << html(r.granularity)
      << "</td><td>" << r.evaluations << "</td><td>" << fmt(r.seconds, "%.1f") << "</td><td>" << r.front_size
      << "</td><td>" << fmt(r.hypervolume) << "</td><td>" << r.within_budget << "</td>";
    if (r.best) h << "<td>" << fmt(r.best_accuracy) << "</td><td>" << fmt(r.best_fraction, "%.3f") << "</td>";
    else h << "<td>&ndash;</td><td>&ndash;</td>";
    if (c.finetune) h << "<td>" << (r.finetuned_accuracy ? fmt(*r.finetuned_accuracy) : "&ndash;") << "</td>";
    h << "<td class=l><code>" << html(r.best_bits) << "</code></td></tr>\n";
  }
  h << "</table>\n";
  if (drawn) {
    h << "<figure><a href=\"comparison.svg\"><img src=\"comparison.png\" alt=\"every strategy's points and "
         "front\"></a><figcaption>Every strategy's points (small) and front (line)"
      << (budget_line ? "; dashed: the budget on the first hardware variant" : "")
      << " (<a href=\"comparison.svg\">SVG</a>)</figcaption></figure>\n";
  }
  h << "<h2>Sweep configuration</h2>\n<pre>" << html(c.config_text) << "</pre>\n</body></html>\n";
  rep.index = dir / "index.html";
  std::ofstream out(rep.index);
  out << h.str();
  if (!out) throw Error("cannot write '" + rep.index.string() + "'");
  return rep;
}

}  // namespace mixq::reports
