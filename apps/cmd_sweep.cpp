// mixq sweep: run a sweep file, write the journal, results and report; mixq plot: redraw.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "format.hpp"
#include "mixq/explorer/comparison.hpp"
#include "mixq/explorer/runner.hpp"
#include "mixq/reports/report.hpp"

namespace mixq::cli {
namespace {

std::string rate(double per_s) {
  char buf[32];
  if (per_s >= 1e6) std::snprintf(buf, sizeof buf, "%.2f M/s", per_s / 1e6);
  else if (per_s >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k/s", per_s / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f /s", per_s);
  return buf;
}

// One line on stderr, redrawn at most ten times a second: bar, count, rate, ETA, front size.
class SweepProgress {
 public:
  void update(const explorer::Progress& p, bool last = false) {
    if (!redraw_.due(last)) return;
    const double done = p.budget > 0 ? static_cast<double>(p.evaluated) / static_cast<double>(p.budget) : 1;
    const double fresh = static_cast<double>(p.evaluated - p.resumed);
    const double per_s = p.seconds > 0 ? fresh / p.seconds : 0;
    const double eta = per_s > 0 ? static_cast<double>(p.budget - p.evaluated) / per_s : -1;
    std::fprintf(stderr, "\r[%s] %lld/%lld %5.1f%%  %s  ETA %s  front %zu   ",
                 text_bar(done, 30, '#', '\0', '.').c_str(), static_cast<long long>(p.evaluated),
                 static_cast<long long>(p.budget), 100 * done, rate(per_s).c_str(),
                 duration_text(eta).c_str(), p.front_size);
    if (last) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  Redraw redraw_;
};

void print_summary(const explorer::SweepResult& r, const std::filesystem::path& out,
                   const reports::Report& rep) {
  std::cout << "sweep '" << r.name << "': " << r.workload << ", strategy " << r.strategy
            << ", seed " << r.seed << "\n";
  std::cout << "  points evaluated: " << r.points.size() << " (" << r.resumed_points
            << " resumed from the journal) of a space of " << r.space_size << ", "
            << duration_text(r.seconds) << "\n";
  std::cout << "  Pareto front:     " << r.front.size() << " points\n";
  std::cout << "  hypervolume:      " << r.hypervolume << " against (";
  for (std::size_t k = 0; k < r.objectives.size(); ++k) {
    std::cout << (k ? ", " : "") << explorer::info(r.objectives[k]).name << " "
              << r.reference[k];
  }
  std::cout << ")\n  best per objective:\n";
  for (std::size_t k = 0; k < r.objectives.size(); ++k) {
    const bool max = explorer::info(r.objectives[k]).maximize;
    const explorer::PointRecord* best = nullptr;
    for (const auto& p : r.points) {
      if (!p.feasible) continue;
      if (!best || (max ? p.values[k] > best->values[k] : p.values[k] < best->values[k])) best = &p;
    }
    if (!best) continue;
    const auto unit = reports::display_unit(r.objectives[k]);
    std::printf("    %-28s %-12.5g point #%llu on %s\n", unit.label.c_str(), best->values[k] * unit.scale,
                static_cast<unsigned long long>(best->id), r.hardware[best->genome[0]].c_str());
  }
  if (r.knee) {
    const auto& p = r.points[r.front[*r.knee]];
    std::cout << "  knee point:       #" << p.id << " on " << r.hardware[p.genome[0]] << " (";
    for (std::size_t k = 0; k < r.objectives.size(); ++k) {
      const auto unit = reports::display_unit(r.objectives[k]);
      std::printf("%s%s %.4g", k ? ", " : "", unit.label.c_str(), p.values[k] * unit.scale);
    }
    std::cout << ")\n";
  }
  for (const auto& w : rep.warnings) std::cout << "  warning: " << w << "\n";
  std::cout << "  results:          " << out.string() << "\n";
  std::cout << "  report:           " << rep.index.string() << "\n";
}

void print_comparison(const explorer::ComparisonResult& c, const std::filesystem::path& out,
                      const std::filesystem::path& report) {
  std::cout << "comparison '" << c.name << "': " << c.workload << ", " << c.rows.size()
            << " strategies, " << duration_text(c.seconds) << "\n";
  if (c.budget) {
    std::printf("  budget: %s <= %.3g x w8a8\n", explorer::info(c.budget->objective).name,
                c.budget->fraction_of_w8a8);
  }
  std::printf("  %-14s %-8s %-10s %6s %8s %6s %11s %7s %9s %9s %9s\n", "label", "strategy", "precision",
              "evals", "time", "front", "hypervolume", "in-bgt", "best acc", "fraction", "finetuned");
  for (const auto& r : c.rows) {
    std::printf("  %-14s %-8s %-10s %6lld %8s %6zu %11.4g %7lld", r.label.c_str(),
                r.strategy.c_str(), r.granularity.c_str(), static_cast<long long>(r.evaluations),
                duration_text(r.seconds).c_str(), r.front_size, r.hypervolume,
                static_cast<long long>(r.within_budget));
    if (r.best) std::printf(" %9.4f %9.3f", r.best_accuracy, r.best_fraction);
    else std::printf(" %9s %9s", "-", "-");
    if (r.finetuned_accuracy) std::printf(" %9.4f", *r.finetuned_accuracy);
    std::printf("\n");
  }
  std::cout << "  results:          " << out.string() << " (comparison.csv, comparison.json, one folder per strategy)\n";
  std::cout << "  report:           " << report.string() << "\n";
}

}  // namespace

void add_sweep_commands(CLI::App& app, Action& action) {
  struct Args {
    std::string config;
    int threads = 0;
    bool resume = false;
    bool quiet = false;
    std::string out;
    std::vector<std::string> overrides;
    std::string results;
  };
  static Args args;
  auto* cmd = app.add_subcommand("sweep", "Search a design space described by a sweep YAML file "
                                          "(docs/sweep-format.md) and report its Pareto front");
  cmd->add_option("config", args.config, "Sweep file")->required();
  cmd->add_option("-j,--threads", args.threads, "Evaluation threads (default: the file's, else all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--resume", args.resume, "Continue from OUT/journal.txt (after an interruption)");
  cmd->add_option("--out", args.out, "Results folder (default out/sweeps/NAME)");
  cmd->add_option("--set", args.overrides, "Override a sweep key, e.g. --set strategy.budget=500");
  cmd->add_flag("-q,--quiet", args.quiet, "No progress bar");
  cmd->callback([&action] {
    action = [] {
      const auto spec = explorer::load_sweep(args.config, args.overrides);
      const std::filesystem::path base =
          args.out.empty() ? std::filesystem::path("out") / "sweeps" / spec.name : std::filesystem::path(args.out);
      // Several workloads: one sweep each, in DIR/WORKLOAD.
      for (std::size_t w = 0; w < spec.workloads.size(); ++w) {
        const auto one = explorer::for_workload(spec, w);
        const auto out = spec.workloads.size() == 1 ? base : base / std::filesystem::path(one.workload).stem();
        if (w > 0) std::cout << '\n';
        if (!one.comparison.empty()) {
          // A comparison: each strategy a sweep in OUT/LABEL with its own report, then the table.
          const bool show = !args.quiet && ::isatty(STDERR_FILENO);
          SweepProgress bar;
          explorer::Progress last;
          explorer::RunOptions opt;
          opt.threads = args.threads;
          opt.out_dir = out;
          opt.resume = args.resume;
          opt.on_progress = [&](const explorer::Progress& p) {
            last = p;
            if (show) bar.update(p);
          };
          explorer::ComparisonCallbacks cb;
          cb.on_start = [&](const explorer::ComparisonRun& run) {
            last = {};
            if (show) std::fprintf(stderr, "%s (%s)\n", run.label.c_str(), run.spec.strategy.name.c_str());
          };
          cb.on_done = [&](const explorer::ComparisonRun& run, const explorer::SweepResult& r) {
            if (show && last.budget > 0) bar.update(last, true);
            explorer::save_results(r, out / run.label);
            std::ofstream(out / run.label / "sweep.yaml") << run.spec.text << '\n';
            (void)reports::write_report(r, out / run.label / "report");
          };
          const auto c = explorer::run_comparison(one, opt, cb);
          explorer::save_comparison(c, out);
          const auto rep = reports::write_comparison_report(c, out / "report");
          for (const auto& warning : rep.warnings) std::cout << "  warning: " << warning << "\n";
          print_comparison(c, out, rep.index);
          continue;
        }
        SweepProgress bar;
        explorer::RunOptions opt;
        opt.threads = args.threads;
        opt.out_dir = out;
        opt.resume = args.resume;
        explorer::Progress last;
        const bool show = !args.quiet && ::isatty(STDERR_FILENO);
        opt.on_progress = [&](const explorer::Progress& p) {
          last = p;
          if (show) bar.update(p);
        };
        const auto r = explorer::run_sweep(one, opt);
        if (show && last.budget > 0) bar.update(last, true);
        explorer::save_results(r, out);
        const auto rep = reports::write_report(r, out / "report");
        print_summary(r, out, rep);
      }
      return 0;
    };
  });

  auto* plot = app.add_subcommand("plot", "Redraw the report (tables, plots, index.html) of a "
                                          "finished sweep");
  plot->add_option("results", args.results, "Results folder of `mixq sweep`")->required();
  plot->callback([&action] {
    action = [] {
      const auto r = explorer::load_results(args.results);
      const auto rep = reports::write_report(r, std::filesystem::path(args.results) / "report");
      for (const auto& w : rep.warnings) std::cout << "warning: " << w << "\n";
      std::cout << rep.images.size() << " images, report: " << rep.index.string() << "\n";
      return 0;
    };
  });
}

}  // namespace mixq::cli
