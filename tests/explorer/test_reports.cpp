// Reports: tables and plots are written, every image index.html references exists, and
// results saved by a sweep load back equal (what `mixq plot` relies on).
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "helpers.hpp"
#include "mixq/reports/report.hpp"

using namespace mixq;
using namespace mixq::explorer;
using mixq::test::slurp;

namespace {

SweepResult small_sweep() {
  RunOptions opt;
  opt.threads = 2;
  return run_sweep(load_sweep_string(
                       "name: rep\nworkload: fmnist_cnn\n"
                       "hardware: [bitfusion, {arch: stripes, vary: {array.rows: [8, 16]}}]\n"
                       "precision: {w_bits: [2, 4, 8], a_bits: [4, 8], first_last: 8}\n"
                       "accuracy: {source: proxy}\n"
                       "objectives: [latency, energy, weight_memory, accuracy]\n"
                       "strategy: {name: nsga2, budget: 200, population: 20}\nseed: 3\n",
                       "rep.yaml"),
                   opt);
}

}  // namespace

TEST_CASE("every image index.html references exists and is not empty") {
  const auto dir = test::temp_dir("report");
  const auto r = small_sweep();
  const auto rep = reports::write_report(r, dir);
  CHECK(rep.warnings.empty());
  const std::string page = slurp(rep.index);
  // Every src="..." and href="..." (std::regex trips GCC 12's -Wmaybe-uninitialized under ASan).
  std::vector<std::string> targets;
  for (const std::string attr : {"src=\"", "href=\""}) {
    for (auto pos = page.find(attr); pos != std::string::npos; pos = page.find(attr, pos + 1)) {
      const auto begin = pos + attr.size();
      targets.push_back(page.substr(begin, page.find('"', begin) - begin));
    }
  }
  REQUIRE(!targets.empty());
  std::set<std::string> images;
  for (const auto& target : targets) {
    INFO(target);
    CHECK(std::filesystem::exists(dir / target));
    CHECK(std::filesystem::file_size(dir / target) > 0);
    if (target.ends_with(".png")) images.insert(target);
  }
  // Three accuracy pairs, the hardware fronts, the heatmap and the energy bars.
  CHECK(images.size() == 6);
  CHECK(images.contains("hardware_fronts.png"));
  CHECK(images.contains("bits_heatmap.png"));
  CHECK(images.contains("energy_breakdown.png"));
  CHECK(images.contains("front_accuracy_vs_latency.png"));
  CHECK(rep.images.size() == 12);  // PNG and SVG of each
  // The page carries the front as a table and the sweep's configuration.
  CHECK(page.find("<h2>Pareto front</h2>") != std::string::npos);
  CHECK(page.find("strategy: {name: nsga2") != std::string::npos);
  // Tables: one CSV line per point (plus the header), per front point.
  std::ifstream csv(dir / "points.csv");
  std::size_t lines = 0;
  for (std::string l; std::getline(csv, l);) ++lines;
  CHECK(lines == r.points.size() + 1);
  std::ifstream fcsv(dir / "front.csv");
  lines = 0;
  for (std::string l; std::getline(fcsv, l);) ++lines;
  CHECK(lines == r.front.size() + 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a missing gnuplot is a warning, and the page then links no image") {
  const auto dir = test::temp_dir("nognuplot");
  reports::ReportOptions opt;
  opt.gnuplot = "/nonexistent/gnuplot";
  const auto rep = reports::write_report(small_sweep(), dir, opt);
  CHECK_FALSE(rep.warnings.empty());
  CHECK(rep.images.empty());
  CHECK(slurp(rep.index).find("<img") == std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("saved results load back equal") {
  const auto dir = test::temp_dir("results");
  const auto r = small_sweep();
  save_results(r, dir);
  const auto back = load_results(dir);
  REQUIRE(back.points.size() == r.points.size());
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    REQUIRE(genome_to_string(back.points[i].genome) == genome_to_string(r.points[i].genome));
    REQUIRE(back.points[i].values == r.points[i].values);
    REQUIRE(back.points[i].feasible == r.points[i].feasible);
  }
  CHECK(back.front == r.front);
  CHECK(back.hardware == r.hardware);
  CHECK(back.hypervolume == r.hypervolume);
  CHECK(back.knee == r.knee);
  CHECK(back.config_text == r.config_text);
  REQUIRE(back.front_details.size() == r.front_details.size());
  CHECK(back.front_details[0].w_bits == r.front_details[0].w_bits);
  // Decoding from the saved gene tables gives the runner's bits.
  for (std::size_t k = 0; k < r.front.size(); ++k) {
    const auto bits = decode_bits(back, back.points[back.front[k]].genome);
    CHECK(bits.w == r.front_details[k].w_bits);
    CHECK(bits.a == r.front_details[k].a_bits);
  }
  CHECK_THROWS_AS(load_results(dir / "nothing"), InputError);
  // Labels of varied hardware hold commas; the report's CSV quotes them.
  CHECK(r.hardware[1] == "stripes[array.rows=8]");
  std::filesystem::remove_all(dir);
  const auto multi = run_sweep(load_sweep_string(
                                   "workload: fmnist_cnn\nhardware: [{arch: bitfusion, vary: "
                                   "{array.rows: [8, 16], array.cols: [16, 32]}}]\n"
                                   "objectives: [latency, energy]\nstrategy: {name: random, budget: 40}\n",
                                   "m.yaml"),
                               RunOptions{});
  save_results(multi, dir);
  CHECK(load_results(dir).points.size() == 40);
  reports::write_tables(multi, dir / "report");
  std::ifstream csv(dir / "report" / "front.csv");
  std::string header, line;
  std::getline(csv, header);
  std::getline(csv, line);
  CHECK(line.find(",\"bitfusion[array.rows=") != std::string::npos);
  std::filesystem::remove_all(dir);
}
