#include "mixq/explorer/runner.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/journal.hpp"
#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/proxy_accuracy.hpp"
#include "mixq/explorer/strategy.hpp"
#include "mixq/explorer/training_accuracy.hpp"

namespace mixq::explorer {
namespace {

// FNV-1a: the journal's fingerprint of the sweep (its text after overrides), so that
// --resume refuses a journal written by a different sweep.
std::string fingerprint(const SweepSpec& spec) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : spec.text + "\n" + spec.workload) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Incremental non-dominated archive (minimized view) with the points' indices: the progress
// line's front size during the run, the front itself at the end (a sort of a million points
// would cost seconds). Of identical vectors the first is kept, as non_dominated() does. It
// also tracks each objective's range for the default reference point.
class Archive {
 public:
  void add(Vector p, std::size_t index) {
    if (lo_.empty()) {
      lo_ = hi_ = p;
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
      lo_[i] = std::min(lo_[i], p[i]);
      hi_[i] = std::max(hi_[i], p[i]);
    }
    for (const auto& a : points_) {
      bool no_worse = true;
      for (std::size_t i = 0; i < p.size() && no_worse; ++i) no_worse = a.first[i] <= p[i];
      if (no_worse) return;  // dominated by or equal to a kept point
    }
    std::erase_if(points_, [&](const std::pair<Vector, std::size_t>& a) {
      for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] > a.first[i]) return false;
      }
      return true;
    });
    points_.emplace_back(std::move(p), index);
  }
  [[nodiscard]] std::size_t size() const noexcept { return points_.size(); }
  [[nodiscard]] const std::vector<std::pair<Vector, std::size_t>>& points() const noexcept {
    return points_;
  }
  // default_reference() of every point added.
  [[nodiscard]] Vector reference() const {
    return lo_.empty() ? Vector{} : default_reference({lo_, hi_});
  }

 private:
  std::vector<std::pair<Vector, std::size_t>> points_;
  Vector lo_, hi_;
};

}  // namespace

int resolve_threads(const SweepSpec& spec, const RunOptions& options) noexcept {
  if (options.threads > 0) return options.threads;
  if (spec.threads > 0) return spec.threads;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

SweepResult run_sweep(const SweepSpec& spec, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (!spec.comparison.empty() || !spec.strategy.params) {
    throw Error("run_sweep: '" + spec.name + "' compares strategies: run it with run_comparison");
  }
  // Everything that can reject the sweep happens here, before the first evaluation.
  const Space space(spec);
  const ProxyAccuracy sensitivity(space, spec.accuracy.proxy);
  std::shared_ptr<const TrainedBase> base;
  SearchContext ctx{&space, spec.objectives, &sensitivity, spec.seed, spec.strategy.budget,
                    [&base]() { return base.get(); }, &spec};
  auto strategy = make_strategy(*spec.strategy.params, ctx);
  // Then the accuracy source: ptq and qat may first train a float model (the slow part of
  // their setup, after every check).
  const AccuracySource* accuracy = nullptr;
  std::unique_ptr<AccuracySource> trained;
  if (spec.accuracy.kind == AccuracyKind::kProxy) accuracy = &sensitivity;
  if (spec.accuracy.kind == AccuracyKind::kPtq || spec.accuracy.kind == AccuracyKind::kQat) {
    base = options.trained_base ? options.trained_base : std::make_shared<const TrainedBase>(space, spec);
    if (spec.accuracy.kind == AccuracyKind::kPtq) {
      trained = std::make_unique<PtqAccuracy>(base);
    } else {
      trained = std::make_unique<QatAccuracy>(base, spec);
    }
    accuracy = trained.get();
  }
  const Evaluator evaluator(space, spec.objectives, accuracy);
  const int threads = resolve_threads(spec, options);

  std::unique_ptr<Journal> journal;
  if (!options.out_dir.empty()) {
    std::filesystem::create_directories(options.out_dir);
    journal = std::make_unique<Journal>(options.out_dir / "journal.txt", fingerprint(spec),
                                        options.resume);
  }

  SweepResult r;
  r.name = spec.name;
  r.config_text = spec.text;
  r.workload = space.network().name();
  r.strategy = spec.strategy.name;
  r.seed = spec.seed;
  for (const auto& hw : space.hardware()) r.hardware.push_back(hw.label);
  for (const std::size_t l : space.weighted_layers()) r.layers.push_back(space.network().layer(l).name);
  r.objectives = spec.objectives;
  r.gene_bits.resize(space.genes());
  {
    const auto weighted = space.weighted_layers();
    const auto probe = space.assignment(Genome(space.genes(), 0));
    for (const std::size_t l : weighted) {
      int wg = -1;
      int ag = -1;
      for (std::size_t j = 0; j < space.free_layers().size(); ++j) {
        const auto& f = space.free_layers()[j];
        if (f.layer != l) continue;
        wg = static_cast<int>(1 + 2 * j);
        ag = static_cast<int>(2 + 2 * j);
        r.gene_bits[1 + 2 * j] = f.w_bits;
        r.gene_bits[2 + 2 * j] = f.a_bits;
      }
      r.layer_w_gene.push_back(wg);
      r.layer_a_gene.push_back(ag);
      r.layer_w_fixed.push_back(wg < 0 ? probe[l].max_w_bits() : 0);
      r.layer_a_fixed.push_back(ag < 0 ? probe[l].max_a_bits() : 0);
    }
  }
  r.space_size = space.size();

  Archive archive;
  Progress progress;
  progress.budget = spec.strategy.budget;
  std::uint32_t batch_no = 0;
  // Evaluations become records (moved: a sweep holds millions of them).
  auto record = [&](std::vector<Evaluation>& evals) {
    for (auto& e : evals) {
      PointRecord p;
      p.id = r.points.size();
      p.batch = batch_no;
      p.genome = std::move(e.genome);
      p.feasible = e.feasible;
      p.values = std::move(e.values);
      if (p.feasible) archive.add(to_minimized(spec.objectives, p.values), p.id);
      r.points.push_back(std::move(p));
    }
  };
  const auto batch_limit = [&] {
    return static_cast<std::size_t>(std::min<std::int64_t>(
        static_cast<std::int64_t>(options.max_batch),
        spec.strategy.budget - static_cast<std::int64_t>(r.points.size())));
  };

  // Replay: the strategy proposes again what it proposed before the interruption; the
  // journal answers instead of the evaluator, and every genome is checked.
  if (journal) {
    for (const auto& jb : journal->recovered()) {
      if (batch_limit() == 0) throw Error("the journal holds more points than the budget");
      const auto genomes = strategy->propose(batch_limit());
      if (genomes.size() != jb.points.size() || jb.batch != batch_no) {
        throw Error("the journal does not match this sweep's strategy at batch " +
                    std::to_string(batch_no) + ": remove it or run without --resume");
      }
      std::vector<Evaluation> evals(genomes.size());
      for (std::size_t i = 0; i < genomes.size(); ++i) {
        const auto& p = jb.points[i];
        if (p.genome != genomes[i] || p.id != r.points.size() + i ||
            (p.feasible && p.values.size() != spec.objectives.size())) {
          throw Error("the journal does not match this sweep's strategy at point " +
                      std::to_string(r.points.size() + i) + ": remove it or run without --resume");
        }
        evals[i] = {p.genome, p.feasible, p.values};
      }
      strategy->report(evals);
      record(evals);
      ++batch_no;
    }
  }
  r.resumed_points = static_cast<std::int64_t>(r.points.size());
  progress.resumed = r.resumed_points;
  const auto search_start = std::chrono::steady_clock::now();

  while (batch_limit() > 0) {
    auto genomes = strategy->propose(batch_limit());
    if (genomes.empty()) break;
    std::vector<Evaluation> evals(genomes.size());
    for (std::size_t i = 0; i < genomes.size(); ++i) {
      space.check(genomes[i]);
      evals[i].genome = std::move(genomes[i]);
    }
    evaluator.evaluate(evals, threads);
    strategy->report(evals);
    const std::size_t first = r.points.size();
    record(evals);
    if (journal) {
      journal->append(batch_no, std::span<const PointRecord>(r.points).subspan(first));
    }
    ++batch_no;
    if (options.on_progress) {
      progress.evaluated = static_cast<std::int64_t>(r.points.size());
      progress.front_size = archive.size();
      progress.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - search_start).count();
      options.on_progress(progress);
    }
  }

  // The front (the archive), its hypervolume against the stated (or default) reference, and
  // its knee. Sorted by the minimized objectives, ties by id.
  Vector ref = archive.reference();
  if (ref.empty()) ref.assign(spec.objectives.size(), 0);
  for (std::size_t k = 0; k < spec.objectives.size(); ++k) {
    if (spec.reference[k]) ref[k] = info(spec.objectives[k]).maximize ? -*spec.reference[k] : *spec.reference[k];
  }
  for (std::size_t k = 0; k < ref.size(); ++k) r.reference.push_back(from_minimized(spec.objectives[k], ref[k]));
  auto front = archive.points();
  std::sort(front.begin(), front.end());
  std::vector<Vector> front_min;
  for (const auto& [v, i] : front) {
    r.front.push_back(i);
    front_min.push_back(v);
  }
  r.hypervolume = hypervolume(front_min, ref);
  r.knee = knee_point(front_min);

  // Details of front points for the reports: bits per weighted layer, energy by component.
  const auto weighted = space.weighted_layers();
  for (const std::size_t i : r.front) {
    FrontDetail d;
    const auto a = space.assignment(r.points[i].genome);
    for (const std::size_t l : weighted) {
      d.w_bits.push_back(a[l].max_w_bits());
      d.a_bits.push_back(a[l].max_a_bits());
    }
    const auto& hw = space.hardware()[r.points[i].genome[0]];
    if (hw.model->check(space.network(), a).ok) {
      const auto cost = hw.model->evaluate(space.network(), a);
      d.energy_pj.emplace_back("mac", cost.energy.mac_pj);
      for (std::size_t b = 0; b < cost.energy.buffer_pj.size(); ++b) {
        d.energy_pj.emplace_back(hw.model->accelerator().buffers[b].name, cost.energy.buffer_pj[b]);
      }
      d.energy_pj.emplace_back("dram", cost.energy.dram_pj);
    }
    r.front_details.push_back(std::move(d));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace mixq::explorer
