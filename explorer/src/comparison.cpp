#include "mixq/explorer/comparison.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "mixq/explorer/evaluator.hpp"
#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/space.hpp"
#include "mixq/explorer/strategy.hpp"
#include "mixq/explorer/training_accuracy.hpp"

namespace mixq::explorer {
namespace {

// The budget objective of the network at w8a8 everywhere, per hardware variant: the same
// space with every layer's bits fixed at 8, scored by the same evaluator.
std::vector<double> w8a8_costs(const SweepSpec& spec, ObjectiveKind objective) {
  SweepSpec s = spec.comparison.front().spec;
  s.precision = PrecisionSpec{};
  s.precision.w_bits = {8};
  s.precision.a_bits = {8};
  s.accuracy = AccuracySpec{};
  s.objectives = {objective};
  const Space space(s);
  const Evaluator evaluator(space, s.objectives, nullptr);
  std::vector<Evaluation> evals(space.hardware().size());
  for (std::size_t hw = 0; hw < evals.size(); ++hw) {
    evals[hw].genome.assign(space.genes(), 0);
    evals[hw].genome[0] = static_cast<std::uint8_t>(hw);
  }
  evaluator.evaluate(evals, 1);
  std::vector<double> out;
  for (std::size_t hw = 0; hw < evals.size(); ++hw) {
    if (!evals[hw].feasible) {
      throw InputError(InputError::Kind::kValue, spec.budget->where,
                       "the network at w8a8 cannot run on '" + space.hardware()[hw].label +
                           "': no budget relative to it");
    }
    out.push_back(evals[hw].values[0]);
  }
  return out;
}

std::string granularity_text(const PrecisionSpec& p) {
  if (p.granularity == workloads::Granularity::kLayer) return "layer";
  return p.channel_group == 1 ? "channel" : "channel/" + std::to_string(p.channel_group);
}

// "conv1:w8a8 conv2:w{8x4,24x2}a2": per weighted layer, its weight groups as count x bits
// when they differ.
std::string bits_text(const Space& space, const Genome& g) {
  const auto a = space.assignment(g);
  std::string out;
  for (const std::size_t l : space.weighted_layers()) {
    const auto& lp = a[l];
    out += (out.empty() ? "" : " ") + space.network().layer(l).name + ":w";
    if (lp.groups.size() <= 1 || lp.is_uniform()) {
      out += std::to_string(lp.max_w_bits());
    } else {
      out += "{";
      for (std::size_t i = 0; i < lp.groups.size(); ++i) {
        out += (i ? "," : "") + std::to_string(lp.groups[i].count) + "x" + std::to_string(lp.groups[i].w_bits);
      }
      out += "}";
    }
    out += "a" + std::to_string(lp.max_a_bits());
  }
  return out;
}

std::size_t objective_index(const std::vector<ObjectiveKind>& objectives, ObjectiveKind k) {
  return static_cast<std::size_t>(std::find(objectives.begin(), objectives.end(), k) - objectives.begin());
}

}  // namespace

ComparisonResult compare_runs(const SweepSpec& spec, std::vector<SweepResult> runs) {
  if (spec.comparison.size() != runs.size()) throw Error("compare_runs: one result per strategy entry");
  ComparisonResult c;
  c.name = spec.name;
  c.workload = spec.workload;
  c.config_text = spec.text;
  c.objectives = spec.objectives;
  c.budget = spec.budget;
  c.finetune = spec.finetune;
  if (!runs.empty()) c.hardware = runs.front().hardware;
  if (c.budget) c.w8a8_cost = w8a8_costs(spec, c.budget->objective);

  // One reference point for every run: the sweep's where given, else the default reference
  // of all runs' feasible points together.
  std::vector<Vector> all;
  for (const auto& r : runs) {
    for (const auto& p : r.points) {
      if (p.feasible) all.push_back(to_minimized(c.objectives, p.values));
    }
  }
  Vector ref = all.empty() ? Vector(c.objectives.size(), 0) : default_reference(all);
  for (std::size_t k = 0; k < c.objectives.size(); ++k) {
    if (spec.reference[k]) ref[k] = info(c.objectives[k]).maximize ? -*spec.reference[k] : *spec.reference[k];
    c.reference.push_back(from_minimized(c.objectives[k], ref[k]));
  }

  const std::size_t acc = objective_index(c.objectives, ObjectiveKind::kAccuracy);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const auto& run = spec.comparison[i];
    ComparisonRow row;
    row.label = run.label;
    row.strategy = run.spec.strategy.name;
    row.granularity = granularity_text(run.spec.precision);
    row.evaluations = static_cast<std::int64_t>(r.points.size());
    row.seconds = r.seconds;
    row.front_size = r.front.size();
    std::vector<Vector> front;
    for (const std::size_t f : r.front) front.push_back(to_minimized(c.objectives, r.points[f].values));
    row.hypervolume = hypervolume(front, ref);
    if (c.budget) {
      const std::size_t k = objective_index(c.objectives, c.budget->objective);
      for (std::size_t p = 0; p < r.points.size(); ++p) {
        const auto& pt = r.points[p];
        if (!pt.feasible) continue;
        const double limit = c.budget->fraction_of_w8a8 * c.w8a8_cost[pt.genome[0]];
        if (pt.values[k] > limit) continue;
        ++row.within_budget;
        // Best accuracy; ties to the cheaper point, then the earlier one.
        if (!row.best || pt.values[acc] > row.best_accuracy ||
            (pt.values[acc] == row.best_accuracy && pt.values[k] < row.best_cost)) {
          row.best = p;
          row.best_accuracy = pt.values[acc];
          row.best_cost = pt.values[k];
          row.best_fraction = pt.values[k] / c.w8a8_cost[pt.genome[0]];
        }
      }
      if (row.best) {
        const Space space(run.spec);
        row.best_bits = bits_text(space, r.points[*row.best].genome);
      }
    }
    c.rows.push_back(std::move(row));
  }
  c.runs = std::move(runs);
  return c;
}

ComparisonResult run_comparison(const SweepSpec& spec, const RunOptions& options,
                                const ComparisonCallbacks& callbacks) {
  if (spec.comparison.empty()) throw Error("run_comparison: '" + spec.name + "' has no `strategies:`");
  const auto start = std::chrono::steady_clock::now();
  // Validate every run's space and strategy before any training or evaluation.
  for (const auto& run : spec.comparison) {
    const Space space(run.spec);
    const ProxyAccuracy sensitivity(space, run.spec.accuracy.proxy);
    SearchContext ctx{&space, run.spec.objectives, &sensitivity, run.spec.seed,
                      run.spec.strategy.budget, []() -> const TrainedBase* { return nullptr; }, &run.spec};
    (void)make_strategy(*run.spec.strategy.params, ctx);
  }
  RunOptions opt = options;
  const auto kind = spec.accuracy.kind;
  if (!opt.trained_base && (kind == AccuracyKind::kPtq || kind == AccuracyKind::kQat)) {
    // The float model depends on the workload, training settings and seed only, which every
    // run shares: train it once.
    const Space space(spec.comparison.front().spec);
    opt.trained_base = std::make_shared<const TrainedBase>(space, spec.comparison.front().spec);
  }
  std::vector<SweepResult> runs;
  for (const auto& run : spec.comparison) {
    if (callbacks.on_start) callbacks.on_start(run);
    RunOptions o = opt;
    if (!options.out_dir.empty()) o.out_dir = options.out_dir / run.label;
    runs.push_back(run_sweep(run.spec, o));
    if (callbacks.on_done) callbacks.on_done(run, runs.back());
  }
  auto c = compare_runs(spec, std::move(runs));

  if (spec.finetune) {
    // Each row's best point fine-tuned at its bits from the shared float model, rows in
    // parallel (each fine-tune is single-threaded and deterministic).
    std::vector<std::size_t> to_tune;
    for (std::size_t i = 0; i < c.rows.size(); ++i) {
      if (c.rows[i].best) to_tune.push_back(i);
    }
    std::vector<double> tuned(c.rows.size(), 0);
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
      for (std::size_t t = next++; t < to_tune.size(); t = next++) {
        try {
          const std::size_t i = to_tune[t];
          SweepSpec s = spec.comparison[i].spec;
          s.accuracy.training.qat_epochs = spec.finetune->epochs;
          s.accuracy.training.lr = spec.finetune->lr;
          const Space space(s);
          const QatAccuracy qat(opt.trained_base, s);
          ChoiceIndices idx;
          space.decode(c.runs[i].points[*c.rows[i].best].genome, idx);
          const ChoiceIndices* batch[] = {&idx};
          qat.score(space, batch, std::span<double>(&tuned[i], 1));
        } catch (...) {
          const std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
      }
    };
    const auto n = std::min<std::size_t>(to_tune.size(), static_cast<std::size_t>(resolve_threads(spec, options)));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < n; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    for (const std::size_t i : to_tune) c.rows[i].finetuned_accuracy = tuned[i];
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

void save_comparison(const ComparisonResult& c, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir / "comparison.csv");
    csv << "label,strategy,granularity,evaluations,seconds,front_size,hypervolume,within_budget,"
           "best_accuracy,best_cost,best_fraction_of_w8a8,finetuned_accuracy,best_bits\n";
    for (const auto& r : c.rows) {
      csv << r.label << ',' << r.strategy << ',' << r.granularity << ',' << r.evaluations << ','
          << r.seconds << ',' << r.front_size << ',' << r.hypervolume << ',' << r.within_budget << ',';
      if (r.best) csv << r.best_accuracy << ',' << r.best_cost << ',' << r.best_fraction;
      else csv << ",,";
      csv << ',';
      if (r.finetuned_accuracy) csv << *r.finetuned_accuracy;
      csv << ',' << r.best_bits << '\n';
    }
    if (!csv) throw Error("cannot write " + (dir / "comparison.csv").string());
  }
  nlohmann::json j;
  j["name"] = c.name;
  j["workload"] = c.workload;
  j["seconds"] = c.seconds;
  j["hardware"] = c.hardware;
  for (std::size_t k = 0; k < c.objectives.size(); ++k) {
    j["objectives"].push_back(info(c.objectives[k]).name);
    j["reference"][info(c.objectives[k]).name] = c.reference[k];
  }
  if (c.budget) {
    j["budget"] = {{"objective", info(c.budget->objective).name},
                   {"fraction_of_w8a8", c.budget->fraction_of_w8a8},
                   {"w8a8", c.w8a8_cost}};
  }
  if (c.finetune) j["finetune"] = {{"epochs", c.finetune->epochs}, {"lr", c.finetune->lr}};
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const auto& r = c.rows[i];
    nlohmann::json row = {{"label", r.label},           {"strategy", r.strategy},
                          {"granularity", r.granularity}, {"evaluations", r.evaluations},
                          {"seconds", r.seconds},       {"front_size", r.front_size},
                          {"hypervolume", r.hypervolume}, {"within_budget", r.within_budget},
                          {"results", r.label}};
    if (r.best) {
      row["best"] = {{"point", c.runs[i].points[*r.best].id},
                     {"accuracy", r.best_accuracy},
                     {"cost", r.best_cost},
                     {"fraction_of_w8a8", r.best_fraction},
                     {"bits", r.best_bits}};
      if (r.finetuned_accuracy) row["best"]["finetuned_accuracy"] = *r.finetuned_accuracy;
    }
    j["rows"].push_back(row);
  }
  j["config"] = c.config_text;
  std::ofstream out(dir / "comparison.json");
  out << j.dump(2) << '\n';
  if (!out) throw Error("cannot write " + (dir / "comparison.json").string());
}

}  // namespace mixq::explorer
