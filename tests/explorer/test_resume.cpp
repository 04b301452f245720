// The journal and --resume: a sweep killed with SIGKILL mid-run and resumed ends with the
// same journal (byte for byte), points and front as an uninterrupted run with the same seed.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "helpers.hpp"
#include "mixq/explorer/journal.hpp"

using namespace mixq;
using namespace mixq::explorer;
using mixq::test::slurp;

namespace {

// Many small batches (population 64) so that a kill lands in the middle of the run.
const std::string kSweep =
    "name: resume\n"
    "workload: mobilenet_v2\n"
    "hardware: [bitfusion, stripes]\n"
    "precision: {w_bits: [2, 4, 8], a_bits: [2, 4, 8], first_last: 8}\n"
    "accuracy: {source: proxy}\n"
    "objectives: [latency, energy, accuracy]\n"
    "strategy: {name: nsga2, budget: 6400, population: 64}\n"
    "seed: 5\n";

std::size_t closed_batches(const std::filesystem::path& f) {
  std::size_t n = 0;
  std::istringstream in(slurp(f));
  std::string line;
  while (std::getline(in, line)) n += line.rfind("B ", 0) == 0;
  return n;
}

// The whole budget (100 batches) where a kill must land mid-run; the tests that only need a
// few batches ask for fewer (each run of the whole budget is ~20 s under ASan).
SweepResult run_in(const std::filesystem::path& dir, bool resume, int threads, int budget = 6400) {
  RunOptions opt;
  opt.out_dir = dir;
  opt.resume = resume;
  opt.threads = threads;
  return run_sweep(
      load_sweep_string(kSweep, "resume.yaml", {"strategy.budget=" + std::to_string(budget)}), opt);
}

void check_same(const SweepResult& a, const SweepResult& b) {
  REQUIRE(a.points.size() == b.points.size());
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    REQUIRE(genome_to_string(a.points[i].genome) == genome_to_string(b.points[i].genome));
    REQUIRE(a.points[i].values == b.points[i].values);
    REQUIRE(a.points[i].batch == b.points[i].batch);
  }
  CHECK(a.front == b.front);
  CHECK(a.hypervolume == b.hypervolume);
}

}  // namespace

TEST_CASE("kill -9 in the middle of a sweep, then --resume: same journal and front as an uninterrupted run") {
  const auto dir = test::temp_dir("resume");
  const auto killed = dir / "killed";
  const auto whole = dir / "whole";
  const auto journal = killed / "journal.txt";

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      (void)run_in(killed, false, 2);
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  // Wait for a few durable batches, then SIGKILL: no destructor, no flush.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         (!std::filesystem::exists(journal) || closed_batches(journal) < 15)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));  // killed mid-run, not finished
  const std::size_t before = closed_batches(journal);
  INFO("batches journaled before the kill: " << before);
  REQUIRE(before >= 15);
  REQUIRE(before < 100);

  const auto resumed = run_in(killed, true, 1);  // another thread count, on purpose
  CHECK(resumed.resumed_points >= static_cast<std::int64_t>(before) * 64);
  const auto uninterrupted = run_in(whole, false, 2);
  CHECK(uninterrupted.resumed_points == 0);
  check_same(resumed, uninterrupted);
  CHECK(slurp(journal) == slurp(whole / "journal.txt"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a torn journal tail is cut off and its batch evaluated again") {
  const auto dir = test::temp_dir("torn");
  const auto full = run_in(dir / "a", false, 2, 640);
  // Keep the header and the first two batches, then half of the third batch's lines.
  const std::string text = slurp(dir / "a" / "journal.txt");
  std::size_t pos = 0;
  for (int b = 0; b < 2; ++b) pos = text.find("\nB ", pos + 1);
  pos = text.find('\n', pos + 1) + 1;
  const std::string torn = text.substr(0, pos) + text.substr(pos, 500);
  std::filesystem::create_directories(dir / "b");
  {
    std::ofstream out(dir / "b" / "journal.txt", std::ios::binary);
    out << torn;
  }
  const auto resumed = run_in(dir / "b", true, 2, 640);
  CHECK(resumed.resumed_points == 128);
  check_same(resumed, full);
  CHECK(slurp(dir / "b" / "journal.txt") == text);
  std::filesystem::remove_all(dir);
}

TEST_CASE("resuming with the journal of another sweep is refused") {
  const auto dir = test::temp_dir("other");
  (void)run_in(dir, false, 2, 128);
  RunOptions opt;
  opt.out_dir = dir;
  opt.resume = true;
  auto other = kSweep;
  other.replace(other.find("seed: 5"), 7, "seed: 6");
  CHECK_THROWS_AS(run_sweep(load_sweep_string(other, "resume.yaml", {"strategy.budget=128"}), opt),
                  InputError);
  std::filesystem::remove_all(dir);
}
